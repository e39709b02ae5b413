"""Race mode: shared data and starting weights, epoch-synchronised stepping, the summary, and race links."""
import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.run.config import Config, from_query
from playground.run.sizes import CAPS
from playground.viz.race_figures import race_loss_figure, race_losses_figure, racer_boundary_figure
from playground.run.race import Race
from playground.run.race_setup import MAX_RACERS, MIN_RACERS, PRESETS, RACE_FIELDS, SHARED_FIELDS, TARGETS, Target, parse_race, race_configs, race_query, racer_rows, resized, setup_from_rows


def _same_params(a, b) -> bool:
    return all(np.array_equal(Wa, Wb) and np.array_equal(ba, bb) for (Wa, ba), (Wb, bb) in zip(a, b))


def test_same_data_and_same_start_when_shapes_match():
    base = Config(dataset="circle", noise=20)
    configs = [base.replace(lr=lr) for lr in (0.003, 0.03, 0.3)]
    r = Race(configs)
    first = r.trainers[0]
    for t in r.trainers[1:]:
        assert np.array_equal(t.train.X, first.train.X) and np.array_equal(t.test.y, first.test.y)
        assert _same_params(t.initial, first.initial)
    assert r.shared_start == [True, True, True]
    assert [t.lr for t in r.trainers] == [0.003, 0.03, 0.3]


def test_other_shapes_get_their_own_start_but_the_same_data():
    base = Config(dataset="xor")
    r = Race([base, base.replace(hidden=(8,)), base.replace(features=("x1", "x2", "x1x2")),
              base.replace(init="he")])
    assert r.shared_start == [True, False, False, False]
    assert [t.sizes for t in r.trainers] == [[2, 4, 2, 1], [2, 8, 1], [3, 4, 2, 1], [2, 4, 2, 1]]
    for t in r.trainers[1:]:
        assert np.array_equal(t.train.X, r.trainers[0].train.X)
    assert not _same_params(r.trainers[3].initial, r.trainers[0].initial)  # he ≠ uniform: a race about init


def test_step_and_frame_keep_racers_in_sync():
    base = Config(dataset="gauss")
    r = Race([base.replace(batch=1), base, base.replace(batch=CAPS["points"])])
    assert r.step(3) == 3 and r.epoch == 3
    assert [t.epoch for t in r.trainers] == [3, 3, 3]
    # No time left: every racer still trains a chunk of mini-batches, and the round may stay part-way
    # (a racer through its epoch waits for the others); it is finished by the next frame.
    done = r.frame(seconds=0.0)
    assert done in (0, 1) and all(t.epoch in (r.epoch, r.epoch + 1) for t in r.trainers)
    assert any(t.epoch > 3 or t.epoch_progress > 0 for t in r.trainers)
    assert r.frame(seconds=10.0, max_epochs=2) == 2 and {t.epoch for t in r.trainers} == {r.epoch}
    start = r.epoch  # ``until``: a Pause from another thread ends the frame after the round in progress
    assert r.frame(seconds=10.0, max_epochs=50, until=lambda: r.epoch >= start + 3) == 3


def test_a_diverged_racer_stays_behind_and_is_reported():
    base = Config(dataset="reg-plane", loss="mse")
    r = Race([base.replace(lr=0.01), base.replace(lr=1.0)])
    r.step(5)
    a, b = r.trainers
    assert a.epoch == 5 and b.diverged and b.epoch == 0 and r.running == [0]
    s = r.summary()
    assert s["racers"][1]["diverged"] and "diverged at epoch 1" in s["racers"][1]["note"]
    assert s["ranking"] == [0, 1]  # diverged racers rank last
    assert s["target"] == "test R² ≥ 0.95"


def test_summary_names_the_winner_on_a_constructed_case():
    base = Config(dataset="gauss")
    r = Race([base.replace(lr=0.0001), base.replace(lr=0.3)], target=Target("loss", 0.05))
    s0 = r.summary()
    assert s0["winner"] is None and "nobody has reached" in s0["headline"]
    r.step(30)
    s = r.summary()
    assert s["winner"] == 1 and s["first"] == [1]
    reached = s["racers"][1]["reached_at"]
    h = r.trainers[1].history
    assert reached == next(e for e, loss in zip(h.epoch, h.test_loss) if loss <= 0.05)
    assert s["racers"][0]["reached_at"] is None
    assert s["ranking"] == [1, 0] and s["racers"][1]["rank"] == 1
    assert s["headline"].startswith(f"lr 0.3 reached test loss ≤ 0.05 first, at epoch {reached}")
    rows = r.rows(s)
    assert rows[1]["Reached target at"] == f"epoch {reached}" and rows[0]["Reached target at"] == "—"
    assert [row["Rank"] for row in rows] == [2, 1]


def test_one_ranking_for_the_banner_and_the_table_first_to_the_target_wins():
    base = Config(dataset="circle")
    r = Race([base.replace(optimizer="sgd"), base.replace(optimizer="adam")])
    r.step(150)
    s = r.summary()
    sgd, adam = s["racers"]
    assert adam["reached_at"] == 6 and sgd["reached_at"] == 34
    assert sgd["test_loss"] < adam["test_loss"]  # SGD ends with the lower loss, yet Adam got there first
    assert s["winner"] == 1 and s["ranking"] == [1, 0] and (adam["rank"], sgd["rank"]) == (1, 2)
    assert [row["Rank"] for row in r.rows(s)] == [2, 1]
    assert s["headline"] == ("optimizer adam reached test accuracy ≥ 95% first, at epoch 6. "
                             "Then optimizer sgd at epoch 34.")


def test_the_banner_lists_finishers_in_the_order_they_finished():
    base = Config(dataset="circle")
    r = Race([base.replace(lr=0.01), base.replace(lr=0.03), base.replace(lr=0.3)])
    r.step(200)
    s = r.summary()
    assert r.reached == [100, 34, 6] and s["ranking"] == [2, 1, 0]
    assert [x["rank"] for x in s["racers"]] == [3, 2, 1]
    assert s["headline"] == ("lr 0.3 reached test accuracy ≥ 95% first, at epoch 6. "
                             "Then lr 0.03 at epoch 34, lr 0.01 at epoch 100.")


def test_equal_results_share_a_rank_and_the_metric_breaks_a_tie_in_epochs():
    base = Config(dataset="gauss", seed="11")  # the starting weights already reach 95 % at epoch 0
    r = Race([base.replace(lr=0.003), base.replace(optimizer="adam"), base.replace(hidden=(3,))])
    s = r.summary()
    assert r.reached == [0, 0, 0] and r.shared_start == [True, True, False]
    a, b, c = s["racers"]
    assert a["test_metric"] == b["test_metric"] > c["test_metric"]  # A and B: the same weights
    assert [a["rank"], b["rank"], c["rank"]] == [1, 1, 3]
    assert s["first"] == [0, 1] and s["winner"] == 0
    assert [row["Rank"] for row in r.rows(s)] == [1, 1, 3]
    assert s["headline"] == (f"{a['name']} and {b['name']} reached test accuracy ≥ 95% first, at epoch 0, "
                             f"with the same test accuracy (99.2%). Then {c['name']} at epoch 0 "
                             "(test accuracy 96.8%).")


def test_nobody_finished_the_leader_is_the_table_rank_one():
    base = Config(dataset="spiral")
    r = Race([base.replace(optimizer="sgd"), base.replace(optimizer="adam")], target=Target("accuracy", 0.99))
    r.step(20)
    s = r.summary()
    assert s["winner"] is None and s["first"] == []
    lead = max(range(2), key=lambda i: s["racers"][i]["test_metric"])
    assert s["racers"][lead]["rank"] == 1 and s["ranking"][0] == lead
    assert s["headline"].startswith(f"Epoch 20: nobody has reached test accuracy ≥ 99% yet; ahead so far on "
                                    f"test accuracy: {s['racers'][lead]['name']} (")


def test_race_rejects_configs_that_do_not_share_the_data():
    with pytest.raises(ValueError, match="share dataset"):
        Race([Config(dataset="circle"), Config(dataset="xor")])
    with pytest.raises(ValueError, match="2–4 configs"):
        Race([Config()])
    with pytest.raises(ValueError, match="2–4 configs"):
        Race([Config()] * 5)


def test_transport_is_idempotent_and_stops_itself():
    base = Config(dataset="reg-plane", loss="mse")
    r = Race([base.replace(lr=1.0), base.replace(lr=2.0)])  # both diverge at once
    r.step_from(0)
    r.step_from(0)  # a double-fired click for the same drawn epoch
    assert r.epoch == 1 and r.running == []
    r.play()
    assert not r.playing and r.tick() == 0
    ok = Race([Config(), Config(lr=0.1)])
    ok.play()
    assert ok.tick(seconds=10.0, max_epochs=1) == 1 and ok.playing
    ok.pause()
    assert ok.tick() == 0


def test_figures():
    r = Race([Config(dataset="gauss", lr=0.3), Config(dataset="gauss", lr=0.001)])
    r.step(3)
    fig = racer_boundary_figure(r, 0, res=20)
    assert "A · lr 0.3" in fig.layout.title.text and fig.data[0].type == "heatmap"
    loss = race_losses_figure(r)
    names = [tr.name for tr in loss.data]
    assert "A · lr 0.3 (test)" in names and "B · lr 0.001 (train)" in names
    assert any(tr.marker.symbol == "star" for tr in loss.data)  # A reached the target
    assert loss.layout.yaxis.type == "log"
    empty = race_loss_figure([r.trainers[0].history], ["x"], [None], log_y=False)
    assert len(empty.data) == 2
    for spec in (race_losses_figure(r, spec=True), racer_boundary_figure(r, 1, res=20, spec=True)):  # what the page sends
        go.Figure(spec)  # with Plotly's validation: no misspelt property
    assert racer_boundary_figure(r, 1, res=20, spec=True)["layout"]["showlegend"] is False


# ----- links -------------------------------------------------------------------------------------
def test_link_round_trip():
    base = from_query("dataset=spiral&noise=10&hidden=8,8")[0]
    overrides = [{"optimizer": "sgd"}, {"optimizer": "adam", "lr": 0.01}, {"activation": ("relu",), "hidden": (6,)}]
    q = race_query(base, overrides, Target("loss", 0.05))
    assert "race=optimizer:sgd|optimizer:adam;lr:0.01|activation:relu;hidden:6&race_target=loss:0.05" in q
    setup = parse_race(q)
    assert setup.warnings == () and setup.base == base and setup.target == Target("loss", 0.05)
    assert list(setup.overrides) == [{}, {"optimizer": "adam", "lr": 0.01}, {"activation": ("relu",), "hidden": (6,)}]
    assert parse_race(setup.to_query()) == setup
    configs = setup.configs()
    assert [c.optimizer for c in configs] == ["sgd", "adam", "sgd"] and configs[2].hidden == (6,)


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_build_clean_races(name):
    setup = parse_race(f"dataset=circle&race={name}")
    assert setup.warnings == () and setup.preset == name
    assert MIN_RACERS <= len(setup.configs()) <= MAX_RACERS
    assert f"race={name}" in setup.to_query()
    assert len(Race(setup.configs()).names) == len(setup.configs())


def test_full_batch_is_the_whole_training_set():
    r = Race(parse_race("race=batch-sizes").configs())
    assert r.names == ["batch 1", "batch 10", "full batch"]
    assert r.configs[2].batch == CAPS["points"]


@pytest.mark.parametrize("race, expect", [
    ("garbage", "not key:value"),
    ("lr:abc|lr:0.1", "lr must be a number"),
    ("dataset:xor|lr:0.1", "'dataset' is shared by all racers"),
    ("colour:red|lr:0.1", "'colour' is not a race setting"),
    ("lr:1|lr:2|lr:3|lr:4|lr:5", "at most 4 allowed"),
    ("lr:0.1", "needs 2–4 racers, got 1"),
    ("hidden:999|lr:0.1", "hidden must be at most"),
    ("lr:0.1|lr:0.1", "racer B is the same as racer A"),
    ("x" * 5000, "only the first 1000 were read"),
])
def test_bad_race_items_are_reported_not_raised(race, expect):
    setup = parse_race({"dataset": "circle", "race": race, "race_target": "loss:-1"})
    text = " | ".join(setup.warnings)
    assert expect in text and "race_target" in text
    configs = setup.configs()
    assert MIN_RACERS <= len(configs) <= MAX_RACERS
    assert all(c.dataset == "circle" for c in configs)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40))
def test_any_link_parses_to_a_valid_race_setup(race, target):
    setup = parse_race({"race": race, "race_target": target, "hidden": race[:20]})
    configs = setup.configs()
    assert MIN_RACERS <= len(configs) <= MAX_RACERS
    for c in configs:
        assert all(getattr(c, k) == getattr(setup.base, k) for k in SHARED_FIELDS)
    assert setup.target.metric in ("accuracy", "loss")
    again = parse_race(setup.to_query())
    assert again.configs() == configs


def test_race_configs_only_change_race_fields():
    base = Config()
    configs, warnings = race_configs(base, [{"lr": "0.3", "seed": "9"}, {"batch": "full"}])
    assert configs[0].lr == 0.3 and configs[0].seed == base.seed and configs[1].batch == CAPS["points"]
    assert any("'seed' is shared" in w for w in warnings)
    assert set(RACE_FIELDS).isdisjoint(SHARED_FIELDS)
    assert {"accuracy:0.95", "loss:0.05"} <= set(TARGETS)


def test_racer_table_round_trip_and_edits():
    setup = parse_race("dataset=circle&race=batch-sizes")
    rows = racer_rows(setup.configs())
    assert [r["batch"] for r in rows] == ["1", "10", "full"] and rows[0]["hidden"] == "4,2"
    assert setup_from_rows(setup.base, rows).configs() == setup.configs()
    rows[1] = {**rows[1], "optimizer": "adam", "hidden": "", "lr": None}  # emptied lr cell: base value
    edited = setup_from_rows(setup.base, rows, Target("loss", 0.01))
    c = edited.configs()[1]
    assert (c.optimizer, c.hidden, c.lr, c.batch) == ("adam", (), setup.base.lr, 10)
    bad = setup_from_rows(setup.base, [{"lr": "fast"}, "junk", {"hidden": "0"}, {}, {}, {}])
    assert len(bad.configs()) == MAX_RACERS
    assert any("lr must be" in w for w in bad.warnings) and any("at most 4" in w for w in bad.warnings)
    assert len(setup_from_rows(setup.base, []).configs()) == MIN_RACERS


def test_resized_copies_the_last_racer():
    setup = parse_race("race=optimizers")
    assert [c.optimizer for c in resized(setup, 4).configs()] == ["sgd", "adam", "adam", "adam"]
    assert len(resized(setup, 1).configs()) == MIN_RACERS and len(resized(setup, 9).configs()) == MAX_RACERS


def test_race_link_caps_hold_for_mappings():
    """The page passes st.query_params as a dict: the field and character caps still hold."""
    setup = parse_race({f"k{i}": "1" for i in range(1000)})
    assert setup.warnings[0] == "link has more than 200 fields; all settings reset to defaults"
    setup = parse_race({**{f"k{i}": "1" for i in range(150)}, "race": "lr:0.1|lr:0.3"})
    unknown = [w for w in setup.warnings if w.startswith("unknown setting")]
    assert len(unknown) == 1 and unknown[0].startswith("unknown settings ignored (150): 'k0',")
    setup = parse_race({**{f"k{i}": "x" * 150 for i in range(100)}, "race": "lr:0.1|lr:0.3"})
    assert setup.warnings[0].endswith("only the first 8000 were read") and setup.preset  # race= was past the cut


def test_race_links_round_trip_floats_exactly():
    """A racer's value comes back from its share link bit for bit, as the Playground's link does."""
    setup = parse_race("dataset=xor&race=lr:0.0123456789|lr:0.1;reg:l2;reg_rate:0.000123456789")
    again = parse_race(setup.to_query())
    assert [c.lr for c in again.configs()] == [0.0123456789, 0.1]
    assert again.configs() == setup.configs() and again.configs()[1].reg_rate == 0.000123456789
