"""Output layer + loss pairs: one registry, each entry fixes the output activation and the loss.

Pairing the output activation with its loss is what makes the gradient at the
output pre-activation simple.  With ``ŷ`` the output and ``t`` the target (one
example, k outputs):

* sigmoid + binary cross-entropy  → ``∂L/∂z = ŷ − t``
* softmax + categorical cross-entropy → ``∂L/∂z = ŷ − t``
* linear + MSE ``mean_k (ŷ−t)²``  → ``∂L/∂z = 2(ŷ − t)/k``
* tanh + ½ squared error (TF Playground's, targets ±1) → ``(ŷ − t)(1 − ŷ²)``

The cost over a batch is the mean of the per-example losses.  Each entry also
carries its torch expressions (the PyTorch engine compiles them) and the source
text of exported scripts, so adding a loss is adding one entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from playground.core.activations import ACTIVATIONS, ONE, softmax

__all__ = ["Loss", "LOSSES", "get_loss", "losses_for_task", "default_loss", "HUBER_DELTA", "PROB_EPS"]

HUBER_DELTA = 1.0
PROB_EPS = 1e-12  # probabilities are clipped to [ε, 1 − ε] before the log


@dataclass(frozen=True)
class Loss:
    """An output-activation + loss pair.

    ``task`` is ``"binary"``, ``"multiclass"`` or ``"regression"``; binary pairs
    have one output, ``ce`` has one output per class, regression one per target.
    """

    name: str
    label: str
    task: str
    output: str  # output activation, a name in ACTIVATIONS or "softmax"
    output_fn: Callable[[np.ndarray], np.ndarray]
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, T) -> (n,) per-example loss
    delta: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, T) -> (n, k) dL/dz per example
    latex: str
    description: str
    # What the PyTorch engine needs (torch_engine.TorchLoss): expressions of ``out`` (ŷ), ``z`` (the
    # output pre-activation) and ``t`` (targets), with ``torch``, ``F`` (torch.nn.functional) and
    # this module's constants in scope.  Training minimises scale(k)/n · total(z, t).
    torch_value: str = ""  # per-example loss (n,), the formula of ``value``
    torch_total: str = ""  # the batch's summed loss in one fused call, from z
    torch_scale: str = "1.0"  # the formula's factor, an expression of k (outputs)
    # What the code generator writes.  NumPy script: (output expression of z, loss_per_example
    # body lines of (out, T), dL/dz expression, what it is); ``np_uses``: activations whose value
    # function the output calls; ``np_defs``: other functions it needs.  PyTorch script: (mean
    # cost of a batch from z and T, what it is).
    np_source: tuple[str, tuple[str, ...], str, str] | None = None
    np_uses: tuple[str, ...] = ()
    np_defs: str = ""
    torch_script: tuple[str, str] | None = None
    # ``delta`` written into a buffer, ``delta_out(out, T, d, scratch)`` -> d, with a scratch buffer of the same
    # shape: the same operations in the same order (the same bits), without allocating.  The fused training
    # path uses it where given; at batch 10 an allocation costs a fifth of the arithmetic it holds.
    delta_out: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None

    @property
    def short_label(self) -> str:
        """The label without the word "output" and a parenthesised note: fits a 300 px sidebar.

        >>> LOSSES["square"].short_label
        'Tanh + ½ squared error'
        """
        return self.label.replace(" output + ", " + ").split(" (")[0]

    def n_outputs(self, n_classes: int) -> int:
        """Output units: one per class for softmax, else one."""
        return n_classes if self.output == "softmax" else 1

    def targets(self, y: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
        """Turn labels into the (n, k) target array this loss compares the output with."""
        y = np.asarray(y)
        if self.output == "softmax":
            t = np.zeros((len(y), n_classes), dtype=dtype)
            t[np.arange(len(y)), y.astype(np.int64)] = 1.0
            return t
        if self.name == "square" and self.task == "binary":
            return np.where(y > 0, 1.0, -1.0).astype(dtype).reshape(-1, 1)  # TF Playground's ±1 labels
        return y.astype(dtype).reshape(-1, 1)

    def predict_class(self, out: np.ndarray) -> np.ndarray:
        """Class index from the output: argmax for softmax, threshold at the output's midpoint."""
        if self.output == "softmax":
            return out.argmax(axis=1)
        return (out[:, 0] >= (0.0 if self.output == "tanh" else 0.5)).astype(np.int64)

    def __repr__(self) -> str:
        return f"Loss({self.name!r}: {self.output} output, {self.task})"


def _bce(out, t):
    # In float64: in float32 1 − 1e-12 rounds to 1, so a saturated p = 1 would give log(0) = −inf
    # and the trainer would report a finite network as diverged.
    p = np.clip(np.asarray(out, np.float64), PROB_EPS, 1 - PROB_EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).sum(axis=1)


def _ce(out, t):
    return -(t * np.log(np.clip(out, PROB_EPS, None))).sum(axis=1)


def _matched(out, t):
    """``∂L/∂z = ŷ − t``: what sigmoid + binary and softmax + categorical cross-entropy both give."""
    return out - t


def _matched_out(out, t, d, scratch):
    return np.subtract(out, t, out=d)


def _square_delta(out, t):
    return (out - t) * (1.0 - out * out)


def _square_delta_out(out, t, d, g):
    """``_square_delta`` into ``d``: (ŷ − t) · (1 − ŷ²), the same operations in the same order."""
    np.subtract(out, t, out=d)
    np.multiply(out, out, out=g)
    np.subtract(ONE.get(g.dtype, 1.0), g, out=g)
    d *= g
    return d


def _huber(out, t):
    r = np.abs(out - t)
    return np.where(r <= HUBER_DELTA, 0.5 * r * r, HUBER_DELTA * (r - 0.5 * HUBER_DELTA)).mean(axis=1)


def _linear_output(name: str, what: str, value, residual_grad, latex: str, description: str, *, torch_value: str,
                   torch_fn: str, np_loss: tuple[str, ...], np_residual_grad: str, label: str = "",
                   delta: bool = False) -> Loss:
    """A regression loss on a linear output: ``∂L/∂z`` is ``residual_grad(ŷ − t)`` over the k outputs it averages.

    ``torch_fn`` names the fused ``torch.nn.functional`` loss (called with ``delta`` for Huber);
    ``what`` words the loss in labels and in the exported scripts.
    """
    kw, script_kw = (", delta=HUBER_DELTA", f", delta={HUBER_DELTA!r}") if delta else ("", "")
    what_it_is = f"linear output, {what}"
    return Loss(
        name, f"Linear output + {label or what}", "regression", "linear", ACTIVATIONS["linear"].fn, value,
        lambda out, t: residual_grad(out - t) / out.shape[1], latex, description,
        torch_value=torch_value, torch_total=f'F.{torch_fn}(z, t, reduction="sum"{kw})', torch_scale="1.0 / k",
        np_source=("z", np_loss, f"{np_residual_grad} / out.shape[1]", what_it_is),
        torch_script=(f"torch.nn.functional.{torch_fn}(z, T{script_kw})", what_it_is),
    )


_act = ACTIVATIONS
_SQUARE_WHAT = "tanh output, ½ squared error, labels ±1 (TF Playground's choice)"
LOSSES: dict[str, Loss] = {
    l.name: l
    for l in [
        Loss(
            "square", "Tanh output + ½ squared error (TF Playground)", "binary", "tanh", _act["tanh"].fn,
            lambda out, t: 0.5 * ((out - t) ** 2).sum(axis=1),
            _square_delta,
            r"L = \tfrac12 (\hat y - y)^2,\ \hat y = \tanh z,\ y \in \{-1, +1\}",
            "TF Playground's choice: labels ±1, output in (−1, 1).",
            torch_value='0.5 * ((out - t) ** 2).sum(dim=1)',
            torch_total='F.mse_loss(torch.tanh(z), t, reduction="sum")',
            torch_scale='0.5',
            np_source=('np.tanh(z)', ('return 0.5 * ((out - T) ** 2).sum(axis=1)',), '(out - T) * (1.0 - out * out)', _SQUARE_WHAT),
            torch_script=('0.5 * ((torch.tanh(z) - T) ** 2).sum(dim=1).mean()', _SQUARE_WHAT),
            delta_out=_square_delta_out,
        ),
        Loss(
            "bce", "Sigmoid output + binary cross-entropy", "binary", "sigmoid", _act["sigmoid"].fn,
            _bce, _matched,
            r"L = -\left[y \log p + (1-y)\log(1-p)\right],\ p = \sigma(z)",
            "Output is the probability of class 1; the loss grows without bound as p → wrong.",
            torch_value='-(t * torch.log(p := out.double().clamp(PROB_EPS, 1 - PROB_EPS)) + (1 - t) * torch.log(1 - p)).sum(dim=1)',
            torch_total='F.binary_cross_entropy_with_logits(z, t, reduction="sum")',
            np_source=('sigmoid(z)', ('# clip away from 0 and 1 (log(0) = -inf), in float64: in float32 1 - 1e-12 rounds to 1', 'p = np.clip(out.astype(np.float64), 1e-12, 1 - 1e-12)', 'return -(T * np.log(p) + (1 - T) * np.log(1 - p)).sum(axis=1)'), 'out - T', 'sigmoid output, binary cross-entropy: dL/dz = ŷ − y'),
            np_uses=('sigmoid',),
            torch_script=('torch.nn.functional.binary_cross_entropy_with_logits(z, T)', 'sigmoid output + binary cross-entropy in one stable call: dL/dz = σ(z) − y'),
            delta_out=_matched_out,
        ),
        Loss(
            "ce", "Softmax output + cross-entropy", "multiclass", "softmax", softmax,
            _ce, _matched,
            r"L = -\sum_c y_c \log p_c,\ p = \operatorname{softmax}(z)",
            "One output per class, probabilities summing to 1.",
            torch_value='-(t * torch.log_softmax(z, dim=1)).sum(dim=1)',
            torch_total='F.cross_entropy(z, t, reduction="sum")',
            np_source=('softmax(z)', ('return -(T * np.log(np.clip(out, 1e-12, None))).sum(axis=1)',), 'out - T', 'softmax output, cross-entropy: dL/dz = ŷ − y'),
            np_defs='def softmax(z):\n    """Row-wise e^z / Σ e^z, shifted by the row max so exp never overflows."""\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)\n',
            torch_script=('torch.nn.functional.cross_entropy(z, T)', 'softmax output + cross-entropy in one stable call (T one-hot): dL/dz = softmax(z) − y'),
            delta_out=_matched_out,
        ),
        _linear_output(
            "mse", "mean squared error", lambda out, t: ((out - t) ** 2).mean(axis=1), lambda r: 2.0 * r,
            r"L = (y - \hat y)^2", "Squares the error: large errors dominate.",
            torch_value="((out - t) ** 2).mean(dim=1)", torch_fn="mse_loss",
            np_loss=("return ((out - T) ** 2).mean(axis=1)",), np_residual_grad="2.0 * (out - T)"),
        _linear_output(
            "mae", "mean absolute error", lambda out, t: np.abs(out - t).mean(axis=1), np.sign,
            r"L = |y - \hat y|", "Robust to outliers: every error pulls equally hard.",
            torch_value="(out - t).abs().mean(dim=1)", torch_fn="l1_loss",
            np_loss=("return np.abs(out - T).mean(axis=1)",), np_residual_grad="np.sign(out - T)"),
        _linear_output(
            "huber", "Huber loss (δ = 1)", _huber, lambda r: np.clip(r, -HUBER_DELTA, HUBER_DELTA),
            r"L = \begin{cases}\tfrac12 r^2 & |r| \le \delta \\ \delta(|r| - \tfrac12\delta) & \text{else}\end{cases},\ r = y - \hat y",
            "Squared near zero, absolute far away: MSE's smoothness, MAE's robustness.",
            label=f"Huber (δ = {HUBER_DELTA:g})", delta=True,
            torch_value='F.huber_loss(out, t, reduction="none", delta=HUBER_DELTA).mean(dim=1)', torch_fn="huber_loss",
            np_loss=("r = np.abs(out - T)", "return np.where(r <= 1.0, 0.5 * r * r, r - 0.5).mean(axis=1)"),
            np_residual_grad="np.clip(out - T, -1.0, 1.0)"),
    ]
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name, with a message listing the allowed names."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown loss {name!r}; allowed: {', '.join(LOSSES)}") from None


def losses_for_task(task: str, n_classes: int = 2) -> tuple[str, ...]:
    """Loss names valid for a dataset: binary sets also accept softmax ``ce`` with 2 outputs."""
    if task == "regression":
        return tuple(n for n, l in LOSSES.items() if l.task == "regression")
    if n_classes <= 2:
        return ("square", "bce", "ce")
    return ("ce",)


def default_loss(task: str, n_classes: int = 2) -> str:
    """TF Playground's default for two classes, softmax for more, MSE for regression."""
    return {"regression": "mse"}.get(task, "square" if n_classes <= 2 else "ce")
