"""NumPy and PyTorch side by side: one training step of the same network in both engines.

The NumPy engine (``network.py``) computes every gradient with hand-written
backprop; the PyTorch engine (``torch_engine.py``) lets autograd do it.  Given
the same weights, the same mini-batch and float64 arithmetic, both give the same
gradients and the same updated weights up to rounding (~1e-16 relative, so
~1e-12 or less in absolute terms): the framework is the same maths.

``compare_step`` builds both engines from one set of weights, takes one
mini-batch (the first ``batch`` training rows), computes the gradient of the
data loss in each, then lets each engine take one optimizer step (weight
penalty and clipping included, dropout off: its random masks would differ).
Torch is optional: ``torch_missing()`` says why the comparison cannot run.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.core.engines import ENGINE_SPECS
from playground.core.engines import make_engine
from playground.core.engines import torch_available

__all__ = ["StepComparison", "compare_step", "torch_missing", "ROW_CAP"]

#: Most rows of the every-parameter table (the largest network has ~29,000 parameters).
ROW_CAP = 5_000


@dataclass(frozen=True)
class StepComparison:
    batch: int  # rows in the mini-batch
    loss_numpy: float
    loss_torch: float
    grads_numpy: list  # [(gW, gb), ...] float64
    grads_torch: list
    after_numpy: list  # weights after one step, [(W, b), ...]
    after_torch: list

    def max_grad_diff(self) -> float:
        return max(float(np.abs(a - b).max()) for pn, pt in zip(self.grads_numpy, self.grads_torch)
                   for a, b in zip(pn, pt))

    def max_weight_diff(self) -> float:
        return max(float(np.abs(a - b).max()) for pn, pt in zip(self.after_numpy, self.after_torch)
                   for a, b in zip(pn, pt))

    def layer_rows(self) -> list[dict]:
        """One row per layer and kind (W, b): size, largest gradient, largest difference."""
        rows = []
        for l, (pn, pt, wn, wt) in enumerate(zip(self.grads_numpy, self.grads_torch, self.after_numpy,
                                                 self.after_torch)):
            for k, name in enumerate(("W", "b")):
                rows.append({"layer": l + 1, "parameter": name, "count": int(pn[k].size),
                             "largest |gradient|": float(np.abs(pn[k]).max()),
                             "largest |NumPy − PyTorch| gradient": float(np.abs(pn[k] - pt[k]).max()),
                             "largest |NumPy − PyTorch| new weight": float(np.abs(wn[k] - wt[k]).max())})
        return rows

    def every_gradient(self, cap: int = ROW_CAP) -> dict[str, list]:
        """Every gradient, both engines and the difference, as table columns (at most ``cap`` rows)."""
        cols: dict[str, list] = {"parameter": [], "NumPy ∂L/∂θ": [], "PyTorch ∂L/∂θ": [], "|difference|": []}
        for l, (pn, pt) in enumerate(zip(self.grads_numpy, self.grads_torch)):
            for name, a, b in (("W", pn[0], pt[0]), ("b", pn[1], pt[1])):
                for idx in np.ndindex(a.shape):
                    if len(cols["parameter"]) >= cap:
                        return cols
                    where = f"w[{l + 1}] {idx[0] + 1}→{idx[1] + 1}" if name == "W" else f"b[{l + 1}] unit {idx[0] + 1}"
                    cols["parameter"].append(where)
                    cols["NumPy ∂L/∂θ"].append(float(a[idx]))
                    cols["PyTorch ∂L/∂θ"].append(float(b[idx]))
                    cols["|difference|"].append(float(abs(a[idx] - b[idx])))
        return cols


def torch_missing() -> str:
    """"" when PyTorch can run the comparison, else why not (for the page)."""
    if torch_available():
        return ""
    return ("PyTorch is not installed on this server, so only the NumPy side can run. Install it "
            "(pip install torch) to see both engines side by side.")


def compare_step(trainer, params=None) -> StepComparison:
    """One step of ``trainer``'s network and optimizer in both engines, in float64, from ``params``
    (default: the trainer's current weights) on its first mini-batch of training rows."""
    if not torch_available():
        raise RuntimeError(torch_missing())
    c = trainer.cfg
    params = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in (params or trainer.params)]
    n = min(c.batch, len(trainer.X_train))
    X = np.asarray(trainer.X_train[:n], np.float64)
    T = np.asarray(trainer.T_train[:n], np.float64)

    def one_step(engine: str):
        net, _ = make_engine(engine, trainer.sizes, c.activations(), c.loss, params, optimizer=c.optimizer, lr=c.lr,
                             reg=c.reg, reg_rate=c.reg_rate, dropout=0.0, clip=c.clip, dtype=np.float64)
        loss, _, grads = net.evaluate(X, T, grads=True)
        net.train_epoch(X, T, n, None)  # one mini-batch: one update
        return loss, grads, net.get_params()

    # The registry's order: the hand-written NumPy engine, then the one built on torch's autograd.
    (ln, gn, an), (lt, gt, at) = (one_step(name) for name in ENGINE_SPECS)
    return StepComparison(n, ln, lt, gn, gt, an, at)
