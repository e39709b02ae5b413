"""Plotly figures as plain dicts: what every figure module of the Playground builds on.

* Numbers go to Plotly as float32 NumPy arrays (``f32``): Plotly 7 ships them as typed
  arrays (base64), about 6× faster than JSON lists.
* The page redraws while training, so figures are built from plain dicts with
  Plotly's validation off (``figure``): about 5× faster.  The tests rebuild every
  figure *with* validation, so a misspelt property still fails there.
* User-supplied text (class and column names) goes through ``safe_text``.
"""
from __future__ import annotations

import html
import re

import numpy as np
import plotly.graph_objects as go

try:  # Plotly's validators read pandas from sys.modules without importing it; a server imports it
    # lazily on some session's thread, and a figure built on another thread meanwhile met a half-imported
    # pandas ("partially initialized module 'pandas' has no attribute 'Series'", seen in the hostile soak
    # test).  Imported whole here, before any figure is built.
    import pandas  # noqa: F401
except ImportError:  # the library without pandas: Plotly then never looks for it
    pass

__all__ = ["figure", "f32", "safe_text", "GL_POINTS", "describe"]

_FONT = {"size": 13}
GL_POINTS = 2_000  # scatter traces with more points use WebGL

# An explicit (empty) template: without one, every Figure deep-copies Plotly's default
# template (~40 % of a small figure's build time).  The page draws with the Streamlit theme,
# which replaces the template anyway; elsewhere plotly.js's own defaults apply (white, light grid).
_TEMPLATE: dict = {"layout": {}}


def figure(data: list[dict], layout: dict, spec: bool = False) -> go.Figure | dict:
    """A Figure from plain dicts without Plotly's per-property validation (the slow part).

    With ``spec``, the plain ``{"data", "layout"}`` dict itself: what ``ui.live_plotly`` sends, without
    building a Figure (~1–3 ms of Python a figure, paid several times a second by live views).
    """
    fig = {"data": data, "layout": {"template": _TEMPLATE, "font": _FONT, **layout}}
    return fig if spec else go.Figure(fig, _validate=False)


_F32_MAX = float(np.finfo(np.float32).max)


def f32(a) -> np.ndarray:
    """float32 for Plotly's typed arrays; values beyond float32's range are clipped, not turned into inf.

    (A float64 run can keep finite losses above 3.4e38.)  NaN stays NaN: it separates line segments.
    """
    a = np.asarray(a)
    if a.dtype.kind == "f" and a.dtype.itemsize > 4:
        a = np.clip(a, -_F32_MAX, _F32_MAX)
    return np.ascontiguousarray(a, dtype=np.float32)


def safe_text(text) -> str:
    """User-supplied text (class names, column names) for Plotly, which reads a small HTML subset and
    %{...} templates: shown literally, never as a link or markup."""
    return html.escape(str(text), quote=False).replace("%", "&#37;")



_TAGS = re.compile(r"<[^>]*>")
_LINE_TRACES = ("scatter", "scattergl")


def _plain(text) -> str:
    """A Plotly text (which may hold <b>, <br>, <span>) as plain words."""
    return " ".join(html.unescape(_TAGS.sub(" ", str(text or ""))).split())


def _title(obj) -> str:
    t = obj.get("title") if isinstance(obj, dict) else None
    return _plain(t.get("text") if isinstance(t, dict) else t)


def _last(values) -> float | None:
    try:
        a = np.asarray(values, np.float64).ravel()
    except (TypeError, ValueError):
        return None
    a = a[np.isfinite(a)]
    return float(a[-1]) if a.size else None


def describe(data, layout, limit: int = 300) -> str:
    """A chart's accessible name in words, from its figure: the title (or its axes), then each named line's
    last value and where it is (``loss against epoch: training loss 0.21, test loss 0.25 at epoch 300``);
    figures without lines say what they hold.  Cheap enough for every live frame (a few array ends).

    >>> describe([{"type": "scatter", "name": "test loss", "x": [0, 300], "y": [0.7, 0.25]}],
    ...          {"xaxis": {"title": {"text": "epoch"}}, "yaxis": {"title": {"text": "loss"}}})
    'loss against epoch: test loss 0.25 at epoch 300'
    """
    layout = layout if isinstance(layout, dict) else {}
    text = _title(layout)
    if not text:
        ys = [_title(v) for k, v in sorted(layout.items()) if k.startswith("yaxis") and isinstance(v, dict)]
        x = _title(layout.get("xaxis", {}))
        ys = [y for y in ys if y]
        text = f"{' and '.join(ys) or 'values'} against {x}" if x else " and ".join(ys) or "chart"
    parts, at, kinds = [], None, []
    for tr in data or []:
        if not isinstance(tr, dict):
            continue
        kind = tr.get("type", "scatter")
        series = "lines" in str(tr.get("mode", "lines")) or np.size(tr.get("x", ())) == 1  # a curve's 1st point
        if kind in _LINE_TRACES and tr.get("name") and series:
            v = _last(tr.get("y", ()))
            if v is not None:
                parts.append(f"{_plain(tr['name'])} {v:.3g}")
                at = at if at is not None else _last(tr.get("x", ()))
        elif kind not in kinds:
            kinds.append(kind)
    if parts:
        x = _title(layout.get("xaxis", {}))
        where = f" at {x + ' ' if x else 'x = '}{at:g}" if at is not None else ""
        text += ": " + ", ".join(parts[:6]) + where
    elif kinds:
        names = {"heatmap": "a heat map", "scatter": "points", "scattergl": "points", "contour": "contours"}
        text += " (" + ", ".join(names.get(k, str(k)) for k in kinds[:4]) + ")"
    return text[:limit]
