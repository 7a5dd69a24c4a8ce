"""Fixtures for the search engine tests: a small corpus written for them.

Warnings are errors in these tests, except those Whoosh 2.7.4's own sources
raise: invalid escape sequences and `is` with a literal when its modules are
compiled (SyntaxWarning, or DeprecationWarning on Python 3.11), and its own
deprecation warnings. So that a run without .pyc files does not trip over
them, Whoosh is imported and exercised once here with those warnings ignored.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def whoosh_compile_warnings_ignored() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


with whoosh_compile_warnings_ignored():
    from portal.search.engine import SearchIndex, SearchRequest

WARNING_FILTERS = (
    "error",
    "ignore:invalid escape sequence:DeprecationWarning",
    "ignore:invalid escape sequence:SyntaxWarning",
    "ignore::DeprecationWarning:whoosh",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.filterwarnings(*WARNING_FILTERS))


PUBLISHED = dt.datetime(2025, 1, 1, 8, 0, tzinfo=dt.UTC)
TODAY = dt.date(2025, 6, 1)

LABELS_SV = {
    "arbetstraning": "Arbetsträning",
    "praktik": "Praktik",
    "utbildning": "Utbildning",
    "sprak": "Språkstöd",
    "kartlaggning": "Kartläggning",
    "coachning": "Coachning",
    "ovrigt": "Övrigt",
    "unga": "Unga",
    "nyanlanda": "Nyanlända",
    "sjukskrivna": "Sjukskrivna",
    "psykisk_ohalsa": "Personer med psykisk ohälsa",
    "langtidsarbetslosa": "Långtidsarbetslösa",
    "funktionsnedsattning": "Personer med funktionsnedsättning",
    "alla": "Alla",
}
LABELS_EN = {
    "arbetstraning": "Work training",
    "praktik": "Work placement",
    "utbildning": "Education and training",
    "sprak": "Language support",
    "kartlaggning": "Assessment",
    "coachning": "Coaching",
    "ovrigt": "Other",
    "unga": "Young people",
    "nyanlanda": "Newly arrived",
    "sjukskrivna": "People on sick leave",
    "psykisk_ohalsa": "People with mental ill-health",
    "langtidsarbetslosa": "Long-term unemployed",
    "funktionsnedsattning": "People with disabilities",
    "alla": "Everyone",
}

# Kristianstad, Osby, Hässleholm, Hörby (lat, lon)
KRISTIANSTAD = (56.0294, 14.1567)
OSBY = (56.3814, 13.9942)
HASSLEHOLM = (56.1589, 13.7668)
HORBY = (55.8547, 13.6614)


def make_doc(doc_id: int, title: str, summary: str, description: str = "", **values) -> dict:
    """A document of the engine's input contract with sensible defaults."""
    kind = values.pop("type", "arbetstraning")
    groups = values.pop("target_groups", ["alla"])
    lat, lon = values.pop("position", KRISTIANSTAD)
    codes = [kind, *groups]
    doc = {
        "id": doc_id,
        "external_id": f"T{doc_id:03d}",
        "title": title,
        "summary": summary,
        "description": description,
        "organisation": values.pop("organisation", "Kristianstads kommun"),
        "municipality_code": values.pop("municipality_code", "1290"),
        "unit": values.pop("unit", "Arbetsmarknadsenheten"),
        "city": values.pop("city", "Kristianstad"),
        "type": kind,
        "target_groups": groups,
        "languages": values.pop("languages", ["sv"]),
        "referrers": values.pop("referrers", ["arbetsformedlingen"]),
        "intake": values.pop("intake", "rolling"),
        "places_available": values.pop("places_available", 2),
        "start_date": values.pop("start_date", None),
        "published_at": PUBLISHED + dt.timedelta(days=doc_id),
        "lat": lat,
        "lon": lon,
        "translations": values.pop("translations", {}),
        "labels": {
            "sv": " ".join(LABELS_SV[code] for code in codes),
            "en": " ".join(LABELS_EN[code] for code in codes),
        },
    }
    assert not values, f"unknown values {values}"
    return doc


def corpus() -> list[dict]:
    return [
        make_doc(
            1,
            "Arbetsträning i second hand-butiken Fyndet",
            "Deltagarna arbetstränar med sortering, prissättning och försäljning"
            " i kommunens second hand-butik.",
            "Butiken tar emot möbler och kläder. Handledarna hjälper dig att hitta rutiner.",
            target_groups=["langtidsarbetslosa"],
            languages=["sv", "ar"],
            referrers=["arbetsformedlingen", "socialtjansten"],
            places_available=3,
            translations={
                "en": {
                    "title": "Work training in the Fyndet thrift shop",
                    "summary": "Participants train in sorting, pricing and selling"
                    " in the second hand shop.",
                }
            },
        ),
        make_doc(
            2,
            "Cykelverkstaden i Osby",
            "Arbetsträning där deltagarna reparerar och servar cyklar.",
            "Verkstaden har plats för sex deltagare åt gången.",
            target_groups=["unga"],
            municipality_code="1273",
            organisation="Osby kommun",
            city="Osby",
            position=OSBY,
            intake="cohorts",
            start_date=dt.date(2025, 9, 1),
            places_available=0,
        ),
        make_doc(
            3,
            "Yrkessvenska för vården",
            "Kurs i yrkessvenska för dig som vill arbeta i äldreomsorgen.",
            "Undervisningen varvas med praktik på ett äldreboende.",
            type="sprak",
            target_groups=["nyanlanda"],
            municipality_code="1293",
            organisation="Hässleholms kommun",
            city="Hässleholm",
            position=HASSLEHOLM,
            languages=["sv", "ar", "so"],
            intake="cohorts",
            start_date=dt.date(2025, 7, 1),
            places_available=5,
        ),
        make_doc(
            4,
            "Praktikplatser i kommunens verksamheter",
            "Vi förmedlar praktikplatser i förskolor, kök och parkförvaltning.",
            "Praktiken följs upp av en handläggare varannan vecka.",
            type="praktik",
            referrers=["arbetsformedlingen", "egen_anmalan"],
        ),
        make_doc(
            5,
            "Arbetsförmågebedömning",
            "Åtta veckors bedömning av arbetsförmåga med praktiska arbetsprov.",
            "För dig som har varit sjukskriven länge och vill pröva att arbeta igen.",
            type="kartlaggning",
            target_groups=["sjukskrivna"],
            referrers=["forsakringskassan"],
            intake="cohorts",
            start_date=dt.date(2025, 3, 1),
        ),
        make_doc(
            6,
            "Feriepraktik för ungdomar",
            "Tre veckors feriepraktik under sommaren för dig som gått ut nian.",
            "Du får lön och en handledare på arbetsplatsen.",
            type="praktik",
            target_groups=["unga"],
            municipality_code="1266",
            organisation="Hörby kommun",
            city="Hörby",
            position=HORBY,
            intake="single",
        ),
        make_doc(
            7,
            "Branschskola lokalvård och hotellstädning",
            "Sex veckors utbildning för jobb som lokalvårdare eller hotellstädare.",
            "Utbildningen avslutas med praktik hos ett städföretag.",
            type="utbildning",
            target_groups=["nyanlanda", "langtidsarbetslosa"],
            municipality_code="1293",
            organisation="Hässleholms kommun",
            city="Hässleholm",
            position=HASSLEHOLM,
            intake="cohorts",
            start_date=dt.date(2025, 6, 1),
        ),
        make_doc(
            8,
            "IPS – stöd att få och behålla ett arbete",
            "Individual Placement and Support för dig med psykisk ohälsa som vill arbeta.",
            "En arbetsspecialist följer dig ut på arbetsplatsen.",
            type="coachning",
            target_groups=["psykisk_ohalsa"],
            referrers=["varden", "socialtjansten"],
        ),
        make_doc(
            9,
            "Arbetsträning vid psykisk ohälsa",
            "Arbetsträning i lugn miljö för dig med psykisk ohälsa.",
            "Du tränar på rutiner och samarbete i en liten grupp.",
            target_groups=["psykisk_ohalsa"],
            municipality_code="1266",
            organisation="Hörby kommun",
            city="Hörby",
            position=HORBY,
            places_available=0,
        ),
        make_doc(
            10,
            "Budget- och skuldrådgivning",
            "Kostnadsfri hjälp med hushållets budget och skulder.",
            "Rådgivningen sker på kontoret eller via telefon.",
            type="ovrigt",
            referrers=["egen_anmalan"],
            position=(None, None),
        ),
        make_doc(
            11,
            "Orienteringsutbildning – nästa steg",
            "Åtta veckors orienteringsutbildning om arbetsmarknaden i regionen.",
            "Studiebesök hos arbetsgivare ingår.",
            type="utbildning",
            target_groups=["langtidsarbetslosa"],
            municipality_code="1273",
            organisation="Osby kommun",
            city="Osby",
            position=OSBY,
            intake="cohorts",
            start_date=dt.date(2025, 10, 1),
        ),
        make_doc(
            12,
            "Kodstuga för nybörjare",
            "Lär dig <script>alert('x')</script> och HTML som <b>fet</b> text & mer.",
            "Kursen är gratis.",
            type="utbildning",
            target_groups=["unga"],
        ),
        make_doc(
            13,
            "Jobbcoachning i Hörby",
            "Personlig jobbcoachning med cv, ansökningar och intervjuträning.",
            "Coachen hjälper dig att kontakta arbetsgivare.",
            type="coachning",
            municipality_code="1266",
            organisation="Hörby kommun",
            city="Hörby",
            position=HORBY,
            referrers=["arbetsformedlingen", "socialtjansten", "egen_anmalan"],
        ),
    ]


def exercise_whoosh() -> None:
    """Write, update and search a tiny index: loads every Whoosh module used."""
    with tempfile.TemporaryDirectory() as directory:
        index = SearchIndex(directory)
        index.rebuild(
            [make_doc(1, "Arbetsträning", "Träning", translations={"en": {"title": "x"}})]
        )
        index.apply([make_doc(2, "Praktik", "Praktikplats")], [1], mark=1)
        index.search(SearchRequest(text="arbetstraning praktik training"))
        index.close()


with whoosh_compile_warnings_ignored():
    exercise_whoosh()


@pytest.fixture
def docs() -> list[dict]:
    return corpus()


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """A built index for tests that only read."""
    index = SearchIndex(tmp_path_factory.mktemp("index"), today=lambda: TODAY)
    index.rebuild(corpus(), mark=7)
    yield index
    index.close()


@pytest.fixture
def index(tmp_path) -> SearchIndex:
    """A fresh index for tests that change it."""
    index = SearchIndex(tmp_path / "search_index", today=lambda: TODAY)
    index.rebuild(corpus(), mark=7)
    yield index
    index.close()
