"""Figures for the Learning pages: pure functions, data in, ``plotly.graph_objects.Figure`` out.

Sized for a 1280×800 screen and a projector: every font is at least 14 px,
lines are thick, the two classes use the app's class colours and marker shapes
(``palette.py``: orange circles, blue squares) over pale half-planes.  Nothing here computes a lesson's maths; the callers pass the
numbers from ``perceptron.py`` and ``demos.py``.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.teach.perceptron import boundary_segment
from playground.teach.xor import HiddenView
from playground.viz.palette import NEUTRAL, PALE_CLASS_COLORS, class_marker

__all__ = [
    "color_for", "plane_figure", "mistakes_figure", "decision_figure", "hidden_figure",
    "curve_and_derivative_figure", "depth_figure", "surface_figure", "lines_figure",
    "robust_fit_figure", "probabilities_figure",
]

_WRONG = "#d62728"
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
            "#7f7f7f", "#bcbd22", "#393b79", "#637939")
_FONT = 16
_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


def color_for(i: int) -> str:
    """The i-th series colour (cycles)."""
    return _PALETTE[i % len(_PALETTE)]


def _style(fig: go.Figure, title: str = "", height: int = 420, legend: bool = True) -> go.Figure:
    """House look: big fonts, tight margins, legend on top, no Plotly logo needed."""
    fig.update_layout(
        title={"text": title, "font": {"size": _FONT + 3}, "x": 0.0, "xanchor": "left"} if title else None,
        font={"size": _FONT}, height=height, showlegend=legend,
        # room above the plot for a title, or for subplot titles (annotations at its top edge)
        margin={"l": 60, "r": 20, "t": 60 if title else (45 if fig.layout.annotations else 20), "b": 60},
        # Below the plot, under the x-axis title: a legend on top would fight the title.
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0,
                "font": {"size": _FONT - 1}},
        hoverlabel={"font": {"size": _FONT}},
    )
    fig.update_xaxes(title_font={"size": _FONT}, tickfont={"size": _FONT - 1}, zeroline=True)
    fig.update_yaxes(title_font={"size": _FONT}, tickfont={"size": _FONT - 1}, zeroline=True)
    return fig


def _class_points(X: np.ndarray, y: np.ndarray, size: int = 12, name: str = "class", **kw) -> list[go.Scatter]:
    return [go.Scatter(x=X[y == k, 0], y=X[y == k, 1], mode="markers", name=f"{name} {k}",
                       marker={"size": size, **class_marker(k), "line": {"width": 1.5, "color": "white"}},
                       **kw)
            for k in (0, 1) if (y == k).any()]


# ----- perceptron ---------------------------------------------------------------------------------
def plane_figure(X: np.ndarray, y: np.ndarray, w, b: float, box: tuple[float, float, float, float], *,
                 predicted: np.ndarray | None = None, highlight: int | None = None, title: str = "",
                 height: int = 440) -> go.Figure:
    """Points of a 2-input problem, the line ``w·x + b = 0`` and the half-planes each side of it.

    ``predicted`` marks the points it gets wrong with a red ring; ``highlight`` rings
    the example just shown.  The shaded side is where the unit outputs 1 (blue).
    """
    X, y = np.asarray(X, float), np.asarray(y, int)
    x0, x1, y0, y1 = box
    gx, gy = np.linspace(x0, x1, 120), np.linspace(y0, y1, 120)
    side = (w[0] * gx[None, :] + w[1] * gy[:, None] + b >= 0).astype(np.float32)
    fig = go.Figure(go.Heatmap(x=gx, y=gy, z=side, zmin=0, zmax=1, showscale=False, hoverinfo="skip",
                               colorscale=[[0, PALE_CLASS_COLORS[0]], [1, PALE_CLASS_COLORS[1]]]))
    seg = boundary_segment(w, b, box)
    if seg is not None:
        (ax, ay), (bx, by) = seg
        fig.add_trace(go.Scatter(x=[ax, bx], y=[ay, by], mode="lines", name="w·x + b = 0",
                                 line={"color": "black", "width": 3}))
    fig.add_traces(_class_points(X, y, size=22, name="target"))
    if predicted is not None:
        wrong = np.asarray(predicted) != y
        if wrong.any():
            fig.add_trace(go.Scatter(x=X[wrong, 0], y=X[wrong, 1], mode="markers", name="misclassified",
                                     marker={"size": 34, "symbol": "circle-open", "color": _WRONG,
                                             "line": {"width": 4}}))
    if highlight is not None:
        fig.add_trace(go.Scatter(x=[X[highlight, 0]], y=[X[highlight, 1]], mode="markers", name="just shown",
                                 marker={"size": 44, "symbol": "square-open", "color": "black",
                                         "line": {"width": 3}}))
    fig.update_xaxes(range=[x0, x1], title="x₁", constrain="domain")
    fig.update_yaxes(range=[y0, y1], title="x₂", scaleanchor="x", scaleratio=1)
    return _style(fig, title, height)


def mistakes_figure(mistakes: Sequence[int], title: str = "Mistakes per epoch", height: int = 300) -> go.Figure:
    """Bars: wrong predictions (= weight updates) in each epoch; reaching 0 means converged."""
    m = np.asarray(mistakes, dtype=np.int64)
    epochs = np.arange(1, len(m) + 1)
    colors = ["#2ca02c" if v == 0 else _WRONG for v in m]
    fig = go.Figure(go.Bar(x=epochs, y=m, marker_color=colors, name="mistakes",
                           hovertemplate="epoch %{x}: %{y} mistakes<extra></extra>"))
    fig.update_xaxes(title="epoch", range=[0.4, max(len(m), 10) + 0.6])
    fig.update_yaxes(title="mistakes", range=[0, max(4, int(m.max()) if m.size else 0) + 0.5], dtick=1)
    return _style(fig, title, height, legend=False)


# ----- XOR with a hidden layer --------------------------------------------------------------------
def decision_figure(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, X: np.ndarray, y: np.ndarray, *,
                    title: str = "", height: int = 440) -> go.Figure:
    """The network's P(class 1) over the input plane (pale orange → grey → pale blue), the 0.5 contour, the points."""
    fig = go.Figure(go.Heatmap(x=xs, y=ys, z=np.asarray(Z, np.float32), zmin=0, zmax=1, showscale=False,
                               colorscale=[[0, PALE_CLASS_COLORS[0]], [0.5, NEUTRAL], [1, PALE_CLASS_COLORS[1]]],
                               hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}: P(1) = %{z:.2f}<extra></extra>"))
    fig.add_trace(go.Contour(x=xs, y=ys, z=np.asarray(Z, np.float32), showscale=False, hoverinfo="skip",
                             contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
                             line={"color": "black", "width": 3}, name="boundary"))
    fig.add_traces(_class_points(np.asarray(X), np.asarray(y), size=9))
    fig.update_xaxes(range=[xs[0], xs[-1]], title="x₁", constrain="domain")
    fig.update_yaxes(range=[ys[0], ys[-1]], title="x₂", scaleanchor="x", scaleratio=1)
    return _style(fig, title, height)


def hidden_figure(view: HiddenView, y: np.ndarray, *, title: str = "", height: int = 440) -> go.Figure:
    """The points where the hidden layer puts them, and the output unit's line there."""
    P = view.points
    pad = 0.1 * max(float(np.ptp(P[:, 0])), float(np.ptp(P[:, 1])), 0.2)
    box = (float(P[:, 0].min()) - pad, float(P[:, 0].max()) + pad,
           float(P[:, 1].min()) - pad, float(P[:, 1].max()) + pad)
    if view.method == "one unit":
        box = (box[0], box[1], -1.0, 1.0)
    fig = go.Figure(_class_points(P, np.asarray(y), size=10))
    w, c = view.line
    seg = boundary_segment(w, c, box)
    if seg is not None:
        (ax, ay), (bx, by) = seg
        fig.add_trace(go.Scatter(x=[ax, bx], y=[ay, by], mode="lines", name="output unit's line",
                                 line={"color": "black", "width": 3, "dash": "dash"}))
    fig.update_xaxes(range=box[:2], title=view.axes[0])
    fig.update_yaxes(range=box[2:], title=view.axes[1], showticklabels=view.method != "one unit")
    return _style(fig, title, height)


# ----- curves ------------------------------------------------------------------------------------
def curve_and_derivative_figure(x: np.ndarray, values: Mapping[str, np.ndarray], derivs: Mapping[str, np.ndarray],
                                *, titles: tuple[str, str], x_title: str,
                                shade: Mapping[str, Sequence[tuple[float, float]]] | None = None,
                                y_ranges: tuple | None = None, vline: float | None = None,
                                height: int = 420) -> go.Figure:
    """Two panels side by side: each named curve (left) and its derivative (right), same colours.

    ``shade[name]``: x-intervals to tint in that curve's colour on both panels
    (saturated regions); ``vline``: a dotted marker such as the target value.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.09)
    lo, hi = float(x[0]), float(x[-1])
    for i, name in enumerate(values):
        # Colour *and* dash tell the series apart, so curves that coincide (BCE and CE at y = 1) both show.
        line = {"color": color_for(i), "width": 3.5, "dash": _DASHES[i % len(_DASHES)]}
        fig.add_trace(go.Scatter(x=x, y=values[name], mode="lines", name=name, legendgroup=name, line=line),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=x, y=derivs[name], mode="lines", name=name, legendgroup=name,
                                 showlegend=False, line=line), row=1, col=2)
        for a, b in (shade or {}).get(name, ()):
            for c in (1, 2):
                fig.add_vrect(x0=max(a, lo), x1=min(b, hi), fillcolor=line["color"], opacity=0.08, line_width=0,
                              row=1, col=c)
    if vline is not None:
        for c in (1, 2):
            fig.add_vline(x=vline, line={"color": "gray", "dash": "dash", "width": 2}, row=1, col=c)
    fig.update_annotations(font={"size": _FONT + 1})
    fig.update_xaxes(title=x_title, range=[lo, hi])
    if y_ranges:
        for c, r in enumerate(y_ranges, 1):
            if r is not None:
                fig.update_yaxes(range=list(r), row=1, col=c)
    return _style(fig, "", height)


def depth_figure(peaks: Mapping[str, float], max_depth: int = 20, mark: int | None = None,
                 height: int = 380) -> go.Figure:
    """``max|f'|^depth`` against depth on a log scale: how much a gradient can shrink (or grow) through layers."""
    d = np.arange(0, max_depth + 1)
    fig = go.Figure()
    for i, (name, peak) in enumerate(peaks.items()):
        vals = np.maximum(float(peak) ** d, 1e-30)  # log axis: a zero derivative is drawn at the floor
        fig.add_trace(go.Scatter(x=d, y=vals, mode="lines+markers", name=f"{name} (max |f′| = {peak:.3g})",
                                 line={"color": color_for(i), "width": 3, "dash": _DASHES[i % len(_DASHES)]},
                                 marker={"size": 4 + 3 * (len(peaks) - 1 - i)}))  # equal curves stay visible
    if mark is not None:
        fig.add_vline(x=mark, line={"color": "gray", "dash": "dash", "width": 2})
    fig.update_xaxes(title="layers the gradient passes through")
    fig.update_yaxes(title="largest gradient factor", type="log", exponentformat="power")
    return _style(fig, "", height)


def surface_figure(xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, *, title: str = "", z_title: str = "output",
                   height: int = 460) -> go.Figure:
    """A 3-D surface z(x₁, x₂): a tilted flat sheet for a linear map, bent by an activation."""
    fig = go.Figure(go.Surface(x=xs, y=ys, z=Z, colorscale="RdBu", showscale=False,
                               contours={"x": {"show": True, "color": "#555", "width": 1},
                                         "y": {"show": True, "color": "#555", "width": 1}}))
    axis = {"nticks": 5, "tickfont": {"size": _FONT - 2}}
    fig.update_layout(scene={"xaxis": {"title": {"text": "x₁"}, **axis}, "yaxis": {"title": {"text": "x₂"}, **axis},
                             "zaxis": {"title": {"text": z_title}, **axis},
                             "aspectmode": "cube", "camera": {"eye": {"x": 1.7, "y": -1.7, "z": 1.1}}})
    fig = _style(fig, title, height, legend=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 50 if title else 10, "b": 0})
    return fig


def lines_figure(x: np.ndarray, lines: Mapping[str, np.ndarray], *, x_title: str = "z", y_title: str = "",
                 styles: Mapping[str, Mapping] | None = None, title: str = "", y_range: tuple | None = None,
                 height: int = 380) -> go.Figure:
    """Named curves over a shared x; ``styles[name]`` overrides the line (e.g. ``{"dash": "dot"}``, width).

    Names starting with "_" are drawn without a legend entry (e.g. many single units).
    """
    fig = go.Figure()
    for i, (name, yv) in enumerate(lines.items()):
        line = {"color": color_for(i), "width": 3.5, **dict((styles or {}).get(name, {}))}
        showlegend = not name.startswith("_")  # "_..." series are drawn unlabelled (e.g. single units)
        fig.add_trace(go.Scatter(x=x, y=yv, mode="lines", name=name.lstrip("_"), line=line,
                                 showlegend=showlegend, hoverinfo="skip" if not showlegend else None))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, range=list(y_range) if y_range else None)
    return _style(fig, title, height)


# ----- losses ------------------------------------------------------------------------------------
def robust_fit_figure(x: np.ndarray, y: np.ndarray, is_outlier: np.ndarray,
                      fits: Mapping[str, tuple[float, float]], height: int = 420) -> go.Figure:
    """The data (outliers in red) and one fitted line per loss, labelled with its slope."""
    fig = go.Figure()
    ok = ~np.asarray(is_outlier, bool)
    fig.add_trace(go.Scatter(x=x[ok], y=y[ok], mode="markers", name="data",
                             marker={"size": 11, "color": "#444"}))
    if (~ok).any():
        fig.add_trace(go.Scatter(x=x[~ok], y=y[~ok], mode="markers", name="outliers",
                                 marker={"size": 15, "color": _WRONG, "symbol": "diamond"}))
    xl = np.array([float(x.min()), float(x.max())])
    for i, (name, (slope, intercept)) in enumerate(fits.items()):
        fig.add_trace(go.Scatter(x=xl, y=slope * xl + intercept, mode="lines", name=f"{name}: slope {slope:.2f}",
                                 line={"color": color_for(i), "width": 4, "dash": _DASHES[i % len(_DASHES)]}))
    fig.update_xaxes(title="x")
    fig.update_yaxes(title="y")
    return _style(fig, "", height)


def probabilities_figure(labels: Sequence[str], probs: np.ndarray, target: np.ndarray | None = None,
                         height: int = 380) -> go.Figure:
    """Bars of a probability vector (with a target distribution beside it, if given), values printed."""
    fig = go.Figure(go.Bar(x=list(labels), y=probs, name="softmax p", marker_color=color_for(0),
                           text=[f"{p:.3f}" for p in probs], textposition="outside",
                           textfont={"size": _FONT}))
    if target is not None:
        fig.add_trace(go.Bar(x=list(labels), y=target, name="target q", marker_color="#bbbbbb",
                             text=[f"{p:.3f}" for p in target], textposition="outside", textfont={"size": _FONT}))
    fig.update_layout(barmode="group", uniformtext={"minsize": 14, "mode": "show"})
    fig.update_yaxes(range=[0, 1.15], title="probability")
    return _style(fig, "", height)
