"""Replay: what the Playground showed at any recorded epoch, rebuilt from the trainer's snapshots.

``Trainer.snapshots`` holds ``(epoch, params, grads)`` at recorded epochs (every
epoch at first, thinned as training goes on, at most ``SNAPSHOT_CAP``).  A
snapshot's views are computed with a separate NumPy network holding the
snapshot's weights, so scrubbing never disturbs the live training.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.run import views
from playground.core.network import NumpyMLP

__all__ = ["Frame", "snapshot_epochs", "frame_at"]


@dataclass(frozen=True)
class Frame:
    """One recorded moment: the epoch, its boundary values, neuron maps, weights and gradients."""

    epoch: int
    boundary: np.ndarray
    maps: list
    params: list
    grads: list
    train_loss: float | None
    test_loss: float | None


def snapshot_epochs(trainer) -> list[int]:
    """Epochs that can be replayed, oldest first."""
    return [e for e, _, _ in trainer.snapshots]


def frame_at(trainer, grid, epoch: int) -> Frame:
    """The recorded state nearest to ``epoch`` (at or before it when possible)."""
    snaps = trainer.snapshots
    if not snaps:
        raise ValueError("nothing recorded yet: train at least one epoch")
    epochs = np.array([e for e, _, _ in snaps])
    i = int(np.searchsorted(epochs, epoch, side="right")) - 1
    e, params, grads = snaps[max(i, 0)]
    net = NumpyMLP(trainer.sizes, trainer.cfg.activations(), trainer.cfg.loss, params, dtype=np.float32)
    maps = [np.asarray(o, np.float32).reshape(grid.res, grid.res, -1) for o in net.layer_outputs(grid.inputs(trainer))]
    h = trainer.history
    try:  # the history may have been thinned past this epoch
        k = h.epoch.index(e)
        train_loss, test_loss = h.train_loss[k], h.test_loss[k]
    except ValueError:
        train_loss = test_loss = None
    return Frame(e, views.boundary_values(trainer, grid, maps), maps, params, grads, train_loss, test_loss)
