"""The interface catalogues: complete enough, in step with the code, placeholders intact.

A string counts as translated when every plural form is filled in and, outside English, the
translation differs from the English msgid (a copied English text is not a translation),
except for the few strings in ``IDENTICAL_ALLOWED`` that are legitimately the same.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from portal.config import PROJECT_ROOT
from portal.i18n import LANGUAGES
from portal.i18n.cli import BABEL_CONFIG, TRANSLATIONS_DIR

LOCALES = list(LANGUAGES)
THRESHOLDS = {"sv": 1.0, "en": 1.0}
DEFAULT_THRESHOLD = 0.95

# Strings that may read the same as the English msgid (product names, bare placeholders, and
# Swedish words spelled like their English counterparts).
IDENTICAL_ALLOWED = {
    "*": {"Insatsportalen", "%(reference)s: %(status)s", "%(reference)s: %(status)s."},
    "sv": {"Filter", "Format", "Id", "Import", "Man", "Organisation", "Position", "Problem",
           "Region", "Status", "System"},
}

PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifrxXeEgGc%])")


def placeholders(text: str) -> set[str]:
    """``%(name)s`` → ``name``; unnamed ``%s``/``%d`` → the conversion itself; ``%%`` ignored."""
    found = set()
    for name, conversion in PLACEHOLDER.findall(text):
        if conversion != "%":
            found.add(name or f"%{conversion}")
    return found


def key(message) -> tuple[str | None, str]:
    singular = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, singular


def forms(message) -> list[str]:
    if isinstance(message.string, str):
        return [message.string]
    return list(message.string)


def english_ids(message) -> set[str]:
    return {message.id} if isinstance(message.id, str) else set(message.id)


def is_translated(message, locale: str) -> bool:
    strings = forms(message)
    if not strings or not all(strings):
        return False
    if locale == "en":
        return True
    allowed = IDENTICAL_ALLOWED["*"] | IDENTICAL_ALLOWED.get(locale, set())
    if key(message)[1] in allowed:
        return True
    return not english_ids(message) & set(strings)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The strings the code and templates use now: extracted like ``flask translate extract``."""
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(BABEL_CONFIG),
               "-k", "_l", "--no-location", "--sort-output", "-o", str(output), "portal", "templates"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with output.open("rb") as file:
        catalog = read_po(file)
    messages = {key(message): message for message in catalog if message.id}
    assert len(messages) > 100, "extraction found suspiciously few strings"
    return messages


def load_catalogue(locale: str):
    path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {locale}: run `flask translate init {locale}`"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@pytest.fixture(scope="module", params=LOCALES)
def catalogue(request):
    return request.param, load_catalogue(request.param)


def test_every_interface_language_has_a_catalogue():
    for locale in LOCALES:
        assert (TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po").exists(), locale


def test_every_string_in_use_is_in_the_catalogue(catalogue, template):
    locale, catalog = catalogue
    present = {key(message) for message in catalog if message.id}
    missing = sorted(set(template) - present, key=str)
    assert not missing, (
        f"{len(missing)} msgid(s) used in the code are missing from {locale}; "
        f"run `flask translate update`: {missing[:10]}"
    )


def test_catalogue_is_translated_enough(catalogue, template):
    locale, catalog = catalogue
    by_key = {key(message): message for message in catalog if message.id}
    untranslated = [k for k in template if k not in by_key or not is_translated(by_key[k], locale)]
    share = 1 - len(untranslated) / len(template)
    threshold = THRESHOLDS.get(locale, DEFAULT_THRESHOLD)
    assert share >= threshold, (
        f"{locale}: {share:.1%} translated, needs {threshold:.0%}; "
        f"untranslated e.g. {sorted(untranslated, key=str)[:10]}"
    )


def test_plural_messages_have_every_form_the_language_needs(catalogue):
    locale, catalog = catalogue
    for message in catalog:
        if message.id and message.pluralizable and any(forms(message)):
            assert len(forms(message)) == catalog.num_plurals, (locale, message.id)


def test_placeholders_are_kept(catalogue):
    locale, catalog = catalogue
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        expected = set().union(*(placeholders(text) for text in english_ids(message)))
        for text in forms(message):
            if text and placeholders(text) != expected:
                wrong.append((message.id, text))
    assert not wrong, f"{locale}: placeholders differ from the msgid: {wrong[:5]}"


def test_nothing_is_fuzzy(catalogue):
    """``flask translate compile`` uses fuzzy entries, so a fuzzy guess would reach visitors."""
    locale, catalog = catalogue
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert not fuzzy, f"{locale}: fuzzy entries {fuzzy[:10]}"


def test_babel_finds_no_errors(catalogue):
    locale, catalog = catalogue
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert not problems, f"{locale}: {problems[:5]}"


@pytest.mark.parametrize(
    "text, expected",
    [("%(num)s weeks", {"num"}), ("100 %% sure", set()), ("%s of %d", {"%s", "%d"}),
     ("%(a)s and %(b)d", {"a", "b"}), ("no placeholder", set())],
)
def test_placeholder_parsing(text, expected):
    assert placeholders(text) == expected


def test_a_copied_english_string_does_not_count_as_translated():
    from babel.messages.catalog import Message

    assert not is_translated(Message("Search", "Search"), "ar")
    assert is_translated(Message("Search", "Search"), "en")
    assert is_translated(Message("Insatsportalen", "Insatsportalen"), "so")
    assert not is_translated(Message(("%(num)s week", "%(num)s weeks"), ("%(num)s тиждень", "")), "uk")
    assert not is_translated(
        Message(("%(num)s week", "%(num)s weeks"), ("%(num)s week", "%(num)s weeks")), "so")
