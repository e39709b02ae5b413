"""A frame is a frame: training stops between mini-batches, even mid-epoch, and resumes there.

Slicing an epoch changes when the clock is read, never the arithmetic: a run trained in
budgeted slices ends with bit-for-bit the weights of the same run trained epoch by epoch.
Time here is a fake clock charged per mini-batch and per evaluation (no wall-time assertions).
"""
from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest

from playground.run.config import Config, from_query, normalize
from playground.run.sizes import CAPS, epoch_work, n_weights, network_sizes, work_problem
from playground.data.datasets import DATASETS, Data
from playground.core.engines import torch_available
from playground.core.features import FEATURES
from playground.run.race import Race
from playground.run.race_setup import parse_race
from playground.data.tables import MAX_CLASSES, load_csv
from playground.run.session import FRAME_SECONDS, PlaygroundSession
from playground.run.trainer import CHUNK_SECONDS, Trainer

ENGINES = ["numpy", pytest.param("torch", marks=pytest.mark.skipif(not torch_available(), reason="torch not installed"))]


class FakeClock:
    """Seconds that pass only when the network trains: ``per_batch`` a mini-batch, ``per_record`` an evaluation."""

    def __init__(self, per_batch: float = 0.002, per_record: float = 0.01):
        self.now, self.per_batch, self.per_record = 0.0, per_batch, per_record

    def __call__(self) -> float:
        return self.now

    def charge(self, trainer: Trainer) -> Trainer:
        train_epoch, record = trainer.net.train_epoch, trainer._record

        def charged_train(X, T, batch, rng, start=0, stop=None):
            stop = -(-len(X) // batch) if stop is None else stop
            self.now += (stop - start) * self.per_batch
            train_epoch(X, T, batch, rng, start, stop)

        def charged_record():
            self.now += self.per_record
            record()

        trainer.net.train_epoch, trainer._record = charged_train, charged_record
        trainer._record_seconds = self.per_record  # what the trainer measured of its first evaluation, in fake time
        return trainer


def small(engine: str, **kw) -> Config:
    return Config(dataset="circle", points=60, hidden=(5, 3), engine=engine, **kw)  # 30 training points


def weights_equal(a: Trainer, b: Trainer) -> bool:
    return all(np.array_equal(Wa, Wb) and np.array_equal(ba, bb)
               for (Wa, ba), (Wb, bb) in zip(a.net.get_params(), b.net.get_params()))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "momentum"])
@pytest.mark.parametrize("batch", [4, 5, 30])  # 30 rows: 4 leaves a short last batch, 5 divides, 30 = full batch
def test_an_epoch_sliced_across_calls_gives_the_same_weights(engine, dtype, dropout, optimizer, batch):
    cfg = small(engine, dtype=dtype, dropout=dropout, optimizer=optimizer, batch=batch, lr=0.1)
    whole = Trainer(cfg)
    whole.step(4)
    sliced, clock = Trainer(cfg), FakeClock(per_batch=0.001)
    clock.charge(sliced)
    calls, mid = 0, 0
    while sliced.epoch < 4:
        sliced.train_for(0.0015, max_epochs=4 - sliced.epoch, clock=clock)
        calls += 1
        mid += sliced.epoch_progress > 0
    assert mid > 0 or batch == 30  # some calls did stop inside an epoch
    assert sliced.epoch == whole.epoch == 4 and weights_equal(sliced, whole)
    assert sliced.history.train_loss == whole.history.train_loss  # the same evaluations at the same weights


def test_step_finishes_an_epoch_left_part_way():
    cfg = small("numpy", batch=1)
    t, clock = Trainer(cfg), FakeClock()
    clock.charge(t)
    t.train_for(0.01, clock=clock)  # 0.01 s of 2 ms mini-batches: a few of the 30
    assert t.epoch == 0 and 0 < t.epoch_progress < 1
    assert t.step(2) == 2 and t.epoch == 2 and t.epoch_progress == 0
    ref = Trainer(cfg)
    ref.step(2)
    assert weights_equal(t, ref)


def test_a_frame_stops_mid_epoch_near_its_budget():
    """An epoch of 5,000 mini-batches at 2 ms each (10 s) is spread over frames of FRAME_SECONDS."""
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=10_000, hidden=(4,), batch=1))
    clock = FakeClock(per_batch=0.002, per_record=0.05)
    clock.charge(s.trainer)
    s.play()
    for _ in range(3):
        start = clock.now
        assert s.frame(clock=clock) == 0 and s.trainer.epoch == 0
        assert FRAME_SECONDS - clock.per_batch - 1e-9 <= clock.now - start <= FRAME_SECONDS + 1e-9
    assert 0 < s.trainer.epoch_progress < 1
    frames = 3
    while s.trainer.epoch == 0:
        start = clock.now
        s.frame(clock=clock)
        frames += 1
        assert clock.now - start <= FRAME_SECONDS + 1e-9  # the evaluation fits in too
    assert s.trainer.epoch == 1 and 60 <= frames <= 80  # 10 s of training in 0.15 s frames


def test_the_evaluation_waits_for_a_frame_it_fits_in():
    """The chunk that ends an epoch also evaluates it: a frame without room for both leaves them to the next."""
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=200, hidden=(4,), batch=10))  # 10 mini-batches
    clock = FakeClock(per_batch=0.001, per_record=0.12)
    clock.charge(s.trainer)
    s.play()
    for _ in range(6):
        start = clock.now
        s.frame(clock=clock)
        assert clock.now - start <= FRAME_SECONDS + clock.per_batch
    assert s.trainer.epoch >= 3


def test_pause_stops_a_frame_within_one_chunk():
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=10_000, hidden=(4,), batch=1))
    clock = FakeClock()
    clock.charge(s.trainer)
    s.play()
    reads = []
    s.frame(clock=clock, between=lambda: reads.append(clock.now) or s.pause(), slice_seconds=0.0)
    assert len(reads) == 1 and not s.playing and clock.now - reads[0] == 0  # nothing trained after the Pause


def test_step_of_a_long_epoch_goes_on_in_frames_and_stays_idempotent():
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=10_000, hidden=(4,), batch=1))
    clock = FakeClock()
    clock.charge(s.trainer)
    assert s.step_from(0, clock=clock) == 0  # 10 s of training: only FRAME_SECONDS of it in the click
    assert clock.now <= FRAME_SECONDS + CHUNK_SECONDS + clock.per_batch
    assert s.playing and s.trainer.epoch == 0 and s.trainer.epoch_progress > 0
    s.step_from(0, clock=clock)  # the same click delivered twice: the same target
    while s.playing:
        s.frame(clock=clock)
    assert s.trainer.epoch == 1 and s.trainer.epoch_progress == 0 and not s.playing
    ref = Trainer(s.cfg)
    ref.step(1)
    assert weights_equal(s.trainer, ref)
    s.play()
    s.pause()
    assert s.step_from(0, clock=clock) == 0 and not s.playing  # already there


def test_pause_cancels_a_step_in_progress():
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=10_000, hidden=(4,), batch=1))
    clock = FakeClock()
    clock.charge(s.trainer)
    s.step_from(0, clock=clock)
    s.pause()
    assert not s.playing and s.frame(clock=clock) == 0
    s.play()
    s.frame(clock=clock)
    assert s.playing  # plain play again, no leftover Step target


@pytest.mark.parametrize("engine", ENGINES)
def test_a_race_sliced_in_frames_matches_the_race_stepped(engine):
    base = small(engine, lr=0.1)
    configs = [base.replace(batch=1), base.replace(batch=4, optimizer="adam"), base.replace(dropout=0.3, batch=7),
               base.replace(batch=30, optimizer="momentum")]
    whole = Race(configs)
    whole.step(3)
    sliced, clock = Race(configs), FakeClock(per_batch=0.001)
    for t in sliced.trainers:
        clock.charge(t)
    frames, uneven = 0, 0
    while sliced.epoch < 3:
        sliced.frame(0.004, max_epochs=3 - sliced.epoch, clock=clock)
        frames += 1
        uneven += len({t.epoch for t in sliced.trainers}) > 1 or any(t.epoch_progress for t in sliced.trainers)
    assert frames > 3 and uneven > 0  # rounds were spread over frames
    assert [t.epoch for t in sliced.trainers] == [3] * 4
    assert all(weights_equal(a, b) for a, b in zip(sliced.trainers, whole.trainers))


def test_a_race_step_of_slow_racers_goes_on_in_frames():
    base = Config(dataset="circle", points=2_000, hidden=(4,), batch=1)
    r, clock = Race([base, base.replace(lr=0.1)]), FakeClock()
    for t in r.trainers:
        clock.charge(t)
    assert r.step_from(0, clock=clock) == 0 and r.playing and r.epoch == 0
    assert clock.now <= FRAME_SECONDS + 2 * (CHUNK_SECONDS + clock.per_batch)
    while r.playing:
        r.tick(clock=clock)
    assert r.epoch == 1 and [t.epoch for t in r.trainers] == [1, 1]


DEEP = (CAPS["neurons"],) * CAPS["hidden_layers"]  # the largest network the caps allow
ALL_FEATURES = tuple(FEATURES)
WORK = CAPS["work"]


def table(rows: int, cols: int = 100, classes: int = MAX_CLASSES) -> Data:
    """An uploaded table as the Data page would give it: ``cols`` columns, ``classes`` classes."""
    rng = np.random.default_rng(0)
    return Data(rng.normal(size=(rows, cols)), np.arange(rows) % classes, "classification", classes,
                tuple(f"c{i}" for i in range(cols)), "table", tuple(str(i) for i in range(classes)))


def largest_rows(sizes, train: float = 0.9) -> int:
    """The most points a network of ``sizes`` may train on within the work cap."""
    n = int(WORK // ((1 + 2 * train) * n_weights(sizes)))
    while epoch_work(sizes, n + 1, train, n + 1)[1] <= WORK:
        n += 1
    while epoch_work(sizes, n, train, n)[1] > WORK:
        n -= 1
    return n


def test_the_work_cap_bounds_one_mini_batch_and_one_evaluation():
    """The largest runs the caps allow (the heaviest link; the widest upload): one full-batch mini-batch and
    one evaluation stay within CAPS['work'] (measured to fit, bench/measure_frames.py), one more point is refused."""
    assert epoch_work([2, 4, 2, 1], 500, 0.5, 10) == (3 * 10 * 18, (500 + 2 * 250) * 18)  # TF Playground's default
    link = Config(dataset="circle", features=ALL_FEATURES, hidden=DEEP, train=90, batch=CAPS["points"])
    sizes = network_sizes(link)
    n = largest_rows(sizes)
    assert 4_800 < n < 5_000 and work_problem(dataclasses.replace(link, points=n)) is None
    batch_macs, record_macs = epoch_work(sizes, n, 0.9, CAPS["points"])
    assert 0.99 * WORK < record_macs <= WORK and batch_macs <= record_macs
    problem = work_problem(dataclasses.replace(link, points=n + 1))  # Config.replace would refuse it
    assert f"{n + 1:,} points on a network of {n_weights(sizes):,} weights" in problem
    assert "one evaluation after an epoch needs 401 million multiply-adds, at most 400 million allowed" in problem
    assert "use fewer points or fewer/smaller layers" in problem
    cols = inspect.signature(load_csv).parameters["max_cols"].default
    upload_sizes = [cols, *DEEP, MAX_CLASSES]
    rows = largest_rows(upload_sizes)
    assert 3_900 < rows < 4_100
    cfg = Config(dataset="blobs", loss="ce", hidden=DEEP, train=90, batch=CAPS["points"])
    assert network_sizes(cfg, table(rows)) == upload_sizes and work_problem(cfg, table(rows)) is None
    assert "too much work" in work_problem(cfg, table(rows + 1))
    # Every dataset at its own size (no points= in the link) trains the largest network within the cap.
    for name in DATASETS:
        cfg, warnings = from_query(f"dataset={name}&hidden={','.join(map(str, DEEP))}&train=90&batch=10000"
                                   f"&features={','.join(FEATURES)}")
        assert warnings == [] and work_problem(cfg) is None, name


def test_a_link_over_the_work_cap_keeps_its_network_with_fewer_points():
    cfg, warnings = from_query(f"hidden={','.join(map(str, DEEP))}&points=10000&batch=1&dtype=float64")
    assert cfg.hidden == DEEP and cfg.points == 0 and cfg.batch == 1 and cfg.dtype == "float64"
    assert len(warnings) == 1 and warnings[0].startswith("points 10000: 10,000 points on a network of 28,864 weights")
    assert "one evaluation after an epoch needs 578 million" in warnings[0] and warnings[0].endswith("using default '0'")
    assert from_query("hidden=4&points=10000")[1] == []  # a small network may have all the points
    # With the data given (an upload), the network is what gives way.
    cfg, warnings = normalize({"dataset": "blobs", "loss": "ce", "hidden": DEEP, "activation": ("relu",) * 8},
                              data=table(10_000))
    assert cfg.hidden == (4, 2) and cfg.activation == ("relu",) and work_problem(cfg, table(10_000)) is None
    assert warnings[0].startswith("hidden 64,64,64,64,64,64,64,64: 10,000 points on a network of 35,712 weights")


def test_a_control_change_over_the_work_cap_is_refused():
    s = PlaygroundSession(from_query("hidden=4&points=10000&features=x1,x2,x1sq&speed=max")[0])
    kind, warnings = s.apply({"hidden": DEEP, "lr": 0.1})
    assert kind == "live" and s.cfg.hidden == (4,) and s.cfg.points == 10_000 and s.cfg.lr == 0.1
    assert len(warnings) == 1 and warnings[0].startswith("hidden 64,64,64,64,64,64,64,64: 10,000 points")
    assert "too much work" in warnings[0] and warnings[0].endswith("kept hidden 4")
    kind, warnings = s.apply({"features": ALL_FEATURES, "hidden": (64, 64)})  # within the cap: applied
    assert kind == "reset" and warnings == [] and s.cfg.hidden == (64, 64)
    kind, warnings = s.apply({"hidden": DEEP, "train": 90})
    assert kind == "none" and s.cfg.hidden == (64, 64) and s.cfg.train == 50
    assert warnings[0].endswith("kept train 50, hidden 64,64")
    # With uploaded data in use, the check is against its rows and columns.
    s = PlaygroundSession(Config(speed="max", dataset="blobs", loss="ce", hidden=(8,)))
    assert s.use_data(table(6_000), "uploaded") == ""
    kind, warnings = s.apply({"hidden": DEEP})
    assert kind == "none" and s.cfg.hidden == (8,) and "6,000 points on a network of 35,712 weights" in warnings[0]


def test_uploaded_data_over_the_work_cap_is_not_used():
    s = PlaygroundSession(Config(speed="max", dataset="blobs", loss="ce", hidden=DEEP))
    msg = s.use_data(table(10_000), "uploaded")
    assert msg.startswith("10,000 points on a network of 35,712 weights (100-64-64-64-64-64-64-64-64-10)")
    assert "use fewer points or fewer/smaller layers" in msg
    assert s.data is None and s.trainer.data.name == "blobs"  # the current data is kept
    s.apply({"hidden": (16,)})
    assert s.use_data(table(10_000), "uploaded") == "" and s.trainer.sizes == [100, 16, 10]
    # Back from a small upload to a link's 10,000 points: the network grown on the upload keeps, the points give way.
    s = PlaygroundSession(from_query("hidden=4&points=10000&speed=max")[0])
    assert s.use_data(table(200, cols=2, classes=2), "drawn") == "" and s.apply({"hidden": DEEP})[0] == "reset"
    s.use_data(None)
    assert s.cfg.hidden == DEEP and s.cfg.points == 0 and work_problem(s.cfg) is None and len(s.trainer.data) == 500
    # Quick train's first network fits the largest table the upload caps allow.
    from playground.run.realdata import quick_session, upload_config

    assert work_problem(upload_config(table(CAPS["points"])), table(CAPS["points"])) is None
    assert quick_session(table(200)).trainer.sizes == [100, 8, 10]


def test_a_racer_over_the_work_cap_keeps_the_base_network():
    setup = parse_race(f"points=10000&hidden=4&race=hidden:{','.join(map(str, DEEP))}|lr:0.1")
    a, b = setup.configs()
    assert a.hidden == (4,) and b.hidden == (4,) and b.lr == 0.1 and a.points == b.points == 10_000
    assert len(setup.warnings) == 1 and setup.warnings[0].startswith("racer A: hidden 64,64,64,64,64,64,64,64: 10,000")
    assert "too much work" in setup.warnings[0] and setup.warnings[0].endswith("kept hidden 4")


def test_a_model_file_over_the_work_cap_with_its_data_is_refused():
    from playground.run import modelio

    small_table = table(60)
    t = Trainer(Config(dataset="blobs", loss="ce", hidden=DEEP), data=small_table)
    loaded = modelio.load_model("model.json", modelio.to_json(t))
    assert modelio.trainer_from_model(loaded, small_table).sizes == [100, *DEEP, 10]
    with pytest.raises(modelio.ModelFileError, match=r"this model cannot train here: 10,000 points on a network of "
                                                     r"35,712 weights .* too much work"):
        modelio.trainer_from_model(loaded, table(10_000))


def test_the_digits_page_choices_stay_within_the_work_cap():
    from playground.run.realdata import digits_config, digits_settings

    s = PlaygroundSession(digits_config()[0])
    raw, warnings = digits_settings(hidden=",".join(map(str, DEEP)), batch=256)
    kind, more = s.apply(raw)
    assert warnings == more == [] and s.cfg.hidden == DEEP and work_problem(s.cfg) is None


def test_a_race_frame_pays_for_at_most_one_evaluation_past_its_budget():
    """Four racers whose evaluation alone nearly fills a frame: racers out of time wait for the next frame."""
    base = Config(dataset="circle", points=200, hidden=(4,), batch=10)
    r, clock = Race([base, base.replace(lr=0.1), base.replace(lr=0.01), base.replace(lr=0.3)]), \
        FakeClock(per_batch=0.001, per_record=0.12)
    for t in r.trainers:
        clock.charge(t)
    r.play()
    while r.epoch < 3:
        start = clock.now
        r.tick(max_epochs=3 - r.epoch, clock=clock)
        assert clock.now - start <= FRAME_SECONDS + clock.per_record + CHUNK_SECONDS + clock.per_batch
    ref = Race([base, base.replace(lr=0.1), base.replace(lr=0.01), base.replace(lr=0.3)])
    ref.step(3)
    assert [t.epoch for t in r.trainers] == [3] * 4
    assert all(weights_equal(a, b) for a, b in zip(r.trainers, ref.trainers))


def test_an_epoch_and_its_evaluation_are_separate_pieces():
    """Full batch: one mini-batch is the whole epoch; if it and the evaluation do not fit one frame
    together, the evaluation waits for the next frame instead of doubling this one."""
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=200, hidden=(4,), batch=100))  # 1 mini-batch an epoch
    clock = FakeClock(per_batch=0.1, per_record=0.1)
    clock.charge(s.trainer)
    s.play()
    evaluation_only = 0
    for _ in range(12):
        start, before = clock.now, s.trainer.epoch_progress
        s.frame(clock=clock)
        assert clock.now - start <= FRAME_SECONDS + 1e-9
        evaluation_only += before == 1 and clock.now - start == clock.per_record
    assert evaluation_only > 0 and s.trainer.epoch >= 5
    ref = Trainer(s.cfg)
    ref.step(s.trainer.epoch)
    if s.trainer.epoch_progress == 0:
        assert weights_equal(s.trainer, ref)


def test_a_frame_never_starts_a_mini_batch_that_does_not_fit():
    s = PlaygroundSession(Config(speed="max", dataset="circle", points=2_000, hidden=(4,), batch=10))
    clock = FakeClock(per_batch=0.06, per_record=0.01)
    clock.charge(s.trainer)
    s.play()
    s.frame(clock=clock)  # the first mini-batch measures the cost
    for _ in range(5):
        start = clock.now
        s.frame(clock=clock)
        assert clock.now - start == pytest.approx(2 * clock.per_batch)  # 0.12 s of 0.15: a third would overrun


def test_short_epochs_are_never_split_so_a_saved_model_continues_exactly():
    """Epochs shorter than a chunk are trained whole: a paused Playground sits at an epoch boundary, and a
    model saved there (its shuffling and optimizer state) continues as if it had never stopped."""
    from playground.run import modelio

    s = PlaygroundSession(Config(speed="max", dataset="circle", hidden=(4, 2), optimizer="adam", dropout=0.2))  # 25 mini-batches
    clock = FakeClock(per_batch=0.0001, per_record=0.001)  # 2.5 ms an epoch
    clock.charge(s.trainer)
    s.play()
    s.frame(clock=clock)  # the first frame times a mini-batch
    for _ in range(4):
        s.frame(clock=clock)
        assert s.trainer.epoch_progress == 0 and s.trainer.epoch > 0
    s.pause()
    loaded = modelio.load_model("model.json", modelio.to_json(s.trainer))
    again = modelio.trainer_from_model(loaded)
    s.trainer.step(3)
    again.step(3)
    assert weights_equal(s.trainer, again)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "momentum"])
def test_a_model_saved_mid_epoch_continues_exactly(engine, optimizer):
    """Saved while a long epoch is part-way: the file holds the last evaluated epoch (its weights, and the
    shuffling and optimizer state from then), so loading it and training on matches never stopping."""
    from playground.run import modelio

    cfg = small(engine, optimizer=optimizer, dropout=0.2, batch=2, lr=0.05)  # 15 mini-batches an epoch
    t, clock = Trainer(cfg), FakeClock(per_batch=0.001, per_record=0.001)
    clock.charge(t)
    t.train_for(0.0, clock=clock)  # time one mini-batch
    t.train_for(0.015, max_epochs=1, clock=clock)  # the rest of the first epoch (15 ms: longer than a chunk)
    t.train_for(0.004, clock=clock)  # part of the second
    assert t.epoch == 1 and 0 < t.epoch_progress < 1
    loaded = modelio.load_model("model.json", modelio.to_json(t))
    again = modelio.trainer_from_model(loaded)
    assert loaded.epoch == 1
    t.step(3)  # finishes the epoch in progress, then two more
    again.step(3)
    assert t.epoch == again.epoch == 4 and weights_equal(t, again)


def test_drawing_the_heaviest_network_is_bounded_and_small_ones_look_as_before():
    from playground.run.views import GRID_MACS, REDRAW_LINKS, grid_resolution, redraw_seconds

    heaviest = [len(FEATURES), *[CAPS["neurons"]] * CAPS["hidden_layers"], 1]
    res = grid_resolution(heaviest, 50)
    assert 10 <= res < 50 and res * res * n_weights(heaviest) <= GRID_MACS  # every neuron on the grid, one frame
    assert redraw_seconds(heaviest, 0.45) == pytest.approx(0.45 * n_weights(heaviest) / REDRAW_LINKS)  # ~29,000 links
    assert grid_resolution([2, 4, 2, 1], 100) == 100 and redraw_seconds([2, 4, 2, 1], 0.45) == 0.45  # TF's default
    # a busy server: twelve students training redraw their diagrams half as often as six
    assert redraw_seconds([2, 4, 2, 1], 0.45, sessions=6) == 0.45
    assert redraw_seconds([2, 4, 2, 1], 0.45, sessions=12) == pytest.approx(0.9)
    assert grid_resolution([2, *[8] * 6, 1], 100) == 100  # the deep default keeps its fine grid
