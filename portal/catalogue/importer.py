"""Import interventions from JSON or CSV in the format of the shared evaluation corpus.

A file is validated as a whole first: a file with any invalid row imports nothing and the
report names every row's errors. A valid file is applied as one transaction. The file's
``id`` is the intervention's external id, unique per organisation, so importing the same
file again updates records instead of duplicating them (and changes nothing when nothing
differs). Organisations are matched by municipality code and created when missing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from portal.catalogue.models import (
    DeliveryFormat,
    Intake,
    Intervention,
    InterventionStatus,
    OpenTo,
    Organisation,
    OrganisationKind,
    ReferralRule,
    Unit,
    Vocabulary,
)
from portal.catalogue.taxonomy import terms_by_code
from portal.catalogue.writing import InterventionValues, apply_intervention, email_problem
from portal.exceptions import InvalidInput
from portal.extensions import db
from portal.i18n import TRANSLATION_LOCALES
from portal.parsing import INT32_MAX, clean_text, clean_value

ROLLING_START = "lopande"
LANGUAGE_CODE_PATTERN = re.compile(r"^[a-z]{2,3}$")
LIST_FIELDS = ("target_groups", "languages", "referrers", "start_dates")
# The format nests four levels (list, record, translations, language); more is not an import file.
MAX_NESTING = 8
FLUSH_EVERY = 500  # records written between flushes
LOOKUP_CHUNK = 500  # external ids per query for the records' existing interventions


class ImportFileError(InvalidInput):
    """The file cannot be read at all (not JSON/CSV, not a list of objects).

    ``str(error)`` is English, for the command line; ``message`` is the same in the
    interface language, for the web import.
    """

    def __init__(self, text: str, message: Any = None) -> None:
        super().__init__(text)
        self.message = message if message is not None else text


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based position in the file
    record_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        name = f" ({self.record_id})" if self.record_id else ""
        return f"row {self.row}{name}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    total: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------- reading


def read_file(path: Path | str) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    return parse_text(text, path.suffix.lower())


def parse_text(text: str, suffix: str) -> list[dict[str, Any]]:
    """The records of a file's text; control characters are removed from every value."""
    if suffix == ".csv":
        return _parse_csv(clean_text(text))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"not valid JSON: line {exc.lineno}: {exc.msg}",
                              _l("it is not valid JSON (line %(line)s).", line=exc.lineno)) from exc
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ImportFileError(f"not valid JSON: {exc}", _l("it holds a value that cannot be read.")) from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ImportFileError("the file must hold a JSON list of objects",
                              _l("the file must hold a JSON list of objects."))
    if _nesting(data) > MAX_NESTING:
        raise _too_deep()
    return clean_value(data)


def _too_deep() -> ImportFileError:
    return ImportFileError(f"values are nested more than {MAX_NESTING} levels deep",
                           _l("its values are nested more than %(num)s levels deep.", num=MAX_NESTING))


def _nesting(data: Any) -> int:
    """How deeply lists and objects are nested in ``data`` (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def _parse_csv(text: str) -> list[dict[str, Any]]:
    """CSV columns carry the JSON names; lists are ';'-separated; translations are
    columns such as ``translations.en.title``."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _csv_records(reader)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131 072 characters)
        raise ImportFileError(f"not valid CSV: line {reader.line_num}: {exc}",
                              _l("it is not valid CSV (line %(line)s): a field is too long or a quote "
                                 "is not closed.", line=reader.line_num)) from exc


def _csv_records(reader: csv.DictReader) -> list[dict[str, Any]]:
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise ImportFileError("the CSV file needs a header row with at least an 'id' column",
                              _l("the CSV file needs a header row with at least an “id” column."))
    records = []
    for raw in reader:
        record: dict[str, Any] = {}
        for key, value in raw.items():
            if key is None:
                continue
            if isinstance(value, list):  # more fields than the header names (DictReader's restval)
                value = ""
            value = (value or "").strip()
            if key.startswith("translations."):
                _, locale, name = (key.split(".") + ["", ""])[:3]
                if value:
                    record.setdefault("translations", {}).setdefault(locale, {})[name] = value
            elif key in LIST_FIELDS:
                record[key] = [part.strip() for part in value.split(";") if part.strip()]
            else:
                record[key] = value if value != "" else None
        records.append(record)
    return records


# ------------------------------------------------------------------------- validating


@dataclass
class _Row:
    """Collects the errors of one row while its fields are checked."""

    number: int
    data: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    @property
    def record_id(self) -> str | None:
        value = self.data.get("id")
        return str(value) if value not in (None, "") else None

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.record_id, name, message))

    def text(self, name: str, *, required: bool = False, max_length: int = 20000) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.error(name, "is required")
            return ""
        if not isinstance(value, str):
            self.error(name, "must be text")
            return ""
        if len(value) > max_length:
            self.error(name, f"is longer than {max_length} characters")
        return value.strip()

    def integer(self, name: str, *, minimum: int = 0, maximum: int = INT32_MAX,
                required: bool = False) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.error(name, "is required")
            return None
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,12}", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, "must be a whole number")
            return None
        if not minimum <= value <= maximum:
            bound = (f"between {minimum} and {maximum}" if value > maximum or maximum < INT32_MAX
                     else f"at least {minimum}")
            self.error(name, f"must be {bound}")
            return None
        return value

    def number_in(self, name: str, low: float, high: float) -> float | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = None
        if isinstance(value, bool) or number is None or not math.isfinite(number):
            self.error(name, "must be a number")
            return None
        if not low <= number <= high:
            self.error(name, f"must be between {low} and {high}")
            return None
        return number

    def iso_date(self, name: str, value: Any = None) -> date | None:
        value = self.data.get(name) if value is None else value
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.error(name, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def codes(self, name: str, allowed: Iterable[str] | None = None,
              pattern: re.Pattern | None = None) -> list[str]:
        value = self.data.get(name)
        value = [] if value is None or value == "" else value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.error(name, "must be a list of codes")
            return []
        allowed_set = set(allowed) if allowed is not None else None
        for code in value:
            if allowed_set is not None and code not in allowed_set:
                self.error(name, f"unknown code {code!r}")
            if pattern is not None and not pattern.match(code):
                self.error(name, f"{code!r} is not a language code (ISO 639-1)")
        return list(dict.fromkeys(value))

    def choice(self, name: str, enum_class, default):
        value = self.data.get(name)
        if value in (None, ""):
            return default
        try:
            return enum_class(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum_class)
            self.error(name, f"must be one of {allowed}")
            return default

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return value.lower() in {"true", "1", "yes"}
        self.error(name, "must be true or false")
        return default


@dataclass
class CleanRecord:
    """One validated row, ready to be written."""

    external_id: str
    municipality_code: str
    municipality: str
    unit: str
    values: dict[str, Any]
    type_code: str
    target_groups: list[str]
    referrers: list[str]
    languages: list[str]
    start_dates: list[date]
    translations: dict[str, dict[str, str]]


def validate(records: list[dict[str, Any]]) -> tuple[list[CleanRecord], list[RowError]]:
    vocabularies = {vocabulary: set(terms_by_code(vocabulary)) for vocabulary in Vocabulary}
    clean: list[CleanRecord] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    for number, data in enumerate(records, start=1):
        row = _Row(number, data)
        record = _clean_row(row, vocabularies)
        key = (record.municipality_code, record.external_id)
        if record.external_id and key in seen:
            row.error("id", "appears more than once for this municipality")
        seen.add(key)
        errors.extend(row.errors)
        if not row.errors:
            clean.append(record)
    return clean, errors


def _clean_row(row: _Row, vocabularies: dict[Vocabulary, set[str]]) -> CleanRecord:
    external_id = row.text("id", required=True, max_length=64)
    code = row.text("municipality_code", required=True, max_length=4)
    if code and not re.fullmatch(r"[0-9]{4}", code):
        row.error("municipality_code", "must be four digits (SCB kommunkod)")
    type_code = row.text("type", required=True)
    if type_code and type_code not in vocabularies[Vocabulary.TYPE]:
        row.error("type", f"unknown code {type_code!r}")
    capacity = row.integer("capacity", required=True)
    places = row.integer("places_available", required=True)
    if capacity is not None and places is not None and places > capacity:
        row.error("places_available", "must not be larger than capacity")
    email = row.text("contact_email", max_length=254)
    if email_problem(email):
        row.error("contact_email", "is not an e-mail address")
    start_dates, intake = _start(row)
    values = {
        "title": row.text("title", required=True, max_length=200),
        "summary": row.text("summary", required=True, max_length=1000),
        "description": row.text("description"),
        "address": row.text("address", max_length=200) or None,
        "postcode": row.text("postcode", max_length=10) or None,
        "city": row.text("city", max_length=100) or None,
        "lat": row.number_in("lat", -90, 90),
        "lon": row.number_in("lon", -180, 180),
        "duration_weeks": row.integer("duration_weeks", minimum=1),
        "hours_per_week": row.integer("hours_per_week", maximum=60),
        "capacity": capacity or 0,
        "places_available": places or 0,
        "price_per_week_sek": row.integer("cost_per_week_sek") or 0,
        "price_per_week_other_sek": row.integer("cost_per_week_other_sek", maximum=1_000_000),
        "open_to": row.choice("open_to", OpenTo, OpenTo.ANYONE),
        "referral_rule": row.choice("referral_rule", ReferralRule, ReferralRule.WARN),
        "accessibility": row.text("accessibility"),
        "contact_email": email or None,
        "contact_name": row.text("contact_name", max_length=200) or None,
        "contact_phone": row.text("contact_phone", max_length=40) or None,
        "eligibility": row.text("eligibility"),
        "referral_instructions": row.text("referral_instructions"),
        "closed_periods": row.text("closed_periods"),
        "wait_weeks": row.integer("wait_weeks"),
        "enrolment_open": row.boolean("enrolment_open", True),
        "delivery_format": row.choice("format", DeliveryFormat, DeliveryFormat.ON_SITE),
        "intake": intake,
        "status": row.choice("status", InterventionStatus, InterventionStatus.PUBLISHED),
        "valid_from": row.iso_date("valid_from"),
        "valid_until": row.iso_date("valid_until"),
        "confirmed_on": row.iso_date("confirmed_on"),
    }
    return CleanRecord(
        external_id=external_id,
        municipality_code=code,
        municipality=row.text("municipality", max_length=100),
        unit=row.text("unit", max_length=200),
        values=values,
        type_code=type_code,
        target_groups=row.codes("target_groups", vocabularies[Vocabulary.TARGET_GROUP]),
        referrers=row.codes("referrers", vocabularies[Vocabulary.REFERRER]),
        languages=row.codes("languages", pattern=LANGUAGE_CODE_PATTERN),
        start_dates=start_dates,
        translations=_translations(row),
    )


def _start(row: _Row) -> tuple[list[date], Intake]:
    """``start`` is "lopande" (rolling intake) or a date; ``start_dates``/``intake`` refine it."""
    given = row.data.get("start_dates")
    given = [] if given is None or given == "" else given
    if not isinstance(given, list) or not all(isinstance(value, str) for value in given):
        row.error("start_dates", "must be a list of dates (YYYY-MM-DD)")
        given = []
    dates = [day for value in given if (day := row.iso_date("start_dates", value))]
    start = row.data.get("start")
    if start not in (None, "", ROLLING_START):
        first = row.iso_date("start")
        if first and first not in dates:
            dates.insert(0, first)
    default_intake = Intake.COHORTS if dates else Intake.ROLLING
    return sorted(set(dates)), row.choice("intake", Intake, default_intake)


def _translations(row: _Row) -> dict[str, dict[str, str]]:
    value = row.data.get("translations") or {}
    if not isinstance(value, dict):
        row.error("translations", "must be an object keyed by language code")
        return {}
    result = {}
    for locale, texts in value.items():
        name = f"translations.{locale}"
        if locale not in TRANSLATION_LOCALES:
            row.error(name, f"language must be one of {', '.join(TRANSLATION_LOCALES)}")
            continue
        if not isinstance(texts, dict) or not isinstance(texts.get("title"), str) or not texts["title"].strip():
            row.error(name, "needs at least a title")
            continue
        if not all(isinstance(texts.get(key), str | None) for key in ("summary", "description")):
            row.error(name, "summary and description must be text")
            continue
        result[locale] = {
            key: str(texts.get(key) or "").strip() for key in ("title", "summary", "description")
        }
    return result


# ---------------------------------------------------------------------------- writing


def import_records(
    records: list[dict[str, Any]],
    *,
    dry_run: bool = False,
    only_organisation: Organisation | None = None,
    progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
    actor: Any = None,
) -> ImportReport:
    """Validate and (unless ``dry_run``) write ``records``; commits on success.

    ``only_organisation`` restricts the import to one organisation (an editor's import):
    rows of any other municipality are errors. ``before_commit(report)`` runs inside the
    import's transaction, so what it records (an audit event, a job's outcome) commits
    or fails together with the imported rows.
    """
    report = ImportReport(total=len(records), dry_run=dry_run)
    clean, report.errors = validate(records)
    if only_organisation is not None:
        report.errors.extend(_foreign_rows(clean, records, only_organisation))
    if report.errors:
        return report
    writer = _Writer(report, actor, clean)
    for done, record in enumerate(clean, start=1):
        writer.write(record)
        if done % FLUSH_EVERY == 0:
            writer.flush()
        if progress:
            progress(done, len(clean))
    writer.flush()
    if dry_run:
        db.session.rollback()
        return report
    if before_commit is not None:
        before_commit(report)
    db.session.commit()
    return report


def audit_import(report: ImportReport, *, source: str, actor=None, organisation_id: int | None = None,
                 record_id=None) -> None:
    """The audit event of a completed import (call inside the import's transaction)."""
    from portal import audit

    audit.record("import", "import_job" if record_id else "import_file", record_id, actor=actor,
                 organisation_id=organisation_id,
                 changes={"file": source, "rows": report.total, "created": len(report.created),
                          "updated": len(report.updated), "unchanged": len(report.unchanged),
                          "organisations_created": list(report.organisations_created)})


def _foreign_rows(clean, records, organisation: Organisation) -> list[RowError]:
    numbers = {str(r.get("id")): n for n, r in enumerate(records, start=1)}
    return [
        RowError(numbers.get(record.external_id, 0), record.external_id, "municipality_code",
                 f"you may only import into {organisation.name}")
        for record in clean
        if record.municipality_code != organisation.municipality_code
    ]


class _Writer:
    """Upserts clean records, caching organisations, units and taxonomy lookups.

    The records' existing interventions are read per organisation in a few queries, and the
    rows are flushed every `FLUSH_EVERY` records rather than one record at a time; the audit
    events (which name a new intervention's id) follow each flush, in the records' order.
    """

    def __init__(self, report: ImportReport, actor: Any = None, records: Iterable[CleanRecord] = ()) -> None:
        self.report = report
        self.actor = actor
        self.vocabularies = {vocabulary: terms_by_code(vocabulary) for vocabulary in Vocabulary}
        self.organisations: dict[str, Organisation] = {}
        self.external_ids: dict[str, list[str]] = {}
        for record in records:
            self.external_ids.setdefault(record.municipality_code, []).append(record.external_id)
        self.existing: dict[str, dict[str, Intervention]] = {}
        self.audit_later: list[Callable[[], None]] = []

    def write(self, record: CleanRecord) -> None:
        organisation = self._organisation(record)
        intervention = self._existing(organisation, record)
        is_new = intervention is None
        if is_new:
            intervention = Intervention(organisation=organisation, external_id=record.external_id)
        with db.session.no_autoflush:
            changes = apply_intervention(intervention, self._values(organisation, record), actor=self.actor,
                                         action="create" if is_new else "update",
                                         audit_later=self.audit_later)
        if is_new:
            self.report.created.append(record.external_id)
        elif changes:
            self.report.updated.append(record.external_id)
        else:
            self.report.unchanged.append(record.external_id)

    def flush(self) -> None:
        db.session.flush()
        pending, self.audit_later = self.audit_later, []
        for record in pending:
            record()
        db.session.flush()

    def _existing(self, organisation: Organisation, record: CleanRecord) -> Intervention | None:
        code = record.municipality_code
        if code not in self.existing:
            ids = self.external_ids.get(code) or [record.external_id]
            found: dict[str, Intervention] = {}
            for start in range(0, len(ids), LOOKUP_CHUNK):
                found.update((item.external_id, item) for item in db.session.execute(
                    db.select(Intervention).where(
                        Intervention.organisation_id == organisation.id,
                        Intervention.external_id.in_(ids[start : start + LOOKUP_CHUNK]),
                    )
                ).scalars())
            self.existing[code] = found
        return self.existing[code].get(record.external_id)

    def _organisation(self, record: CleanRecord) -> Organisation:
        code = record.municipality_code
        if code not in self.organisations:
            organisation = db.session.execute(
                db.select(Organisation).where(Organisation.municipality_code == code)
            ).scalar_one_or_none()
            if organisation is None:
                organisation = _new_municipality(record)
                db.session.add(organisation)
                db.session.flush()
                self.report.organisations_created.append(organisation.name)
            self.organisations[code] = organisation
        return self.organisations[code]

    def _unit(self, organisation: Organisation, record: CleanRecord) -> Unit | None:
        if not record.unit:
            return None
        for unit in organisation.units:
            if unit.name == record.unit:
                return unit
        unit = Unit(
            name=record.unit,
            address=record.values["address"],
            postcode=record.values["postcode"],
            city=record.values["city"],
        )
        organisation.units.append(unit)
        return unit

    def _values(self, organisation: Organisation, record: CleanRecord) -> InterventionValues:
        terms = self.vocabularies
        return InterventionValues(
            organisation=organisation,
            unit=self._unit(organisation, record),
            type=terms[Vocabulary.TYPE][record.type_code],
            target_groups=[terms[Vocabulary.TARGET_GROUP][code] for code in record.target_groups],
            referrers=[terms[Vocabulary.REFERRER][code] for code in record.referrers],
            languages=record.languages,
            start_dates=record.start_dates,
            fields=record.values,
            translations=record.translations,
        )


def _new_municipality(record: CleanRecord) -> Organisation:
    name = record.municipality or record.municipality_code
    return Organisation(
        name=f"{name}{_genitive_s(name)} kommun",
        kind=OrganisationKind.KOMMUN,
        municipality_code=record.municipality_code,
        slug=_free_slug(slugify(name), record.municipality_code),
        booking_email=None,  # set by the region administrator; requests are held until then
    )


def _free_slug(slug: str, code: str) -> str:
    taken = db.session.execute(db.select(Organisation.id).where(Organisation.slug == slug)).first()
    return f"{slug}-{code}" if taken else slug


def _genitive_s(name: str) -> str:
    """Swedish municipality names take an -s before "kommun" unless they end in a vowel or s."""
    return "" if name[-1:].lower() in "aeiouyåäösxz" else "s"


def slugify(text: str) -> str:
    folded = text.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "organisation"
