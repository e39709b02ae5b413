"""Optimizers on one flat parameter vector: all share ``step`` and differ in ``_update``.

Every formula matches ``torch.optim`` exactly (defaults included), so the NumPy
and PyTorch engines follow the same trajectory; the parity tests check it.

* sgd:       ``w ← w − η g``
* momentum:  ``v ← μv + g;  w ← w − η v``                      (μ = 0.9)
* nesterov:  ``v ← μv + g;  w ← w − η (g + μ v)``
* rmsprop:   ``s ← αs + (1−α) g²;  w ← w − η g / (√s + ε)``  (α = 0.99)
* adam:      ``m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
               w ← w − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)``     (β = 0.9, 0.999)

The learning rate is a plain attribute: change it between steps, the state stays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["OptimizerSpec", "OPTIMIZERS", "Optimizer", "make_optimizer", "MOMENTUM", "RMS_ALPHA", "ADAM_BETAS", "EPS"]

MOMENTUM = 0.9
RMS_ALPHA = 0.99
ADAM_BETAS = (0.9, 0.999)
EPS = 1e-8


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    label: str
    latex: str
    description: str


OPTIMIZERS: dict[str, OptimizerSpec] = {
    o.name: o
    for o in [
        OptimizerSpec("sgd", "SGD", r"w \leftarrow w - \eta\,g", "Plain gradient descent on each mini-batch."),
        OptimizerSpec("momentum", "Momentum", r"v \leftarrow \mu v + g,\ w \leftarrow w - \eta v",
                      "Keeps a running velocity (μ = 0.9): faster along consistent directions."),
        OptimizerSpec("nesterov", "Nesterov momentum", r"v \leftarrow \mu v + g,\ w \leftarrow w - \eta (g + \mu v)",
                      "Momentum that looks one step ahead."),
        OptimizerSpec("rmsprop", "RMSprop", r"s \leftarrow \alpha s + (1-\alpha) g^2,\ w \leftarrow w - \eta\, g/(\sqrt{s}+\epsilon)",
                      "Divides each weight's step by its recent gradient size."),
        OptimizerSpec("adam", "Adam", r"w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)",
                      "Momentum + RMSprop with bias correction; a robust default."),
    ]
}


class Optimizer:
    """Updates a flat parameter vector in place from its flat gradient."""

    def __init__(self, name: str, lr: float, size: int, dtype=np.float64):
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}")
        self.name, self.lr, self.t = name, float(lr), 0
        self._a = np.zeros(size, dtype) if name != "sgd" else None  # velocity / first moment / mean square
        self._b = np.zeros(size, dtype) if name == "adam" else None  # Adam's second moment
        self._tmp = np.empty(size, dtype)

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        """One update of ``w`` (in place) from gradient ``g``."""
        self.t += 1
        lr, tmp = self.lr, self._tmp
        if self.name == "sgd":
            np.multiply(g, lr, out=tmp)
        elif self.name in ("momentum", "nesterov"):
            v = self._a
            if self.t == 1:
                v[:] = g
            else:
                v *= MOMENTUM
                v += g
            if self.name == "nesterov":
                np.multiply(v, MOMENTUM, out=tmp)
                tmp += g
                tmp *= lr
            else:
                np.multiply(v, lr, out=tmp)
        elif self.name == "rmsprop":
            s = self._a
            s *= RMS_ALPHA
            s += (1 - RMS_ALPHA) * g * g
            np.sqrt(s, out=tmp)
            tmp += EPS
            np.divide(g, tmp, out=tmp)
            tmp *= lr
        else:  # adam
            b1, b2 = ADAM_BETAS
            m, v = self._a, self._b
            m += (1 - b1) * (g - m)  # torch uses lerp, the same value
            v *= b2
            v += (1 - b2) * g * g
            bc1, bc2 = 1 - b1**self.t, 1 - b2**self.t
            np.sqrt(v, out=tmp)
            tmp /= np.sqrt(bc2)
            tmp += EPS
            np.divide(m, tmp, out=tmp)
            tmp *= lr / bc1
        w -= tmp

    def __repr__(self) -> str:
        return f"Optimizer({self.name!r}, lr={self.lr:g}, t={self.t})"


def make_optimizer(name: str, lr: float, size: int, dtype=np.float64) -> Optimizer:
    return Optimizer(name, lr, size, dtype)
