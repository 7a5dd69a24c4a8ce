"""The API reference at /api/docs: Swagger UI from the packaged files renders every operation."""

from __future__ import annotations

import json
import urllib.request


def test_api_docs_render_every_operation(page, live_server):
    with urllib.request.urlopen(f"{live_server}/api/v1/openapi.json", timeout=10) as response:
        operations = [path for path, item in json.load(response)["paths"].items() for _method in item]
    page.goto("/")
    page.click("footer a[href='/api/docs']")
    page.wait_for_url("**/api/docs")
    page.wait_for_selector("#swagger-ui .opblock")
    paths = page.eval_on_selector_all("#swagger-ui .opblock-summary-path",
                                      "nodes => nodes.map(node => node.getAttribute('data-path'))")
    assert sorted(paths) == sorted(operations)
    assert page.locator("#swagger-ui .info .title").inner_text().startswith("Insatsportalen API")
    page.click("#swagger-ui .opblock-summary-path[data-path='/api/v1/search']")
    page.wait_for_selector("#swagger-ui .opblock.is-open .parameters")
    assert page.locator("#swagger-ui .opblock.is-open tr[data-param-name='q']").count() == 1


def test_swagger_ui_is_served_by_the_portal(page, live_server):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/docs")
    page.wait_for_selector("#swagger-ui .opblock")
    assert requests and all(url.startswith(live_server) for url in requests), requests
