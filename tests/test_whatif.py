"""What-if branches: the same run forked at an epoch, one setting changed, trained in Race's lockstep."""
import numpy as np
import pytest

from playground.run.config import Config
from playground.run.trainer import Trainer
from playground.run.views import grid_for
from playground.run.branches import (WHATIF_FIELDS, branch, change_text, disagreement, fork, parse_whatif,
                                     replay_parent, whatif_query)
from playground.viz.whatif import disagreement_figure


def _same(a: Trainer, b: Trainer) -> bool:
    return all(np.array_equal(x, y) for (Wa, ba), (Wb, bb) in zip(a.net.get_params(), b.net.get_params())
               for x, y in ((Wa, Wb), (ba, bb)))


@pytest.mark.parametrize("cfg", [
    Config(dataset="xor"),
    Config(dataset="circle", optimizer="adam", lr=0.01, batch=7),
    Config(dataset="spiral", hidden=(8, 8), dropout=0.2, optimizer="momentum", reg="l1", reg_rate=0.001),
    Config(dataset="blobs", loss="ce", optimizer="rmsprop", lr=0.01),
], ids=["sgd", "adam-odd-batch", "dropout-momentum-l1", "softmax-rmsprop"])
def test_a_branch_with_nothing_changed_reproduces_its_parent_bit_for_bit(cfg):
    parent = Trainer(cfg)
    parent.step(6)
    race = branch(parent, {})
    assert race.epoch == 6 and all(t.epoch == 6 for t in race.trainers)
    race.step(5)
    parent.step(5)
    straight = Trainer(cfg)
    straight.step(11)
    for t in race.trainers:
        assert _same(t, parent) and _same(t, straight)
        assert t.history.test_loss == parent.history.test_loss  # the curves too, the shared part included
        assert t.epoch == parent.epoch == 11


def test_a_branch_from_a_run_stopped_mid_epoch_continues_from_its_last_evaluated_epoch():
    parent = Trainer(Config(dataset="circle", batch=1))
    parent.step(2)
    parent.train_for(0.0, max_epochs=1)  # one mini-batch of epoch 3
    assert parent._pos > 0
    kid = fork(parent)
    kid.step(1)
    ref = Trainer(Config(dataset="circle", batch=1))
    ref.step(3)
    assert _same(kid, ref)


def test_the_changed_branch_shares_weights_and_batches_and_differs_only_by_its_change():
    parent = Trainer(Config(dataset="xor", lr=0.03))
    parent.step(10)
    race = branch(parent, {"lr": 0.3})
    a, b = race.trainers
    assert _same(a, b) and b.lr == 0.3 and a.lr == 0.03
    assert a._rng.bit_generator.state == b._rng.bit_generator.state  # the same mini-batch order
    race.step(3)
    assert race.epoch == 13 and not _same(a, b)
    assert race.names == ["as it was", "what if"]
    twin = fork(parent, {"lr": 0.3})  # a branch alone gives the same as in the race
    twin.step(3)
    assert _same(twin, b)
    with pytest.raises(ValueError, match="may change only"):
        fork(parent, {"hidden": (3,)})


def test_a_new_optimizer_starts_fresh_and_the_same_keeps_its_state():
    parent = Trainer(Config(dataset="circle", optimizer="adam", lr=0.01))
    parent.step(3)
    same = fork(parent, {"lr": 0.02})
    assert same.net.optimizer.t == parent.net.optimizer.t > 0
    assert all(np.array_equal(x, y) for x, y in zip(same.net.optimizer.slots, parent.net.optimizer.slots))
    other = fork(parent, {"optimizer": "sgd"})
    assert other.net.optimizer.t == 0


def test_disagreement_is_empty_for_twins_and_the_map_shows_where_they_differ():
    parent = Trainer(Config(dataset="xor"))
    parent.step(20)
    grid = grid_for(parent, 30)
    twins = branch(parent, {})
    twins.step(3)
    diff, share = disagreement(twins, grid)
    assert share == 0.0 and not diff.any()
    race = branch(parent, {"activation": ("relu",), "lr": 1.0})
    race.step(20)
    diff, share = disagreement(race, grid)
    assert 0 < share < 1 and diff.shape == (30, 30)
    fig = disagreement_figure(race, grid, spec=True)
    assert f"{share:.0%} of the plane" in fig["layout"]["title"]["text"]
    assert np.nansum(fig["data"][0]["z"]) == diff.sum()


def test_links_round_trip_and_bad_values_get_clear_messages():
    w = parse_whatif("dataset=xor&lr=0.03&branch_at=40&whatif=lr:0.3")
    assert (w.base.dataset, w.change, w.branch_at, w.warnings) == ("xor", {"lr": 0.3}, 40, ())
    again = parse_whatif(whatif_query(w.base, w.change, w.branch_at))
    assert (again.base, again.change, again.branch_at) == (w.base, w.change, w.branch_at)
    w = parse_whatif("dataset=xor&branch_at=-3&whatif=hidden:3;lr:abc;nonsense;batch:full")
    text = " | ".join(w.warnings)
    assert w.branch_at == 0 and "branch_at '-3' is not valid" in text
    assert "'hidden' cannot be changed in a branch" in text and ", ".join(WHATIF_FIELDS) in text
    assert "'nonsense' is not key:value" in text and "lr" in text
    assert w.change == {"batch": 10_000}
    assert parse_whatif("whatif=" + "lr:0.3;" * 100).warnings[0].startswith("whatif is 700 characters")
    assert change_text({}) == "nothing changed" and change_text({"reg_rate": 0.1}) == "reg rate 0.1"


def test_a_fresh_link_trains_the_same_run_again_up_to_the_branch_epoch():
    cfg = Config(dataset="xor")
    t, msg = replay_parent(cfg, 25)
    ref = Trainer(cfg)
    ref.step(25)
    assert msg == "" and t.epoch == 25 and _same(t, ref)
    t, msg = replay_parent(cfg, 10**5, seconds=0.05)
    assert 0 < t.epoch < 10**5 and "branching there" in msg
