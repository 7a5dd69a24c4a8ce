"""A small Markdown subset for descriptions, sanitised so no script can survive.

Raw HTML in the source is not interpreted (it is shown as text); the rendered HTML then
goes through nh3 with a short allow-list, so event attributes, ``javascript:`` links and
SVG never reach a page.
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .disable(["image", "code", "fence", "table", "heading", "lheading", "hr"], ignoreInvalid=True)
)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# Decoding an entity can make a new tag ("&amp;lt;img&amp;gt;" takes two rounds); text nested deeper
# than this is hostile, and loses its "<" and "&" instead.
MAX_PLAIN_TEXT_ROUNDS = 8


def plain_text(text: str | None) -> str:
    """Text without markup, as a reader sees it (Jinja escapes it again on output).

    Tags are removed and entities decoded, and that is repeated until nothing changes: so
    "&lt;img onerror=…&gt;" is not stored as a real ``<img>`` tag for the API and mail to
    serve. What is returned is exactly what the sanitiser lets through: cleaning it again
    gives it back unchanged.
    """
    if not text:
        return ""
    current = text
    for _ in range(MAX_PLAIN_TEXT_ROUNDS):
        cleaned = html.unescape(nh3.clean(current, tags=set(), attributes={})).strip()
        if cleaned == current:
            return current
        current = cleaned
    return current.replace("<", "").replace("&", "").strip()


def render_markdown(text: str | None) -> Markup:
    """Markdown (paragraphs, lists, emphasis, links) rendered to safe HTML."""
    if not text:
        return Markup("")
    return Markup(sanitise_html(_markdown.render(text)))
