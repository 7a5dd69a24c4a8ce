"""What every public API answer does (``/api/v1`` and ``/hsds``).

- Validators: an ``ETag`` of the body and ``Last-Modified`` of the catalogue, so that a
  client repeating a request with ``If-None-Match`` / ``If-Modified-Since`` gets
  ``304 Not Modified``.
- CORS: ``Access-Control-Allow-Origin: *`` on GET answers to visitors who are not logged
  in, never with credentials; an answer for a logged-in user (which may hold internal
  fields) never carries CORS headers and is private to the browser's cache.
- A per-address rate limit (``API_RATE_LIMIT``), answered with ``429`` and ``Retry-After``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, request
from flask_login import current_user
from sqlalchemy import func

from portal.exceptions import DomainError
from portal.extensions import db, limiter
from portal.parsing import parse_int

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, Link, X-RateLimit-Limit, X-RateLimit-Remaining"


class ApiError(DomainError):
    """A refused API request, answered as problem details (RFC 9457) by `portal/errors.py`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = self.status_code = status


def positive_int(name: str, default: int, maximum: int | None = None) -> int:
    """``?name=``: a whole number from 1 (at most ``maximum``), else a 400 that says so."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw, minimum=1)
    if value is None:
        raise ApiError(400, f"'{name}' must be a whole number from 1")
    if maximum is not None and value > maximum:
        raise ApiError(400, f"'{name}' must be at most {maximum}")
    return value


def init_public_api(bp: Blueprint, *, exempt_endpoints: frozenset[str] = frozenset()) -> None:
    """Give every answer of ``bp`` validators, CORS and the rate limit."""
    # One budget per address for the whole public API, whichever endpoint is asked.
    limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="public_api",
                         exempt_when=lambda: request.endpoint in exempt_endpoints)(bp)

    @bp.after_request
    def _public_api_headers(response: Response) -> Response:
        if request.endpoint in exempt_endpoints:
            return response
        return finish(response)


def finish(response: Response) -> Response:
    authenticated = current_user.is_authenticated
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    if authenticated:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    elif request.method in SAFE_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept-Language, If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.cache_control.public = True
        response.cache_control.no_cache = True
    if request.method in {"GET", "HEAD"} and response.status_code == 200 and not response.is_streamed:
        response.add_etag()
        modified = catalogue_last_modified()
        if modified is not None:
            response.last_modified = modified
        response.make_conditional(request)
    return response


def catalogue_last_modified() -> datetime | None:
    """When anything an API answer is made of last changed (to the second)."""
    from portal.catalogue.models import Intervention, Organisation

    newest = [
        db.session.execute(db.select(func.max(model.updated_at))).scalar()
        for model in (Intervention, Organisation)
    ]
    newest = [value for value in newest if value is not None]
    if not newest:
        return None
    value = max(newest)
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).replace(microsecond=0)
