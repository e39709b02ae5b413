"""Input features: TF Playground's hand-made transforms of the two coordinates.

A network on a 2-D data set does not have to see only (x₁, x₂): like TF
Playground, the user may also feed it x₁², x₂², x₁x₂, sin x₁ and sin x₂. With
x₁² and x₂² a single neuron can already draw the circle's boundary. The names
(``x1``, ``x1sq``, …) appear in public share links, so they must never change.

>>> import numpy as np
>>> feature_matrix(np.array([[1.0, 2.0]]), ["x1", "x2sq", "x1x2"])
array([[1., 4., 2.]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

__all__ = ["DEFAULT_FEATURES", "FEATURES", "Feature", "feature_matrix", "grid"]

# fn(x1, x2, out=None) -> values, each of shape (n,). Every entry is a NumPy ufunc call
# so that `feature_matrix` can write straight into a column of its preallocated output.
FeatureFn = Callable[..., np.ndarray]


@dataclass(frozen=True)
class Feature:
    """One input feature: a name for links, labels for the UI, and how to compute it."""

    name: str  # as in share links: "x1sq"
    label: str  # as drawn on the network diagram: "X₁²"
    latex: str  # as in formulas: r"x_1^2"
    fn: FeatureFn

    def __repr__(self) -> str:
        return f"Feature({self.name!r}, {self.label!r})"


FEATURES: dict[str, Feature] = {f.name: f for f in [
    Feature("x1", "X₁", r"x_1", lambda a, b, out=None: np.positive(a, out=out)),
    Feature("x2", "X₂", r"x_2", lambda a, b, out=None: np.positive(b, out=out)),
    Feature("x1sq", "X₁²", r"x_1^2", lambda a, b, out=None: np.multiply(a, a, out=out)),
    Feature("x2sq", "X₂²", r"x_2^2", lambda a, b, out=None: np.multiply(b, b, out=out)),
    Feature("x1x2", "X₁X₂", r"x_1 x_2", lambda a, b, out=None: np.multiply(a, b, out=out)),
    Feature("sinx1", "sin(X₁)", r"\sin(x_1)", lambda a, b, out=None: np.sin(a, out=out)),
    Feature("sinx2", "sin(X₂)", r"\sin(x_2)", lambda a, b, out=None: np.sin(b, out=out)),
]}

DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")


def feature_matrix(X2: np.ndarray, names: Sequence[str], dtype=np.float64) -> np.ndarray:
    """Stack the chosen features of 2-D points into a network's input matrix.

    Args:
        X2: (n, 2) points (x₁, x₂).
        names: feature names from `FEATURES`, in input order (duplicates allowed).
        dtype: output dtype (float32 for torch).

    Returns:
        (n, k) array, column j = ``FEATURES[names[j]]`` applied to the points.

    Called on a 100×100 grid every frame, so each column is written in place
    into one preallocated array: no per-feature temporaries, no stacking.
    """
    X2 = np.asarray(X2)
    if X2.ndim != 2 or X2.shape[1] != 2:
        raise ValueError(f"features are computed from 2-D points: X2 must have shape (n, 2); "
                         f"got {X2.shape}")
    if isinstance(names, str):  # a bare "x1" would otherwise iterate as "x", "1"
        names = [names]
    if len(names) == 0:
        raise ValueError(f"choose at least one input feature from: {', '.join(FEATURES)}")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {', '.join(map(repr, unknown))}; "
                         f"choose from: {', '.join(FEATURES)}")
    out = np.empty((X2.shape[0], len(names)), dtype=dtype)
    x1, x2 = X2[:, 0], X2[:, 1]
    for j, name in enumerate(names):
        # casting="same_kind" (the ufunc default) lets float64 inputs fill a float32 column
        FEATURES[name].fn(x1, x2, out=out[:, j])
    return out


def grid(domain: tuple[float, float, float, float], resolution: int = 100
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A regular grid over ``domain = (x_min, x_max, y_min, y_max)`` for decision-boundary plots.

    Returns ``xs`` (res,), ``ys`` (res,) and ``XY`` (res·res, 2), row-major:
    ``XY[iy * res + ix] == (xs[ix], ys[iy])``, so predictions on ``XY`` reshaped
    to (res, res) are ``z[iy, ix]``, the layout Plotly heatmaps/contours expect.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or not 2 <= resolution <= 1000:
        raise ValueError(f"grid resolution must be an integer from 2 to 1000; got {resolution!r}")
    if len(domain) != 4:
        raise ValueError(f"domain must be (x_min, x_max, y_min, y_max); got {domain!r}")
    x0, x1, y0, y1 = (float(v) for v in domain)
    if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
        raise ValueError(f"domain needs finite bounds with x_min < x_max and y_min < y_max; "
                         f"got {domain!r}")
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    XY = np.empty((resolution * resolution, 2))
    XY[:, 0] = np.tile(xs, resolution)  # ix varies fastest
    XY[:, 1] = np.repeat(ys, resolution)
    return xs, ys, XY
