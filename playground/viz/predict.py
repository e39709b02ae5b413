"""Predict, then reveal: the figures (``run/prediction.py`` holds the prediction, the grid and the scoring).

``paint_figure`` is the plane before training with the painted cells; ``reveal_figure`` is the network's real
boundary with the student's (dashed) and the wrong cells.  In a room, the teacher sees each student's painted
grid as a small picture beside the network's (``cells_png``) and the class's average beside the truth
(``class_figure``).
"""
from __future__ import annotations

import numpy as np

from playground.run.prediction import CELLS, cell_edges, score_cells
from playground.run.views import boundary_values, grid_for
from playground.viz.boundary import boundary_figure
from playground.viz.palette import CLASS_COLORS, NEUTRAL, PALE_CLASS_COLORS, hex_to_rgb
from playground.viz.plotly_dicts import figure, safe_text
from playground.viz.png import encode_png

__all__ = ["paint_figure", "reveal_figure", "cells_png", "class_figure"]


# ----- figures -------------------------------------------------------------------------------------
def _cell_layer(cells, domain, color: str) -> dict:
    xe, ye = cell_edges(domain)
    xc, yc = (xe[:-1] + xe[1:]) / 2, (ye[:-1] + ye[1:]) / 2
    z = np.where(np.asarray(cells, bool).reshape(CELLS, CELLS), 1.0, np.nan).astype(np.float32)
    return {"type": "heatmap", "x": xc.astype(np.float32), "y": yc.astype(np.float32), "z": z, "showscale": False,
            "colorscale": [[0, color], [1, color]], "hoverinfo": "skip", "xgap": 1, "ygap": 1}


def _grid_lines(domain) -> dict:
    xe, ye = cell_edges(domain)
    x0, x1, y0, y1 = domain
    xs, ys = [], []
    for x in xe:
        xs += [float(x), float(x), None]
        ys += [y0, y1, None]
    for y in ye:
        xs += [x0, x1, None]
        ys += [float(y), float(y), None]
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip", "showlegend": False,
            "line": {"color": "rgba(80,80,80,0.35)", "width": 1}}


def paint_figure(trainer, cells, *, spec: bool = False):
    """The plane before training: the data on a blank background, the painted cells in blue, cell lines."""
    grid = grid_for(trainer, 20)
    fig = boundary_figure(np.zeros((grid.res, grid.res), np.float32), grid, (trainer.train.X, trainer.train.y),
                          task="binary", class_names=trainer.data.class_names, hover=False, spec=True,
                          title="Your prediction: click cells you expect to be positive (blue)")  # legend beside
    layers = [_cell_layer(cells or [False] * CELLS * CELLS, grid.domain, "rgba(31,119,180,0.45)"),
              _grid_lines(grid.domain)]
    fig["data"] = layers + fig["data"]
    fig["layout"]["title"]["font"] = {"size": 14}
    return figure(fig["data"], fig["layout"], spec)


def _outline(cells, domain) -> dict:
    """The edges between predicted-positive and predicted-negative cells: the student's boundary."""
    p = np.asarray(cells, bool).reshape(CELLS, CELLS)
    xe, ye = cell_edges(domain)
    xs, ys = [], []
    for iy in range(CELLS):
        for ix in range(CELLS):
            if ix + 1 < CELLS and p[iy, ix] != p[iy, ix + 1]:
                xs += [float(xe[ix + 1])] * 2 + [None]
                ys += [float(ye[iy]), float(ye[iy + 1]), None]
            if iy + 1 < CELLS and p[iy, ix] != p[iy + 1, ix]:
                xs += [float(xe[ix]), float(xe[ix + 1]), None]
                ys += [float(ye[iy + 1])] * 2 + [None]
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "name": "your boundary", "hoverinfo": "skip",
            "line": {"color": "black", "width": 3, "dash": "dash"}}


def reveal_figure(trainer, cells, truth, *, spec: bool = False):
    """The network's real boundary, the student's boundary (dashed) and the wrong cells (red ✗)."""
    grid = grid_for(trainer, 60)
    fig = boundary_figure(boundary_values(trainer, grid), grid, (trainer.train.X, trainer.train.y), task="binary",
                          class_names=trainer.data.class_names, hover=False, spec=True,
                          title="The network's boundary (colour) · yours (dashed) · wrong cells (✗)")  # legend beside
    xe, ye = cell_edges(grid.domain)
    xc, yc = (xe[:-1] + xe[1:]) / 2, (ye[:-1] + ye[1:]) / 2
    miss = np.asarray(score_cells(cells, truth).misses).reshape(CELLS, CELLS)
    iy, ix = np.nonzero(miss)
    extra = [_outline(cells, grid.domain)]
    if len(iy):
        extra.append({"type": "scatter", "mode": "markers", "x": xc[ix].astype(np.float32),
                      "y": yc[iy].astype(np.float32), "name": "wrong cells", "hoverinfo": "skip",
                      "marker": {"symbol": "x-thin", "size": 18, "line": {"color": "#d62728", "width": 3}}})
    fig["data"] = fig["data"] + extra
    fig["layout"]["title"]["font"] = {"size": 14}
    return figure(fig["data"], fig["layout"], spec)


# ----- the teacher's room: predictions beside the truth -----------------------------------------------
_MISS = np.array([214, 39, 40], np.uint8)  # the reveal's red


def cells_png(cells, truth=None, px: int = 10) -> bytes:
    """A small PNG of a painted grid: blue where painted positive, orange elsewhere (the Playground's class
    colours), thin white lines between cells, top row = top of the plane; with ``truth``, the cells that
    disagree with it get a red frame."""
    n = CELLS * px
    colours = np.array([hex_to_rgb(PALE_CLASS_COLORS[0]), hex_to_rgb(CLASS_COLORS[1])], np.uint8)
    grid = np.asarray(cells, bool).reshape(CELLS, CELLS)[::-1]  # row 0 at the top of the picture
    img = colours[grid.astype(int)].repeat(px, axis=0).repeat(px, axis=1)
    if truth is not None:
        miss = (np.asarray(truth, bool).reshape(CELLS, CELLS)[::-1] != grid)
        frame = np.zeros((px, px), bool)
        frame[:2], frame[-2:], frame[:, :2], frame[:, -2:] = True, True, True, True
        img[np.kron(miss, frame).astype(bool)] = _MISS
    img[::px], img[:, ::px] = 255, 255
    img = np.concatenate([img, np.full((1, n, 3), 255, np.uint8)])  # the last row and column of lines
    img = np.concatenate([img, np.full((n + 1, 1, 3), 255, np.uint8)], axis=1)
    return encode_png(np.ascontiguousarray(img), level=9)


def class_figure(average, truth, *, dataset: str = "", spec: bool = False):
    """The class's average prediction (share painting each cell positive, orange 0 % → blue 100 %) beside
    the network's own cells, the truth they were scored against (a blank panel until someone's is revealed)."""
    c = np.arange(CELLS, dtype=np.float32)
    scale = [[0, PALE_CLASS_COLORS[0]], [0.5, NEUTRAL], [1, CLASS_COLORS[1]]]
    avg = np.asarray(average, np.float32).reshape(CELLS, CELLS)
    data = [{"type": "heatmap", "x": c, "y": c, "z": avg * 100, "zmin": 0, "zmax": 100, "colorscale": scale,
             "xgap": 1, "ygap": 1, "xaxis": "x", "yaxis": "y", "hovertemplate": "%{z:.0f} % painted it<extra></extra>",
             "colorbar": {"title": {"text": "% of class"}, "ticksuffix": " %", "len": 0.9, "x": 1.02}}]
    if truth is not None:
        z = np.asarray(truth, bool).reshape(CELLS, CELLS).astype(np.float32) * 100
        data.append({"type": "heatmap", "x": c, "y": c, "z": z, "zmin": 0, "zmax": 100, "colorscale": scale,
                     "showscale": False, "xgap": 1, "ygap": 1, "xaxis": "x2", "yaxis": "y2", "hoverinfo": "skip"})
    axis = {"showticklabels": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    where = f" on {dataset}" if dataset else ""
    layout = {"xaxis": {**axis, "domain": [0, 0.45]}, "yaxis": {**axis, "scaleanchor": "x"},
              "xaxis2": {**axis, "domain": [0.52, 0.97], "range": [-0.5, CELLS - 0.5]},
              "yaxis2": {**axis, "anchor": "x2", "scaleanchor": "x2", "range": [-0.5, CELLS - 0.5]},
              "margin": {"l": 10, "r": 10, "t": 60, "b": 10}, "showlegend": False, "height": 340,
              "title": {"text": f"The class's average prediction{safe_text(where)} · the network's cells "
                                f"(the truth){'' if truth is not None else ': not revealed yet'}",
                        "x": 0.02, "font": {"size": 14}}}
    return figure(data, layout, spec)
