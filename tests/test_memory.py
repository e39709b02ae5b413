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


def _buffer_owners(o, out: dict) -> dict:
    """The arrays that own the memory of every array in ``o`` (nested dicts, lists, tuples): id -> bytes."""
    if isinstance(o, np.ndarray):
        while isinstance(o.base, np.ndarray):
            o = o.base
        out[id(o)] = o.nbytes
    elif isinstance(o, dict):
        for v in o.values():
            _buffer_owners(v, out)
    elif isinstance(o, (list, tuple)):
        for v in o:
            _buffer_owners(v, out)
    return out


def _kept_bytes(t: Trainer) -> int:
    """What the network keeps between epochs (its working buffers), not counting the run's own data."""
    data = _buffer_owners([t.X_train, t.X_test, t.T_train, t.T_test], {})
    kept = _buffer_owners([t.net.__dict__.get("_bufs"), t.net.__dict__.get("_eval")], {})
    return sum(b for k, b in kept.items() if k not in data)


def test_a_runs_weight_is_what_its_network_keeps_while_training():
    """``working_bytes`` (what a training slot weighs) is what the buffers reach, byte for byte on the fused path
    (mini-batches that divide the epoch or not, full batch, no hidden layer, float64, three classes), and an upper
    bound where a run keeps less (dropout); released buffers weigh nothing until the next epoch."""
    cases = [Config(dataset="circle"), Config(dataset="spiral", hidden=(8, 8), batch=7, points=1000),
             Config(dataset="xor", hidden=(16, 4, 4), batch=10_000, points=2000, train=30, dtype="float64"),
             Config(dataset="gauss", hidden=(), points=4000, batch=33, features=("x1", "x2", "x1x2")),
             Config(dataset="spiral3", loss="ce", hidden=(6, 5), batch=64, optimizer="adam", points=900)]
    for cfg in cases:
        t = Trainer(cfg)
        t.run(epochs=3)
        assert t.working_bytes() == _kept_bytes(t) > 0, cfg
        assert memory.training_bytes(type("Owner", (), {"trainer": t})()) == t.working_bytes()
    t = Trainer(Config(dataset="xor", hidden=(8,), dropout=0.2, batch=7))
    t.run(epochs=3)
    assert _kept_bytes(t) <= t.working_bytes() <= 1.5 * _kept_bytes(t)
    heavy = Trainer(Config(dataset="spiral", hidden=(64,) * 4, points=4000, batch=4000, dtype="float64"))
    assert 25 * 2**20 < heavy.working_bytes() < 40 * 2**20  # a row per point per layer: tens of MB
    r = Race([Config(dataset="gauss", lr=lr) for lr in (0.01, 0.1, 0.3)])
    assert memory.training_bytes(r) == sum(x.working_bytes() for x in r.trainers) > 0
