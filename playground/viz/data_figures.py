"""Figures for the Digits and Data pages and the data picker: pure functions, arrays in, ``go.Figure`` out.

Arrays go to Plotly as float32 NumPy arrays (sent as typed arrays, ~6× faster
than lists), because the Digits page redraws these several times a second.

    >>> fig = confusion_figure(np.array([[3, 1], [0, 4]]), ("a", "b"))
    >>> fig.data[0].type, fig.layout.xaxis.title.text
    ('heatmap', 'predicted')
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.data.datasets import domain as data_domain
from playground.viz.palette import (BLUE, CLASS_COLORS, CLASS_SYMBOLS, DIVERGING, NEUTRAL, POINT_SCALE, colorize,
                                    hex_to_rgb)
from playground.viz.plotly_dicts import safe_text
from playground.viz.png import data_uri, encode_png

__all__ = [
    "class_colors", "confusion_figure", "mosaic", "image_grid_figure", "digit_grid_figure",
    "weight_images_figure", "scatter_figure", "history_figure", "dataset_preview",
]

_WEIGHTS = DIVERGING  # as TF Playground draws weights: orange < 0, grey 0, blue > 0
_MARGIN = dict(l=10, r=10, t=30, b=10)


def class_colors(k: int) -> tuple[str, ...]:
    """Colour per class, the app's palette (palette.CLASS_COLORS): TF Playground's orange and blue
    for classes 0 and 1, so a class looks the same in binary and multi-class views, then 8 more."""
    if not 1 <= k <= len(CLASS_COLORS):
        raise ValueError(f"class colours exist for 1 to {len(CLASS_COLORS)} classes; got k={k}")
    return CLASS_COLORS[:k]


def confusion_figure(cm: np.ndarray, class_names: Sequence[str], title: str = "") -> go.Figure:
    """Heatmap of a (k, k) confusion matrix (rows true, columns predicted) with the count in each cell.

    True class 0 is the top row, so correct answers run down the diagonal from the top left.
    """
    cm = np.asarray(cm)
    names = [safe_text(c) for c in class_names]
    heat = go.Heatmap(
        z=cm.astype(np.float32), x=names, y=names, colorscale="Blues", showscale=False,
        texttemplate="%{z}", xgap=1, ygap=1,
        hovertemplate="true %{y}, predicted %{x}: %{z} examples<extra></extra>")
    return go.Figure(heat, dict(
        xaxis=dict(title_text="predicted", type="category", side="bottom"),
        yaxis=dict(title_text="true", type="category", autorange="reversed"),
        title_text=title, margin=dict(l=50, r=10, t=30 if title else 10, b=40)))


def mosaic(images: np.ndarray, cols: int, gap: int = 1, row_gap: int | None = None) -> np.ndarray:
    """Tile (m, h, w) images into one 2-D array, row by row; gaps and empty tiles are NaN.

    Tile (r, c) starts at row ``row_gap + r·(h + row_gap)`` and column ``c·(w + gap)``:
    every tile row has ``row_gap`` blank rows above it (room for a title).
    One heatmap of the mosaic builds in a few ms; m heatmaps in subplots take
    ~10 ms each, too slow for a live page.
    """
    images = np.asarray(images, np.float32)
    m, h, w = images.shape
    row_gap = gap if row_gap is None else row_gap
    rows = max(1, -(-m // cols))
    out = np.full((rows * (h + row_gap), cols * (w + gap) - gap), np.nan, np.float32)
    for i in range(m):
        r, c = divmod(i, cols)
        top, left = row_gap + r * (h + row_gap), c * (w + gap)
        out[top:top + h, left:left + w] = images[i]
    return out


def image_grid_figure(images: np.ndarray, titles: Sequence[str], cols: int = 8, *,
                      colorscale="Greys", zmin: float | None = None, zmax: float | None = None,
                      title_colors: Sequence[str] | None = None, hover: str = "value %{z:.3g}",
                      tile_px: int = 64) -> go.Figure:
    """Small images in a grid, each with a title above it (drawn as one mosaic heatmap).

    ``images`` (m, h, w); ``titles`` m strings; ``tile_px`` sets the height per image.
    """
    images = np.asarray(images)
    m = len(images)
    if len(titles) != m:
        raise ValueError(f"need one title per image: {m} images, {len(titles)} titles")
    if m == 0:
        fig = go.Figure()
        fig.update_layout(height=80, margin=_MARGIN, xaxis_visible=False, yaxis_visible=False)
        return fig
    cols = max(1, min(cols, m))
    h, w = images.shape[1:]
    row_gap = 3  # blank pixel rows above each tile row, where the titles go
    z = mosaic(images, cols, row_gap=row_gap)
    r, c = np.divmod(np.arange(m), cols)
    # Titles as one text trace: 32 layout annotations cost ~200 ms to validate, a trace ~1 ms.
    labels = go.Scatter(x=(c * (w + 1) + (w - 1) / 2).astype(np.float32),
                        y=(r * (h + row_gap) + row_gap / 2 - 0.5).astype(np.float32), text=list(titles), mode="text",
                        textfont=dict(size=11, color=list(title_colors) if title_colors else None),
                        hoverinfo="skip", showlegend=False, cliponaxis=False)
    tiles = go.Heatmap(z=z, colorscale=colorscale, zmin=zmin, zmax=zmax, showscale=False,
                       hovertemplate=hover + "<extra></extra>", hoverongaps=False)
    rows = int(r[-1]) + 1
    return go.Figure([tiles, labels], dict(
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"),
        height=rows * (tile_px * (h + row_gap) // h) + 10, margin=dict(l=5, r=5, t=5, b=5),
        plot_bgcolor="rgba(0,0,0,0)"))


def digit_grid_figure(images: np.ndarray, true: Sequence[int], predicted: Sequence[int],
                      confidence: Sequence[float], cols: int = 8, tile_px: int = 64) -> go.Figure:
    """Misclassified digits as 8×8 ink images titled "true → predicted (confidence)"."""
    titles = [f"{t}→{p} ({c:.0%})" for t, p, c in zip(true, predicted, confidence)]
    return image_grid_figure(images, titles, cols, colorscale="Greys", zmin=0.0, zmax=16.0,
                             title_colors=["#c0392b"] * len(titles), hover="ink %{z:.0f} / 16",
                             tile_px=tile_px)


def weight_images_figure(images: np.ndarray, cols: int = 8, tile_px: int = 64,
                         names: Sequence[str] | None = None) -> go.Figure:
    """First-layer weights as images: neuron j's weight from each pixel, blue > 0, orange < 0.

    Each image is divided by its own largest |w| (so every tile uses the full
    colour range, as in the classic Fashion-MNIST weight plots); the title gives that scale
    after the neuron's name (``names``, default h1, h2, …).
    """
    images = np.asarray(images, np.float64)
    scale = np.abs(images).reshape(len(images), -1).max(axis=1) if len(images) else np.zeros(0)
    scaled = images / np.where(scale > 0, scale, 1.0)[:, None, None]
    names = [f"h{j + 1}" for j in range(len(images))] if names is None else list(names)
    titles = [f"{nm} ±{s:.2g}" for nm, s in zip(names, scale)]
    return image_grid_figure(scaled, titles, cols, colorscale=_WEIGHTS, zmin=-1.0, zmax=1.0,
                             hover="weight / max|w| = %{z:.2f}", tile_px=tile_px)


def scatter_figure(x: np.ndarray, y: np.ndarray, labels: np.ndarray, task: str,
                   class_names: Sequence[str] = (), x_title: str = "", y_title: str = "",
                   height: int = 420) -> go.Figure:
    """Preview scatter: one trace per class (the class's colour and marker shape, as over the boundary)
    or, for regression, colour = target on the points' scale."""
    x, y = np.asarray(x, np.float32), np.asarray(y, np.float32)
    fig = go.Figure()
    marker = dict(size=6, opacity=0.8, line=dict(width=0.5, color="white"))
    if task == "classification":
        labels = np.asarray(labels, np.int64)
        k = max(len(class_names), int(labels.max()) + 1 if labels.size else 1)
        for c, (color, symbol) in enumerate(zip(class_colors(k), CLASS_SYMBOLS)):
            mask = labels == c
            name = safe_text(class_names[c]) if c < len(class_names) else f"class {c}"
            fig.add_trace(go.Scattergl(x=x[mask], y=y[mask], mode="markers", name=name,
                                       marker=dict(marker, color=color, symbol=symbol)))
    else:
        fig.add_trace(go.Scattergl(
            x=x, y=y, mode="markers", name="target",
            marker=dict(marker, color=np.asarray(labels, np.float32), colorscale=POINT_SCALE,
                        showscale=True, colorbar=dict(title="target", thickness=12))))
    fig.update_xaxes(title_text=safe_text(x_title))
    fig.update_yaxes(title_text=safe_text(y_title))
    fig.update_layout(height=height, margin=dict(l=50, r=10, t=10, b=40),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return fig


def history_figure(epochs: Sequence[float], series: dict[str, Sequence[float]], y_title: str,
                   percent: bool = False, height: int = 260) -> go.Figure:
    """Curves against epoch, e.g. ``{"train": losses, "test": losses}``; ``percent`` shows 0–100 %."""
    x = np.asarray(epochs, np.float32)
    dash, colors = {"train": "dot"}, {"train": "#7f7f7f", "test": BLUE}
    traces = [go.Scatter(x=x, y=np.asarray(v, np.float32) * (100 if percent else 1), mode="lines",
                         name=name, line=dict(width=2, dash=dash.get(name), color=colors.get(name)))
              for name, v in series.items()]
    return go.Figure(traces, dict(
        xaxis=dict(title_text="epoch", ticks="outside", ticklen=4),  # clear of the lowest y label
        yaxis=dict(title_text=y_title, ticksuffix=" %" if percent else "",
                   range=[0, 100.5] if percent else None, rangemode="tozero"),
        height=height, margin=dict(l=50, r=10, t=10, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0)))


def dataset_preview(data, size: int = 64) -> str:
    """A ``size`` × ``size`` PNG data URI of a data set's first two columns, for the data picker.

    Classes use their class colours (orange, blue, …); regression targets the
    points' map (``palette.POINT_SCALE``) over their range.  Points are 2 × 2 pixel dots on light grey.
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
        colors = colorize(y[None, :], lo, hi if hi > lo else lo + 1.0, "points")[0]
    else:
        palette = np.array([hex_to_rgb(c) for c in CLASS_COLORS], np.uint8)
        colors = palette[np.asarray(data.y) % len(palette)]
    col = np.clip(((cols[:, 0] - x0) / (x1 - x0) * (size - 1)).astype(np.intp), 0, size - 2)
    row = np.clip(((y1 - cols[:, 1]) / (y1 - y0) * (size - 1)).astype(np.intp), 0, size - 2)  # row 0 = top
    for dr in (0, 1):
        for dc in (0, 1):
            img[row + dr, col + dc] = colors
    return data_uri(encode_png(img))
