"""Optimizers on one flat parameter vector: one registry, each entry carrying its whole rule.

Every formula matches ``torch.optim`` exactly (defaults included), so the NumPy
and PyTorch engines follow the same trajectory; the parity tests check it.

* sgd:       ``w ← w − η g``
* momentum:  ``v ← μv + g;  w ← w − η v``                      (μ = 0.9)
* nesterov:  ``v ← μv + g;  w ← w − η (g + μ v)``
* rmsprop:   ``s ← αs + (1−α) g²;  w ← w − η g / (√s + ε)``  (α = 0.99)
* adam:      ``m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
               w ← w − η/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)``     (β = 0.9, 0.999)

An entry of ``OPTIMIZERS`` is everything about one optimizer: its label and
formula for the pages, its hyperparameters, its state vectors (``slots``, named
as torch.optim names them), its update rule (``update``: NumPyMLP calls it),
the ``torch.optim`` class and arguments the PyTorch engine builds, and the
NumPy source the code generator writes into exported scripts.  Adding an
optimizer is adding one entry here.

The learning rate is a plain attribute: change it between steps, the state stays.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["OptimizerSpec", "OPTIMIZERS", "Optimizer", "make_optimizer", "get_optimizer",
           "MOMENTUM", "RMS_ALPHA", "ADAM_BETAS", "EPS"]

MOMENTUM = 0.9
RMS_ALPHA = 0.99
ADAM_BETAS = (0.9, 0.999)
EPS = 1e-8

#: ``update(slots, g, lr, t, out)``: write the step ``w_old − w_new`` into ``out`` (the slots are
#: updated in place; ``t`` counts steps from 1).
Update = Callable[[list, np.ndarray, float, int, np.ndarray], None]


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: what pages show, the update rule, and what the torch engine and codegen need."""

    name: str
    label: str
    latex: str
    description: str
    update: Update = None  # type: ignore[assignment]
    hyper: dict = field(default_factory=dict)  # hyperparameters and their (torch.optim's) defaults
    slots: tuple[str, ...] = ()  # state vectors, zero at the start, named as in torch.optim's state
    torch_class: str = "SGD"  # the torch.optim class ...
    torch_kwargs: dict = field(default_factory=dict)  # ... and its arguments besides params and lr
    torch_fused: bool = True  # torch has a fused CUDA version (``fused=True``)
    # The NumPy script: lines that set the state up (per-layer lists, as the script keeps its
    # params), and the lines updating one parameter ``p`` from its gradient ``g`` (indexes i, j).
    np_init: tuple[str, ...] = ()
    np_step: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"OptimizerSpec({self.name!r}: {self.latex})"


def _sgd(slots, g, lr, t, out):
    np.multiply(g, lr, out=out)


def _velocity(slots, g, t):
    v = slots[0]
    if t == 1:  # torch starts the buffer at g, not at 0
        v[:] = g
    else:
        v *= MOMENTUM
        v += g
    return v


def _momentum(slots, g, lr, t, out):
    np.multiply(_velocity(slots, g, t), lr, out=out)


def _nesterov(slots, g, lr, t, out):
    np.multiply(_velocity(slots, g, t), MOMENTUM, out=out)
    out += g
    out *= lr


def _rmsprop(slots, g, lr, t, out):
    s = slots[0]
    s *= RMS_ALPHA
    s += (1 - RMS_ALPHA) * g * g
    np.sqrt(s, out=out)
    out += EPS
    np.divide(g, out, out=out)
    out *= lr


def _adam(slots, g, lr, t, out):
    b1, b2 = ADAM_BETAS
    m, v = slots
    m += (1 - b1) * (g - m)  # torch uses lerp, the same value
    v *= b2
    v += (1 - b2) * g * g
    bc1, bc2 = 1 - b1**t, 1 - b2**t
    np.sqrt(v, out=out)
    out /= np.sqrt(bc2)
    out += EPS
    np.divide(m, out, out=out)
    out *= lr / bc1


_VELOCITY_INIT = ("MU = 0.9", "velocity = [[np.zeros_like(p) for p in layer] for layer in params]")
_VELOCITY_STEP = ("            vel = velocity[i][j]",
                  "            vel[...] = g if step_count == 1 else MU * vel + g  # v ← μv + g")

OPTIMIZERS: dict[str, OptimizerSpec] = {
    o.name: o
    for o in [
        OptimizerSpec("sgd", "SGD", r"w \leftarrow w - \eta\,g", "Plain gradient descent on each mini-batch.",
                      _sgd, np_step=("            p -= LR * g  # w ← w − η g",)),
        OptimizerSpec("momentum", "Momentum", r"v \leftarrow \mu v + g,\ w \leftarrow w - \eta v",
                      "Keeps a running velocity (μ = 0.9): faster along consistent directions.",
                      _momentum, {"momentum": MOMENTUM}, ("momentum_buffer",), "SGD", {"momentum": MOMENTUM},
                      np_init=_VELOCITY_INIT, np_step=(*_VELOCITY_STEP, "            p -= LR * vel")),
        OptimizerSpec("nesterov", "Nesterov momentum", r"v \leftarrow \mu v + g,\ w \leftarrow w - \eta (g + \mu v)",
                      "Momentum that looks one step ahead.",
                      _nesterov, {"momentum": MOMENTUM}, ("momentum_buffer",), "SGD",
                      {"momentum": MOMENTUM, "nesterov": True}, np_init=_VELOCITY_INIT,
                      np_step=(*_VELOCITY_STEP, "            p -= LR * (g + MU * vel)  # look one step ahead")),
        OptimizerSpec("rmsprop", "RMSprop", r"s \leftarrow \alpha s + (1-\alpha) g^2,\ w \leftarrow w - \eta\, g/(\sqrt{s}+\epsilon)",
                      "Divides each weight's step by its recent gradient size.",
                      _rmsprop, {"alpha": RMS_ALPHA, "eps": EPS}, ("square_avg",), "RMSprop",
                      {"alpha": RMS_ALPHA, "eps": EPS}, torch_fused=False,
                      np_init=("ALPHA, EPS = 0.99, 1e-8",
                               "mean_sq = [[np.zeros_like(p) for p in layer] for layer in params]"),
                      np_step=("            s = mean_sq[i][j]",
                               "            s[...] = ALPHA * s + (1 - ALPHA) * g * g  # running mean of g²",
                               "            p -= LR * g / (np.sqrt(s) + EPS)")),
        OptimizerSpec("adam", "Adam", r"w \leftarrow w - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)",
                      "Momentum + RMSprop with bias correction; a robust default.",
                      _adam, {"betas": ADAM_BETAS, "eps": EPS}, ("exp_avg", "exp_avg_sq"), "Adam",
                      {"betas": ADAM_BETAS, "eps": EPS},
                      np_init=("BETA1, BETA2, EPS = 0.9, 0.999, 1e-8",
                               "m = [[np.zeros_like(p) for p in layer] for layer in params]  # running mean of g",
                               "v = [[np.zeros_like(p) for p in layer] for layer in params]  # running mean of g²"),
                      np_step=("            mi, vi = m[i][j], v[i][j]",
                               "            mi += (1 - BETA1) * (g - mi)  # m ← β₁m + (1−β₁)g",
                               "            vi[...] = BETA2 * vi + (1 - BETA2) * g * g  # v ← β₂v + (1−β₂)g²",
                               "            m_hat = mi / (1 - BETA1**step_count)  # bias correction: m, v start at 0",
                               "            v_hat = vi / (1 - BETA2**step_count)",
                               "            p -= LR * m_hat / (np.sqrt(v_hat) + EPS)")),
    ]
}


def get_optimizer(name: str) -> OptimizerSpec:
    """Look an optimizer up by name, with a message listing the allowed names."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(OPTIMIZERS)}") from None


class Optimizer:
    """Updates a flat parameter vector in place from its flat gradient, by its registry entry's rule."""

    def __init__(self, name: str, lr: float, size: int, dtype=np.float64):
        self.spec = get_optimizer(name)
        self.name, self.lr, self.t = name, float(lr), 0
        self.slots = [np.zeros(size, dtype) for _ in self.spec.slots]  # velocity / moments / mean square
        self._update = self.spec.update
        self._tmp = np.empty(size, dtype)

    @property
    def _a(self) -> np.ndarray | None:
        """The first state vector (velocity, mean square or Adam's first moment), None for SGD."""
        return self.slots[0] if self.slots else None

    @property
    def _b(self) -> np.ndarray | None:
        """The second state vector (Adam's second moment), else None."""
        return self.slots[1] if len(self.slots) > 1 else None

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        """One update of ``w`` (in place) from gradient ``g``."""
        self.t += 1
        self._update(self.slots, g, self.lr, self.t, self._tmp)
        w -= self._tmp

    def __repr__(self) -> str:
        return f"Optimizer({self.name!r}, lr={self.lr:g}, t={self.t})"


def make_optimizer(name: str, lr: float, size: int, dtype=np.float64) -> Optimizer:
    return Optimizer(name, lr, size, dtype)
