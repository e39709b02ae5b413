"""Trainer: determinism, history, stop conditions, divergence, checkpoints."""
import numpy as np
import pytest

from playground.run.config import Config
from playground.run.trainer import SNAPSHOT_CAP, Trainer
from playground.run.history import HISTORY_CAP, History


def test_same_config_same_trajectory():
    a, b = Trainer(Config(dataset="spiral", hidden=(6,))), Trainer(Config(dataset="spiral", hidden=(6,)))
    a.run(epochs=20)
    b.run(epochs=20)
    assert a.history.train_loss == b.history.train_loss
    for (Wa, ba), (Wb, bb) in zip(a.params, b.params):
        assert (Wa == Wb).all() and (ba == bb).all()


def test_seed_changes_data_and_weights_but_network_change_keeps_data():
    a, b = Trainer(Config(seed="1")), Trainer(Config(seed="2"))
    assert not np.array_equal(a.data.X, b.data.X)
    c = Trainer(Config(seed="1", hidden=(8,)))
    assert np.array_equal(a.data.X, c.data.X) and np.array_equal(a.train.X, c.train.X)


def test_split_sizes_and_history_start():
    t = Trainer(Config(train=30))
    assert len(t.train) == 150 and len(t.test) == 350
    assert t.epoch == 0 and t.history.epoch == [0] and len(t.history.grad_norms[0]) == 3


def test_xor_learns_and_linear_cannot():
    t = Trainer(Config(dataset="xor", hidden=(4,)))
    t.run(epochs=300)
    assert t.summary()["test_accuracy"] >= 0.95
    lin = Trainer(Config(dataset="xor", hidden=(4,), activation=("linear",)))
    lin.run(epochs=300)
    assert lin.summary()["test_accuracy"] <= 0.75


def test_regression_metrics():
    t = Trainer(Config(dataset="reg-plane", loss="mse", hidden=(3,), lr=0.01))
    t.run(epochs=100)
    s = t.summary()
    assert s["r2"] > 0.95 and 0 <= s["rmse"] < 0.1 and "test_accuracy" not in s


def test_multiclass_and_real_data():
    t = Trainer(Config(dataset="iris", loss="ce", hidden=(8,), optimizer="adam", lr=0.01))
    assert t.sizes == [4, 8, 3]
    t.run(epochs=100)
    assert t.summary()["test_accuracy"] > 0.85
    # Real data is standardised with training statistics.
    assert np.allclose(t.train.X.mean(axis=0), 0, atol=1e-9)


def test_stop_conditions():
    t = Trainer(Config(max_epochs=7))
    assert t.run(epochs=100) == 7 and "max epochs" in t.stop_reason
    t = Trainer(Config(dataset="gauss", target_loss=0.05, hidden=(2,)))
    t.run(epochs=2000)
    assert "reached the target" in t.stop_reason and t.history.test_loss[-1] <= 0.05
    t = Trainer(Config(dataset="xor", noise=50, hidden=(16, 16), patience=5, lr=0.3))
    t.run(epochs=3000)
    assert t.stop_reason.startswith("early stopping") and t.epoch - t.best_epoch == 5
    t.restore_best()
    assert t.net.evaluate(t.X_test, t.T_test)[0] == pytest.approx(t.best_loss, rel=1e-5)


def test_divergence_stops_with_message_and_finite_weights():
    t = Trainer(Config(dataset="reg-plane", loss="mse", lr=10, hidden=(8, 8), activation=("relu",), init_scale=5))
    t.run(epochs=50)
    assert t.diverged and t.stop_reason == "diverged"
    assert "lower learning rate" in t.message and "10" in t.message
    assert all(np.isfinite(v).all() for W, b in t.params for v in (W, b))
    assert all(np.isfinite(x) for x in t.history.train_loss)
    assert t.run(epochs=5) == 0  # stays stopped until Reset (a new Trainer)


def test_lr_changes_live():
    t = Trainer(Config())
    t.run(epochs=3)
    t.lr = 0.3
    assert t.net.optimizer.lr == 0.3 and t.net.optimizer.t > 0


def test_history_and_snapshots_are_capped():
    h = History()
    for i in range(HISTORY_CAP + 10):
        h.append(epoch=i, train_loss=1.0, test_loss=1.0, train_metric=0.0, test_metric=0.0, test_rmse=0.0, grad_norms=[])
    assert len(h) <= HISTORY_CAP and h.epoch[0] == 0 and h.epoch[-1] == HISTORY_CAP + 9
    t = Trainer(Config(batch=250, train=50))
    t.run(epochs=SNAPSHOT_CAP * 3)
    assert len(t.snapshots) <= SNAPSHOT_CAP + 1 and t.snapshots[0][0] == 0


def test_history_arrays_follow_the_lists():
    h = History()
    for i in range(5):
        h.append(epoch=i, train_loss=1.0 / (i + 1), test_loss=2.0, train_metric=0.5, test_metric=0.5, test_rmse=0.0,
                 grad_norms=[])
    first = h.array("train_loss")
    np.testing.assert_array_equal(first, [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert h.array("train_loss") is first  # nothing new: the same array
    h.append(epoch=5, train_loss=0.1, test_loss=2.0, train_metric=0.5, test_metric=0.5, test_rmse=0.0, grad_norms=[])
    np.testing.assert_array_equal(h.array("train_loss"), [*first, 0.1])
    np.testing.assert_array_equal(h.array("epoch"), np.arange(6))
    h.epoch[-1] = 50  # changed in place (as loading a model does): converted again
    np.testing.assert_array_equal(h.array("epoch"), [0, 1, 2, 3, 4, 50])
    for i in range(6, HISTORY_CAP + 3):  # thinned: kept arrays are dropped with it
        h.append(epoch=i, train_loss=float(i), test_loss=2.0, train_metric=0.5, test_metric=0.5, test_rmse=0.0,
                 grad_norms=[])
        if i == HISTORY_CAP:
            h.array("train_loss")
    np.testing.assert_array_equal(h.array("train_loss"), np.asarray(h.train_loss))
    np.testing.assert_array_equal(h.array("epoch"), np.asarray(h.epoch, np.float64))


def test_custom_data_and_params():
    from playground.data.datasets import generate

    data = generate("moons", 10, np.random.default_rng(5), n=100)
    t = Trainer(Config(hidden=(3,)), data=data)
    assert len(t.data) == 100
    p = [(np.ones_like(W), np.zeros_like(b)) for W, b in t.params]
    t2 = Trainer(Config(hidden=(3,)), data=data, params=p)
    assert (t2.params[0][0] == 1).all()


def test_set_params_updates_views():
    t = Trainer(Config())
    p = t.params
    p[0][0][0, 0] = 2.5
    t.set_params(p)
    assert t.params[0][0][0, 0] == pytest.approx(2.5)


def test_all_finite_reads_one_sum_and_checks_element_by_element_only_when_it_is_not_finite():
    from playground.run.trainer import _all_finite

    def params(*weights):
        return [(np.array(w, np.float64).reshape(-1, 1), np.zeros(1)) for w in weights]

    with np.errstate(over="ignore", invalid="ignore"):
        assert _all_finite(params([1.0, -2.0], [3.0]))
        assert not _all_finite(params([1.0, np.nan], [3.0]))
        assert not _all_finite(params([np.inf], [-np.inf]))  # the sum is NaN
        assert not _all_finite(params([1.0], [-np.inf]))
        assert _all_finite(params([1e308, 1e308], [1e308]))  # the sum overflows, every weight is finite
