"""The decision boundary: the network's output over the input plane, with the data on top.

The plane is one picture (a layout image), so a live frame sends a PNG instead of a heatmap's
numbers; its colours and the points' colours and marker shapes come from ``palette.py``.
Display numbering is 1-based; ``layout.uirevision`` keeps a zoom through live redraws.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.viz.palette import DIVERGING, POINT_SCALE, class_image, class_marker
from playground.viz.plotly_dicts import GL_POINTS, f32, figure, safe_text
from playground.viz.png import data_uri, encode_png, picture_source

__all__ = ["boundary_figure", "boundary_picture"]

_DARK_OUTLINE = "#1f1f1f"
_POINT_PX = 8  # marker size: big enough to tell a triangle from a diamond


def _point_traces(X, y, split: str, *, task, n_classes, class_names, labels, sizes=None, ids=None) -> list[dict]:
    """Data points: training filled with a white outline, test with a dark outline (TF's style).

    Each class has its own colour and marker shape (``palette.class_marker``); regression points
    are coloured by target on ``palette.POINT_SCALE``.  One trace per class, so the legend names
    the classes; the test traces share one legend entry ("test points") that shows or hides them all.
    ``sizes``: one marker diameter per point (else ``_POINT_PX``); ``ids``: one number per point, sent
    back by a click.
    """
    def per_point(mask):
        extra = {}
        if sizes is not None:
            extra["size"] = f32(np.asarray(sizes)[mask])
        return extra, ({} if ids is None else {"customdata": np.asarray(ids, np.int32)[mask]})

    if len(X) == 0:
        return []
    kind = "scattergl" if len(X) > GL_POINTS else "scatter"
    test = split == "test"
    line = {"color": _DARK_OUTLINE if test else "white", "width": 1.4 if test else 1.0}
    where = f"{safe_text(labels[0])} = %{{x:.2f}}<br>{safe_text(labels[1])} = %{{y:.2f}}<br>"
    if task == "regression":
        size, custom = per_point(slice(None))
        return [{"type": kind, "x": f32(X[:, 0]), "y": f32(X[:, 1]), "mode": "markers", "name": f"{split} points",
                 "marker": {"color": f32(y), "coloraxis": "coloraxis", "size": _POINT_PX, "line": line, **size}, **custom,
                 "hovertemplate": where + f"target = %{{marker.color:.3f}} ({split})<extra></extra>"}]
    out: list[dict] = []
    for c in range(max(n_classes, 2)):
        mask = y == c
        if not mask.any():
            continue
        name = safe_text(class_names[c]) if c < len(class_names) else f"class {c}"
        size, custom = per_point(mask)
        out.append({
            "type": kind, "x": f32(X[mask, 0]), "y": f32(X[mask, 1]), "mode": "markers",
            "name": "test points" if test else name, "legendgroup": "test" if test else f"class {c}",
            "showlegend": not (test and out),
            "marker": {**class_marker(c), "size": _POINT_PX, "line": line, **size}, **custom,
            "hovertemplate": where + f"{name} ({split})<extra></extra>",
        })
    return out


def _plane_image(source: str | dict, grid) -> dict:
    """The plane's picture (a ``png.picture_source``, rows top-down) as a layout image over the grid's cells.

    Each pixel covers one grid cell, centred on its grid point, as a heatmap's would.
    """
    xs, ys = np.asarray(grid.xs, np.float64), np.asarray(grid.ys, np.float64)
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    return {"source": source, "xref": "x", "yref": "y", "x": float(xs[0]) - dx / 2, "y": float(ys[-1]) + dy / 2,
            "sizex": dx * len(xs), "sizey": dy * len(ys), "sizing": "stretch", "layer": "below"}


def _plane(values: np.ndarray, train, test, *, task: str, discretize: bool, pixels: bool):
    """The plane's picture as ``(source, z, (lo, hi))``: ``source`` a layout image's (``png.picture_source``; row 0
    of the grid is y_min, a picture's first row its top, hence the flip), ``z`` the values coloured (``None`` for
    multi-class, whose blended colours are always a PNG), on the range ``lo``–``hi`` (binary −1 to 1; regression
    the targets' range, stable while training)."""
    if task == "multiclass":
        return data_uri(encode_png(np.ascontiguousarray(class_image(values, discretize)[::-1]), level=1)), None, (0.0, 1.0)
    z = f32(values)
    if discretize and task == "binary":
        z = np.where(z >= 0, np.float32(1), np.float32(-1))
    if task == "binary":
        lo, hi = -1.0, 1.0
    else:
        targets = np.concatenate([np.asarray(p[1], np.float64) for p in (train, test) if p is not None])
        lo, hi = (float(targets.min()), float(targets.max())) if targets.size else (-1.0, 1.0)
        lo, hi = (lo - 1.0, hi + 1.0) if hi <= lo else (lo, hi)
    return picture_source(z[::-1], lo, hi, "boundary", pixels=pixels), z, (lo, hi)


def boundary_picture(values: np.ndarray, grid, train, test=None, *, task: str, discretize: bool = False,
                     pixels: bool = False) -> dict:
    """The figure's ``layout.images`` entry alone (the plane's picture, as ``boundary_figure`` draws it from the
    same arguments): what changes from one live frame to the next while the points stay (``hover=False``).
    ``pixels``: painted by the live chart in the browser (``png.picture_source``)."""
    if task not in ("binary", "multiclass", "regression"):
        raise ValueError(f"task must be 'binary', 'multiclass' or 'regression', got {task!r}")
    return _plane_image(_plane(values, train, test, task=task, discretize=discretize, pixels=pixels)[0], grid)


def boundary_figure(values: np.ndarray, grid, train, test=None, *, task: str, n_classes: int = 2,
                    discretize: bool = False, show_test: bool = True, class_names=(), title: str = "",
                    hover: bool = True, spec: bool = False, train_sizes=None, train_ids=None,
                    pixels: bool = False) -> go.Figure | dict:
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
        train_sizes, train_ids: one marker diameter and one number per training point
            (``drivers``: sized by loss or gradient, the number coming back with a click).
        pixels: the plane's picture as colour indices that the live chart paints in the browser
            (``png.picture_source``): for ``live_plotly`` only.

    Draws: the plane as a pale picture (a layout image; ``palette.PALETTES["boundary"]``
    and ``palette.class_image``) under saturated points, so every point's class stays
    readable wherever it lies: binary → the output, pale orange (−1) · grey (0) · pale
    blue (+1), or only its sign with ``discretize``; multi-class → each pixel the winning
    class's pale colour, fading to grey where the network is unsure (full with
    ``discretize``); regression → the prediction on the pale version of the points'
    target scale (one colour bar, the points').  Each class has its own colour and marker
    shape; training points have a white outline, test points a dark one.  Axes are
    equally scaled and fixed to the grid's box.
    """
    if task not in ("binary", "multiclass", "regression"):
        raise ValueError(f"task must be 'binary', 'multiclass' or 'regression', got {task!r}")
    xs, ys = f32(grid.xs), f32(grid.ys)
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
    source, z, (lo, hi) = _plane(values, train, test, task=task, discretize=discretize, pixels=pixels)
    if task == "regression":
        layout["coloraxis"] = {"colorscale": POINT_SCALE, "cmin": lo, "cmax": hi,
                               "colorbar": {"title": {"text": "target"}, "thickness": 12, "len": 0.6,
                                            "y": 0.0, "yanchor": "bottom"}}
    if hover and task != "multiclass":
        data.append({"type": "heatmap", "x": xs, "y": ys, "z": z, "opacity": 0, "showscale": False,
                     "colorscale": DIVERGING, "zmin": lo, "zmax": hi,
                     "hovertemplate": where + ("output = %{z:.3f}" if task == "binary" else "prediction = %{z:.3f}")
                     + "<extra></extra>"})
    layout["images"] = [_plane_image(source, grid)]
    cols = list(grid.cols)
    for split, part in (("train", train), ("test", test if show_test else None)):
        if part is None:
            continue
        X, y = np.asarray(part[0]), np.asarray(part[1])
        X = X[:, cols] if X.shape[1] > 2 or cols != [0, 1] else X
        train_only = {"sizes": train_sizes, "ids": train_ids} if split == "train" else {}
        data += _point_traces(X, y, split, task=task, n_classes=n_classes, class_names=tuple(class_names),
                              labels=(lx, ly), **train_only)
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "outside"}
    layout["xaxis"] = {**axis, "range": [x0, x1], "title": {"text": lx}}
    layout["yaxis"] = {**axis, "range": [y0, y1], "title": {"text": ly}, "scaleanchor": "x", "scaleratio": 1}
    if title:
        layout["title"] = {"text": title, "x": 0.02, "font": {"size": 15}}
    return figure(data, layout, spec)
