"""The handout a case officer gives a participant: an intervention's public facts in the
participant's language, with a QR code of a short link to its page (no participant data)."""

from __future__ import annotations

import segno
from markupsafe import Markup

from portal.urls import external_url


def short_link(intervention_id: int, locale: str) -> str:
    """The absolute short link to an intervention's page in ``locale`` (on ``PORTAL_BASE_URL``)."""
    return external_url("catalogue.short_link", intervention_id=intervention_id, lang_code=locale)


def qr_code(link: str, title: str) -> Markup:
    """``link`` as an inline SVG QR code (segno), titled for screen readers."""
    svg = segno.make(link, error="m").svg_inline(scale=4, title=title, svgclass="qr-code", omitsize=False)
    return Markup(svg)  # noqa: S704  (segno's own markup; the title is escaped by segno)
