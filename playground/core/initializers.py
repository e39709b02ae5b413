"""Weight initialisers: one registry; every one draws from an explicit ``np.random.Generator``.

``scale`` overrides the entry's default spread (the half-width ``a`` of the
uniform, the ``σ`` of the normal, a multiplier for Xavier and He), so a lesson
can show what too-large weights do.  Both engines start from these arrays.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Initializer", "INITIALIZERS", "init_layer"]


@dataclass(frozen=True)
class Initializer:
    name: str
    label: str
    weights: Callable[[np.random.Generator, int, int, float], np.ndarray]  # (rng, fan_in, fan_out, scale)
    bias: float
    default_scale: float
    latex: str
    description: str


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in [
        Initializer(
            "uniform", "Uniform ±a (TF Playground)",
            lambda rng, fi, fo, s: rng.uniform(-s, s, size=(fi, fo)), 0.1, 0.5,
            r"w \sim U(-a, a),\ b = 0.1", "TF Playground's start: weights in ±0.5, biases 0.1.",
        ),
        Initializer(
            "normal", "Normal N(0, σ²)",
            lambda rng, fi, fo, s: rng.normal(0.0, s, size=(fi, fo)), 0.0, 0.1,
            r"w \sim \mathcal N(0, \sigma^2),\ b = 0", "Small random weights break the symmetry between units.",
        ),
        Initializer(
            "xavier", "Xavier / Glorot",
            lambda rng, fi, fo, s: rng.uniform(-1, 1, size=(fi, fo)) * s * np.sqrt(6.0 / (fi + fo)), 0.0, 1.0,
            r"w \sim U\!\left(-\sqrt{6/(n_\text{in}+n_\text{out})},\ +\sqrt{6/(n_\text{in}+n_\text{out})}\right)",
            "Keeps activation variance steady for tanh and sigmoid layers.",
        ),
        Initializer(
            "he", "He / Kaiming",
            lambda rng, fi, fo, s: rng.normal(0.0, 1.0, size=(fi, fo)) * s * np.sqrt(2.0 / fi), 0.0, 1.0,
            r"w \sim \mathcal N(0,\ 2/n_\text{in})", "Keeps ReLU layers' variance steady.",
        ),
        Initializer(
            "zeros", "Zeros",
            lambda rng, fi, fo, s: np.zeros((fi, fo)), 0.0, 0.0,
            r"w = 0", "Every hidden unit identical: they get identical gradients and stay identical (symmetry).",
        ),
    ]
}


def init_layer(name: str, rng: np.random.Generator, fan_in: int, fan_out: int, scale: float = 0.0):
    """Initial ``(W (fan_in, fan_out), b (fan_out,))`` for one layer; scale 0 means the default."""
    try:
        init = INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; allowed: {', '.join(INITIALIZERS)}") from None
    s = scale if scale > 0 else init.default_scale
    return init.weights(rng, fan_in, fan_out, s).astype(np.float64), np.full(fan_out, init.bias)
