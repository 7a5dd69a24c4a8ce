"""``/api/docs``: a human reference of the API, rendered by Swagger UI.

Swagger UI's files come from the ``flask-swagger-ui`` package (its bundled ``dist``
folder), served from here; the page's initialisation is ``static/js/api-docs.js``, so the
page needs no inline script and nothing from a CDN.
"""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, abort, render_template, send_from_directory

SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SWAGGER_UI_FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png", "favicon-16x16.png", "LICENSE"}

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def show():
    return render_template("api/docs.html")


@bp.get("/api/docs/swagger-ui/<name>")
def swagger_ui_file(name: str):
    if name not in SWAGGER_UI_FILES:
        abort(404)
    return send_from_directory(SWAGGER_UI_DIST, name, max_age=7 * 24 * 3600)
