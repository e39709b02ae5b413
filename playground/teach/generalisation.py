"""Generalisation: small deterministic comparisons for the Generalisation page.

The same seed gives the same data and starting weights, so each comparison differs
only in what it compares: capacity (too simple to too flexible), L1 vs L2 penalties,
dropout, early stopping.  Each run is kept as plain data (`Run`, cacheable);
``fit_verdict`` and ``run_rows`` put its numbers into words and table rows.

    >>> near_zero([0.0, 0.5, -0.0001, 2.0])
    2
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from playground.run.config import Config
from playground.run.history import History
from playground.run.trainer import Trainer
from playground.run.views import Grid, boundary_values, grid_for

__all__ = [
    "Run", "GEN_BASE", "CAPACITIES", "train_run", "capacity_runs", "regulariser_runs", "dropout_runs",
    "early_stopping_run", "near_zero", "NEAR_ZERO", "fit_verdict", "run_rows",
]

#: A data set where a big net overfits quickly: 40 noisy training points, 160 test points.
GEN_BASE = dict(dataset="circle", noise=40, points=200, train=20, loss="bce", lr=0.1, batch=10,
                activation=("relu",), init="he", seed="1")
#: label -> hidden layers, from too simple to too flexible.
CAPACITIES = {"Too simple: no hidden layer": (), "Small: 1 layer × 3": (3,), "Big: 2 layers × 32": (32, 32)}
NEAR_ZERO = 1e-3


@dataclass
class Run:
    """One finished training run, as plain data (cacheable)."""

    label: str
    cfg: Config
    history: History
    epoch: int
    best_epoch: int
    best_test_loss: float
    stop_reason: str
    grid: Grid
    boundary: np.ndarray  # views.boundary_values at the last epoch
    weights: np.ndarray  # every weight (no biases) at the last epoch, flat
    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    task: str
    n_classes: int
    class_names: tuple
    best_boundary: np.ndarray | None = None  # after restore_best (early stopping)
    restored_test_loss: float = math.nan  # test loss with the restored best weights
    extra: dict = field(default_factory=dict)

    @property
    def last_test_loss(self) -> float:
        return self.history.test_loss[-1]


def train_run(cfg: Config, epochs: int, label: str = "", *, restore_best: bool = False, res: int = 60) -> Run:
    """Train ``cfg`` for ``epochs`` (or until its stop condition) and keep what the page draws."""
    t = Trainer(cfg)
    t.run(epochs=int(epochs))
    grid = grid_for(t, res=res)
    run = Run(label, cfg, t.history, t.epoch, t.best_epoch, t.best_loss, t.stop_reason, grid,
              boundary_values(t, grid), np.concatenate([W.ravel() for W, _ in t.params]),
              (t.train.X, t.train.y), (t.test.X, t.test.y), t.task, t.n_classes, tuple(t.data.class_names))
    if restore_best:
        t.restore_best()
        run.best_boundary = boundary_values(t, grid)
        run.restored_test_loss = t.net.evaluate(t.X_test, t.T_test)[0]
    return run


def _base(**changes) -> Config:
    return Config(**{**GEN_BASE, **changes})


def capacity_runs(*, noise: int = 30, train: int = 30, epochs: int = 300, dataset: str = "circle",
                  capacities: dict | None = None) -> dict[str, Run]:
    """The same data and seed, nets from too simple to too flexible (``CAPACITIES``)."""
    caps = capacities or CAPACITIES
    return {label: train_run(_base(dataset=dataset, noise=int(noise), train=int(train), hidden=tuple(h)), epochs, label)
            for label, h in caps.items()}


def regulariser_runs(*, rate: float = 0.01, epochs: int = 300, hidden=(16, 16)) -> dict[str, Run]:
    """One net trained without a penalty, with L1 and with L2 at the same ``rate``."""
    out = {}
    for reg, label in (("none", "No penalty"), ("l1", "L1: λ Σ|w|"), ("l2", "L2: λ/2 Σ w²")):
        cfg = _base(hidden=tuple(hidden), reg=reg, reg_rate=float(rate) if reg != "none" else 0.0)
        out[label] = train_run(cfg, epochs, label)
    return out


def dropout_runs(*, rate: float = 0.5, epochs: int = 300, hidden=(32, 32)) -> dict[str, Run]:
    """The big net without and with dropout on its hidden layers."""
    return {label: train_run(_base(hidden=tuple(hidden), dropout=d), epochs, label)
            for d, label in ((0.0, "No dropout"), (float(rate), f"Dropout p = {rate:g}"))}


def early_stopping_run(*, patience: int = 30, max_epochs: int = 500, hidden=(32, 32)) -> Run:
    """The big net with early stopping: stops after ``patience`` epochs without a better test loss,
    then restores the best checkpoint (``run.best_boundary``, ``run.restored_test_loss``)."""
    return train_run(_base(hidden=tuple(hidden), patience=int(patience)), max_epochs, "Early stopping",
                     restore_best=True)


def near_zero(weights, tol: float = NEAR_ZERO) -> int:
    """How many weights have |w| < tol."""
    return int(np.count_nonzero(np.abs(np.asarray(weights)) < tol))


def fit_verdict(run: Run) -> str:
    """One line on how a run generalises, with its numbers.

    Underfitting: training accuracy below 80 %.  Overfitting: training accuracy
    at least 10 points above test accuracy, or the test loss 1.6× its best (the
    curves have parted); starting to overfit: 1.2× its best.  Else a fair fit.
    """
    h = run.history
    tr, te, now, best = h.train_metric[-1], h.test_metric[-1], h.test_loss[-1], run.best_test_loss
    rose = f"the test loss rose from {best:.3f} (epoch {run.best_epoch}) to {now:.3f}"
    if tr < 0.8:
        return f"Underfitting: only {tr:.0%} right even on its own training data."
    if tr - te >= 0.1 or now > 1.6 * best:
        return f"Overfitting: {tr:.0%} on training data but {te:.0%} on new data; {rose}."
    if now > 1.2 * best:
        return f"Starting to overfit: {tr:.0%} on training data, {te:.0%} on new data, but {rose}."
    return f"A fair fit: {tr:.0%} on training data, {te:.0%} on new data."


def run_rows(runs: dict[str, Run]) -> list[dict[str, str]]:
    """A summary row per run: losses, accuracies, best epoch, near-zero weights."""
    rows = []
    for label, r in runs.items():
        h = r.history
        rows.append({"run": label, "training loss": f"{h.train_loss[-1]:.3f}", "test loss": f"{h.test_loss[-1]:.3f}",
                     "training accuracy": f"{h.train_metric[-1]:.0%}", "test accuracy": f"{h.test_metric[-1]:.0%}",
                     "lowest test loss (epoch)": f"{r.best_test_loss:.3f} ({r.best_epoch})",
                     f"|w| < {NEAR_ZERO:g}": f"{near_zero(r.weights)} of {r.weights.size}",
                     "mean |w|": f"{float(np.abs(r.weights).mean()):.3f}"})
    return rows
