"""XOR with one hidden layer: the step after the perceptron's failure, for the Perceptron page.

The hidden units move the four corners into a space where one line does separate
them.  ``xor_table_data`` makes XOR's truth table a small noisy data set;
``hidden_view`` returns the hidden layer's space (the hidden activations, or their
projection) and the output unit's line in it; the rest is the page's glue: a
`Trainer` on XOR (``xor_trainer``), its decision surface and hidden activations.

>>> v = hidden_view([(np.eye(2), np.zeros(2)), (np.array([[1.0], [-1.0]]), np.zeros(1))], np.eye(2))
>>> v.method, v.line[1]
('units', 0.0)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.run.config import Config
from playground.data.datasets import Data, domain
from playground.core.features import grid
from playground.teach.perceptron import GATES, gate_inputs

__all__ = [
    "HiddenView", "xor_table_data", "pca_2d", "hidden_view",
    "XOR_SOURCES", "xor_config", "xor_trainer", "xor_box", "class1_probability", "decision_surface",
    "hidden_activations",
]


def xor_table_data(rng: np.random.Generator, per_corner: int = 25, spread: float = 0.2) -> Data:
    """XOR's truth table as a small cloud around each corner of the square, as `Data`.

    The inputs are centred, 0 ↦ −1 and 1 ↦ +1, because training is faster with
    zero-mean inputs; the labels are XOR's: class 1 on (−1, +1) and (+1, −1).
    """
    if per_corner < 2 or not 0 <= spread <= 1:
        raise ValueError(f"per_corner must be ≥ 2 and spread 0–1, got {per_corner!r}, {spread!r}")
    corners = 2.0 * gate_inputs(2) - 1.0
    labels = GATES["XOR"].fn(gate_inputs(2))
    X = np.repeat(corners, per_corner, axis=0) + rng.normal(0.0, spread, (4 * per_corner, 2))
    return Data(X, np.repeat(labels, per_corner), "classification", 2, ("x1", "x2"), "xor-table",
                ("0", "1"))


def pca_2d(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Project rows of A (n, k) onto their first two principal directions.

    Returns ``(U, P, mean, explained)``: U (n, 2) the coordinates, P (k, 2) the
    directions (orthonormal columns), the (k,) mean, and the share of the
    variance each direction explains.  ``A ≈ mean + U Pᵀ``.
    """
    A = np.asarray(A, dtype=np.float64)
    mean = A.mean(axis=0)
    C = A - mean
    _, s, Vt = np.linalg.svd(C, full_matrices=False)
    P = np.zeros((A.shape[1], 2))
    P[:, :min(2, Vt.shape[0])] = Vt[:2].T
    var = s ** 2
    explained = np.zeros(2)
    explained[:min(2, var.size)] = (var / var.sum())[:2] if var.sum() > 0 else 0.0
    return C @ P, P, mean, explained


@dataclass(frozen=True)
class HiddenView:
    """Points in the hidden layer's space and the output unit's line there.

    ``line``: the output's decision boundary ``u·w + c = 0`` in these coordinates, as (w (2,), c).
    """

    points: np.ndarray  # (n, 2)
    line: tuple[np.ndarray, float]
    axes: tuple[str, str]
    method: str  # "units" (2 hidden units), "projection" (more), or "one unit"
    explained: float = 1.0  # share of the spread across the output's line that the y-axis shows


def hidden_view(params, activations: np.ndarray) -> HiddenView:
    """Where the first hidden layer puts the points, and the output unit's line in that space.

    Args:
        params: the network's ``[(W, b), ...]`` with one hidden layer, last layer (h, k).
        activations: (n, h) first-hidden-layer activations of the points.

    The output's decision is ``z ≥ 0`` for a single output (tanh ≥ 0, sigmoid ≥ ½),
    and ``z₁ ≥ z₀`` for two softmax outputs: in both cases a line (a hyperplane)
    ``a·w + c = 0``.  With 2 units the points are drawn as they are.  With more,
    they are projected on two axes that keep the output's view exact: x is the
    output's own direction ``a·ŵ`` (ŵ = w/|w|), y the largest spread left after
    removing it (PCA of the rest), so the line is the vertical ``x = −c/|w|``.
    """
    W, b = params[-1]
    if W.shape[1] == 2:
        w, c = W[:, 1] - W[:, 0], float(b[1] - b[0])
    else:
        w, c = W[:, 0], float(b[0])
    w = np.asarray(w, dtype=np.float64)
    A = np.asarray(activations, dtype=np.float64)
    h = A.shape[1]
    if h == 1:  # a 1-D space: the points on a line, the boundary a single threshold
        pts = np.column_stack([A[:, 0], np.zeros(len(A))])
        return HiddenView(pts, (np.array([w[0], 0.0]), c), ("hidden unit 1", ""), "one unit")
    if h == 2:
        return HiddenView(A, (w, c), ("hidden unit 1", "hidden unit 2"), "units")
    norm = float(np.linalg.norm(w))
    if norm < 1e-12:  # the output ignores the hidden layer: plain PCA, no line
        U, _, _, explained = pca_2d(A)
        return HiddenView(U, (np.zeros(2), c), ("principal direction 1", "principal direction 2"), "projection",
                          float(explained[0]))
    w_hat = w / norm
    x = A @ w_hat
    rest = A - np.outer(x, w_hat)  # what the output unit does not see
    y, _, _, explained = pca_2d(rest)
    return HiddenView(np.column_stack([x, y[:, 0]]), (np.array([norm, 0.0]), c),
                      ("output unit's direction  a·w/|w|", "largest other direction"), "projection",
                      float(explained[0]))


# ----- glue for the page: a Trainer on XOR, its surface and hidden layer ---------------------------
#: Where the XOR points come from: the truth table's four corners (jittered), or TF Playground's quadrants.
XOR_SOURCES = {
    "table": "Truth table (noisy corners)",
    "quadrants": "TF Playground's quadrants",
}
_TABLE_BOX = (-2.0, 2.0, -2.0, 2.0)


def xor_config(hidden: int = 2, activation: str = "tanh", lr: float = 0.1, seed: str = "1") -> Config:
    """The Playground config of the page's network: XOR, one hidden layer, batch 10.

    The same config opens the Playground page (``cfg.to_query()``); there the
    data are TF Playground's quadrants.
    """
    return Config(dataset="xor", hidden=(int(hidden),), activation=(activation,), lr=float(lr), seed=str(seed))


def xor_trainer(source: str, hidden: int = 2, activation: str = "tanh", lr: float = 0.1, seed: str = "1"):
    """A `Trainer` for the page: ``source`` "table" (corners, built from the seed) or "quadrants"."""
    from playground.run.config import rng_for
    from playground.run.trainer import Trainer  # local: trainer pulls in the engines

    if source not in XOR_SOURCES:
        raise ValueError(f"unknown XOR source {source!r}; allowed: {', '.join(XOR_SOURCES)}")
    cfg = xor_config(hidden, activation, lr, seed)
    data = xor_table_data(rng_for(cfg, "data")) if source == "table" else None
    return Trainer(cfg, data=data)


def xor_box(trainer) -> tuple[float, float, float, float]:
    """Plotting box: the square around the corners, or TF Playground's [−6, 6]²."""
    return _TABLE_BOX if trainer.data.name == "xor-table" else domain(trainer.data)


def class1_probability(loss, out: np.ndarray) -> np.ndarray:
    """The network's output as P(class 1), (n,): tanh output (y+1)/2, sigmoid p, softmax p₁."""
    out = np.asarray(out, dtype=np.float64)
    if loss.output == "softmax":
        return out[:, 1]
    if loss.output == "tanh":
        return (out[:, 0] + 1.0) / 2.0
    return out[:, 0]


def decision_surface(trainer, resolution: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, Z)`` with Z (res, res) the network's P(class 1) over the plotting box."""
    xs, ys, XY = grid(xor_box(trainer), resolution)
    Z = class1_probability(trainer.loss, trainer.predict(XY)).reshape(resolution, resolution)
    return xs, ys, Z


def hidden_activations(trainer, X_raw: np.ndarray) -> np.ndarray:
    """First hidden layer's outputs for raw points, (n, h)."""
    return np.asarray(trainer.net.layer_outputs(trainer.inputs(X_raw))[0], dtype=np.float64)
