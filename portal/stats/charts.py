"""Charts drawn on the server as SVG, from the same cells as the tables beside them: bars and lines
by pygal, the shaded flow matrix by matplotlib (pygal has no such chart).

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
from threading import Lock

import pygal
from cachetools import LRUCache
from pygal.style import Style

from portal.stats.figures import Labelled, min_cell
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
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_CACHE: LRUCache[str, bytes] = LRUCache(maxsize=256)
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
        svg = _CACHE.get(key)
    if svg is None:
        svg = _SCRIPT.sub("", draw()).encode("utf-8")
        with _lock:
            _CACHE[key] = svg
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
    """A shaded matrix: rows × columns, each cell's shade and label its count (matplotlib's SVG).

    A suppressed cell is hatched and labelled "<5" (``STATS_MIN_CELL``), never shaded.
    """
    table = labelled.table
    payload = {"title": title, "columns": [str(labelled.column_labels[column]) for column in table.columns],
               "rows": [str(labelled.row_labels[row]) for row in table.rows],
               "values": [[_value(table.cell(row, column)) for column in table.columns] for row in table.rows],
               "hidden": f"<{min_cell()}"}
    return _cached("matrix", payload, lambda: _shaded_matrix(payload))


def _shaded_matrix(payload: dict) -> str:
    # Imported here: matplotlib takes a while to load and only this chart needs it.
    import io

    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    rows, columns, values = payload["rows"], payload["columns"], payload["values"]
    shown = [value for line in values for value in line if value is not None]
    top = max(shown, default=0) or 1
    figure = Figure(figsize=(1.6 + 1.1 * max(len(columns), 1), 1.2 + 0.5 * max(len(rows), 1)), dpi=72)
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    shades = matplotlib.colormaps["Greys"]
    for y, line in enumerate(values):
        for x, value in enumerate(line):
            if value is None:
                axes.add_patch(matplotlib.patches.Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor="#ffffff",
                                                            edgecolor="#595959", hatch="///", linewidth=0.5))
                label, colour, backing = payload["hidden"], "#000000", {"facecolor": "#ffffff", "edgecolor": "none"}
            else:
                share = 0.08 + 0.8 * value / top
                axes.add_patch(matplotlib.patches.Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=shades(share),
                                                            edgecolor="#ffffff", linewidth=1))
                label, colour, backing = str(value), "#ffffff" if share > 0.5 else "#000000", None
            axes.text(x, y, label, ha="center", va="center", fontsize=10, color=colour, bbox=backing)
    axes.set_xlim(-0.5, len(columns) - 0.5)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=10)
    axes.set_yticks(range(len(rows)), rows, fontsize=10)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_title(payload["title"], fontsize=13)
    figure.tight_layout()
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "portal", "font.family": "sans-serif"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    # Served as an image: no XML prologue, no RDF block (its links point at vocabularies on the web).
    svg = out.getvalue()
    return _METADATA.sub("", svg[svg.index("<svg"):])


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
