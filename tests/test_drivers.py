"""Which points drive learning: per-point losses and gradient norms, removing points, the link keys, the page."""
import numpy as np
import pytest

from apptest_util import assert_no_exception, open_page
from playground.run import drivers
from playground.run.config import Config
from playground.core.network import NumpyMLP
from playground.run.trainer import Trainer


@pytest.mark.parametrize("cfg", [
    Config(dataset="circle", hidden=(4, 2)),
    Config(dataset="spiral3", loss="ce", hidden=(5,), activation=("relu",)),
    Config(dataset="reg-plane", loss="mse", hidden=(3,)),
    Config(dataset="xor", hidden=(), loss="bce"),
], ids=lambda c: c.dataset)
def test_scores_are_each_points_own_loss_and_gradient_norm(cfg):
    t = Trainer(cfg)
    t.run(epochs=3)
    grad, loss = drivers.point_scores(t, "grad"), drivers.point_scores(t, "loss")
    net = NumpyMLP(t.sizes, cfg.activations(), cfg.loss, t.params, dtype=np.float64)
    X, T = np.asarray(t.X_train, np.float64), np.asarray(t.T_train, np.float64)
    for i in range(0, len(X), 17):  # brute force: the gradient of one point alone
        g = net.gradients(X[i:i + 1], T[i:i + 1])
        assert grad[i] == pytest.approx(np.sqrt(sum((W ** 2).sum() + (b ** 2).sum() for W, b in g)), rel=1e-9)
        assert loss[i] == pytest.approx(net.evaluate(X[i:i + 1], T[i:i + 1])[0], rel=1e-9)
    # The full-batch gradient is the mean of the per-point ones: its norm is at most their mean.
    full = net.gradients(X, T)
    assert np.sqrt(sum((W ** 2).sum() + (b ** 2).sum() for W, b in full)) <= grad.mean() + 1e-12


def test_marker_sizes():
    s = drivers.marker_sizes(np.array([0.0, 1.0, 4.0, np.nan]))
    assert list(s) == [4.0, 12.0, 20.0, 4.0]  # area ∝ score: diameter 4 + 16·sqrt(score / max)
    assert list(drivers.marker_sizes(np.zeros(3))) == [4.0] * 3


def test_removing_points_continues_from_the_same_weights():
    t = Trainer(Config(dataset="circle", hidden=(4,)))
    t.run(epochs=5)
    before = [(W.copy(), b.copy()) for W, b in t.params]
    n = len(t.X_train)
    removed_x = t.train.X[[3, 7]]
    assert drivers.remove_point(t, [3]) == "" and drivers.remove_point(t, 7) == ""
    assert t.removed == (3, 7) and len(t.X_train) == n - 2 and t.epoch == 5
    assert all(np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(t.params, before))
    assert not any((t.train.X == x).all(axis=1).any() for x in removed_x)
    assert list(drivers.original_indices(t)[:5]) == [0, 1, 2, 4, 5]
    t.run(epochs=2)
    assert t.epoch == 7 and t.history.epoch[-1] == 7
    t.set_removed(())
    assert len(t.X_train) == n and t.removed == ()
    with pytest.raises(ValueError):
        t.set_removed((n,))


def test_removal_cap_and_bad_clicks():
    t = Trainer(Config(dataset="circle", hidden=(2,)))
    t.set_removed(range(drivers.REMOVED_CAP))
    assert "at most" in drivers.remove_point(t, drivers.REMOVED_CAP + 1)
    assert drivers.remove_point(t, "banana") and drivers.remove_point(t, None)
    assert drivers.remove_point(t, 3) == ""  # already out: nothing to do


def test_link_keys_are_validated_and_capped():
    kind, removed, w = drivers.parse_link({"drive": "grad", "removed": "5,2,2"}, 250)
    assert (kind, removed, w) == ("grad", (2, 5), [])
    kind, removed, w = drivers.parse_link({"drive": "<b>x</b>", "removed": "1,x,999,-3"}, 250)
    assert kind == "off" and removed == (1,) and len(w) == 2 and "0–249" in w[1]
    many = ",".join(map(str, range(200)))
    _, removed, w = drivers.parse_link({"removed": many}, 250)
    assert len(removed) == drivers.REMOVED_CAP and "at most" in w[0]
    _, removed, w = drivers.parse_link({"removed": "0,1,2"}, 4)
    assert removed == () and "fewer than 2" in w[0]
    assert drivers.link_query("loss", (9, 1)) == "drive=loss&removed=1,9"
    assert drivers.link_query("off", ()) == ""


def test_playground_sizes_points_removes_on_click_and_keeps_it_in_the_link():
    at = open_page("pages/play.py", {"dataset": "xor", "hidden": "4", "drive": "grad", "removed": "4,9"})
    s = at.session_state["pg.session"]
    assert s.trainer.removed == (4, 9) and at.session_state["pg.drive"] == "grad"
    assert at.query_params["removed"] == ["4,9"] or at.query_params["removed"] == "4,9"
    assert any("how hard it pulls" in c.value for c in at.caption)
    # A click on a training point (the chart sends back its number) leaves it out.
    at.session_state["pg_boundary"] = {"clicks": {"id": "t", "items": [{"seq": 1, "x": 0.0, "y": 0.0,
                                                                        "customdata": 17}]}}
    at.run()
    assert_no_exception(at)
    assert s.trainer.removed == (4, 9, 17)
    assert "17" in str(at.query_params["removed"])
    next(b for b in at.button if b.key == "pg.bring_back").click().run()
    assert s.trainer.removed == () and "removed" not in at.query_params
    bad = open_page("pages/play.py", {"dataset": "xor", "drive": "bogus", "removed": "1,zz"})
    texts = " ".join(w.value for w in bad.warning)
    assert "bogus" in texts and "not one of off, loss, grad" in texts and "not training" in texts
