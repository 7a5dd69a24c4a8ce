"""Interface languages: which exist, how one is chosen, and links that keep it.

Swedish is the default and lives at the unprefixed URL (``/interventions/7``); every other
language has its code as the first path segment (``/en/interventions/7``) so that a shared
link opens in the same language.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, has_request_context, redirect, request
from werkzeug.routing import BaseConverter

DEFAULT_LOCALE = "sv"
LANGUAGE_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    direction: str = "ltr"


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("sv", "Svenska"),
        Language("en", "English"),
        Language("ar", "العربية", "rtl"),
        Language("fa", "فارسی", "rtl"),
        Language("so", "Soomaali"),
        Language("ti", "ትግርኛ"),
        Language("uk", "Українська"),
    )
}


# The languages intervention texts may be translated into (Swedish is the source).
TRANSLATION_LOCALES: tuple[str, ...] = tuple(code for code in LANGUAGES if code != DEFAULT_LOCALE)

# Languages spoken in the region that an intervention may be delivered in or a participant
# may prefer (ISO 639-1, or 639-3 where there is no two-letter code).
SPOKEN_LANGUAGES: tuple[str, ...] = ("sv", "en", "ar", "fa", "prs", "so", "ti", "uk", "ku", "bs", "pl", "tr",
                                     "ru", "es", "fr", "am")


class LanguageConverter(BaseConverter):
    """Matches the code of a supported interface language in a URL."""

    regex = "(?:" + "|".join(sorted(LANGUAGES)) + ")"


def localized_route(blueprint, rule: str, **options):
    """Register a view at ``rule`` (Swedish) and at ``/<lang>/rule`` (other languages).

    Werkzeug redirects ``/sv/rule`` to the unprefixed URL because that rule carries
    ``lang_code='sv'`` as its default.
    """

    def decorator(view):
        blueprint.add_url_rule(rule, defaults={"lang_code": DEFAULT_LOCALE}, view_func=view, **options)
        prefixed = "/<lang:lang_code>" + rule
        blueprint.add_url_rule(prefixed, view_func=view, **options)
        return view

    return decorator


def current_locale_code() -> str:
    return g.get("lang_code") or DEFAULT_LOCALE


def best_accepted_language() -> str:
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LOCALE)


def _prefix_of_path() -> str | None:
    """The language of a path no route matched, such as ``/ar/no-such-page``."""
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def select_locale() -> str:
    """Flask-Babel's locale selector: URL first, then ``?lang=``, then the browser."""
    if g.get("lang_code"):
        return g.lang_code
    if not has_request_context():
        return DEFAULT_LOCALE
    if request.url_rule is None and _prefix_of_path():
        return _prefix_of_path()
    requested = request.args.get("lang", "")
    if requested in LANGUAGES:
        return requested
    return best_accepted_language()


def choose_language():
    """The language menu without JavaScript: go to the page it names in the chosen language.

    Only a path on this site is followed, so the menu cannot be used to send people elsewhere.
    """
    from flask import url_for

    target = request.args.get("to", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 2000:
        target = url_for("catalogue.index")
    return redirect(target, code=303)


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter
    # Under each language's prefix too, so that the menu's form keeps the page's language.
    app.add_url_rule("/language", "choose_language", choose_language, defaults={"lang_code": DEFAULT_LOCALE})
    app.add_url_rule("/<lang:lang_code>/language", "choose_language", choose_language)

    @app.url_value_preprocessor
    def pull_language(_endpoint, values):
        g.lang_code = values.pop("lang_code") if values and "lang_code" in values else None

    @app.url_defaults
    def keep_language(endpoint, values):
        if "lang_code" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            return
        values["lang_code"] = current_locale_code()

    @app.after_request
    def remember_language(response):
        if g.get("lang_code") and request.cookies.get(LANGUAGE_COOKIE) != g.lang_code:
            response.set_cookie(
                LANGUAGE_COOKIE, g.lang_code, max_age=365 * 24 * 3600, samesite="Lax",
                secure=app.config.get("SESSION_COOKIE_SECURE", False),
            )
        return response

    @app.context_processor
    def language_context():
        code = current_locale_code() if g.get("lang_code") else select_locale()
        return {
            "current_language": LANGUAGES[code],
            "languages": LANGUAGES.values(),
            "translated_url": translated_url,
            "has_alternates": is_localized_request(),
        }


def is_localized_request() -> bool:
    """True when the current URL has a version in every interface language."""
    if not has_request_context():
        return False
    rule = request.url_rule
    if rule is None:
        return False
    return "lang_code" in rule.arguments or "lang_code" in (rule.defaults or {})


def translated_url(code: str) -> str:
    """The current page in another language (query string kept), else that start page."""
    from flask import url_for

    if not is_localized_request():
        return url_for("catalogue.index", lang_code=code)
    url = url_for(request.endpoint, **{**(request.view_args or {}), "lang_code": code})
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    return url
