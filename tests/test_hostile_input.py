"""Hostile, broken input never gives a server error: a property-based test (Hypothesis).

Every route of ``app.url_map`` (so a new route is covered without editing this file) is
driven through the test client, on SQLite and on PostgreSQL, by two clients: a region
administrator (who may open every page) and an anonymous visitor. Hypothesis generates

* the path: each ``<…>`` part is either a real record's id (or slug, token, language) or
  a hostile value (huge, negative, Unicode digits, NUL, very long text, …);
* the query string: any of the parameter names the portal's code reads (collected from
  ``request.args`` / ``arg_int`` in ``portal/``, plus the search facets) with hostile values;
* the form (POST): the fields of every form found on the portal's pages for that action,
  starting from the form's own (valid) values with one to four fields replaced by
  hostile values, dropped or repeated; an upload field gets a hostile JSON or CSV file.

Hostile values: NUL and other control characters, lone surrogates (sent as the bytes
they would be, which are not UTF-8), very long strings, Unicode digits, huge, negative and
non-finite numbers, "1.5", wrong types ("[]", "true"), unknown choices, malformed dates
such as 2026-02-30, markup.

Each response must be: not 5xx; under /api/ and /healthz a 4xx has a JSON body; an HTML
4xx says what is wrong (an error page, a form's error summary or a field error); and a
refused request (4xx) changes nothing in the database (row counts and the state of
interventions, booking requests and users), except the login and password-reset forms,
which may record a failed attempt.

Bound: every route and method gets ``EXAMPLES_PER_ROUTE`` (3) generated examples for each
client, plus, for the administrator, one explicit example per ``SWEEP_VALUES`` entry with
that value in every field of a form (or every query parameter) at once, one with NUL
appended to every text field and one with encoded markup in them; a ``/<lang>/`` copy of a
route gets 2 examples, the visitor on a page that sends them to log in 1, and the wrong
method (PUT) 1. That is some 1 500 requests per database, with ``derandomize=True`` (the
same examples on every run), ``deadline=None``, no example database and no shrinking (a
failure names the route and the example as generated): 30–40 seconds per database on a
busy 2-core machine.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from whoosh.util import IDCHARS

from portal.accounts.models import Role, TokenPurpose, User
from portal.booking.models import BookingRequest
from portal.catalogue.models import Intervention
from portal.extensions import db
from portal.search.engine import FACETS
from tests import factories

EXAMPLES_PER_ROUTE = 3
# One explicit example per value with it in every field (every query parameter) at once.
SWEEP_VALUES = ("NaN", "9" * 400, "2147483648", "²", " ", "1.5", "a\x00b")
# A failing example is reported as generated: shrinking it would take minutes per route.
NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)
WRONG_METHOD_EXAMPLES = 1  # PUT on every route, as the administrator
LOGIN_FIRST_EXAMPLES = 1  # the visitor on a page that sends them to the login page
LANGUAGE_COPY_EXAMPLES = 2  # /<lang>/… runs the same view as the rule without the prefix
PORTAL = Path(__file__).resolve().parents[1] / "portal"
SKIPPED_ENDPOINTS = {"static"}
# Refusals that may legitimately leave a trace (a failed attempt, a rate-limit counter).
MAY_RECORD_REFUSALS = {"accounts.login", "accounts.forgot_password", "accounts.set_password"}
# Run last: they change the records the other routes are driven with.
DISRUPTIVE = ("logout", "status", "duplicate", "toggle_active", "change_role", "cancel", "confirm", "withdraw",
              "decline", "accept", "interrupt", "complete", "start", "waitlist", "receive")

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x01\x1b[31m\x7f", "\u0085\u2028", "\ud800", "x\udfffy", "²", "١٢٣", "٣٣٣٣",
    "0", "-1", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "9" * 400, "1.5", "1,5",
    "1e309", "NaN", "sNaN", "-inf", "Infinity", "2026-02-30", "0000-00-00", "9999-12-31", "2026-13-01",
    "[]", "{}", "true", "null", "<script>alert(1)</script>", "&lt;img src=x onerror=alert(1)&gt;",
    "' OR 1=1 --", "../../etc/passwd", "%00", "\u202eevil", "x" * 5000, "å" * 70000,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(st.characters(categories=["Cc", "Cs", "Nd", "No", "Zl", "Zp"]), min_size=1, max_size=12),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def hostile_file() -> st.SearchStrategy[tuple[bytes, str]]:
    deep = "[" * 5000 + "]" * 5000
    records = [
        json.dumps([{"id": "A1", "municipality_code": "1290", "title": "T", "summary": "S", "type": "praktik",
                     "capacity": 5, "places_available": 2, "start_dates": 7}]),
        json.dumps([{"id": "A1", "municipality_code": "1290", "title": "T\x00", "summary": "S",
                     "type": "praktik", "capacity": 2**40, "places_available": -1, "lat": "NaN"}]),
        "[" + "1" * 5000 + "]",
        '[{"id": {"a": [[[[[[[[[[1]]]]]]]]]]}}]',
        "id,title\n1," + "x" * 140_000 + "\n",
        'id,title\n1,"not closed\n',
        "id\x00,title\n\x00,\x00\n",
    ]
    return st.one_of(
        st.tuples(st.sampled_from([deep, *records]).map(str.encode), st.sampled_from(["a.json", "a.csv"])),
        st.tuples(st.binary(max_size=200), st.sampled_from(["a.json", "a.csv", "a.exe"])),
    )


# ------------------------------------------------------------------------- the world


@pytest.fixture
def world(app, make, no_csrf, monkeypatch):
    from portal.booking import services as booking
    from portal.publishing.import_services import prepare_import

    # Hypothesis seeds the random module for every example; Whoosh names new segments with
    # it, so the same name would come back and collide with the segment written before.
    monkeypatch.setattr("whoosh.codec.base.random_name",
                        lambda size=28: "".join(secrets.choice(IDCHARS) for _ in range(size)))
    app.config.update(BOOKING_INTEREST_MIN_SECONDS=0)
    owner = make.organisation(name="Kristianstads kommun", municipality_code="1290", slug="kristianstad")
    other = make.organisation(name="Osby kommun", municipality_code="1273", slug="osby")
    unit = make.unit(owner, name="Verkstaden")
    intervention = make.intervention(owner, unit=unit, referrers=("arbetsformedlingen", "egen_anmalan"),
                                     capacity=10, places_available=5)
    admin = make.user(Role.ADMIN, None, email="admin@example.se")
    caseworker = make.user(Role.CASEWORKER, other)
    booking_request = booking.submit_request(
        caseworker, intervention, booking.RequestData(participant_reference="OSB-1")).request
    booking.transition(admin, booking_request, "receive", None)
    job, _report = prepare_import(admin, "a.json", json.dumps([{
        "id": "X1", "municipality_code": "1290", "title": "Praktik", "summary": "Praktik i butik",
        "type": "praktik", "capacity": 3, "places_available": 1}]))
    from portal.accounts.services import issue_token

    token = issue_token(caseworker, TokenPurpose.PASSWORD_RESET)
    db.session.commit()
    term = intervention.type
    values = {
        "intervention_id": intervention.id, "request_id": booking_request.id, "organisation_id": owner.id,
        "unit_id": unit.id, "term_id": term.id, "job_id": job.id, "user_id": caseworker.id,
        "slug": owner.slug, "token": token, "lang_code": "en",
    }
    admin_client = app.test_client()
    response = admin_client.post("/login", data={"email": admin.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return {"values": values, "clients": {"admin": admin_client,
                                          "visitor": app.test_client()}}


def fingerprint() -> tuple:
    """What a refused request must not change."""
    with db.engine.connect() as connection:
        counts = tuple(connection.execute(sa.select(*(
            sa.select(sa.func.count()).select_from(table).scalar_subquery() for table in db.metadata.sorted_tables
        ))).one())
        interventions = connection.execute(sa.select(
            Intervention.id, Intervention.version, Intervention.status, Intervention.places_available,
            Intervention.title).order_by(Intervention.id)).all()
        requests = connection.execute(sa.select(BookingRequest.id, BookingRequest.status)
                                      .order_by(BookingRequest.id)).all()
        users = connection.execute(sa.select(User.id, User.role, User.active, User.name).order_by(User.id)).all()
    return counts, tuple(interventions), tuple(requests), tuple(users)


# ------------------------------------------------------------------ routes and forms


def query_names() -> list[str]:
    """Every query parameter the portal's code reads, plus the search facets."""
    pattern = re.compile(r"""(?:args\.get(?:list)?|arg_int|_int_arg|positive_int)\(\s*["']([a-z_]+)["']""")
    names = set(FACETS) | {"home", "eligible", "next"}
    for path in PORTAL.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return sorted(names)


class FormParser(HTMLParser):
    """The POST forms of a page: action -> [(name, value, kind)]."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str, str]]]] = []
        self._fields: list[tuple[str, str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._fields = []
            self.forms.append((attributes.get("action") or "", self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                self._fields.append((attributes["name"], None, kind))
            else:
                self._fields.append((attributes["name"], attributes.get("value") or "", kind))
        elif tag == "select" and attributes.get("name"):
            self._select = attributes["name"]
            self._fields.append((self._select, None, "select"))
        elif tag == "option" and self._select is not None:
            if "selected" in attributes:
                self._fields.append((self._select, attributes.get("value") or "", "select"))
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = attributes["name"]
            self._fields.append((self._textarea, "", "textarea"))

    def handle_data(self, data):
        if self._textarea is not None and self._fields:
            name, value, kind = self._fields[-1]
            self._fields[-1] = (name, value + data, kind)

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def concrete_path(rule, values: dict) -> str:
    def value(match: re.Match) -> str:
        return urllib.parse.quote(str(values.get(match.group(1), 1)), safe="", errors="surrogatepass")

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", value, rule.rule)


def discover_forms(clients: dict, rules: list, values: dict) -> dict[str, list[dict]]:
    """Every POST form on every page the two clients can open: action path -> forms."""
    forms: dict[str, list[dict]] = {}
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        path = concrete_path(rule, values)
        for client in clients.values():
            response = client.get(path)
            if response.status_code != 200 or not response.mimetype == "text/html":
                continue
            parser = FormParser()
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                target = urllib.parse.urlsplit(action or path).path
                baseline: dict[str, list[str]] = {}
                files, texts = [], []
                for name, value, kind in fields:
                    if kind in ("text", "textarea", "email", "search", "tel", "url"):
                        texts.append(name)
                    if kind == "file":
                        files.append(name)
                    elif value is not None:
                        baseline.setdefault(name, []).append(value)
                    else:
                        baseline.setdefault(name, [])
                form = {"baseline": baseline, "files": files, "texts": texts}
                if form not in forms.setdefault(target, []):
                    forms[target].append(form)
    return forms


def route_list(app) -> list:
    """The rules to drive, one per view and path shape (the language-prefixed copy of a rule is
    driven through its ``lang_code`` value), disruptive ones last."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED_ENDPOINTS]
    return sorted(rules, key=lambda rule: (any(rule.rule.endswith("/" + word) for word in DISRUPTIVE),
                                           rule.rule))


# --------------------------------------------------------------------------- checks


def encode_pairs(pairs: list[tuple[str, str]]) -> str:
    """``a=b&…`` of text that may hold lone surrogates, sent as the (non-UTF-8) bytes they are."""
    return "&".join(
        urllib.parse.quote_plus(name.encode("utf-8", "surrogatepass"))
        + "=" + urllib.parse.quote_plus(value.encode("utf-8", "surrogatepass"))
        for name, value in pairs
    )


def without_surrogates(text: str) -> str:
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def says_what_is_wrong(status: int, page: str) -> bool:
    if any(marker in page for marker in ('class="error-page"', 'class="error-summary"', 'class="field-error"',
                                         'role="alert"')):
        return True
    return status == 410 and "<h1>" in page  # a page of its own for an expired link


def check(response, rule, before: tuple) -> None:
    what = f"{response.request.method} {response.request.path}"
    assert response.status_code < 500, f"{what} answered {response.status_code}"
    if not 400 <= response.status_code < 500:
        return
    if rule.rule.startswith("/api/") or rule.rule == "/healthz":
        assert response.is_json and response.get_json(), f"{what}: {response.status_code} without a JSON body"
    elif response.mimetype == "text/html":
        assert says_what_is_wrong(response.status_code, response.get_data(as_text=True)), \
            f"{what}: {response.status_code} page does not say what is wrong"
    if rule.endpoint not in MAY_RECORD_REFUSALS:
        assert fingerprint() == before, f"{what}: a refused request ({response.status_code}) changed data"


# ---------------------------------------------------------------------------- the test


def path_values(rule, values: dict):
    strategies = {}
    for name in rule.arguments - set(rule.defaults or ()):
        strategies[name] = st.one_of(st.just(values.get(name, 1)), hostile_text) if name != "lang_code" \
            else st.sampled_from(["en", "ar", "sv", "xx", "\x00"])
    return st.fixed_dictionaries(strategies)


@st.composite
def form_data(draw, forms: list[dict], extra_names: list[str]):
    form = draw(st.sampled_from(forms)) if forms else {"baseline": {}, "files": []}
    data = {name: list(value) for name, value in form["baseline"].items()}
    names = sorted(set(data) | set(extra_names)) or ["x"]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
        change = draw(st.sampled_from(["replace", "replace", "drop", "repeat"]))
        if change == "drop":
            data.pop(name, None)
        elif change == "repeat":
            data[name] = [draw(hostile_text), draw(hostile_text)]
        else:
            data[name] = [draw(hostile_text)]
    files = {name: draw(hostile_file()) for name in form["files"]}
    return data, files


LANGUAGE_PREFIX = "/<lang:lang_code>"


def examples_for(client, rule, path: str, method: str, plain_rules: set[str]) -> int:
    if method not in rule.methods:
        return WRONG_METHOD_EXAMPLES
    if rule.rule.startswith(LANGUAGE_PREFIX) and (rule.rule[len(LANGUAGE_PREFIX):] or "/") in plain_rules:
        return LANGUAGE_COPY_EXAMPLES
    probe = client.open(path, method=method)
    if probe.status_code == 302 and "/login" in probe.headers.get("Location", ""):
        return LOGIN_FIRST_EXAMPLES
    return EXAMPLES_PER_ROUTE


def sweeps(rule, method: str, forms: list[dict], names: list[str], sweep: bool) -> list[dict]:
    """Explicit examples that try one class of hostile value on every field (or every query
    parameter) at once: WTForms validates every field, so one request checks them all."""
    if not sweep or method not in rule.methods:
        return []
    if method == "GET":
        return [{"path": {}, "query": [(name, value) for name in names], "form": ({}, {})}
                for value in SWEEP_VALUES]
    if method != "POST":
        return []
    examples = []
    for form in forms:
        fields = [name for name in form["baseline"] if name not in ("csrf_token", "idempotency_key")]
        variants = [{name: [value] for name in fields} for value in SWEEP_VALUES]
        variants.append({name: [value + "\x00" for value in form["baseline"][name] or [""]]
                         for name in form["texts"]})
        variants.append({name: ["&lt;img src=x onerror=alert(1)&gt;"] for name in form["texts"]})
        for variant in variants:
            data = {name: list(value) for name, value in form["baseline"].items()} | variant
            files = {name: (b"[" * 3000 + b"]" * 3000, "deep.json") for name in form["files"]}
            examples.append({"path": {}, "query": [], "form": (data, files)})
    return examples


def drive(client, rule, world_values, forms, names, method, examples: int, sweep: bool):
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None, phases=NO_SHRINKING,
              suppress_health_check=list(HealthCheck))
    @given(path=path_values(rule, world_values),
           query=st.lists(st.tuples(st.sampled_from(names), hostile_text), max_size=4),
           form=form_data(forms, [] if forms else names))
    def run(path, query, form):
        values = {**world_values, **path}
        url = concrete_path(rule, values)
        query_string = encode_pairs(query)
        before = fingerprint()
        if method == "GET":
            response = client.get(url, query_string=query_string)
        elif method == "POST":
            data, files = form
            pairs = [(name, value) for name, items in data.items() for value in items]
            if files:
                body = {name: [without_surrogates(value) for value in items] for name, items in data.items()}
                body |= {name: (io.BytesIO(content), filename) for name, (content, filename) in files.items()}
                response = client.post(url, query_string=query_string, data=body,
                                       content_type="multipart/form-data")
            else:
                response = client.post(url, query_string=query_string, data=encode_pairs(pairs),
                                       content_type="application/x-www-form-urlencoded")
        else:
            response = client.open(url, method=method, query_string=query_string)
        check(response, rule, before)

    for explicit in sweeps(rule, method, forms, names, sweep):
        run = example(**explicit)(run)
    run()


def test_no_hostile_input_gives_a_server_error(app, world):
    rules = route_list(app)
    clients = world["clients"]
    forms = discover_forms(clients, rules, world["values"])
    names = query_names()
    plain_rules = {rule.rule for rule in rules}
    driven, failures = 0, []
    for rule in rules:
        path = concrete_path(rule, world["values"])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}) + (["PUT"] if "PUT" not in rule.methods else []):
            for role, client in clients.items():
                if (rule.endpoint == "accounts.logout" and role == "admin") or (method == "PUT" and role != "admin"):
                    continue
                try:
                    count = examples_for(client, rule, path, method, plain_rules)
                    drive(client, rule, world["values"], forms.get(path, []), names, method, count,
                          sweep=role == "admin" and count == EXAMPLES_PER_ROUTE)
                except Exception as exc:  # noqa: BLE001 - an exception out of the app is a server error too
                    failures.append(f"{role} {method} {rule.rule}: {type(exc).__name__}: "
                                    f"{(str(exc).splitlines() or [''])[0][:300]}")
                driven += 1
    assert not failures, "\n".join(failures)
    assert driven > 100
