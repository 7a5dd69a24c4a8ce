"""Links that leave the request: absolute URLs on ``PORTAL_BASE_URL`` and safe redirect targets."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link on ``PORTAL_BASE_URL``, never on the request's ``Host``.

    Works the same in a request, the CLI and a queue worker, so a forged ``Host`` header
    can never end up in a mailed link.
    """
    base = urlsplit(current_app.config["PORTAL_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def safe_redirect_target(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    Browsers ignore tabs and newlines in a URL, treat ``\\`` as ``/`` and decode some
    escapes, so ``/\\evil``, ``/\\t/evil`` and ``/%2F/evil`` all lead off-site: anything
    that is not a plain absolute path, before and after decoding, is refused.
    """
    if not target or len(target) > 2000:
        return None
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        if "\\" in candidate or any(ord(char) < 0x20 or ord(char) == 0x7F for char in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target
