"""Presentation mode for any figure: every text larger, margins to match, curves thicker.

Read from the back of a room, 13 px chart type is too small. ``presentation`` scales every font size a
figure sets (the layout's, titles', ticks', legends', annotations', trace text) by ``scale``, never below
``MIN_PX``, grows the margins that hold axis titles and tick labels by the same factor, gives the larger tick
labels room (x-axis labels ``STANDOFF_PX`` below the axis, at most ~``LOG_TICKS`` on a log axis) and, with
``lines=True``, draws curves at least ``LINE_PX`` wide. Texts a figure leaves to Streamlit's chart theme (tick
labels, axis and legend titles, the legend, hover labels, the title) get a size in pixels, the one Plotly gives
them (``PLOTLY_RATIO``): the theme's follow the page's type, which presentation mode changes. It changes sizes
only, never data or colours.

    >>> fig = {"data": [{"type": "scatter", "mode": "lines", "line": {"width": 2}}],
    ...        "layout": {"font": {"size": 13}, "margin": {"l": 50, "t": 10},
    ...                   "annotations": [{"text": "a", "font": {"size": 10}}]}}
    >>> out = presentation(fig, lines=True)
    >>> out["layout"]["font"]["size"], out["layout"]["annotations"][0]["font"]["size"], out["layout"]["margin"]
    (20, 16, {'l': 75, 't': 15})
    >>> out["data"][0]["line"]["width"], fig["layout"]["font"]["size"]  # the original is left alone
    (4.5, 13)
    >>> presentation({"layout": {"title": {"text": "A<br><span style='font-size:12px'>b</span>"}}})["layout"]["title"]
    {'text': "A<br><span style='font-size:18px'>b</span>", 'font': {'size': 28}}
    >>> out = presentation({"data": [{"x": [1], "y": [1], "yaxis": "y2"}], "layout": {"yaxis2": {"type": "log"}}})
    >>> out["layout"]["xaxis"]  # named by no layout key, drawn for the trace: sized too
    {'tickfont': {'size': 20}, 'title': {'font': {'size': 24}}, 'ticklabelstandoff': 8}
    >>> out["layout"]["yaxis2"]
    {'type': 'log', 'tickfont': {'size': 20}, 'title': {'font': {'size': 24}}, 'nticks': 5}
    >>> sorted(presentation({"data": [{"type": "pie"}]})["layout"])  # no axes on a pie
    ['font', 'hoverlabel', 'legend', 'title']
"""
from __future__ import annotations

from typing import Any

import re

import numpy as np

__all__ = ["presentation", "SCALE", "MIN_PX", "LINE_PX", "STANDOFF_PX", "LOG_TICKS", "PLOTLY_RATIO", "NO_AXES"]

SCALE = 1.5  # 13 px chart type becomes 20 px: as large, relative to a 1080-line screen, as 13 px on a laptop
MIN_PX = 16  # no text below this in presentation mode
LINE_PX = 4.5  # curves at least this wide
STANDOFF_PX = 8  # x-axis tick labels this far below the axis (Plotly's default is 0)
LOG_TICKS = 5  # at most about this many labels on a log axis
_BASE_PX = 13  # a figure that sets no layout font size gets Plotly's default, about this
#: What Plotly itself sizes, relative to the layout's font, the texts that Streamlit's chart theme sizes when a
#: figure leaves them unset: tick labels, the legend and hover labels as the font, axis and legend titles 1.2 and
#: the title 1.4 times it.  The theme's sizes (0.75 rem, 0.875 rem, 1 rem) follow the page's type, which
#: presentation mode grows with the window (12 px tick labels at 1280 px, 16.5 at 1920), and a chart Streamlit
#: drew before the projector style applied kept 12 px; a projector figure sets them all, as Plotly would.
PLOTLY_RATIO = {"tick": 1.0, "legend": 1.0, "hover": 1.0, "axis title": 1.2, "legend title": 1.2, "title": 1.4}
#: Trace types drawn without x and y axes (``tests/test_present.py`` checks the list against Plotly's).
NO_AXES = frozenset({
    "barpolar", "choropleth", "choroplethmap", "choroplethmapbox", "cone", "densitymap", "densitymapbox",
    "funnelarea", "icicle", "indicator", "isosurface", "mesh3d", "parcats", "parcoords", "pie", "sankey",
    "scatter3d", "scattergeo", "scattermap", "scattermapbox", "scatterpolar", "scatterpolargl", "scattersmith",
    "scatterternary", "splom", "streamtube", "sunburst", "surface", "table", "treemap", "volume"})


def _size(px: float, scale: float) -> int:
    return int(round(max(MIN_PX, float(px) * scale)))


_AXIS = re.compile(r"[xy]axis\d*")  # a layout key of a cartesian axis: xaxis, yaxis2, ...
_INLINE_SIZE = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")  # a text's own markup: <span style='font-size:12px'>


def _scaled(obj: Any, scale: float) -> Any:
    """``obj`` with the size of every font dict in it scaled, and of every ``font-size`` in a text's markup
    (new dicts and lists; arrays are shared)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k.endswith("font") and isinstance(v, dict):
                out[k] = {**_scaled(v, scale), **({"size": _size(v["size"], scale)} if "size" in v else {})}
            elif k == "text" and isinstance(v, str) and "font-size" in v:
                out[k] = _INLINE_SIZE.sub(lambda m: f"font-size:{_size(float(m.group(1)), scale)}px", v)
            else:
                out[k] = _scaled(v, scale)
        return out
    if isinstance(obj, (list, tuple)) and not isinstance(obj, np.ndarray):
        return [_scaled(v, scale) for v in obj]
    return obj


def _with_size(holder: dict, key: str, px: int) -> None:
    """``holder[key]`` (a font dict) with a size: ``px`` unless it has one."""
    font = holder.get(key)
    font = dict(font) if isinstance(font, dict) else {}
    font.setdefault("size", px)
    holder[key] = font


def _titled(holder: dict, px: int) -> None:
    """``holder``'s title (a string is its text) with a font size: ``px`` unless it has one."""
    title = holder.get("title")
    title = {"text": title} if isinstance(title, str) else dict(title) if isinstance(title, dict) else {}
    _with_size(title, "font", px)
    holder["title"] = title


def _set_themed_sizes(layout: dict, data) -> None:
    """Give ``layout`` (changed in place; its font has a size) a size in pixels for every text Streamlit's chart
    theme sizes when a figure leaves it unset, Plotly's own (``PLOTLY_RATIO``), on every axis the layout or a
    trace names."""
    base = layout["font"]["size"]
    px = {k: int(round(base * r)) for k, r in PLOTLY_RATIO.items()}
    axes = {name for name in layout if _AXIS.fullmatch(name)}
    for tr in data:
        tr = tr if isinstance(tr, dict) else {}
        if tr.get("type", "scatter") not in NO_AXES:  # "x2" -> "xaxis2"
            axes |= {f"{c}axis{str(tr.get(c + 'axis', c))[1:]}" for c in "xy"}
    for name in sorted(axes):
        axis = layout.get(name)
        axis = dict(axis) if isinstance(axis, dict) else {}
        _with_size(axis, "tickfont", px["tick"])
        _titled(axis, px["axis title"])
        layout[name] = axis
    legend = dict(layout.get("legend") or {})
    _with_size(legend, "font", px["legend"])
    _titled(legend, px["legend title"])
    hover = dict(layout.get("hoverlabel") or {})
    _with_size(hover, "font", px["hover"])
    layout["legend"], layout["hoverlabel"] = legend, hover
    _titled(layout, px["title"])
    if isinstance(layout.get("coloraxis"), dict):
        bar = dict(layout["coloraxis"].get("colorbar") or {})
        _with_size(bar, "tickfont", px["tick"])
        layout["coloraxis"] = {**layout["coloraxis"], "colorbar": bar}


def presentation(fig, *, lines: bool = False, scale: float = SCALE) -> dict:
    """``fig`` (a figure dict, or a ``go.Figure``) as a new figure dict for a projector."""
    if not isinstance(fig, dict):  # a go.Figure: its property dicts, read-only (as ui._figure_dict does)
        fig = {"data": list(fig._data), "layout": dict(fig._layout)}
    layout = _scaled(fig.get("layout", {}), scale)
    if "size" not in layout.get("font", {}):
        layout["font"] = {**layout.get("font", {}), "size": _size(_BASE_PX, scale)}
    _set_themed_sizes(layout, fig.get("data", []))
    for name, axis in layout.items():  # larger tick labels need room: off the axis line, fewer on a log scale
        if isinstance(axis, dict) and _AXIS.fullmatch(name):
            if name[0] == "x" and "ticklabelstandoff" not in axis:
                axis["ticklabelstandoff"] = STANDOFF_PX  # clear of the y axis's lowest label at the corner
            if axis.get("type") == "log" and "dtick" not in axis and "nticks" not in axis:
                axis["nticks"] = LOG_TICKS  # a span under one decade got ~10 labels at 20 px in 200 px
    if isinstance(layout.get("margin"), dict):
        layout["margin"] = {k: (round(v * scale) if isinstance(v, (int, float)) and k in ("l", "r", "t", "b") else v)
                            for k, v in layout["margin"].items()}
    data = []
    for tr in fig.get("data", []):
        tr = _scaled(tr, scale)
        if lines and "lines" in str(tr.get("mode", "")):
            line = tr.get("line", {})
            tr["line"] = {**line, "width": max(LINE_PX, float(line.get("width", 2)) * scale)}
        data.append(tr)
    return {"data": data, "layout": layout}
