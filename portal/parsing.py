"""Reading what a request sends: whole numbers and text, in one place.

* Every query string and form value is cleaned of control characters (NUL and the other
  C0/C1 codes except tab and line breaks) and lone surrogates when the request parses it
  (:class:`PortalRequest`), and so is every ``<string>``/``<path>`` part of a URL: no such
  character reaches the database, where PostgreSQL refuses NUL in text.
* :func:`parse_int` is the one reading of a whole number from a query string or a path:
  ASCII digits only (``str.isdigit`` accepts "²", which ``int`` refuses) and within the
  range of the database's integer columns (PostgreSQL's ``integer`` ends at 2³¹ − 1).
"""

from __future__ import annotations

import builtins
import re
from typing import Any

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")


def clean_text(value: str) -> str:
    """``value`` without control characters and lone surrogates."""
    return _CONTROL.sub("", value)


def clean_value(value: Any) -> Any:
    """Strings cleaned (:func:`clean_text`) in a value that may be a list or a dict of them."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_value(key): clean_value(item) for key, item in value.items()}
    return value


def parse_int(raw: Any, minimum: int = INT32_MIN, maximum: int = INT32_MAX) -> int | None:
    """``raw`` as a whole number from ``minimum`` to ``maximum``, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        return None
    return value if minimum <= value <= maximum else None


def arg_int(name: str, default: int | None = None, minimum: int = 1, maximum: int = INT32_MAX) -> int | None:
    """The query parameter ``name`` as a whole number in range; ``default`` when it is not one."""
    value = parse_int(request.args.get(name), minimum, maximum)
    return default if value is None else value


class CleanMultiDict(ImmutableMultiDict):
    """Query string and form values (and their names) without control characters."""

    def __init__(self, mapping=None) -> None:
        if mapping is None:
            super().__init__()
            return
        items = MultiDict(mapping).items(multi=True)
        super().__init__([
            (clean_text(key) if isinstance(key, str) else key,
             clean_text(value) if isinstance(value, str) else value)
            for key, value in items
        ])


class PortalRequest(Request):
    parameter_storage_class = CleanMultiDict


class CleanStringConverter(UnicodeConverter):
    def to_python(self, value: str) -> str:
        return clean_text(value)


class CleanPathConverter(PathConverter):
    def to_python(self, value: str) -> str:
        return clean_text(value)


class BoundedIntConverter(IntegerConverter):
    """``<int:…>``: ASCII digits within the integer columns' range; anything else is no match (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=INT32_MAX if max is None else builtins.min(max, INT32_MAX), signed=signed)


def init_app(app) -> None:
    """Call before any route is registered: the converters apply to rules as they are added."""
    app.request_class = PortalRequest
    app.url_map.converters.update(
        default=CleanStringConverter, string=CleanStringConverter, path=CleanPathConverter,
        int=BoundedIntConverter,
    )
