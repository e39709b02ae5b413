"""Replay rebuilds the views of a recorded epoch exactly, without touching the live network."""
import numpy as np

from playground.run import replay
from playground.run import views
from playground.run.config import Config
from playground.run.trainer import Trainer


def test_frame_matches_the_live_state_it_recorded():
    t = Trainer(Config(dataset="xor", hidden=(4,)))
    grid = views.grid_for(t, 40)
    t.run(epochs=5)
    live5 = views.boundary_values(t, grid)
    t.run(epochs=20)
    assert replay.snapshot_epochs(t)[:6] == [0, 1, 2, 3, 4, 5]
    f = replay.frame_at(t, grid, 5)
    assert f.epoch == 5 and np.allclose(f.boundary, live5, atol=1e-6)
    assert f.train_loss == t.history.train_loss[5]
    # Scrubbing leaves the live network as it was.
    assert np.allclose(views.boundary_values(t, grid), replay.frame_at(t, grid, 25).boundary, atol=1e-6)
    f0 = replay.frame_at(t, grid, 0)
    assert not np.allclose(f0.boundary, live5)
    assert [W.shape for W, _ in f0.params] == [(2, 4), (4, 1)]


def test_nearest_recorded_epoch_after_thinning():
    t = Trainer(Config(batch=250))
    t.run(epochs=700)
    epochs = replay.snapshot_epochs(t)
    assert len(epochs) <= 201 and epochs[0] == 0
    target = epochs[len(epochs) // 2] + 1
    f = replay.frame_at(t, views.grid_for(t, 20), target)
    assert f.epoch == epochs[len(epochs) // 2]
