"""Jinja helpers shared by every template."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from portal.accounts.permissions import can
from portal.catalogue.labels import ACTION_LABELS, FORMAT_LABELS, INTAKE_LABELS, STATUS_LABELS
from portal.catalogue.richtext import render_markdown
from portal.catalogue.taxonomy import label_of
from portal.i18n import LANGUAGES


def term_label(term) -> str:
    """A taxonomy term's label in the interface language (from the shared reference data,
    so a list of cards needs no query for its terms' labels)."""
    return label_of(term.vocabulary, term.code, str(get_locale()))


def language_name(code: str) -> str:
    """The name of a language (ISO 639-1) in the interface language."""
    return _language_names(str(get_locale())).get(code) or code


@lru_cache(maxsize=32)
def _language_names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).languages)


def url_with_args(**changes) -> str:
    """The current page with some query arguments changed (``None`` removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def input_attributes(described: list[str], errors, lang: str | None = None) -> dict[str, str]:
    """ARIA and language attributes of a form input, only those with a value
    (WTForms would print ``None`` as the text "None")."""
    attributes = {}
    if described:
        attributes["aria_describedby"] = " ".join(described)
    if errors:
        attributes["aria_invalid"] = "true"
    if lang:
        attributes["lang"] = lang
    return attributes


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["term_label"] = term_label
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["dateformat"] = lambda value: format_date(value, "long") if value else ""
    app.jinja_env.filters["numberformat"] = format_decimal
    app.jinja_env.filters["datetimeformat"] = lambda value: format_datetime(value, "short") if value else ""
    app.jinja_env.globals.update(
        format_labels=FORMAT_LABELS, intake_labels=INTAKE_LABELS, status_labels=STATUS_LABELS,
        action_labels=ACTION_LABELS, languages_by_code=LANGUAGES,
    )
    app.jinja_env.globals["url_with_args"] = url_with_args
    app.jinja_env.globals["input_attributes"] = input_attributes
    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
