"""Charts drawn on the server as SVG by pygal, from the same cells as the tables beside them.

A hidden (suppressed) count is left out of the chart (a gap), never drawn. No JavaScript,
nothing fetched: pygal's scripts are turned off. Colours differ in lightness, so that the
series stay apart in greyscale and on paper; a white background prints cleanly. A chart is
rendered once per distinct set of numbers (and language) and then served from the cache.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import OrderedDict
from threading import Lock

import pygal
from pygal.style import Style

from portal.stats.figures import Labelled
from portal.stats.suppression import Cell

# pygal adds an old-style import hook (for its map plugins, unused here) that makes every later
# import warn; take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

# Dark blue, light orange, mid grey-green, black: distinct in lightness as well as hue.
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#000000",
    foreground_subtle="#595959", opacity="1", opacity_hover="1", transition="0s",
    colors=("#1f3a93", "#f2a65a", "#5b8c6e", "#000000", "#9b59b6"),
    font_family="Arial, Helvetica, sans-serif", label_font_size=12, major_label_font_size=12,
    legend_font_size=13, title_font_size=15, value_font_size=11,
)
# pygal writes its configuration as an inline script even with ``js=[]``: nothing needs it.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CACHE_SIZE = 256
_lock = Lock()


def _options(title: str) -> dict:
    return dict(style=STYLE, js=[], disable_xml_declaration=True, tooltip_border_radius=0, title=title,
                print_values=False, show_legend=True, legend_at_bottom=True, width=760, height=420,
                explicit_size=False, truncate_label=-1, truncate_legend=-1, x_label_rotation=20)


def _value(cell: Cell) -> int | None:
    return None if cell.suppressed else cell.value


def _cached(kind: str, payload: dict, draw) -> bytes:
    key = hashlib.sha256(json.dumps([kind, payload], sort_keys=True, default=str).encode()).hexdigest()
    with _lock:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    svg = _SCRIPT.sub("", draw()).encode("utf-8")
    with _lock:
        _CACHE[key] = svg
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return svg


def bars(labelled: Labelled, title: str) -> bytes:
    """Grouped bars: one group per row of the table, one bar per column (e.g. per gender)."""
    table = labelled.table
    payload = {"title": title, "rows": [str(labelled.row_labels[row]) for row in table.rows],
               "series": [[str(labelled.column_labels[column]),
                           [_value(table.cell(row, column)) for row in table.rows]] for column in table.columns]}

    def draw():
        chart = pygal.HorizontalBar(**_options(title))
        chart.x_labels = payload["rows"]
        for name, values in payload["series"]:
            chart.add(name, values)
        return chart.render(is_unicode=True)

    return _cached("bars", payload, draw)


def matrix(labelled: Labelled, title: str) -> bytes:
    """A dot matrix: rows × columns, each dot's size and label the count (pygal's Dot chart)."""
    table = labelled.table
    payload = {"title": title, "columns": [str(labelled.column_labels[column]) for column in table.columns],
               "series": [[str(labelled.row_labels[row]),
                           [_value(table.cell(row, column)) for column in table.columns]] for row in table.rows]}

    def draw():
        options = _options(title) | {"print_values": True, "show_legend": False}
        chart = pygal.Dot(**options)
        chart.x_labels = payload["columns"]
        for name, values in payload["series"]:
            chart.add(name, [value if value else None for value in values])
        return chart.render(is_unicode=True)

    return _cached("matrix", payload, draw)


def line(points: dict[str, Cell], title: str, series: str) -> bytes:
    payload = {"title": title, "series": series, "labels": list(points),
               "values": [_value(cell) for cell in points.values()]}

    def draw():
        chart = pygal.Line(**(_options(title) | {"show_legend": False, "allow_interruptions": True}))
        chart.x_labels = payload["labels"]
        chart.add(series, payload["values"])
        return chart.render(is_unicode=True)

    return _cached("line", payload, draw)


def cache_clear() -> None:
    with _lock:
        _CACHE.clear()
