"""Presentation mode for any figure: every text larger, margins to match, curves thicker.

Read from the back of a room, 13 px chart type is too small. ``presentation`` scales every font size a
figure sets (the layout's, titles', ticks', legends', annotations', trace text) by ``scale``, never below
``MIN_PX``, grows the margins that hold axis titles and tick labels by the same factor, and, with
``lines=True``, draws curves at least ``LINE_PX`` wide. It changes sizes only, never data or colours.

    >>> fig = {"data": [{"type": "scatter", "mode": "lines", "line": {"width": 2}}],
    ...        "layout": {"font": {"size": 13}, "margin": {"l": 50, "t": 10},
    ...                   "annotations": [{"text": "a", "font": {"size": 10}}]}}
    >>> out = presentation(fig, lines=True)
    >>> out["layout"]["font"]["size"], out["layout"]["annotations"][0]["font"]["size"], out["layout"]["margin"]
    (20, 16, {'l': 75, 't': 15})
    >>> out["data"][0]["line"]["width"], fig["layout"]["font"]["size"]  # the original is left alone
    (4.5, 13)
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["presentation", "SCALE", "MIN_PX", "LINE_PX"]

SCALE = 1.5  # 13 px chart type becomes 20 px: as large, relative to a 1080-line screen, as 13 px on a laptop
MIN_PX = 16  # no text below this in presentation mode
LINE_PX = 4.5  # curves at least this wide
_BASE_PX = 13  # a figure that sets no layout font size gets Plotly's default, about this


def _size(px: float, scale: float) -> int:
    return int(round(max(MIN_PX, float(px) * scale)))


def _scaled(obj: Any, scale: float) -> Any:
    """``obj`` with the size of every font dict in it scaled (new dicts and lists; arrays are shared)."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k.endswith("font") and isinstance(v, dict):
                out[k] = {**_scaled(v, scale), **({"size": _size(v["size"], scale)} if "size" in v else {})}
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
