"""Intervention texts in the visitor's language, with an honest Swedish fallback."""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n import DEFAULT_LOCALE, LANGUAGES

TRANSLATED_FIELDS = ("title", "summary", "description")


@dataclass(frozen=True)
class Text:
    value: str
    lang: str  # the language the text is written in, for the element's lang attribute

    @property
    def direction(self) -> str:
        """For the element's dir attribute: Swedish on an Arabic page stays left-to-right."""
        language = LANGUAGES.get(self.lang)
        return language.direction if language else "ltr"


@dataclass(frozen=True)
class LocalizedText:
    title: Text
    summary: Text
    description: Text
    requested: str

    @property
    def has_fallback(self) -> bool:
        """True when any field is shown in Swedish instead of the requested language."""
        return bool(self.fallback_fields)

    @property
    def fallback_fields(self) -> tuple[str, ...]:
        """The fields (with text) shown in Swedish instead of the requested language."""
        return tuple(name for name in TRANSLATED_FIELDS
                     if getattr(self, name).lang != self.requested and getattr(self, name).value)


def localized_text(intervention, locale: str) -> LocalizedText:
    """Each text field in ``locale`` where translated, else the Swedish original."""
    translation = intervention.translation(locale) if locale != DEFAULT_LOCALE else None

    def field(name: str) -> Text:
        translated = getattr(translation, name, "") if translation else ""
        if translated:
            return Text(translated, locale)
        return Text(getattr(intervention, name) or "", DEFAULT_LOCALE)

    return LocalizedText(*(field(name) for name in TRANSLATED_FIELDS), requested=locale)
