"""Predict, then reveal: the figures (``run/prediction.py`` holds the prediction, the grid and the scoring).

``paint_figure`` is the plane before training with the painted cells; ``reveal_figure`` is the network's real
boundary with the student's (dashed) and the wrong cells.
"""
from __future__ import annotations

import numpy as np

from playground.run.prediction import CELLS, cell_edges, score_cells
from playground.run.views import boundary_values, grid_for
from playground.viz.boundary import boundary_figure
from playground.viz.plotly_dicts import figure

__all__ = ["paint_figure", "reveal_figure"]


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
                          task="binary", class_names=trainer.data.class_names, hover=False, spec=True)
    layers = [_cell_layer(cells or [False] * CELLS * CELLS, grid.domain, "rgba(31,119,180,0.45)"),
              _grid_lines(grid.domain)]
    fig["data"] = layers + fig["data"]
    fig["layout"]["title"] = {"text": "Your prediction: click cells you expect to be positive (blue)",
                              "x": 0.02, "font": {"size": 14}}
    fig["layout"]["margin"] = {"l": 55, "r": 10, "t": 40, "b": 45}
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
                          class_names=trainer.data.class_names, hover=False, spec=True)
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
    fig["layout"]["title"] = {"text": "The network's boundary (colour) · yours (dashed) · wrong cells (✗)",
                              "x": 0.02, "font": {"size": 14}}
    fig["layout"]["margin"] = {"l": 55, "r": 10, "t": 40, "b": 45}
    return figure(fig["data"], fig["layout"], spec)
