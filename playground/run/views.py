"""The numbers behind the Playground's views, computed from a `Trainer`.

Figures (``viz/``) only draw; this module does the arithmetic: a grid over
the input plane, every neuron's output on it (one forward pass), what the
decision-boundary plot colours, the pre-activation ranges for the activation
plot, and the arguments of the network diagram.

The grid lives in the space the network's data live in: raw coordinates for the
2-D sets, z-scores for standardised real data.  Data with more than two
columns is shown as a 2-D *slice*: two columns vary over the plane, every other
column is held at its training mean (0 after standardising)::

    >>> from playground.run.config import Config
    >>> from playground.run.trainer import Trainer
    >>> t = Trainer(Config(dataset="xor", hidden=(4,)))
    >>> g = grid_for(t, res=50)
    >>> [m.shape for m in neuron_maps(t, g)]
    [(50, 50, 4), (50, 50, 1)]
    >>> boundary_values(t, g).shape
    (50, 50)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from playground.data.datasets import Data, domain as data_domain
from playground.core.features import FEATURES, grid as feature_grid
from playground.run.sizes import n_weights

__all__ = [
    "Grid", "make_grid", "grid_for", "grid_resolution", "GRID_MACS", "redraw_seconds",
    "REDRAW_LINKS", "REDRAW_SESSIONS", "neuron_maps", "input_maps", "boundary_values",
    "preactivation_ranges", "network_kwargs", "input_labels", "RUG_SAMPLE", "epoch_progress_caption",
]

RUG_SAMPLE = 500  # most pre-activation values handed to a histogram / rug


@dataclass(eq=False)
class Grid:
    """A res × res grid over ``domain = (x_min, x_max, y_min, y_max)``.

    ``points[iy * res + ix] == (xs[ix], ys[iy])`` (row-major, y outer), so any
    per-point result reshaped to (res, res) is ``z[iy, ix]`` with row 0 at the
    bottom (``y_min``): the layout Plotly heatmaps expect.  ``cols`` are the
    two data columns the plane varies; ``labels`` name them for axis titles.
    """

    domain: tuple[float, float, float, float]
    res: int
    xs: np.ndarray  # (res,)
    ys: np.ndarray  # (res,)
    points: np.ndarray  # (res*res, 2) float64
    cols: tuple[int, int] = (0, 1)
    labels: tuple[str, str] = ("x1", "x2")
    _cache: dict = field(default_factory=dict, repr=False)

    def inputs(self, trainer) -> np.ndarray:
        """Network inputs (res*res, n_inputs) for this grid: features applied, other columns at the mean.

        Cached: the page asks every frame, and the inputs change only with the
        features, the dtype or the data (one entry kept, so memory stays bounded).
        """
        d = trainer.train.X.shape[1]
        fill = trainer.train.X.mean(axis=0) if d > 2 else None
        key = (tuple(trainer.cfg.features), str(trainer.dtype), d,
               None if fill is None else fill.tobytes())
        hit = self._cache.get(key)
        if hit is None:
            if d == 2 and self.cols == (0, 1):
                raw = self.points
            elif d == 2:
                raw = self.points[:, [self.cols.index(0), self.cols.index(1)]]
            else:
                raw = np.empty((len(self.points), d))
                raw[:] = fill
                raw[:, self.cols[0]] = self.points[:, 0]
                if self.cols[1] != self.cols[0]:
                    raw[:, self.cols[1]] = self.points[:, 1]
            hit = np.ascontiguousarray(trainer.inputs(raw))
            self._cache.clear()
            self._cache[key] = hit
        return hit

    def __repr__(self) -> str:
        return f"Grid({self.res}×{self.res} over {self.domain}, cols={self.cols})"


def make_grid(domain, res: int = 100, *, cols: tuple[int, int] = (0, 1),
              labels: tuple[str, str] = ("x1", "x2")) -> Grid:
    """A `Grid` over ``domain``; build it once per (domain, resolution, columns) and reuse it."""
    xs, ys, points = feature_grid(domain, res)
    return Grid(tuple(float(v) for v in domain), int(res), xs, ys, points, tuple(cols), tuple(labels))


#: Most multiply-adds the forward pass of every neuron over one drawn grid may cost (~12 ms on a
#: shared 2-core VM): a bigger network is drawn on a coarser grid (see ``grid_resolution``).
GRID_MACS = 2.5e7


def grid_resolution(sizes, res: int) -> int:
    """``res``, or the finest coarser grid (≥ 10 × 10) whose forward pass through a network of
    ``sizes`` stays within ``GRID_MACS``: drawing the heaviest network the caps allow (8 × 64,
    ~29,000 weights) then costs a fraction of a frame instead of half of it (~35 ms at 50 × 50)."""
    return max(10, min(int(res), math.isqrt(int(GRID_MACS // max(n_weights(sizes), 1)))))


#: Links (weights) the network diagram draws at its usual pace; a bigger network is redrawn less often.
REDRAW_LINKS = 2_000


#: With more sessions than this training on one server process, each redraws its diagram less often.
REDRAW_SESSIONS = 6


def redraw_seconds(sizes, seconds: float, sessions: int = 1) -> float:
    """How often to redraw the network diagram while training: ``seconds``, times links / REDRAW_LINKS
    above REDRAW_LINKS, times sessions / REDRAW_SESSIONS above REDRAW_SESSIONS (``sessions``: how many
    train on this server now).  Every weight is a line: 8 × 64 hidden (~29,000 links) makes a ~1.4 MB
    figure, which at the usual pace took most of every frame's budget from training; a redraw of the
    default diagram costs the server ~3 ms, so twelve students redrawing it every 0.45 s took ~8 % of a
    core from their training (the boundary and the loss curves carry the motion; the diagram follows)."""
    return seconds * max(1.0, n_weights(sizes) / REDRAW_LINKS) * max(1.0, sessions / REDRAW_SESSIONS)


def epoch_progress_caption(epoch: int, progress: float, batches: int) -> str | None:
    """The line under the Epoch counter while an epoch trains over several frames (None between epochs).

    ``epoch`` counts evaluated epochs, so the one in progress is ``epoch + 1``; ``progress`` is the
    trainer's ``epoch_progress``.  Its mini-batches can all be done before its evaluation (progress 1):
    then the line says so instead of "25 of 25", which read as a finished epoch with the next one's number.

        >>> epoch_progress_caption(3, 0.4, 25), epoch_progress_caption(3, 1.0, 25)
        ('Epoch 4: 10 of 25 mini-batches', 'Epoch 4: all 25 mini-batches trained, evaluating')
        >>> epoch_progress_caption(3, 0.0, 25) is None
        True
    """
    done = min(batches, round(progress * batches))
    if done <= 0 or batches <= 0:
        return None
    if done >= batches:
        return f"Epoch {epoch + 1:,}: all {batches:,} mini-batches trained, evaluating"
    return f"Epoch {epoch + 1:,}: {done:,} of {batches:,} mini-batches"


def grid_for(trainer, res: int = 100, cols: tuple[int, int] = (0, 1)) -> Grid:
    """The grid a trainer's plots use: TF's [−6, 6]² for 2-D sets, the data's own box otherwise.

    For real data the box covers the (standardised) training and test points
    in columns ``cols``, widened by 5 %; axis labels are the column names.
    """
    train, test = trainer.train, trainer.test
    d = train.X.shape[1]
    cols = (0, 0) if d == 1 else tuple(int(c) for c in cols)  # one column: the plane is that column twice
    if len(cols) != 2 or not all(0 <= c < d for c in cols) or (d > 1 and cols[0] == cols[1]):
        raise ValueError(f"cols must be two different column indices in 0..{d - 1}; got {cols!r}")
    X = np.concatenate([train.X, test.X])[:, list(cols)]
    y = np.concatenate([train.y, test.y])
    names = tuple(train.feature_names[c] for c in cols)
    box = data_domain(Data(X, y, train.task, train.n_classes, names, train.name, train.class_names))
    if d > 2 and trainer.cfg.standardize:
        names = tuple(f"{n} (standardised)" for n in names)
    return make_grid(box, res, cols=cols, labels=names)


def _as_maps(outputs, res: int) -> list[np.ndarray]:
    return [np.asarray(o, np.float32).reshape(res, res, -1) for o in outputs]


def neuron_maps(trainer, grid: Grid) -> list[np.ndarray]:
    """Every neuron's output over the grid: ``[hidden 1, …, output]``, each (res, res, units) float32.

    One forward pass (``net.layer_outputs``) on the cached grid inputs.
    """
    return _as_maps(trainer.net.layer_outputs(grid.inputs(trainer)), grid.res)


def input_maps(trainer, grid: Grid) -> np.ndarray:
    """The network's inputs over the grid, (res, res, n_inputs) float32: what input nodes show."""
    return _as_maps([grid.inputs(trainer)], grid.res)[0]


def boundary_values(trainer, grid: Grid, maps: list[np.ndarray] | None = None) -> np.ndarray:
    """What the decision-boundary plot colours, float32 and finite.

    * binary: the output on the [−1, 1] scale, (res, res): a tanh output as is,
      a sigmoid probability p as 2p − 1, a 2-way softmax as 2·p₁ − 1;
    * multi-class: softmax probabilities, (res, res, K);
    * regression: the prediction, (res, res).

    Pass ``maps`` from `neuron_maps` to reuse its forward pass.
    """
    if maps is not None:
        out = maps[-1]
    else:
        out = _as_maps([trainer.net.evaluate(grid.inputs(trainer), None)[1]], grid.res)[0]
    output = trainer.loss.output
    if trainer.task == "multiclass":
        v = out
    elif trainer.task == "regression" or output == "tanh":
        v = out[..., 0]
    elif output == "softmax":
        v = 2.0 * out[..., 1] - 1.0
    else:  # sigmoid probability of class 1
        v = 2.0 * out[..., 0] - 1.0
    # Trainer keeps its weights finite, but a huge linear output can still overflow float32.
    return np.nan_to_num(np.asarray(v, np.float32), nan=0.0, posinf=3.0e38, neginf=-3.0e38)


def preactivation_ranges(trainer, sample: int = RUG_SAMPLE) -> list[tuple[float, float, np.ndarray]]:
    """Per hidden layer, ``(lo, hi, values)``: the range of z = a·W + b over the training inputs.

    ``values`` is an evenly strided subsample (≤ ``sample`` values, float32,
    no randomness needed) for a rug or histogram beside the activation curve.
    """
    zs = trainer.net.pre_activations(trainer.X_train)[:-1]  # the output layer is not a hidden one
    out = []
    for z in zs:
        flat = np.asarray(z, np.float32).ravel()
        flat = flat[np.isfinite(flat)]
        if flat.size == 0:
            out.append((0.0, 0.0, np.zeros(0, np.float32)))
            continue
        pick = flat if flat.size <= sample else flat[np.linspace(0, flat.size - 1, sample).astype(np.intp)]
        out.append((float(flat.min()), float(flat.max()), pick))
    return out


def input_labels(trainer) -> tuple[str, ...]:
    """Names of the network's inputs: feature labels (X₁, X₁², …) for 2-D data, column names otherwise."""
    if trainer.train.X.shape[1] == 2:
        return tuple(FEATURES[f].label for f in trainer.cfg.features)
    return tuple(trainer.train.feature_names)


def network_kwargs(trainer, grid: Grid | None = None, maps: list[np.ndarray] | None = None) -> dict:
    """Keyword arguments for ``network_figure.network_figure`` from a trainer (thumbnails if a grid is given).

        network_figure(**network_kwargs(t, grid), color_by="gradient")
    """
    kw = {
        "sizes": list(trainer.sizes),
        "input_labels": input_labels(trainer),
        "params": trainer.params,
        "grads": trainer.last_grads,
        "activation_names": tuple(trainer.cfg.activations()),
        "output_label": trainer.loss.output,
    }
    if grid is not None:
        maps = maps if maps is not None else neuron_maps(trainer, grid)
        kw["neuron_maps"] = [input_maps(trainer, grid), *maps]
    return kw
