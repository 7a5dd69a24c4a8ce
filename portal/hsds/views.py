"""``/hsds``: the region's offer in Open Referral's HSDS 3.0, following its API reference.

List endpoints answer in HSDS's ``Page`` shape and take the cumulative parameters
``search``, ``page``, ``per_page``, ``taxonomy_term_id``, ``taxonomy_id``,
``organization_id``, ``modified_after``, ``full``, ``minimal`` and ``format=ndjson``
(every result, one JSON object a line, without paging). ``?lang=`` chooses the language
of text fields.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from flask_login import current_user

from portal.accounts.permissions import Action, can
from portal.api.http import ApiError, init_public_api, positive_int
from portal.catalogue.models import Intervention, Vocabulary
from portal.catalogue.taxonomy import terms
from portal.errors import problem
from portal.extensions import csrf
from portal.hsds import mapping, queries
from portal.i18n import select_locale

bp = Blueprint("hsds", __name__, url_prefix="/hsds")
csrf.exempt(bp)
init_public_api(bp)

MAX_PER_PAGE = 500
MAX_PAGE = 100_000
NDJSON = "application/x-ndjson"
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return problem(error.status, error.message)


def _flag(name: str) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return False
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ApiError(400, f"'{name}' must be true or false")


def _ndjson() -> bool:
    value = request.args.get("format", "json")
    if value not in ("json", "ndjson"):
        raise ApiError(400, "'format' must be json or ndjson")
    return value == "ndjson"


def _paging() -> tuple[int, int]:
    return (positive_int("page", 1, MAX_PAGE),
            positive_int("per_page", current_app.config["PER_PAGE"], MAX_PER_PAGE))


def _modified_after() -> datetime | None:
    raw = request.args.get("modified_after")
    if not raw:
        return None
    try:
        return queries.as_utc_naive(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError as exc:
        raise ApiError(400, "'modified_after' must be a date or date-time (ISO 8601)") from exc


def _service_filters() -> queries.ServiceFilters:
    args = request.args
    filters = queries.ServiceFilters(search=args.get("search", "").strip(),
                                     modified_after=_modified_after())
    if args.get("taxonomy_term_id"):
        filters.taxonomy_term = queries.term_by_hsds_id(args["taxonomy_term_id"])
        filters.unknown |= filters.taxonomy_term is None
    if args.get("taxonomy_id"):
        filters.taxonomy = queries.vocabulary_by_hsds_id(args["taxonomy_id"])
        filters.unknown |= filters.taxonomy is None
    if args.get("organization_id"):
        filters.organisation = queries.organisation_by_hsds_id(args["organization_id"])
        filters.unknown |= filters.organisation is None
    return filters


def _internal() -> bool:
    return can(current_user, Action.VIEW_INTERNAL)


def page_json(total: int, page: int, per_page: int, contents: list[dict[str, Any]]) -> dict[str, Any]:
    pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _ndjson_response(rows: Iterable[dict[str, Any]]) -> Response:
    def generate():
        for row in rows:
            yield json.dumps(row, ensure_ascii=False) + "\n"

    return Response(stream_with_context(generate()), mimetype=NDJSON)


def _listing(items: list, render: Callable[[Any], dict[str, Any]]) -> Response:
    """A list held in memory (organisations, taxonomies): paged or streamed."""
    if _ndjson():
        return _ndjson_response(render(item) for item in items)
    page, per_page = _paging()
    chosen = items[(page - 1) * per_page:page * per_page]
    return jsonify(page_json(len(items), page, per_page, [render(item) for item in chosen]))


def _matches(search: str, *texts: str | None) -> bool:
    needle = search.strip().lower()
    return not needle or any(needle in (text or "").lower() for text in texts)


@bp.get("/")
def index():
    return jsonify(
        version=mapping.HSDS_VERSION,
        profile=mapping.HSDS_PROFILE,
        openapi_url=mapping.HSDS_OPENAPI_URL,
        license=current_app.config["OPEN_DATA_LICENSE"],
        license_url=current_app.config["OPEN_DATA_LICENSE_URL"],
        attribution="Human Services Data Specification: an Open Referral resource (https://openreferral.org/)",
    )


@bp.get("/services")
def list_services():
    lang, internal = select_locale(), _internal()
    full, minimal = _flag("full"), _flag("minimal")
    statement = _service_filters().apply(queries.feed())

    def render(item):
        if minimal:
            return mapping.service_minimal_json(item, lang)
        if full:
            return mapping.service_full_json(item, lang, internal)
        return mapping.service_json(item, lang, internal)

    if _ndjson():
        return _ndjson_response(render(item) for item in queries.stream(statement))
    page, per_page = _paging()
    total, items = queries.page_of(statement, page, per_page)
    return jsonify(page_json(total, page, per_page, [render(item) for item in items]))


@bp.get("/services/<service_id>")
def show_service(service_id: str):
    item = queries.find_service(service_id)
    if item is None:
        raise ApiError(404, "no service with that id")
    return jsonify(mapping.service_full_json(item, select_locale(), _internal()))


@bp.get("/service_at_locations")
def list_service_at_locations():
    lang, internal, full = select_locale(), _internal(), _flag("full")
    statement = _service_filters().apply(queries.feed())
    pairs = list(queries.service_locations(statement))
    return _listing(pairs, lambda pair: mapping.service_at_location_json(*pair, lang, internal, full))


@bp.get("/service_at_locations/<sal_id>")
def show_service_at_location(sal_id: str):
    found = queries.find_service_at_location(sal_id)
    if found is None:
        raise ApiError(404, "no service at location with that id")
    return jsonify(mapping.service_at_location_json(*found, select_locale(), _internal(), True))


def _organization(organisation, lang: str, internal: bool, full_service: bool) -> dict[str, Any]:
    statement = queries.feed().where(Intervention.organisation_id == organisation.id)
    render = mapping.service_full_json if full_service else mapping.service_json
    services = (render(item, lang, internal) for item in queries.stream(statement))
    return mapping.organization_full_json(organisation, lang, services)


@bp.get("/organizations")
def list_organizations():
    lang, internal = select_locale(), _internal()
    full, full_service = _flag("full"), _flag("full_service")
    search = request.args.get("search", "")
    items = [org for org in queries.organisations() if _matches(search, org.name)]
    if full or full_service:
        return _listing(items, lambda org: _organization(org, lang, internal, full_service))
    return _listing(items, lambda org: mapping.organization_json(org, lang))


@bp.get("/organizations/<org_id>")
def show_organization(org_id: str):
    organisation = queries.organisation_by_hsds_id(org_id)
    if organisation is None:
        raise ApiError(404, "no organization with that id")
    return jsonify(_organization(organisation, select_locale(), _internal(), _flag("full_service")))


@bp.get("/taxonomies")
def list_taxonomies():
    lang = select_locale()
    search = request.args.get("search", "")
    items = [mapping.taxonomy_json(vocabulary, lang) for vocabulary in Vocabulary]
    return _listing([item for item in items if _matches(search, item["name"])], lambda item: item)


@bp.get("/taxonomies/<taxonomy_id>")
def show_taxonomy(taxonomy_id: str):
    vocabulary = queries.vocabulary_by_hsds_id(taxonomy_id)
    if vocabulary is None:
        raise ApiError(404, "no taxonomy with that id")
    return jsonify(mapping.taxonomy_json(vocabulary, select_locale()))


@bp.get("/taxonomy_terms")
def list_taxonomy_terms():
    lang = select_locale()
    search = request.args.get("search", "")
    vocabularies = list(Vocabulary)
    if request.args.get("taxonomy_id"):
        wanted = queries.vocabulary_by_hsds_id(request.args["taxonomy_id"])
        vocabularies = [wanted] if wanted else []
    if request.args.get("parent_id"):
        vocabularies = []  # our vocabularies are flat: no term has a parent
    items = [term for vocabulary in vocabularies for term in terms(vocabulary)
             if _matches(search, term.code, term.label(lang))]
    return _listing(items, lambda term: mapping.taxonomy_term_json(term, lang))


@bp.get("/taxonomy_terms/<term_id>")
def show_taxonomy_term(term_id: str):
    term = queries.term_by_hsds_id(term_id)
    if term is None:
        raise ApiError(404, "no taxonomy term with that id")
    return jsonify(mapping.taxonomy_term_json(term, select_locale()))

