"""A small Markdown subset for descriptions, sanitised so no script can survive.

Raw HTML in the source is not interpreted (it is shown as text); the rendered HTML then
goes through nh3 with a short allow-list, so event attributes, ``javascript:`` links and
SVG never reach a page.
"""

from __future__ import annotations

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


def render_markdown(text: str | None) -> Markup:
    """Markdown (paragraphs, lists, emphasis, links) rendered to safe HTML."""
    if not text:
        return Markup("")
    return Markup(sanitise_html(_markdown.render(text)))
