"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand beside the views it describes; ``tests/api/test_openapi.py`` validates it
with openapi-spec-validator and runs schemathesis against every operation, so a change to
an answer that is not made here too fails the suite.
"""

from __future__ import annotations

from typing import Any

from portal.catalogue.filters import FILTERS
from portal.i18n import LANGUAGES
from portal.search.engine import FACETS, MAX_PAGE, MAX_PER_PAGE, SORTS

PROBLEM = "application/problem+json"

STRING_OR_NULL = {"type": ["string", "null"]}
INTEGER_OR_NULL = {"type": ["integer", "null"]}
NUMBER_OR_NULL = {"type": ["number", "null"]}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}


def _obj(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema, **extra}


def _list_query(name: str, description: str) -> dict[str, Any]:
    return _query(name, {"type": "array", "items": {"type": "string"}},
                  description + " Repeat for several; unknown values are ignored.",
                  style="form", explode=True)


FILTER_DESCRIPTIONS = {
    "municipality": "Municipality codes (SCB kommunkod) of the owner.",
    "type": "Type codes.",
    "target_group": "Target group codes.",
    "language": "Languages (ISO 639-1) the intervention is delivered in.",
    "referrer": "Codes of who may refer.",
    "intake": "Intake: rolling, cohorts or single.",
    "places": "'available' (free places now; 1/true/on mean the same) or 'full'.",
    "available_in": "Languages a reader can use it in: delivered in, or translated into (Swedish always "
                    "counts). Only narrows; totals and facet counts follow it.",
}


def filter_parameters() -> list[dict[str, Any]]:
    """The filters of `portal.catalogue.filters`, the same for the list and the search ("eligible"
    is asked for by home=, not by its keys)."""
    return [_list_query(name, FILTER_DESCRIPTIONS[name]) for name in FILTERS if name in FILTER_DESCRIPTIONS]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}},
            "headers": {"ETag": {"schema": {"type": "string"}},
                        "Last-Modified": {"schema": {"type": "string"}}}}


COMMON_RESPONSES = {
    "304": {"description": "Not modified since the ETag or date the request names."},
    "429": {**_problem("Too many requests from this address; see Retry-After."),
            "headers": {"Retry-After": {"schema": {"type": "integer"},
                                        "description": "Seconds to wait before trying again."}}},
}

TERM = _obj({"code": {"type": "string"}, "label": {"type": "string"}})

INTERVENTION = _obj({
    "id": {"type": "integer"},
    "external_id": STRING_OR_NULL,
    "url": {"type": "string", "format": "uri"},
    "title": {"type": "string"},
    "summary": {"type": "string"},
    "description": {"type": "string", "description": "Markdown subset"},
    "text_languages": _obj({name: {"type": "string"} for name in ("title", "summary", "description")}),
    "translations": {"type": "array", "items": {"type": "string"}},
    "organisation": _obj({"name": {"type": "string"}, "slug": {"type": "string"},
                          "municipality_code": STRING_OR_NULL}),
    "unit": {"oneOf": [{"type": "null"}, _obj({"name": {"type": "string"}})]},
    "type": _ref("Term"),
    "target_groups": {"type": "array", "items": _ref("Term")},
    "referrers": {"type": "array", "items": _ref("Term")},
    "languages": {"type": "array", "items": {"type": "string"}},
    "address": STRING_OR_NULL,
    "postcode": STRING_OR_NULL,
    "city": STRING_OR_NULL,
    "lat": NUMBER_OR_NULL,
    "lon": NUMBER_OR_NULL,
    "format": {"enum": ["on_site", "remote", "mixed"]},
    "intake": {"enum": ["rolling", "cohorts", "single"]},
    "start_dates": {"type": "array", "items": {"type": "string", "format": "date"}},
    "enrolment_open": {"type": "boolean"},
    "wait_weeks": INTEGER_OR_NULL,
    "closed_periods": {"type": "string"},
    "duration_weeks": INTEGER_OR_NULL,
    "hours_per_week": INTEGER_OR_NULL,
    "capacity": {"type": "integer", "minimum": 0},
    "places_available": {"type": "integer", "minimum": 0},
    "eligibility": {"type": "string"},
    "accessibility": {"type": "string"},
    "contact": _obj({"name": STRING_OR_NULL, "email": STRING_OR_NULL, "phone": STRING_OR_NULL}),
    "valid_from": DATE_OR_NULL,
    "valid_until": DATE_OR_NULL,
    "confirmed_on": DATE_OR_NULL,
    "stale": {"type": "boolean"},
    "updated_at": {"type": ["string", "null"], "format": "date-time"},
    "open_to": {"enum": ["own", "agreement", "region", "anyone"],
                "description": "Whose residents may take part: the owner's municipality only, also municipalities "
                               "with an agreement, any municipality in the region, anyone."},
    "referral_rule": {"enum": ["refuse", "warn"],
                      "description": "A request that does not fit (home municipality, who may refer) is refused, "
                                     "or sent marked as an exception for the owner to decide on."},
    "internal": {**_obj({"price_per_week_sek": {"type": "integer"},
                         "price_per_week_other_sek": INTEGER_OR_NULL,
                         "referral_instructions": {"type": "string"}}),
                 "description": "Only for a logged-in case officer."},
    "verdict": _ref("Verdict"),
}, optional=("internal", "verdict"))

VERDICT = {**_obj({
    "open": {"type": "boolean", "description": "Whether a resident of the home municipality may take part."},
    "price_per_week_sek": {**INTEGER_OR_NULL,
                           "description": "What the home municipality pays the owner per week (0: free); "
                                          "null when not open, or for a caller who may not see prices."},
    "agreement": {**STRING_OR_NULL, "description": "The name of the agreement the answer rests on."},
    "reason": {"type": "string", "description": "The answer in plain words, in the requested language."},
}), "description": "Only with home=: the verdict for a resident of that municipality (and the caller's "
                   "organisation as referrer)."}

HOME = _query("home", {"type": "string", "pattern": "^([0-9]{4}|other)$", "examples": ["1273", "other"]},
              "The participant's home municipality: the SCB code of a municipality in the region, or 'other'. "
              "Every result then carries its verdict; a code of no municipality in the region is a 400.")
ELIGIBLE = _query("eligible", {"type": "string", "enum": ["any"]},
                  "With home=, the search shows only what residents of home may use, unless eligible=any.")

SEARCH_RESULT = _obj({
    "id": {"type": "integer"},
    "external_id": STRING_OR_NULL,
    "title": {"type": "string"},
    "organisation": {"type": "string"},
    "url": {"type": "string", "format": "uri"},
    "snippet": {"type": "string"},
    "score": {"type": "number"},
    "verdict": _ref("Verdict"),
}, optional=("verdict",))

FACET_VALUE = _obj({"value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}})

PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number, from 1."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
           "Results per page (default PER_PAGE, 20)."),
]
LANG = _query("lang", {"type": "string", "examples": list(LANGUAGES)},
              f"Language of texts and labels: one of {', '.join(LANGUAGES)}. Without it (or with "
              "another value), the browser's Accept-Language; Swedish where a text is not translated.")


# ------------------------------------------------------------------------------ follow-up figures

COUNT = {**_obj({"count": {"type": ["integer", "null"], "minimum": 0}, "suppressed": {"type": "boolean"}}),
         "description": "A count of persons; null with suppressed true when it is 1 to min_cell - 1 "
                        "or could be worked out from the totals."}
PERCENT_OR_NULL = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
STATS_FRAME = {
    "period": _obj({"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}),
    "filters": _obj({"municipality": STRING_OR_NULL, "type": STRING_OR_NULL}),
    "min_cell": {"type": "integer", "minimum": 1},
}
FLOW_MEASURES = ("requests", "accepted", "started", "completed")
STATUS_CATEGORY = {
    "status": {"enum": ["completed", "interrupted"]},
    "outcome": {"enum": ["work", "studies", "other", None]},
    "reason": {"enum": ["no_places", "requirements_not_met", "did_not_come", "got_job", "started_studies",
                        "ill", "other", None]},
}
STATS_PARAMETERS = [
    _query("from", {"type": "string", "format": "date"}, "First day of the period (default: 12 months ago)."),
    _query("to", {"type": "string", "format": "date"}, "Last day of the period (default: today)."),
    _query("municipality", {"type": "string", "examples": ["1290"]},
           "Only interventions owned by this municipality (SCB kommunkod)."),
    _query("type", {"type": "string", "examples": ["arbetstraning"]}, "Only interventions of this type (code)."),
    LANG,
]
STATS_SCHEMAS = {
    "Count": COUNT,
    "StatsFlows": _obj({
        **STATS_FRAME,
        "rows": {"type": "array", "items": _obj({
            "home_municipality": {**STRING_OR_NULL, "description": "SCB code, 'other', or null (not stated)"},
            "home_name": {"type": "string"},
            "owner": _obj({"name": {"type": "string"}, "municipality_code": STRING_OR_NULL}),
            **{measure: _ref("Count") for measure in FLOW_MEASURES},
        })},
        "totals": _obj({measure: _ref("Count") for measure in FLOW_MEASURES}),
        "placements_outside_home": _ref("Count"),
        "placements_in_home": _ref("Count"),
        "outside_share_percent": PERCENT_OR_NULL,
    }),
    "StatsOutcomes": _obj({
        **STATS_FRAME,
        "by_gender": {"type": "array", "items": {**_obj({
            **STATUS_CATEGORY, "gender": {"enum": ["female", "male", "other"]},
            "count": {"type": ["integer", "null"], "minimum": 0}, "suppressed": {"type": "boolean"}})}},
        "by_type": {"type": "array", "items": _obj({
            **STATUS_CATEGORY, "type": {"type": "string"},
            "count": {"type": ["integer", "null"], "minimum": 0}, "suppressed": {"type": "boolean"}})},
        "total": _ref("Count"),
    }),
    "StatsFunnel": _obj({
        **STATS_FRAME,
        "steps": _obj({key: _ref("Count") for key in (
            "requests", "received", "waitlisted", "accepted", "declined", "started", "completed",
            "interrupted", "withdrawn", "cancelled")}),
        "acceptance_rate_percent": PERCENT_OR_NULL,
        "median_days": _obj({"request_to_decision": NUMBER_OR_NULL, "acceptance_to_start": NUMBER_OR_NULL}),
        "decline_reasons": _obj({key: _ref("Count") for key in STATUS_CATEGORY["reason"]["enum"] if key}),
        "per_month": {"type": "array", "items": _obj({
            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            "count": {"type": ["integer", "null"], "minimum": 0}, "suppressed": {"type": "boolean"}})},
    }),
}


def _stats_operation(operation_id: str, summary: str, schema: str) -> dict[str, Any]:
    return {"get": {
        "operationId": operation_id,
        "summary": summary,
        "parameters": STATS_PARAMETERS,
        "responses": {
            "200": _ok("The figures of the period; small counts are suppressed.", _ref(schema)),
            "400": _problem("A date is not YYYY-MM-DD, the period is reversed or too long, or the "
                            "municipality or type is unknown."),
            "404": _problem("The region does not publish its follow-up figures."),
            **COMMON_RESPONSES,
        },
    }}


def openapi_document(base_url: str, license_name: str, license_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Insatsportalen API",
            "version": "1.0.0",
            "summary": "The region's labour-market interventions as JSON.",
            "description": (
                "Published interventions, the search of the portal and (under /hsds/) the same "
                "offer in Open Referral's Human Services Data Specification 3.0. Errors are "
                "problem details (RFC 9457). Answers carry ETag and Last-Modified; anonymous "
                "GET answers allow any origin (CORS, without credentials). Requests are "
                "rate-limited per address."
            ),
            "license": {"name": license_name, "url": license_url},
        },
        "servers": [{"url": base_url, "description": "Insatsportalen"}],
        "paths": {
            "/api/v1/interventions": {"get": {
                "operationId": "listInterventions",
                "summary": "Published interventions, by title",
                "parameters": [
                    *PAGING, LANG, HOME,
                    *filter_parameters(),
                ],
                "responses": {
                    "200": _ok("One page of published interventions.", _ref("InterventionList")),
                    "400": _problem("A paging parameter is not a whole number in range, or home is unknown."),
                    **COMMON_RESPONSES,
                },
            }},
            "/api/v1/interventions/{intervention_id}": {"get": {
                "operationId": "showIntervention",
                "summary": "One published intervention",
                "parameters": [
                    {"name": "intervention_id", "in": "path", "required": True,
                     "schema": {"type": "integer", "minimum": 1}},
                    LANG, HOME,
                ],
                "responses": {
                    "200": _ok("The intervention.", _ref("Intervention")),
                    "400": _problem("home is not a municipality of the region nor 'other'."),
                    "404": _problem("No published intervention has that id."),
                    **COMMON_RESPONSES,
                },
            }},
            "/api/v1/search": {"get": {
                "operationId": "search",
                "summary": "The search page's results, in the same order",
                "parameters": [
                    _query("q", {"type": "string"}, "Words to search for (Swedish analysis, typo tolerant)."),
                    *PAGING, LANG,
                    _query("sort", {"type": "string", "examples": list(SORTS)},
                           f"Order of results: {', '.join(SORTS)} (default relevance; other values "
                           "are ignored)."),
                    _query("near", {"type": "string", "examples": ["1290"]},
                           "Municipality code (four digits) to sort by distance from; other values are ignored."),
                    HOME, ELIGIBLE,
                    *filter_parameters(),
                ],
                "responses": {
                    "200": _ok("Results, facet counts and a spelling suggestion.", _ref("SearchResults")),
                    "400": _problem("A paging parameter is not a whole number in range, home is unknown or "
                                    "eligible is not 'any'."),
                    **COMMON_RESPONSES,
                },
            }},
            "/api/v1/stats/flows": _stats_operation(
                "statsFlows", "Requests, placements, starts and completions by home municipality and owner",
                "StatsFlows"),
            "/api/v1/stats/outcomes": _stats_operation(
                "statsOutcomes", "Completed by outcome and interrupted by reason, by gender and type",
                "StatsOutcomes"),
            "/api/v1/stats/funnel": _stats_operation(
                "statsFunnel", "How many requests reached each step, waiting times, decline reasons",
                "StatsFunnel"),
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": _ok("The OpenAPI 3.1 document.", {"type": "object"}),
                              **COMMON_RESPONSES},
            }},
        },
        "components": {
            "schemas": {
                "Problem": {**_obj({"type": {"type": "string"}, "title": {"type": "string"},
                                    "status": {"type": "integer"}, "detail": {"type": "string"}}),
                            "description": "Problem details (RFC 9457)."},
                "Term": TERM,
                **STATS_SCHEMAS,
                "Intervention": INTERVENTION,
                "Verdict": VERDICT,
                "InterventionList": _obj({
                    "total": {"type": "integer", "minimum": 0},
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1},
                    "results": {"type": "array", "items": _ref("Intervention")},
                }),
                "SearchResult": SEARCH_RESULT,
                "SearchResults": _obj({
                    "total": {"type": "integer", "minimum": 0},
                    "page": {"type": "integer", "minimum": 1},
                    "results": {"type": "array", "items": _ref("SearchResult")},
                    "facets": {"type": "object", "propertyNames": {"enum": list(FACETS)},
                               "additionalProperties": {"type": "array", "items": FACET_VALUE}},
                    "suggestion": STRING_OR_NULL,
                }),
            },
        },
    }
