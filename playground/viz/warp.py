"""How a layer warps the input space (ConvNetJS's "transformed space" view).

Every layer maps the plane to a new space, one axis per unit.  Draw the input
plane's grid lines and the data in the coordinates of two units of one layer
and you see what the layer did: tanh squashes and bends the grid, ReLU folds
it onto the axes, and in the last hidden layer the classes have been pulled
apart so that the output layer, one straight line, can cut between them::

    >>> from playground.run.config import Config
    >>> from playground.run.trainer import Trainer
    >>> t = Trainer(Config(dataset="xor", hidden=(4, 2)))
    >>> w = warped(t, layer=1, units=(0, 1))
    >>> len(w.lines), w.points.shape == (len(t.train.X), 2)
    (34, True)

``layer`` counts from 1 (the first hidden layer) to the output layer; ``units``
are two different units of it (0-based here, 1-based in links and on the page).
For data with more than two columns the "plane" is the Playground's slice
(two columns varied, the others at their mean); the data points are mapped with
all their columns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.run import views
from playground.core.network import NumpyMLP

__all__ = ["Warped", "LINES", "SAMPLES", "layer_choices", "warped", "parse_link", "link_query", "explanation", "figure"]

LINES = 17  # grid lines each way across the plane
SAMPLES = 60  # points along each grid line


@dataclass(frozen=True)
class Warped:
    lines: list[np.ndarray]  # (SAMPLES, 2) each: LINES "horizontal" lines, then LINES "vertical" ones
    points: np.ndarray  # (n_train, 2): the training points in the two units' coordinates
    labels: np.ndarray  # (n_train,) their classes or targets
    axis_names: tuple[str, str]


def layer_choices(trainer) -> list[tuple[int, str, int]]:
    """``(layer, label, units)`` for every layer with at least two units: hidden layers, then the output."""
    sizes = trainer.sizes
    acts = trainer.cfg.activations()
    out = []
    for l in range(1, len(sizes)):
        if sizes[l] < 2:
            continue
        last = l == len(sizes) - 1
        label = f"output layer ({sizes[l]} units)" if last else f"hidden layer {l} ({sizes[l]} {acts[l - 1]} units)"
        out.append((l, label, sizes[l]))
    return out


def _line_points(domain, lines: int, samples: int) -> np.ndarray:
    x0, x1, y0, y1 = domain
    t = np.linspace(0.0, 1.0, samples)
    pos = np.linspace(0.0, 1.0, lines)
    horiz = [np.column_stack([x0 + (x1 - x0) * t, np.full(samples, y0 + (y1 - y0) * p)]) for p in pos]
    vert = [np.column_stack([np.full(samples, x0 + (x1 - x0) * p), y0 + (y1 - y0) * t]) for p in pos]
    return np.concatenate(horiz + vert)


def warped(trainer, layer: int, units: tuple[int, int], lines: int = LINES, samples: int = SAMPLES) -> Warped:
    """The grid lines and the training points in the coordinates of ``units`` of ``layer``, at the current weights."""
    sizes = trainer.sizes
    if not 1 <= layer < len(sizes):
        raise ValueError(f"layer must be 1–{len(sizes) - 1}, got {layer}")
    i, j = (int(u) for u in units)
    if not (0 <= i < sizes[layer] and 0 <= j < sizes[layer]) or i == j:
        raise ValueError(f"units must be two different units 0–{sizes[layer] - 1}, got {units!r}")
    net = NumpyMLP(sizes, trainer.cfg.activations(), trainer.cfg.loss, trainer.params, dtype=np.float64)
    grid = views.grid_for(trainer, 2)
    raw = _line_points(grid.domain, lines, samples)
    # The grid's own input builder (features applied, other columns at their mean) on the lines' points.
    plane = views.Grid(grid.domain, samples, grid.xs, grid.ys, raw, grid.cols, grid.labels)
    with np.errstate(all="ignore"):
        on_lines = net.layer_outputs(plane.inputs(trainer))[layer - 1][:, [i, j]]
        at_points = net.layer_outputs(np.asarray(trainer.X_train, np.float64))[layer - 1][:, [i, j]]
    pieces = [on_lines[k * samples:(k + 1) * samples] for k in range(2 * lines)]
    name = "output" if layer == len(sizes) - 1 else f"layer {layer}"
    return Warped(pieces, at_points, np.asarray(trainer.train.y), (f"{name}, unit {i + 1}", f"{name}, unit {j + 1}"))


def parse_link(params, trainer) -> tuple[int, tuple[int, int], list[str]]:
    """``(layer, units (0-based), warnings)`` from a link's ``layer`` and ``units`` (1-based); never raises.

    Defaults: the last hidden layer with two or more units (else the output), its units 1 and 2."""
    choices = layer_choices(trainer)
    if not choices:
        return 0, (0, 1), []
    warnings: list[str] = []
    default = next((c for c in reversed(choices) if c[0] < len(trainer.sizes) - 1), choices[-1])
    layer, n = default[0], default[2]
    raw = str(params.get("layer", "") or "")
    if raw:
        found = next((c for c in choices if raw.isdigit() and len(raw) < 4 and c[0] == int(raw)), None)
        if found is None:
            ok = ", ".join(str(c[0]) for c in choices)
            warnings.append(f"layer {raw[:20]!r} is not a layer with two or more units ({ok}); using {layer}")
        else:
            layer, n = found[0], found[2]
    units = (0, 1)
    raw = str(params.get("units", "") or "")
    if raw:
        parts = raw.split(",")
        good = len(parts) == 2 and all(p.isdigit() and len(p) < 4 and 1 <= int(p) <= n for p in parts) \
            and parts[0] != parts[1]
        if good:
            units = (int(parts[0]) - 1, int(parts[1]) - 1)
        else:
            warnings.append(f"units {raw[:20]!r} must be two different unit numbers 1–{n}, e.g. 1,2; using 1,2")
    return layer, units, warnings


def link_query(layer: int, units: tuple[int, int]) -> str:
    return f"layer={layer}&units={units[0] + 1},{units[1] + 1}"


def explanation(activation: str) -> str:
    return ("The faint lines are the input plane's grid: straight and evenly spaced where the data live. Each is "
            "drawn here where the chosen two units send it, and every training point where they send it. A layer "
            "is a linear map (it shears, rotates and scales the grid) followed by the activation "
            f"({activation}), which bends it: tanh and sigmoid squash the far parts together, ReLU folds them "
            "onto the axes. Train and watch the grid stretch until, in the last hidden layer, the classes sit on "
            "opposite sides of a line the output can draw.")


def figure(w: Warped, task: str, n_classes: int = 2) -> dict:
    """The warped plane as a Plotly figure dict: grid lines (two families, one trace each) and the points."""
    from playground.viz.palette import CLASS_COLORS, DIVERGING

    half = len(w.lines) // 2
    data = []
    for name, family, colour in (("grid: rows of the plane", w.lines[:half], "rgba(8,119,189,0.35)"),
                                 ("grid: columns of the plane", w.lines[half:], "rgba(245,147,34,0.35)")):
        xs = np.concatenate([np.append(p[:, 0], np.nan) for p in family]).astype(np.float32)
        ys = np.concatenate([np.append(p[:, 1], np.nan) for p in family]).astype(np.float32)
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": name, "hoverinfo": "skip",
                     "line": {"color": colour, "width": 1.2}})
    P = w.points.astype(np.float32)
    if task == "regression":
        data.append({"type": "scatter", "x": P[:, 0], "y": P[:, 1], "mode": "markers", "name": "training points",
                     "marker": {"color": w.labels.astype(np.float32), "colorscale": DIVERGING, "size": 7,
                                "line": {"color": "white", "width": 1}}})
    else:
        for c in range(max(n_classes, 2)):
            m = w.labels == c
            if m.any():
                data.append({"type": "scatter", "x": P[m, 0], "y": P[m, 1], "mode": "markers", "name": f"class {c}",
                             "marker": {"color": CLASS_COLORS[c % len(CLASS_COLORS)], "size": 7,
                                        "line": {"color": "white", "width": 1}}})
    layout = {"xaxis": {"title": {"text": w.axis_names[0]}, "zeroline": True},
              "yaxis": {"title": {"text": w.axis_names[1]}, "zeroline": True, "scaleanchor": "x", "scaleratio": 1},
              "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
              "margin": {"l": 55, "r": 10, "t": 30, "b": 45},
              "hovermode": "closest"}
    return {"data": data, "layout": layout}
