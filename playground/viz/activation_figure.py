"""An activation function's curve and derivative, from the registry, with what the neurons see.

Formulas come from the registries as LaTeX; Plotly titles get them as plain Unicode (``plain_formula``).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from playground.core.activations import get_activation
from playground.viz.palette import BLUE, ORANGE
from playground.viz.plotly_dicts import f32, figure

__all__ = ["activation_figure", "plain_formula"]

_SUP_FROM = "0123456789+-=()nizxt"
_SUP = str.maketrans(_SUP_FROM, "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᶻˣᵗ")
_WORDS = {r"\tanh": "tanh", r"\sigma": "σ", r"\max": "max", r"\sin": "sin", r"\cos": "cos", r"\ln": "ln",
          r"\log": "log", r"\le": "≤", r"\ge": "≥", r"\ne": "≠", r"\approx": "≈", r"\pi": "π", r"\sum": "Σ",
          r"\tfrac12": "½", r"\left": "", r"\right": "", r"\,": " ", r"\;": " ", r"\ ": " "}


def _sup(m: re.Match) -> str:
    """An exponent as Unicode superscripts when every character has one (e⁻ᶻ), else ^(…)."""
    s = m.group(1) or m.group(2)
    return s.translate(_SUP) if all(c in _SUP_FROM for c in s) else f"^({s})"


@lru_cache(maxsize=256)
def plain_formula(latex: str) -> str:
    """A LaTeX formula from the registries as plain Unicode text for Plotly titles.

    Plotly renders LaTeX only with MathJax loaded, so titles use this instead:
    ``\\sigma(z) = \\frac{1}{1 + e^{-z}}`` → ``σ(z) = 1/(1 + e⁻ᶻ)``.
    """
    s = re.sub(r"\\(?:text|operatorname)\{([^{}]*)\}", r"\1", latex)
    s = re.sub(r"\^\{([^{}]*)\}|\^([0-9a-z])", _sup, s)
    s = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", s)
    for cmd in sorted(_WORDS, key=len, reverse=True):  # longest first: \tanh before \ta…
        s = re.sub(re.escape(cmd) + r"(?![a-zA-Z])" if cmd[-1].isalpha() else re.escape(cmd),
                   lambda m, r=_WORDS[cmd]: r, s)

    def frac(m: re.Match) -> str:
        a, b = (x if re.fullmatch(r"[\w.]+", x) else f"({x})" for x in m.groups())
        return f"{a}/{b}"

    s = re.sub(r"\\t?frac\{([^{}]*)\}\{([^{}]*)\}", frac, s)
    return re.sub(r"\s+", " ", s.replace(" - ", " − ").replace("'", "′")).strip()


_SATURATED = "rgba(120,120,120,0.16)"
_SEEN = "rgba(44,160,44,0.16)"
_SEEN_LINE = "rgba(30,120,30,0.75)"


def activation_figure(name: str, *, z_range=None, z_sample=None, show_derivative: bool = True) -> go.Figure:
    """An activation's curve f(z) and derivative f′(z) from the registry, with what the neurons see.

    The z axis spans [−5, 5], widened to show a saturated region that starts
    further out (sigmoid's beyond ±5) and to cover ``z_range`` (at most ±50).
    Grey bands: where the registry says the derivative is (nearly) zero
    (``saturates``); green band: ``z_range = (lo, hi)``, the pre-activations the
    layer currently produces; ticks along the bottom: ``z_sample`` (a rug).  A
    layer whose band sits inside a grey one learns slowly: its gradients vanish.
    """
    act = get_activation(name)
    edges = [abs(e) for band in act.saturates for e in band if math.isfinite(e)]
    lim = max([5.0] + [math.ceil(e) + 1.0 for e in edges])  # sigmoid saturates beyond ±5: show a bit of it
    if z_range is not None and all(map(math.isfinite, z_range)):
        lim = min(50.0, max(lim, math.ceil(1.1 * max(abs(z_range[0]), abs(z_range[1])))))
    z = np.linspace(-lim, lim, 801)
    f = np.asarray(act.fn(z), np.float64)
    g = np.asarray(act.grad(z, f), np.float64)
    data = [{"type": "scatter", "x": f32(z), "y": f32(f), "mode": "lines", "name": "f(z)",
             "line": {"color": BLUE, "width": 3}, "hovertemplate": "f(%{x:.2f}) = %{y:.3f}<extra></extra>"}]
    if show_derivative:
        data.append({"type": "scatter", "x": f32(z), "y": f32(g), "mode": "lines",
                     "name": plain_formula(act.grad_latex), "line": {"color": ORANGE, "width": 2.5, "dash": "dash"},
                     "hovertemplate": "f′(%{x:.2f}) = %{y:.3f}<extra></extra>"})
    shown = np.concatenate([f, g]) if show_derivative else f
    lo_y, hi_y = float(shown.min()), float(shown.max())
    span = (hi_y - lo_y) or 1.0
    rug_y = lo_y - 0.08 * span
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": max(a, -lim), "x1": min(b, lim), "y0": 0, "y1": 1,
               "fillcolor": _SATURATED, "line": {"width": 0}, "layer": "below"}
              for a, b in act.saturates if max(a, -lim) < min(b, lim)]
    annotations = []
    if shapes:
        annotations.append({"x": (shapes[0]["x0"] + shapes[0]["x1"]) / 2, "y": 1, "xref": "x", "yref": "paper",
                            "yanchor": "top", "text": "saturated (f′ ≈ 0)", "showarrow": False,
                            "font": {"size": 12, "color": "#555"}})
    if z_range is not None and all(map(math.isfinite, z_range)):
        lo, hi = float(z_range[0]), float(z_range[1])
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": lo, "x1": hi, "y0": 0, "y1": 1,
                       "fillcolor": _SEEN, "line": {"width": 1, "color": _SEEN_LINE}, "layer": "below"})
        annotations.append({"x": (lo + hi) / 2, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom",
                            "text": f"z seen: [{lo:.2f}, {hi:.2f}]", "showarrow": False,
                            "font": {"size": 12, "color": "#1e6b1e"}})
    if z_sample is not None and len(z_sample):
        zs = f32(np.clip(np.asarray(z_sample, np.float64), -lim, lim))
        data.append({"type": "scatter", "x": zs, "y": np.full(len(zs), rug_y, np.float32), "mode": "markers",
                     "name": "z of the neurons", "marker": {"symbol": "line-ns-open", "size": 12, "color": _SEEN_LINE},
                     "hovertemplate": "z = %{x:.2f}<extra></extra>"})
    layout = {
        "uirevision": "activation", "hovermode": "closest", "shapes": shapes, "annotations": annotations,
        "title": {"text": f"{act.label}: {plain_formula(act.latex)}", "x": 0.02, "font": {"size": 15}},
        "margin": {"l": 50, "r": 10, "t": 60, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": -0.1, "yanchor": "top"},  # no x title: it would collide
        "xaxis": {"range": [-lim, lim], "zeroline": True},
        "yaxis": {"range": [rug_y - 0.06 * span, hi_y + 0.1 * span], "zeroline": True},
    }
    return figure(data, layout)

