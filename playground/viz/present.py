"""Presentation mode for any figure: every text larger, margins to match, curves thicker.

Read from the back of a room, 13 px chart type is too small. ``presentation`` scales every font size a
figure sets (the layout's, titles', ticks', legends', annotations', trace text) by ``scale``, never below
``MIN_PX``, grows the margins that hold axis titles and tick labels by the same factor, gives the larger tick
labels room (x-axis labels ``STANDOFF_PX`` below the axis, at most ~``LOG_TICKS`` on a log axis) and, with
``lines=True``, draws curves at least ``LINE_PX`` wide. It changes sizes only, never data or colours.

    >>> fig = {"data": [{"type": "scatter", "mode": "lines", "line": {"width": 2}}],
    ...        "layout": {"font": {"size": 13}, "margin": {"l": 50, "t": 10},
    ...                   "annotations": [{"text": "a", "font": {"size": 10}}]}}
    >>> out = presentation(fig, lines=True)
    >>> out["layout"]["font"]["size"], out["layout"]["annotations"][0]["font"]["size"], out["layout"]["margin"]
    (20, 16, {'l': 75, 't': 15})
    >>> out["data"][0]["line"]["width"], fig["layout"]["font"]["size"]  # the original is left alone
    (4.5, 13)
    >>> presentation({"layout": {"title": {"text": "A<br><span style='font-size:12px'>b</span>"}}})["layout"]["title"]
    {'text': "A<br><span style='font-size:18px'>b</span>"}
    >>> presentation({"layout": {"xaxis": {}, "yaxis2": {"type": "log"}}})["layout"]
    {'xaxis': {'ticklabelstandoff': 8}, 'yaxis2': {'type': 'log', 'nticks': 5}, 'font': {'size': 20}}
"""
from __future__ import annotations

from typing import Any

import re

import numpy as np

__all__ = ["presentation", "SCALE", "MIN_PX", "LINE_PX", "STANDOFF_PX", "LOG_TICKS"]

SCALE = 1.5  # 13 px chart type becomes 20 px: as large, relative to a 1080-line screen, as 13 px on a laptop
MIN_PX = 16  # no text below this in presentation mode
LINE_PX = 4.5  # curves at least this wide
STANDOFF_PX = 8  # x-axis tick labels this far below the axis (Plotly's default is 0)
LOG_TICKS = 5  # at most about this many labels on a log axis
_BASE_PX = 13  # a figure that sets no layout font size gets Plotly's default, about this


def _size(px: float, scale: float) -> int:
    return int(round(max(MIN_PX, float(px) * scale)))


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


def presentation(fig, *, lines: bool = False, scale: float = SCALE) -> dict:
    """``fig`` (a figure dict, or a ``go.Figure``) as a new figure dict for a projector."""
    if not isinstance(fig, dict):  # a go.Figure: its property dicts, read-only (as ui._figure_dict does)
        fig = {"data": list(fig._data), "layout": dict(fig._layout)}
    layout = _scaled(fig.get("layout", {}), scale)
    if "size" not in layout.get("font", {}):
        layout["font"] = {**layout.get("font", {}), "size": _size(_BASE_PX, scale)}
    for name, axis in layout.items():  # larger tick labels need room: off the axis line, fewer on a log scale
        if isinstance(axis, dict) and re.fullmatch(r"[xy]axis\d*", name):
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
