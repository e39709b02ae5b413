"""The Playground page's figures: pure functions, data in → ``plotly.graph_objects.Figure`` out.

Every function takes plain arrays (see ``views.py`` for computing them from a
trainer) and documents what it draws.  Shared conventions:

* Colours are TF Playground's: negative / class 0 orange, positive / class 1
  blue, light grey between (``png.py``); more classes use ``CLASS_COLORS``.
* Numbers go to Plotly as float32 NumPy arrays: Plotly 7 ships them as typed
  arrays (base64), about 6× faster than JSON lists.
* ``layout.uirevision`` is a constant per figure kind, so a zoom survives the
  several redraws per second of live training.
* The page redraws while training, so figures are built from plain dicts with
  Plotly's validation off (``figure``): about 5× faster.  The tests rebuild every
  figure *with* validation, so a misspelt property still fails there.
* Display numbering is 1-based ("Hidden 1", "w[1] 2→3"); ``customdata`` holds
  0-based indices into ``params`` for click handlers.
"""
from __future__ import annotations

import html
import itertools
import math
import re
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

try:  # Plotly's validators read pandas from sys.modules without importing it; a server imports it
    # lazily on some session's thread, and a figure built on another thread meanwhile met a half-imported
    # pandas ("partially initialized module 'pandas' has no attribute 'Series'", seen in the hostile soak
    # test).  Imported whole here, before any figure is built.
    import pandas  # noqa: F401
except ImportError:  # the library without pandas: Plotly then never looks for it
    pass

from playground.core.activations import ACTIVATIONS, get_activation
from playground.data.datasets import domain as data_domain
from playground.viz.png import (BLUE, CLASS_COLORS, DIVERGING, NEUTRAL, ORANGE, colorize, data_uri, encode_png, hex_to_rgb,
                  make_lut)

__all__ = [
    "boundary_figure", "loss_figure", "grad_norm_figure", "network_figure", "gradient_heatmaps",
    "activation_figure", "dataset_preview", "decimate", "plain_formula", "figure", "series", "MAX_CURVE_POINTS",
    "LINK_MARKERS",
]

MAX_CURVE_POINTS = 800  # most points per drawn curve (history can hold 20,000); ~2 per pixel of a chart
THUMBNAIL_NODES = 300  # above this many nodes the diagram draws plain squares, no thumbnails
_FONT = {"size": 13}
_TRAIN_COLOR, _TEST_COLOR = "#8c8c8c", "#1a1a1a"  # TF Playground's grey/black loss curves
_DARK_OUTLINE = "#1f1f1f"
_GL_POINTS = 2_000  # scatter traces with more points use WebGL


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


def series(history, name: str) -> np.ndarray:
    """One history curve as float64: the trainer's kept array (``History.array``), or any list."""
    array = getattr(history, "array", None)
    return array(name) if array is not None else np.asarray(getattr(history, name), np.float64)


_F32_MAX = float(np.finfo(np.float32).max)


def _f32(a) -> np.ndarray:
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


# ----------------------------------------------------------------------------------- text helpers
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


# ------------------------------------------------------------------------------------- decimation
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
    pad = np.full(size * buckets - len(inner), np.nan)
    runs = np.concatenate([inner, pad]).reshape(buckets, size)
    filled = np.where(np.isnan(runs), np.inf, runs)
    lo = np.argmin(filled, axis=1)
    hi = np.argmax(np.where(np.isnan(runs), -np.inf, runs), axis=1)
    base = np.arange(buckets) * size + 1
    idx = np.concatenate([[0], base + lo, base + hi, [n - 1]])
    return np.unique(np.clip(idx, 0, n - 1))


# ------------------------------------------------------------------------------------ boundary
def _class_image(probs: np.ndarray, discretize: bool) -> np.ndarray:
    """(res, res, K) probabilities → (res, res, 3) uint8: the winning class's colour.

    Intensity rises from grey at chance level (p = 1/K) to the full colour at
    p = 1, so uncertain regions read as pale; ``discretize`` gives full colour.
    """
    k = probs.shape[-1]
    palette = np.array([hex_to_rgb(c) for c in (CLASS_COLORS * 2)[:k]], np.float32)
    win = probs.argmax(axis=-1)
    if discretize:
        t = np.ones(win.shape + (1,), np.float32)
    else:
        p = np.take_along_axis(probs, win[..., None], axis=-1)
        t = np.clip((p - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0).astype(np.float32)
    neutral = np.array(hex_to_rgb(NEUTRAL), np.float32)
    return (neutral + t * (palette[win] - neutral)).round().astype(np.uint8)


def _point_traces(X, y, split: str, *, task, n_classes, class_names, labels) -> list[dict]:
    """Data points: training filled with a white outline, test with a dark outline (TF's style).

    One trace per class, so the legend names the classes; the test traces share
    one legend entry ("test points") that shows or hides them all.
    """
    if len(X) == 0:
        return []
    kind = "scattergl" if len(X) > _GL_POINTS else "scatter"
    test = split == "test"
    line = {"color": _DARK_OUTLINE if test else "white", "width": 1.4 if test else 1.0}
    where = f"{safe_text(labels[0])} = %{{x:.2f}}<br>{safe_text(labels[1])} = %{{y:.2f}}<br>"
    if task == "regression":
        return [{"type": kind, "x": _f32(X[:, 0]), "y": _f32(X[:, 1]), "mode": "markers", "name": f"{split} points",
                 "marker": {"color": _f32(y), "coloraxis": "coloraxis", "size": 7, "line": line},
                 "hovertemplate": where + f"target = %{{marker.color:.3f}} ({split})<extra></extra>"}]
    out: list[dict] = []
    for c in range(max(n_classes, 2)):
        mask = y == c
        if not mask.any():
            continue
        name = safe_text(class_names[c]) if c < len(class_names) else f"class {c}"
        out.append({
            "type": kind, "x": _f32(X[mask, 0]), "y": _f32(X[mask, 1]), "mode": "markers",
            "name": "test points" if test else name, "legendgroup": "test" if test else f"class {c}",
            "showlegend": not (test and out),
            "marker": {"color": CLASS_COLORS[c % len(CLASS_COLORS)], "size": 7, "line": line},
            "hovertemplate": where + f"{name} ({split})<extra></extra>",
        })
    return out


def _plane_image(rgb: np.ndarray, grid) -> dict:
    """An (res, res, 3) picture of the grid as a layout image over the grid's cells.

    Row 0 of ``rgb`` is y_min; a picture's first row is its top, hence the flip.
    Each pixel covers one grid cell, centred on its grid point, as a heatmap's would.
    """
    xs, ys = np.asarray(grid.xs, np.float64), np.asarray(grid.ys, np.float64)
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    return {"source": data_uri(encode_png(np.ascontiguousarray(rgb[::-1]), level=1)),
            "xref": "x", "yref": "y", "x": float(xs[0]) - dx / 2, "y": float(ys[-1]) + dy / 2,
            "sizex": dx * len(xs), "sizey": dy * len(ys), "sizing": "stretch", "layer": "below"}


def boundary_figure(values: np.ndarray, grid, train, test=None, *, task: str, n_classes: int = 2,
                    discretize: bool = False, show_test: bool = True, class_names=(), title: str = "",
                    hover: bool = True, spec: bool = False) -> go.Figure | dict:
    """The network's output over the input plane, with the data on top.

    Args:
        values: from ``views.boundary_values``: binary (res, res) in [−1, 1];
            multi-class (res, res, K) probabilities; regression (res, res) predictions.
        grid: the ``views.Grid`` the values were computed on (domain, axis labels, columns).
        train, test: ``(X, y)`` raw points (all columns; ``grid.cols`` picks the two drawn).
        task: "binary", "multiclass" or "regression".
        hover: also lay a transparent heatmap of the values over the picture, so hovering
            reads the output at any point (binary and regression).  Live views pass
            ``False`` while training: then the points are the only traces and stay the
            same from frame to frame, and the browser only swaps the picture (~5 ms
            instead of ~40 ms for a full redraw on these machines).
        spec: return the plain dict (see ``figure``).

    Draws: the plane as a picture (a layout image): binary → the output,
    orange (−1) · grey (0) · blue (+1), or only its sign with ``discretize``;
    multi-class → each pixel the winning class's colour, pale where the network
    is unsure (full colour with ``discretize``); regression → the prediction on
    the colour scale of the points' targets (one colour bar).  Training points
    are filled with a white outline, test points have a dark outline.  Axes are
    equally scaled and fixed to the grid's box.
    """
    if task not in ("binary", "multiclass", "regression"):
        raise ValueError(f"task must be 'binary', 'multiclass' or 'regression', got {task!r}")
    xs, ys = _f32(grid.xs), _f32(grid.ys)
    x0, x1, y0, y1 = grid.domain
    lx, ly = (safe_text(v) for v in grid.labels)
    data: list[dict] = []
    layout: dict = {"uirevision": "boundary", "hovermode": "closest",
                    # above the square plane, right-aligned (clear of the y labels); under it, it met the x title.
                    # With a title there, beside the plane.
                    "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"} if title
                    else {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.06, "yanchor": "bottom"},
                    "margin": {"l": 55, "r": 10, "t": 40 if title else 10, "b": 45}}
    where = f"{lx} = %{{x:.2f}}<br>{ly} = %{{y:.2f}}<br>"
    if task == "multiclass":
        rgb = _class_image(values, discretize)
    else:
        z = _f32(values)
        if discretize and task == "binary":
            z = np.where(z >= 0, np.float32(1), np.float32(-1))
        if task == "binary":
            lo, hi = -1.0, 1.0
        else:
            # The colour range is the targets' range (stable while training), not the predictions'.
            targets = np.concatenate([np.asarray(p[1], np.float64) for p in (train, test) if p is not None])
            lo, hi = (float(targets.min()), float(targets.max())) if targets.size else (-1.0, 1.0)
            lo, hi = (lo - 1.0, hi + 1.0) if hi <= lo else (lo, hi)
            layout["coloraxis"] = {"colorscale": DIVERGING, "cmin": lo, "cmax": hi,
                                   "colorbar": {"title": {"text": "target"}, "thickness": 12, "len": 0.6,
                                                "y": 0.0, "yanchor": "bottom"}}
        rgb = colorize(z, lo, hi)
        if hover:
            data.append({"type": "heatmap", "x": xs, "y": ys, "z": z, "opacity": 0, "showscale": False,
                         "colorscale": DIVERGING, "zmin": lo, "zmax": hi,
                         "hovertemplate": where + ("output = %{z:.3f}" if task == "binary" else "prediction = %{z:.3f}")
                         + "<extra></extra>"})
    layout["images"] = [_plane_image(rgb, grid)]
    cols = list(grid.cols)
    for split, part in (("train", train), ("test", test if show_test else None)):
        if part is None:
            continue
        X, y = np.asarray(part[0]), np.asarray(part[1])
        X = X[:, cols] if X.shape[1] > 2 or cols != [0, 1] else X
        data += _point_traces(X, y, split, task=task, n_classes=n_classes, class_names=tuple(class_names),
                              labels=(lx, ly))
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "outside"}
    layout["xaxis"] = {**axis, "range": [x0, x1], "title": {"text": lx}}
    layout["yaxis"] = {**axis, "range": [y0, y1], "title": {"text": ly}, "scaleanchor": "x", "scaleratio": 1}
    if title:
        layout["title"] = {"text": title, "x": 0.02, "font": {"size": 15}}
    return figure(data, layout, spec)


# ------------------------------------------------------------------------------------ curves
def _curve(x: np.ndarray, y, name: str, color: str, *, width=2.0, yaxis="y", hover: str = "%{y:.4g}") -> dict:
    """One history curve, decimated to ≤ MAX_CURVE_POINTS with the last point exact."""
    y = np.asarray(y, np.float64)
    idx = decimate(y)
    return {"type": "scatter", "x": _f32(x[idx]), "y": _f32(y[idx]), "name": name, "yaxis": yaxis,
            "mode": "lines" if len(idx) > 1 else "markers", "line": {"color": color, "width": width},
            "marker": {"color": color}, "hovertemplate": f"epoch %{{x}}: {hover}<extra>{name}</extra>"}


def _epoch_axis(epochs: np.ndarray) -> dict:
    """An epoch axis from 0; whole-number ticks while the run is short (no "epoch 0.5")."""
    short = len(epochs) == 0 or epochs[-1] < 10
    # ticks outside: the first epoch label keeps clear of the lowest label of the y axis
    return {"title": {"text": "epoch"}, "rangemode": "tozero", "ticks": "outside", "ticklen": 4,
            **({"dtick": 1} if short else {})}


def loss_figure(history, *, log_y: bool = False, task: str = "binary", spec: bool = False) -> go.Figure | dict:
    """Training and test loss against epoch (top), accuracy or R² in a small panel below.

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
        tr["showlegend"] = False
        tr["y"] = np.maximum(tr["y"], np.float32(-1))
    lowest = min((float(t["y"].min()) for t in data[2:] if len(t["y"])), default=0.0)
    layout = {
        "uirevision": "loss", "hovermode": "x unified", "margin": {"l": 55, "r": 10, "t": 30, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "xaxis": {"anchor": "y2", **_epoch_axis(epochs)},
        "yaxis": {"domain": [0.42, 1.0], "title": {"text": "loss"}, "type": "log" if log_y else "linear",
                  "nticks": 5, **({} if log_y else {"rangemode": "tozero"})},
        "yaxis2": {"domain": [0.0, 0.26], "range": [min(lowest, 0.0) - 0.03, 1.03], "ticks": "outside", "ticklen": 4,
                   "tickvals": [-1.0 if lowest < 0 else 0.0, 1.0]},  # two labels fit the short panel at any size
        "annotations": [{"text": metric, "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.27, "xanchor": "left",
                         "yanchor": "bottom", "showarrow": False}],
    }
    return figure(data, layout, spec)


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


# ------------------------------------------------------------------------------------ network
_NODE_LINE = "#8a9096"
_LINK_BUCKETS = 6  # link widths are drawn in this many steps (1 … 6 px): one trace per (sign, step)
LINK_MARKERS = 2_000  # most links given a hover/click marker: the strongest ones
_MAX_LINK_PX = 6.0


def _map_range(kind: str, maps: np.ndarray) -> tuple[float, float]:
    """Colour range of one layer's thumbnails.

    A bounded activation keeps its own range (tanh −1…1; sigmoid 0…1, so 0.5
    is grey), so colours mean the same thing all through training; unbounded
    ones (ReLU, linear) use ±max|value| of the layer.
    """
    act = ACTIVATIONS.get(kind)
    if act is not None and act.out_range[0] >= -1.0 and act.out_range[1] <= 1.0:
        return act.out_range
    m = float(np.abs(maps).max()) if maps.size else 0.0
    m = m if math.isfinite(m) and m > 1e-9 else 1.0
    return -m, m


_CLASS_LUTS = [make_lut([NEUTRAL, c]) for c in CLASS_COLORS]


def _thumbnails(maps: np.ndarray, kind: str, px: int) -> list[str]:
    """(res, res, units) → one PNG data URI per unit, ≤ px pixels a side, row 0 at the top.

    Inputs (x₁, x₁², sin x₁ …) each get their own ±max range; softmax outputs
    go from grey (p = 0) to their class colour (p = 1).
    """
    step = max(1, -(-maps.shape[0] // px))
    sub = maps[::-1][::step, ::step]  # PNG rows run top-down, grid rows bottom-up
    units = range(maps.shape[2])
    if kind == "softmax":
        rgbs = [colorize(sub[:, :, u], 0.0, 1.0, _CLASS_LUTS[u % len(_CLASS_LUTS)]) for u in units]
    elif kind == "input":
        rgbs = [colorize(sub[:, :, u], *_map_range("", maps[:, :, u])) for u in units]
    else:
        rgb = colorize(sub, *_map_range(kind, maps))  # (h, w, units, 3)
        rgbs = [rgb[:, :, u] for u in units]
    return [data_uri(encode_png(img, level=1)) for img in rgbs]


def _segments(xa, ya, xb, yb) -> tuple[np.ndarray, np.ndarray]:
    """Line segments as one x and one y array, NaN between segments (one trace draws them all)."""
    n = len(xa)
    x, y = np.empty((n, 3), np.float32), np.empty((n, 3), np.float32)
    x[:, 0], x[:, 1], x[:, 2] = xa, xb, np.nan
    y[:, 0], y[:, 1], y[:, 2] = ya, yb, np.nan
    return x.ravel(), y.ravel()


def _layer_name(c: int, n_layers: int, sizes, activation_names, output_label, sep: str) -> str:
    if c == 0:
        return "Input"
    if c == n_layers:
        return f"Output{sep}{output_label}" if output_label else "Output"
    act = activation_names[c - 1] if c - 1 < len(activation_names) else ""
    return f"Hidden {c}{sep}{sizes[c]} {act}".rstrip()


def _link_traces(sizes, params, grads, color_by: str, cx, cy, half: float) -> list[dict]:
    """Every weight as a line, bucketed into ≤ 2 × _LINK_BUCKETS traces by sign and width, plus hover markers."""
    parts = []
    for l in range(len(sizes) - 1):
        fi, fo = sizes[l], sizes[l + 1]
        ii, jj = np.repeat(np.arange(fi), fo), np.tile(np.arange(fo), fi)
        parts.append((np.full(fi * fo, l), ii, jj, cy[l][ii], cy[l + 1][jj], np.full(fi * fo, cx[l] + half),
                      np.full(fi * fo, cx[l + 1] - half), np.asarray(params[l][0], np.float64).ravel(),
                      np.asarray(grads[l][0], np.float64).ravel()))
    layer, ii, jj, ya, yb, xa, xb, wv, gv = (np.concatenate(p) for p in zip(*parts))
    value = np.nan_to_num(wv if color_by == "weight" else gv)
    mag = np.abs(value)
    top = float(mag.max()) if mag.size else 0.0
    bucket = np.minimum((mag / top * _LINK_BUCKETS).astype(np.intp), _LINK_BUCKETS - 1) if top > 0 \
        else np.zeros(len(mag), np.intp)
    # Thousands of overlapping links would paint a solid block: fade them as they crowd.
    fade = min(1.0, (200.0 / max(len(value), 1)) ** 0.4)
    data: list[dict] = []
    for k in range(_LINK_BUCKETS):  # weakest first, so the strongest links are drawn on top
        frac = (k + 1) / _LINK_BUCKETS
        for positive, color in ((False, ORANGE), (True, BLUE)):
            sel = (bucket == k) & ((value >= 0) == positive)
            if not sel.any():
                continue
            x, y = _segments(xa[sel], ya[sel], xb[sel], yb[sel])
            r, g, b = hex_to_rgb(color)
            data.append({"type": "scatter", "mode": "lines", "x": x, "y": y, "hoverinfo": "skip",
                         "showlegend": False,
                         "line": {"color": f"rgba({r},{g},{b},{(0.35 + 0.65 * frac) * fade:.3f})",
                                  "width": max(0.75, _MAX_LINK_PX * frac)}})
    # Hover/click markers at link midpoints.  In a big network the links are far too dense to
    # point at one, and thousands of hover strings would cost more than the rest of the frame:
    # only the LINK_MARKERS strongest (the ones that stand out) get a marker.
    keep = slice(None) if len(mag) <= LINK_MARKERS else np.sort(np.argpartition(-mag, LINK_MARKERS)[:LINK_MARKERS])
    layer, ii, jj, wv, gv = layer[keep], ii[keep], jj[keep], wv[keep], gv[keep]
    hover = [f"w[{l + 1}] {i + 1}→{j + 1} = {w:.3f}<br>∂L/∂w = {g:.3g}"
             for l, i, j, w, g in zip(layer.tolist(), ii.tolist(), jj.tolist(), wv.tolist(), gv.tolist())]
    data.append({"type": "scattergl" if len(hover) > _GL_POINTS else "scatter", "mode": "markers",
                 "x": _f32((xa[keep] + xb[keep]) / 2), "y": _f32((ya[keep] + yb[keep]) / 2),
                 "hovertext": hover, "hoverinfo": "text", "showlegend": False, "name": "links",
                 "customdata": [["w", l, i, j] for l, i, j in zip(layer.tolist(), ii.tolist(), jj.tolist())],
                 "marker": {"size": 9, "color": "rgba(0,0,0,0)"}})
    return data


def _node_images(neuron_maps, kinds, cx, cy, node: float) -> tuple[list[dict], dict]:
    """Thumbnails as layout images (data coordinates, square) and one outline trace for all nodes."""
    n_cols = len(cy)
    offset = n_cols - len(neuron_maps)
    if offset not in (0, 1):
        raise ValueError(f"neuron_maps needs {n_cols} entries (inputs first) or {n_cols - 1}; got {len(neuron_maps)}")
    half = node / 2
    px = 40 if sum(len(c) for c in cy) <= 60 else 20
    images = []
    for c in range(offset, n_cols):
        maps = np.asarray(neuron_maps[c - offset], np.float32)
        for j, uri in enumerate(_thumbnails(maps, kinds[c], px)):
            images.append({"source": uri, "xref": "x", "yref": "y", "x": cx[c] - half, "y": cy[c][j] + half,
                           "sizex": node, "sizey": node, "sizing": "stretch", "layer": "below"})
    ox = np.concatenate([np.full(len(y), cx[c]) for c, y in enumerate(cy)])
    oy = np.concatenate(cy)
    gap = np.full_like(ox, np.nan)
    corners_x = np.stack([ox - half, ox + half, ox + half, ox - half, ox - half, gap], 1)
    corners_y = np.stack([oy + half, oy + half, oy - half, oy - half, oy + half, gap], 1)
    outline = {"type": "scatter", "mode": "lines", "x": _f32(corners_x.ravel()), "y": _f32(corners_y.ravel()),
               "line": {"color": _NODE_LINE, "width": 1}, "hoverinfo": "skip", "showlegend": False}
    return images, outline


def _node_markers(sizes, params, grads, input_labels, cx, cy, size_px: float, thumbs: bool, names) -> list[dict]:
    """A hover/click marker per node: inputs ["input", j]; neurons ["b", layer, j] with bias and ∂L/∂b.

    Over thumbnails the markers are invisible; without them they are the
    nodes, coloured by bias (orange < 0 < blue).
    """
    n_layers = len(sizes) - 1
    line = {"width": 0 if thumbs else 1, "color": _NODE_LINE}
    clear = "rgba(0,0,0,0)"
    inputs = {"type": "scatter", "mode": "markers", "x": _f32(np.full(sizes[0], cx[0])), "y": _f32(cy[0]),
              "hovertext": [f"input {safe_text(input_labels[j]) if j < len(input_labels) else j + 1}" for j in range(sizes[0])],
              "hoverinfo": "text", "customdata": [["input", j] for j in range(sizes[0])],
              "showlegend": False, "name": "inputs",
              "marker": {"symbol": "square", "size": size_px, "color": clear if thumbs else NEUTRAL, "line": line}}
    bias = np.concatenate([np.asarray(b, np.float64).ravel() for _, b in params])
    gbias = np.concatenate([np.asarray(g, np.float64).ravel() for _, g in grads])
    where = [(c, j) for c in range(1, n_layers + 1) for j in range(sizes[c])]
    bmax = float(np.abs(bias).max()) if bias.size else 0.0
    bmax = bmax or 1.0
    neurons = {"type": "scatter", "mode": "markers",
               "x": _f32(np.concatenate([np.full(sizes[c], cx[c]) for c in range(1, n_layers + 1)])),
               "y": _f32(np.concatenate(cy[1:])), "hoverinfo": "text", "showlegend": False, "name": "neurons",
               "hovertext": [f"{names[c]}, neuron {j + 1}<br>b = {bv:.3f}<br>∂L/∂b = {gb:.3g}"
                             for (c, j), bv, gb in zip(where, bias.tolist(), gbias.tolist())],
               "customdata": [["b", c - 1, j] for c, j in where],
               "marker": {"symbol": "square", "size": size_px, "line": line,
                          **({"color": clear} if thumbs else
                             {"color": _f32(bias), "colorscale": DIVERGING, "cmin": -bmax, "cmax": bmax})}}
    return [inputs, neurons]


def network_figure(sizes, input_labels, params, grads=None, *, color_by: str = "weight", neuron_maps=None,
                   activation_names=(), output_label: str = "", aspect: float = 0.55,
                   spec: bool = False) -> go.Figure | dict:
    """TF-Playground-style diagram of the network: nodes in columns, a link for every weight.

    Args:
        sizes: units per layer, inputs first, e.g. ``[2, 4, 2, 1]``.
        input_labels: a name per input (X₁, X₁², … or column names).
        params, grads: ``[(W, b), ...]`` with W (fan_in, fan_out); grads the same
            shapes (∂C/∂W, ∂C/∂b), or None.
        color_by: "weight" or "gradient": what sets each link's colour (sign:
            orange < 0, blue > 0) and width (∝ |value|, the largest ~6 px).
        neuron_maps: each node's output over the input plane, a list of
            (res, res, units) arrays, inputs first (len(sizes) entries) or
            without the inputs (len(sizes) − 1); drawn as ~40 px thumbnails
            (skipped above 300 nodes, where nodes are squares coloured by bias).
        activation_names, output_label: for the column titles and thumbnail colour ranges.
        aspect: height / width of the plot area the figure will get; nodes are
            spaced to fill it (the axes keep equal scale so thumbnails stay square).
        spec: return the plain dict (see ``figure``).

    Clicks: every link has an invisible marker at its midpoint with hover text
    and ``customdata = ["w", layer, i, j]`` (W[layer][i, j], 0-based); every
    neuron one with ``["b", layer, j]`` (b[layer][j]); inputs ``["input", j]``.
    Above ``LINK_MARKERS`` links only the strongest that many get a marker
    (64-wide layers draw links far closer together than a pointer can pick).
    """
    sizes = [int(n) for n in sizes]
    n_layers = len(sizes) - 1
    if n_layers < 1 or len(params) != n_layers:
        raise ValueError(f"network_figure needs one (W, b) per layer: sizes {sizes} want {n_layers}, got {len(params)}")
    for l, (W, b) in enumerate(params):
        if np.shape(W) != (sizes[l], sizes[l + 1]) or np.shape(b) != (sizes[l + 1],):
            raise ValueError(f"layer {l}: W {np.shape(W)} / b {np.shape(b)} do not match sizes {sizes}")
    if color_by not in ("weight", "gradient"):
        raise ValueError(f"color_by must be 'weight' or 'gradient', got {color_by!r}")
    if grads is None:
        grads = [(np.zeros(np.shape(W)), np.zeros(np.shape(b))) for W, b in params]

    # Geometry, in data units: columns 1 apart, the tallest column fills aspect × width.
    width_u = n_layers + 1.0
    height_u = aspect * width_u
    node = min(0.8 * height_u / max(sizes), 0.42)
    cx = np.arange(n_layers + 1, dtype=np.float64)
    # A short column beside a tall one keeps a comfortable spacing instead of huddling in the middle.
    pitch = max(height_u / max(sizes), 0.3)
    cy = [((n - 1) / 2.0 - np.arange(n)) * min(height_u / n, pitch) for n in sizes]
    show_inputs = 0 < sizes[0] <= 16 and len(input_labels) == sizes[0]
    label_room = 0.08 * width_u if show_inputs else 0.0
    size_px = float(np.clip(node * 640.0 / (width_u + label_room), 4, 60))  # 640 px: a guess at the drawn width
    sep = " · " if n_layers <= 2 else "<br>"  # three or more columns of labels overlap on one line
    names = [_layer_name(c, n_layers, sizes, activation_names, output_label, sep) for c in range(n_layers + 1)]

    data = _link_traces(sizes, params, grads, color_by, cx, cy, node / 2)
    images: list[dict] = []
    thumbs = neuron_maps is not None and sum(sizes) <= THUMBNAIL_NODES
    if thumbs:
        kinds = ["input", *activation_names[:n_layers - 1], output_label]
        images, outline = _node_images(neuron_maps, kinds + [""] * (n_layers + 1 - len(kinds)), cx, cy, node)
        data.append(outline)
    data += _node_markers(sizes, params, grads, input_labels, cx, cy, size_px, thumbs,
                          [n.split(sep)[0] for n in names])
    if show_inputs:
        data.append({"type": "scatter", "mode": "text", "x": _f32(np.full(sizes[0], cx[0] - node / 2 - 0.03)),
                     "y": _f32(cy[0]), "text": [safe_text(v) for v in input_labels], "textposition": "middle left",
                     "hoverinfo": "skip", "showlegend": False, "textfont": {"size": 13}})
    top_y = height_u / 2 + 0.02 * width_u
    annotations = [{"x": cx[c], "y": top_y, "xref": "x", "yref": "y", "text": names[c], "showarrow": False,
                    "yanchor": "bottom", "font": {"size": 13}} for c in range(n_layers + 1)]
    axis = {"visible": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    layout = {"uirevision": "network", "hovermode": "closest", "showlegend": False, "images": images,
              "annotations": annotations, "margin": {"l": 5, "r": 5, "t": 5, "b": 5},
              "xaxis": {**axis, "range": [-0.5 - label_room, n_layers + 0.5]},
              "yaxis": {**axis, "range": [-height_u / 2 - 0.02 * width_u, height_u / 2 + 0.17 * width_u],  # two title lines, also at 1.5× type
                        "scaleanchor": "x", "scaleratio": 1}}
    return figure(data, layout, spec)


# ---------------------------------------------------------------------------------- gradients
def gradient_heatmaps(grads, *, layer_labels=()) -> go.Figure:
    """One heatmap per layer of ∂C/∂W (rows = from-units, columns = to-units), side by side.

    Each layer has its own symmetric diverging scale (orange < 0 < blue, ±max
    |gradient| of that layer, quoted in its title), because gradients of
    different layers can differ by orders of magnitude.  The bias gradient
    ∂C/∂b is an extra bottom row labelled "bias".  Units are numbered from 1.
    """
    n_layers = len(grads)
    crowded = n_layers > 4  # deep nets: short titles, fewer ticks, so the panels stay legible
    fan_out = np.array([max(np.shape(gb)[0], 2) for _, gb in grads], np.float64)
    fan_out = np.maximum(fan_out, fan_out.max() / 2)  # a narrow layer's panel still holds its title
    gap = 0.06 if not crowded else 0.025
    widths = fan_out / fan_out.sum() * (1.0 - gap * (n_layers - 1))
    data, annotations, layout = [], [], {}
    left = 0.0
    for l, (gW, gb) in enumerate(grads):
        gW, gb = np.asarray(gW, np.float64), np.asarray(gb, np.float64)
        fi, fo = gW.shape
        m = max(float(np.abs(gW).max(initial=0.0)), float(np.abs(gb).max(initial=0.0)))
        m = m if math.isfinite(m) and m > 0 else 1.0
        ax = "" if l == 0 else str(l + 1)
        common = {"xaxis": f"x{ax}", "yaxis": f"y{ax}", "colorscale": DIVERGING, "zmin": -m, "zmax": m,
                  "showscale": False, **({"xgap": 1, "ygap": 1} if max(fi, fo) <= 16 else {})}
        cols = _f32(np.arange(1, fo + 1))
        data.append({"type": "heatmap", "z": _f32(np.nan_to_num(gW)), "x": cols, "y": _f32(np.arange(1, fi + 1)),
                     "hovertemplate": "∂L/∂w from %{y} to %{x} = %{z:.3g}<extra></extra>", **common})
        data.append({"type": "heatmap", "z": _f32(np.nan_to_num(gb))[None, :], "x": cols, "y": _f32([fi + 1]),
                     "hovertemplate": "∂L/∂b of unit %{x} = %{z:.3g}<extra></extra>", **common})
        if l == n_layers - 1:  # one colour legend: every panel spans its own ±scale (in its title)
            data[-2].update(showscale=True, colorbar={"title": {"text": "∂L/∂w"}, "thickness": 12, "len": 0.9,
                                                      "tickvals": [-m, 0, m], "ticktext": ["−scale", "0", "+scale"]})
        ticks = [1, fi + 1] if crowded else [*range(1, fi + 1, max(1, math.ceil(fi / 5))), fi + 1]
        domain = [left, min(left + widths[l], 1.0)]
        tickfont = {"size": 10 if crowded else 12}
        layout[f"xaxis{ax}"] = {"domain": domain, "anchor": f"y{ax}", "side": "top", "showgrid": False,
                                "tickfont": tickfont, "title": {"text": "to unit" if l == 0 else ""},
                                **({"dtick": 1} if fo <= 5 else {"tickvals": [1, fo]})}
        layout[f"yaxis{ax}"] = {"anchor": f"x{ax}", "autorange": "reversed", "showgrid": False, "tickfont": tickfont,
                                "showticklabels": not crowded or l == 0,
                                "tickvals": ticks, "ticktext": [str(t) for t in ticks[:-1]] + ["bias"],
                                "title": {"text": "from unit" if l == 0 else ""}}
        label = f"W{l + 1}" if crowded else f"layer {l + 1}<br>{fi} → {fo}"  # three short lines: narrow panels
        label = layer_labels[l] if l < len(layer_labels) else label
        annotations.append({"x": (domain[0] + domain[1]) / 2, "y": -0.02, "xref": "paper", "yref": "paper",
                            "yanchor": "top", "showarrow": False, "font": {"size": 11 if crowded else 13},
                            "text": f"{label}<br>±{m:.1g}" if crowded else f"{label}<br>±{m:.2g}"})
        left = domain[1] + gap
    layout.update(uirevision="gradients", annotations=annotations, margin={"l": 55, "r": 10, "t": 45, "b": 72})
    return figure(data, layout)


# --------------------------------------------------------------------------------- activation
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
    data = [{"type": "scatter", "x": _f32(z), "y": _f32(f), "mode": "lines", "name": "f(z)",
             "line": {"color": BLUE, "width": 3}, "hovertemplate": "f(%{x:.2f}) = %{y:.3f}<extra></extra>"}]
    if show_derivative:
        data.append({"type": "scatter", "x": _f32(z), "y": _f32(g), "mode": "lines",
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
        zs = _f32(np.clip(np.asarray(z_sample, np.float64), -lim, lim))
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


# ------------------------------------------------------------------------------------ preview
def dataset_preview(data, size: int = 64) -> str:
    """A ``size`` × ``size`` PNG data URI of a data set's first two columns, for the data picker.

    Classes use their class colours (orange, blue, …); regression targets the
    diverging map over their range.  Points are 2 × 2 pixel dots on light grey.
    Pure and fairly cheap (~1 ms); the caller caches it per data set.
    """
    X = np.asarray(data.X, np.float64)
    x0, x1, y0, y1 = data_domain(data)
    cols = X[:, :2] if X.shape[1] >= 2 else np.column_stack([X[:, 0], X[:, 0]])
    img = np.empty((size, size, 3), np.uint8)
    img[:] = hex_to_rgb(NEUTRAL)
    if data.task == "regression":
        y = np.asarray(data.y, np.float64)
        lo, hi = float(y.min()), float(y.max())
        colors = colorize(y[None, :], lo, hi if hi > lo else lo + 1.0)[0]
    else:
        palette = np.array([hex_to_rgb(c) for c in CLASS_COLORS], np.uint8)
        colors = palette[np.asarray(data.y) % len(palette)]
    col = np.clip(((cols[:, 0] - x0) / (x1 - x0) * (size - 1)).astype(np.intp), 0, size - 2)
    row = np.clip(((y1 - cols[:, 1]) / (y1 - y0) * (size - 1)).astype(np.intp), 0, size - 2)  # row 0 = top
    for dr in (0, 1):
        for dc in (0, 1):
            img[row + dr, col + dc] = colors
    return data_uri(encode_png(img))
