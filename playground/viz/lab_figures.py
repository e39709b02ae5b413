"""Figures for the Backprop, Gradients and Generalisation pages: data in, ``go.Figure`` out.

The numbers come from ``labs.py`` (and ``Trainer.history``); nothing here
computes a lesson's maths.  Colours follow ``palette.py``: negative orange,
positive blue (TF Playground's), grey training curves, dark test curves;
the chain-rule path being explained is red.
"""
from __future__ import annotations

import math
import re

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.teach.worked import Trace
from playground.teach.labs import HistStack
from playground.viz.palette import BLUE, ORANGE

__all__ = [
    "worked_network_figure", "epochs_figure", "histogram_grid_figure", "histogram_time_figure",
    "curves_figure", "weight_histograms_figure", "RUN_COLORS",
]

_FONT = 14
_PATH = "#d62728"  # the chain-rule path
_NODE_BG, _NODE_LINE = "#f7f7f7", "#8a9096"
_TRAIN, _TEST = "#8c8c8c", "#1a1a1a"
_INK = "#1a1a1a"  # explicit: the Streamlit theme would otherwise grey out annotation text
RUN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _pretty(name: str) -> str:
    """"w11" → "w₁₁", "a12" → "a₁₂"; names with brackets ("W0[1,2]") stay as they are."""
    m = re.fullmatch(r"([a-z])(\d+)", name)
    return m.group(1) + m.group(2).translate(_SUB) if m else name


def _n(v: float) -> str:
    """A value on the diagram: 4 decimals, or as typed when shorter (0.3, 1)."""
    v = float(v)
    return f"{v:g}" if round(v, 4) == v else f"{v:.4f}"


def _layout(fig: go.Figure, height: int, **kw) -> go.Figure:
    kw.setdefault("margin", {"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_layout(height=height, font={"size": _FONT}, hoverlabel={"font": {"size": _FONT}}, **kw)
    return fig


# ----------------------------------------------------------------------------- worked example
def worked_network_figure(trace: Trace, *, highlight: str | None = None, show: str = "weights",
                          height: int = 400) -> go.Figure:
    """The worked example's network after its forward pass, every value written on it.

    Nodes (boxes): inputs xᵢ, hidden units (pre-activation h and activation a,
    and bias), the output ŷ (and z for a sigmoid output) and the loss with its
    target.  Links carry ``show="weights"`` (their values) or ``"gradients"``
    (∂C/∂w); colour gives the weight's sign, width its size.  ``highlight``
    names a parameter: its path to the loss (the factors of its chain rule) is red.
    """
    if show not in ("weights", "gradients"):
        raise ValueError(f"show must be 'weights' or 'gradients', got {show!r}")
    spec, v = trace.spec, trace.values
    H = spec.n_hidden
    params = spec.params()
    by_name = {p.name: p for p in params}
    if highlight is not None and highlight not in by_name:
        raise ValueError(f"unknown parameter {highlight!r}; allowed: {', '.join(by_name)}")
    gap = 1.25
    ys = {0: [0.6, -0.6], 1: [((H - 1) / 2 - j) * gap for j in range(H)], 2: [0.0]}
    xs = {0: 0.0, 1: 1.0, 2: 2.0}
    # The chain-rule path of the highlighted parameter: its own link, then every link to the loss.
    path: set[tuple[int, int, int]] = set()
    path_nodes: set[tuple[int, int]] = set()
    if highlight is not None:
        p = by_name[highlight]
        k = p.j if p.layer == 0 else p.i
        if p.layer == 0:
            path_nodes.add((1, k))
            if p.kind == "w":
                path.add((0, p.i, k))
        if p.kind == "w" or p.layer == 0:
            path.add((1, k, 0))
        path_nodes |= {(2, 0), (3, 0)}
    fig = go.Figure()
    wmax = max((abs(v[p.name]) for p in params if p.kind == "w"), default=1.0) or 1.0
    hx, hy, htext = [], [], []
    for p in (q for q in params if q.kind == "w"):
        x0, x1 = xs[p.layer], xs[p.layer + 1]
        y0, y1 = ys[p.layer][p.i], ys[p.layer + 1][p.j]
        on = (p.layer, p.i, p.j) in path
        w = v[p.name]
        color = _PATH if on else (BLUE if w >= 0 else ORANGE)
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": color, "width": 5 if on else 1.2 + 3.5 * abs(w) / wmax},
                                 opacity=1.0 if on or not path else 0.45))
        # Where along the link its label sits: short links near their start, the long diagonals
        # that cross in the middle further on, so no two labels meet; a link to the output at its middle,
        # clear of both boxes (at 0.4 it met the hidden unit's box on a 1280 px projector).
        t = 0.5 if p.layer else (0.62 if abs(y1 - y0) > gap else 0.33)
        lx, ly = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        val = f"{_pretty(p.name)} = {_n(w)}" if show == "weights" else f"∂{spec.cost}/∂{_pretty(p.name)} = {_n(trace.grads[p.name])}"
        fig.add_annotation(x=lx, y=ly, text=f"<b>{val}</b>" if on else val, showarrow=False,
                           bgcolor="rgba(255,255,255,0.9)", font={"size": _FONT - 1, "color": _PATH if on else _INK})
        hx.append(lx)
        hy.append(ly)
        htext.append(f"{p.name} = {w:.6g}<br>∂{spec.cost}/∂{p.name} = {trace.grads[p.name]:.6g}")
    fig.add_trace(go.Scatter(x=hx, y=hy, mode="markers", marker={"size": 18, "color": "rgba(0,0,0,0)"},
                             hovertext=htext, hoverinfo="text", showlegend=False))
    # Output → loss.
    fig.add_trace(go.Scatter(x=[xs[2], 2.85], y=[0, 0], mode="lines", hoverinfo="skip", showlegend=False,
                             line={"color": _PATH if path else "#888", "width": 3 if path else 1.5, "dash": "dot"}))

    def node(x, y, lines, on):
        fig.add_annotation(x=x, y=y, text="<br>".join(lines), showarrow=False, align="left",
                           bgcolor="#fff5f5" if on else _NODE_BG, bordercolor=_PATH if on else _NODE_LINE,
                           borderwidth=2.5 if on else 1, borderpad=6, font={"size": _FONT, "color": _INK})

    for i in range(2):
        node(xs[0], ys[0][i], [f"x{'₁₂'[i]} = {_n(v[f'x{i + 1}'])}"], False)
    biases = {p.j: p for p in params if p.kind == "b" and p.layer == 0}
    for j in range(H):
        (h, a), _ = spec.unit(j)
        lines = [f"{_pretty(h)} = {_n(trace.h[j])}", f"{_pretty(a)} = σ({_pretty(h)}) = {_n(trace.a[j])}"]
        if j in biases:
            lines.insert(0, f"{biases[j].name} = {_n(v[biases[j].name])}")
        node(xs[1], ys[1][j], lines, (1, j) in path_nodes)
    out = ([f"z = {_n(trace.z)}", f"ŷ = σ(z) = {_n(trace.y_hat)}"] if spec.output == "sigmoid"
           else [f"ŷ = {_n(trace.y_hat)}"])
    ob = [p for p in params if p.kind == "b" and p.layer == 1]
    if ob:
        out.insert(0, f"b_out = {_n(v['b_out'])}")
    node(xs[2], 0.0, out, (2, 0) in path_nodes)
    half = "½" if spec.half else ""
    node(3.05, 0.0, [f"{spec.cost} = {half}(y − ŷ)²", f"   = {_n(trace.loss)}", f"y = {_n(v['y'])}"], (3, 0) in path_nodes)
    for x, title in ((0, "input"), (1, "hidden (sigmoid)"), (2, f"output ({spec.output})"), (3.05, "loss")):
        fig.add_annotation(x=x, y=max(ys[1]) + 0.55, text=f"<i>{title}</i>", showarrow=False,
                           font={"size": _FONT - 1, "color": "#555"})
    top = max(ys[1]) + 0.72
    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    return _layout(fig, height, showlegend=False, plot_bgcolor="rgba(0,0,0,0)",
                   xaxis={**axis, "range": [-0.35, 3.45]}, yaxis={**axis, "range": [-top + 0.2, top]},
                   margin={"l": 5, "r": 5, "t": 5, "b": 5})


def epochs_figure(series: dict[str, np.ndarray], *, y_title: str = "loss", diff: bool = False,
                  log_y: bool = False, height: int = 340) -> go.Figure:
    """Curves against epoch (index = epoch); with ``diff`` and two series, their |difference| below (log axis)."""
    names = list(series)
    two = diff and len(names) == 2
    fig = make_subplots(rows=2 if two else 1, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32] if two else None,
                        vertical_spacing=0.08)
    dashes = ("solid", "dash", "dot", "dashdot")
    for k, name in enumerate(names):
        y = np.asarray(series[name], np.float64)
        fig.add_trace(go.Scatter(x=np.arange(len(y)), y=y, mode="lines" if len(y) > 1 else "markers", name=name,
                                 line={"color": RUN_COLORS[k % 4], "width": 3, "dash": dashes[k % 4]}), row=1, col=1)
    if two:
        a, b = (np.asarray(series[n], np.float64) for n in names)
        d = np.abs(a - b)
        d[d == 0] = np.nan  # equal (e.g. the shared start): a log axis has no 0, so leave a gap
        fig.add_trace(go.Scatter(x=np.arange(len(d)), y=d, mode="lines", name="|difference|",
                                 line={"color": "#555", "width": 2}), row=2, col=1)
        fig.update_yaxes(type="log", title_text="|difference|", exponentformat="power", row=2, col=1)
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear", row=1, col=1)
    fig.update_xaxes(title_text="epoch", row=2 if two else 1, col=1)
    return _layout(fig, height, hovermode="x unified", margin={"l": 60, "r": 10, "t": 30, "b": 40},
                   legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})


# ----------------------------------------------------------------------------------- gradients
def _centers(edges: np.ndarray) -> np.ndarray:
    return (edges[:-1] + edges[1:]) / 2


def histogram_grid_figure(weights: list[HistStack], grads: list[HistStack], index: int, *,
                          labels=(), height: int = 380) -> go.Figure:
    """Per-layer histograms at snapshot ``index``: weights (top row) and gradients (bottom row).

    Each panel has its own x range (±the layer's largest value over the
    snapshots the stacks were built from, written under it), so a layer whose
    gradients have vanished still shows a shape: read the range to see the size.
    Build the stacks from one snapshot for ranges of that epoch alone.
    """
    L = len(weights)
    fig = make_subplots(rows=2, cols=L, horizontal_spacing=0.012 if L > 5 else 0.03, vertical_spacing=0.2,
                        row_titles=["weights", "∂C/∂w"], column_titles=[labels[l] if l < len(labels) else f"W{l + 1}"
                                                                        for l in range(L)])
    for row, (stacks, color) in enumerate(((weights, BLUE), (grads, ORANGE)), start=1):
        for l, s in enumerate(stacks):
            c = s.counts[index]
            fig.add_trace(go.Bar(x=_centers(s.edges), y=c, marker={"color": color, "line": {"width": 0}},
                                 width=float(s.edges[1] - s.edges[0]), showlegend=False,
                                 hovertemplate="%{x:.3g}: %{y}<extra></extra>"), row=row, col=l + 1)
            m = float(s.edges[-1])
            # Only 0 is ticked (end ticks of neighbouring panels collide); the range is the axis title.
            fig.update_xaxes(range=[-m, m], tickvals=[0], tickfont={"size": 10},
                             title={"text": f"±{m:.1e}" if m < 1e-2 or m >= 1e3 else f"±{m:.2g}",
                                    "font": {"size": 11}, "standoff": 2}, row=row, col=l + 1)
            fig.update_yaxes(showticklabels=False, row=row, col=l + 1)
    fig.for_each_annotation(lambda a: a.update(font={"size": 12}))
    return _layout(fig, height, bargap=0, margin={"l": 10, "r": 30, "t": 40, "b": 30})


def histogram_time_figure(weights: HistStack, grads: HistStack, *, mark_epoch: int | None = None,
                          height: int = 360) -> go.Figure:
    """One layer's weight and gradient histograms over time: value across, epoch up, colour = count.

    TensorBoard draws the same thing as stacked curves; a heatmap keeps every
    snapshot readable.  ``mark_epoch`` draws a line at the epoch being inspected.
    """
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.09,
                        subplot_titles=[f"weights of {_layer_name(weights)}", f"∂C/∂w of {_layer_name(grads)}"])
    for col, (s, scale) in enumerate(((weights, "Blues"), (grads, "Oranges")), start=1):
        z = np.log1p(s.counts.astype(np.float64))  # a spike at 0 would wash out the rest on a linear scale
        fig.add_trace(go.Heatmap(x=_centers(s.edges), y=s.epochs, z=z, colorscale=scale, showscale=False,
                                 customdata=s.counts, hovertemplate="epoch %{y}, value %{x:.3g}: %{customdata} "
                                 "weights<extra></extra>"), row=1, col=col)
        fig.update_xaxes(title_text="value", exponentformat="power", row=1, col=col)
        fig.update_yaxes(title_text="epoch" if col == 1 else None, row=1, col=col)
        if mark_epoch is not None:
            fig.add_hline(y=mark_epoch, line={"color": _PATH, "width": 2, "dash": "dot"}, row=1, col=col)
    return _layout(fig, height, margin={"l": 60, "r": 10, "t": 40, "b": 45})


def _layer_name(s: HistStack) -> str:
    return f"W{s.layer + 1}"


# ------------------------------------------------------------------------------ generalisation
def curves_figure(histories: dict, *, best_epoch: int | None = None, log_y: bool = False,
                  y_max: float | None = None, height: int = 340) -> go.Figure:
    """Training (dashed) and test (solid) loss of several runs, one colour per run.

    ``best_epoch`` draws a vertical line where the test loss was lowest (early
    stopping's checkpoint) and shades the epochs after it.
    """
    fig = go.Figure()
    for k, (label, h) in enumerate(histories.items()):
        c = RUN_COLORS[k % len(RUN_COLORS)] if len(histories) > 1 else None
        for split, word, dash, width in (("train", "training", "dash", 2), ("test", "test", "solid", 3)):
            y = getattr(h, f"{split}_loss")
            fig.add_trace(go.Scatter(
                x=h.epoch, y=y, mode="lines", name=f"{label}: {word}" if len(histories) > 1 else f"{word} loss",
                line={"color": c or (_TRAIN if split == "train" else _TEST), "dash": dash, "width": width},
                legendgroup=label))
    if best_epoch is not None:
        h = next(iter(histories.values()))
        last = h.epoch[-1]
        fig.add_vrect(x0=best_epoch, x1=last, fillcolor="rgba(214,39,40,0.07)", line_width=0)
        fig.add_vline(x=best_epoch, line={"color": _PATH, "width": 2, "dash": "dot"})
        fig.add_annotation(x=best_epoch, y=1, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"best: epoch {best_epoch}", font={"color": _PATH, "size": _FONT - 1})
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    ya = {"title_text": "loss", "type": "log" if log_y else "linear"}
    if y_max is not None and not log_y and math.isfinite(y_max):
        ya["range"] = [0, y_max]
    fig.update_yaxes(**ya)
    # The legend at the chart's bottom edge, below the x title (two rows for three runs at 1280 px).
    return _layout(fig, height, hovermode="x unified", margin={"l": 55, "r": 10, "t": 30, "b": 95},
                   legend={"orientation": "h", "x": 0, "yref": "container", "y": 0, "yanchor": "bottom",
                           "font": {"size": _FONT - 2}})


def weight_histograms_figure(weights: dict[str, np.ndarray], *, tol: float = 1e-3, bins: int = 61,
                             height: int = 320) -> go.Figure:
    """Side-by-side histograms of every weight of several runs, on one shared x range.

    Each title quotes how many weights are within ``tol`` of 0: L1's penalty
    pushes many to (nearly) exactly 0, L2's shrinks all of them a little.
    """
    names = list(weights)
    m = max(float(np.abs(np.asarray(w)).max(initial=0.0)) for w in weights.values()) or 1.0
    edges = np.linspace(-m, m, bins + 1)
    titles = []
    for n in names:
        w = np.asarray(weights[n])
        titles.append(f"{n}<br><sub>{int(np.count_nonzero(np.abs(w) < tol))} of {w.size} with |w| < {tol:g}</sub>")
    fig = make_subplots(rows=1, cols=len(names), shared_yaxes=True, horizontal_spacing=0.04, subplot_titles=titles)
    for k, n in enumerate(names):
        counts = np.histogram(np.asarray(weights[n]), edges)[0]
        fig.add_trace(go.Bar(x=_centers(edges), y=counts, width=float(edges[1] - edges[0]), showlegend=False,
                             marker={"color": RUN_COLORS[k % 4], "line": {"width": 0}},
                             hovertemplate="w ≈ %{x:.3f}: %{y}<extra></extra>"), row=1, col=k + 1)
        fig.update_xaxes(title_text="weight", range=[-m, m], row=1, col=k + 1)
    fig.update_yaxes(title_text="count", row=1, col=1)
    return _layout(fig, height, bargap=0, margin={"l": 55, "r": 10, "t": 60, "b": 45})
