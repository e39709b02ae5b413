"""Curves against epoch: the Playground's loss and accuracy chart and the per-layer gradient norms.

Histories can hold 20,000 epochs; every curve is cut to at most ``MAX_CURVE_POINTS``
points by min–max decimation (``decimate``), so a spike survives and the last point is exact.
``layout.uirevision`` is a constant per figure kind, so a zoom survives live redraws.
"""
from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go

from playground.viz.palette import make_lut
from playground.viz.plotly_dicts import f32, figure

__all__ = ["loss_figure", "loss_patch", "grad_norm_figure", "decimate", "series", "MAX_CURVE_POINTS"]

MAX_CURVE_POINTS = 800  # most points per drawn curve (history can hold 20,000); ~2 per pixel of a chart
_TRAIN_COLOR, _TEST_COLOR = "#8c8c8c", "#1a1a1a"  # TF Playground's grey/black loss curves


def series(history, name: str) -> np.ndarray:
    """One history curve as float64: the trainer's kept array (``History.array``), or any list."""
    array = getattr(history, "array", None)
    return array(name) if array is not None else np.asarray(getattr(history, name), np.float64)



def decimate(y: np.ndarray, max_points: int = MAX_CURVE_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` points of ``y`` that keep its shape, first and last exact.

    Min–max decimation: the series is cut into ``max_points // 2 − 1`` runs and
    each run keeps its lowest and highest point, so a loss spike survives
    (plain striding would step over it).  Returns sorted unique indices.
    """
    y = np.asarray(y, np.float64)
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    buckets = max(max_points // 2 - 1, 1)
    size = -(-(n - 2) // buckets)  # ceil: runs over the interior points 1..n-2
    inner = y[1:n - 1]
    if not np.isnan(inner).any():
        return _decimate_finite(inner, size, n)
    pad = np.full(size * buckets - len(inner), np.nan)
    runs = np.concatenate([inner, pad]).reshape(buckets, size)
    filled = np.where(np.isnan(runs), np.inf, runs)
    lo = np.argmin(filled, axis=1)
    hi = np.argmax(np.where(np.isnan(runs), -np.inf, runs), axis=1)
    base = np.arange(buckets) * size + 1
    idx = np.concatenate([[0], base + lo, base + hi, [n - 1]])
    return np.unique(np.clip(idx, 0, n - 1))



def _decimate_finite(inner: np.ndarray, size: int, n: int) -> np.ndarray:
    """``decimate`` for interior points without NaN, the same indices with fewer passes over them (a live loss
    chart decimates four curves a frame): whole runs as one (runs, size) view, the last partial run on its own,
    each run's lowest and highest point in index order, repeats dropped from the sorted result."""
    whole = len(inner) // size
    runs = inner[:whole * size].reshape(whole, size)
    lo, hi = runs.argmin(axis=1), runs.argmax(axis=1)
    if whole * size < len(inner):
        tail = inner[whole * size:]
        lo, hi = np.append(lo, tail.argmin()), np.append(hi, tail.argmax())
    base = np.arange(len(lo)) * size + 1
    idx = np.empty(2 * len(lo) + 2, np.int64)
    idx[0], idx[-1] = 0, n - 1
    np.add(base, np.minimum(lo, hi), out=idx[1:-1:2])
    np.add(base, np.maximum(lo, hi), out=idx[2:-1:2])
    keep = np.empty(len(idx), bool)
    keep[0] = True
    np.not_equal(idx[1:], idx[:-1], out=keep[1:])
    return idx[keep]


def _curve(x: np.ndarray, y, name: str, color: str, *, width=2.0, yaxis="y", hover: str = "%{y:.4g}") -> dict:
    """One history curve, decimated to ≤ MAX_CURVE_POINTS with the last point exact."""
    y = np.asarray(y, np.float64)
    idx = decimate(y)
    return {"type": "scatter", "x": f32(x[idx]), "y": f32(y[idx]), "name": name, "yaxis": yaxis,
            "mode": "lines" if len(idx) > 1 else "markers", "line": {"color": color, "width": width},
            "marker": {"color": color}, "hovertemplate": f"epoch %{{x}}: {hover}<extra>{name}</extra>"}


def _epoch_axis(epochs: np.ndarray) -> dict:
    """An epoch axis from 0; whole-number ticks while the run is short (no "epoch 0.5")."""
    short = len(epochs) == 0 or epochs[-1] < 10
    # ticks outside: the first epoch label keeps clear of the lowest label of the y axis
    return {"title": {"text": "epoch"}, "rangemode": "tozero", "ticks": "outside", "ticklen": 4,
            **({"dtick": 1} if short else {})}


def loss_figure(history, *, log_y: bool = False, task: str = "binary", spec: bool = False) -> go.Figure | dict:
    """Training and test loss against epoch (top), accuracy or R² in a small panel below; a one-line key of
    the two splits' colours above.

    Curves come from ``Trainer.history``; each is decimated to at most
    ``MAX_CURVE_POINTS`` points (min–max, last point exact).  ``log_y`` puts the
    loss axis on a log scale.  Regression shows R² (1 = perfect, 0 = as good
    as predicting the mean), clipped below at −1 so a bad start does not
    squash the panel.  ``spec``: the plain dict (see ``figure``).
    """
    epochs = series(history, "epoch")
    metric = "R²" if task == "regression" else "accuracy"
    data = [
        _curve(epochs, series(history, "train_loss"), "training loss", _TRAIN_COLOR),
        _curve(epochs, series(history, "test_loss"), "test loss", _TEST_COLOR, width=2.5),
        _curve(epochs, series(history, "train_metric"), f"training {metric}", _TRAIN_COLOR, yaxis="y2",
               hover="%{y:.3f}"),
        _curve(epochs, series(history, "test_metric"), f"test {metric}", _TEST_COLOR, width=2.5, yaxis="y2",
               hover="%{y:.3f}"),
    ]
    for tr in data[2:]:
        tr["y"] = np.maximum(tr["y"], np.float32(-1))
    for tr in data:
        tr["showlegend"] = False
    # The key: one line of text above the loss panel's right end, a coloured dash a split, for both panels. A
    # legend wraps at the plot's width: on a projector's 1280×720 chart (245 px, 20 px type) "training loss",
    # "test loss" took two rows, a third of the loss panel's height; this line never wraps and costs no margin.
    key = "\u2003".join(f"<span style='color:{tr['line']['color']}'>━━</span> {split}"  # an em space between
                    for tr, split in zip(data, ("training", "test")))
    lowest = min((float(t["y"].min()) for t in data[2:4] if len(t["y"])), default=0.0)
    layout = {
        "uirevision": "loss", "hovermode": "x unified", "margin": {"l": 55, "r": 10, "t": 30, "b": 40},
        "showlegend": False,
        "xaxis": {"anchor": "y2", **_epoch_axis(epochs)},
        "yaxis": {"domain": [0.42, 1.0], "title": {"text": "loss"}, "type": "log" if log_y else "linear",
                  "nticks": 5, **({} if log_y else {"rangemode": "tozero"})},
        "yaxis2": {"domain": [0.0, 0.26], "range": [min(lowest, 0.0) - 0.03, 1.03], "ticks": "outside", "ticklen": 4,
                   "tickvals": [-1.0 if lowest < 0 else 0.0, 1.0]},  # two labels fit the short panel at any size
        "annotations": [{"text": metric, "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.27, "xanchor": "left",
                         "yanchor": "bottom", "showarrow": False},
                        {"text": key, "xref": "paper", "yref": "paper", "x": 1.0, "y": 1.0, "xanchor": "right",
                         "yanchor": "bottom", "showarrow": False}],
    }
    return figure(data, layout, spec)


def loss_patch(spec: dict) -> dict:
    """What changes in a ``loss_figure(spec=True)`` from one frame to the next, as a patch for the figure the
    chart already shows (``ui.chart_patch``): each curve's points, and the axis settings that follow them (whole
    epoch ticks while the run is short, the accuracy panel's range). Colours, widths, titles and the key stay as
    drawn (a presented figure keeps its projector type and thick lines).  ``None``: the setting is removed."""
    data = [{"x": tr["x"], "y": tr["y"], "mode": tr["mode"]} for tr in spec["data"]]
    layout = spec["layout"]
    return {"data": data,
            "layout": {"xaxis": {"dtick": layout["xaxis"].get("dtick")},
                       "yaxis2": {"range": layout["yaxis2"]["range"], "tickvals": layout["yaxis2"]["tickvals"]}}}


def _sequential(n: int) -> list[str]:
    """n colours from teal to dark purple (early → late layers), readable on white."""
    return [f"rgb({r},{g},{b})" for r, g, b in make_lut(["#1b9e77", "#3b528b", "#440154"], max(n, 1)).tolist()][:n]


def grad_norm_figure(history, *, log_y: bool = True, layer_labels=(), spec: bool = False) -> go.Figure | dict:
    """Per-layer gradient norm ‖∂C/∂W_l, ∂C/∂b_l‖₂ against epoch (from ``history.grad_norms``).

    Vanishing gradients show as the early layers' curves lying decades below
    the later ones (hence the log scale by default).  ``spec``: the plain dict (see ``figure``).
    """
    rows = history.grad_norms
    n_layers = len(rows[0]) if len(rows) else 0
    # fromiter over the flattened rows: ~3× faster than np.asarray on 20,000 short lists
    norms = np.fromiter(itertools.chain.from_iterable(rows), np.float64, count=len(rows) * n_layers)
    norms = norms.reshape(len(rows), n_layers)
    epochs = series(history, "epoch")
    colors = _sequential(n_layers)
    data = []
    for l in range(n_layers):
        name = layer_labels[l] if l < len(layer_labels) else f"layer {l + 1}"
        col = norms[:, l]
        if log_y:  # log axes drop zeros; show an exactly-zero gradient at the floor instead
            col = np.maximum(col, 1e-12)
        data.append(_curve(epochs, col, name, colors[l], hover="%{y:.3g}"))
    layout = {"uirevision": "grad_norms", "hovermode": "x unified", "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
              "xaxis": _epoch_axis(epochs),
              "yaxis": {"title": {"text": "gradient norm"}, "type": "log" if log_y else "linear",
                        "exponentformat": "power", **({"dtick": 1} if log_y else {"nticks": 5})},
              "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}}
    return figure(data, layout, spec)

