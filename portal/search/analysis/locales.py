"""The languages the index knows: Swedish, the original, and the translation locales."""

from __future__ import annotations

from portal.i18n import DEFAULT_LOCALE as SWEDISH
from portal.i18n import TRANSLATION_LOCALES

ALL_LOCALES: tuple[str, ...] = (SWEDISH, *TRANSLATION_LOCALES)

__all__ = ["ALL_LOCALES", "SWEDISH", "TRANSLATION_LOCALES"]
