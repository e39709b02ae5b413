"""What a run keeps in memory (playground.base.memory): snapshots bounded by bytes, racers sharing one history,
working buffers given back when a run stops training."""
import numpy as np

from playground.base import memory
from playground.run.config import Config
from playground.run.race import Race
from playground.run.trainer import SNAPSHOT_CAP, Trainer
from playground.run.history import HISTORY_CAP


def _snapshot_bytes(t: Trainer) -> int:
    return sum(a.nbytes for _, p, g in t.snapshots for pairs in (p, g) for W, b in pairs for a in (W, b))


def test_snapshots_are_bounded_by_bytes_and_span_the_run():
    cfg = Config(dataset="circle", hidden=(64, 64, 64), batch=500)
    one = Trainer(cfg, snapshot_bytes=10**9).snapshots[0]
    size = sum(a.nbytes for pairs in one[1:] for W, b in pairs for a in (W, b))
    budget = 10 * size
    t = Trainer(cfg, snapshot_bytes=budget)
    t.run(epochs=60)
    assert _snapshot_bytes(t) <= budget + size
    epochs = [e for e, _, _ in t.snapshots]
    assert epochs[0] == 0 and epochs[-1] >= 40 and len(epochs) >= 5  # thinned evenly, not cut off
    small = Trainer(Config(dataset="xor", hidden=(4,)))  # a small net keeps the count cap
    small.run(epochs=SNAPSHOT_CAP * 2)
    assert SNAPSHOT_CAP // 2 <= len(small.snapshots) <= SNAPSHOT_CAP


def test_racers_share_one_history_and_keep_no_replay():
    r = Race([Config(dataset="gauss", lr=lr) for lr in (0.01, 0.03, 0.1, 0.3)])
    r.step(5)
    assert [t.history.cap for t in r.trainers] == [memory.racer_history_cap(HISTORY_CAP, 4)] * 4
    assert memory.racer_history_cap(HISTORY_CAP, 4) == HISTORY_CAP // 4
    assert all(len(t.snapshots) <= memory.MIN_SNAPSHOTS and t.snapshots[0][0] == 0 for t in r.trainers)


def test_released_buffers_are_rebuilt_and_training_goes_on_the_same():
    cfg = Config(dataset="spiral", hidden=(8, 8), batch=10)
    a, b = Trainer(cfg), Trainer(cfg)
    a.step(3), b.step(3)
    assert "_bufs" in vars(a.net) and "_eval" in vars(a.net)
    memory.release_buffers(type("Owner", (), {"trainer": a})())
    assert "_bufs" not in vars(a.net) and "_eval" not in vars(a.net)
    a.step(3), b.step(3)  # same seed, same trajectory, buffers or not
    assert a.history.train_loss == b.history.train_loss
    np.testing.assert_array_equal(a.params[0][0], b.params[0][0])
