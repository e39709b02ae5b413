"""NumpyMLP: whole-network gradient check, fused path = readable path, dropout, optimizer state, views."""
import numpy as np
import pytest

from playground.core.activations import TRAINABLE
from playground.run.config import Config
from playground.core.engines import initial_params
from playground.core.gradcheck import gradient_check
from playground.core.losses import LOSSES
from playground.core.network import NumpyMLP, layer_slices
from playground.core.optimizers import OPTIMIZERS
from playground.run.trainer import Trainer

N = 11  # examples: batch 4 leaves a ragged last batch of 3


def problem(loss_name, seed=0, n=N, d=3):
    """(X, T, k) for a loss: ±1 / 0-1 labels, one-hot for ce (3 classes), real targets for regression.

    Shared with test_parity.py.
    """
    loss = LOSSES[loss_name]
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if loss.task == "regression":
        return X, rng.normal(size=(n, 1)), 1
    k = 3 if loss.output == "softmax" else 2
    return X, loss.targets(rng.integers(0, k, n), k), loss.n_outputs(k)


def _net(acts, loss, k, d=3, hidden=(5, 4), dtype=np.float64, init="xavier", **kw):
    sizes = [d, *hidden, k]
    params = initial_params(init, sizes, np.random.default_rng(1))
    return NumpyMLP(sizes, acts, loss, params, dtype=dtype, **kw)


def max_diff(pa, pb) -> float:
    """Largest |difference| between two ``[(W, b), ...]`` lists."""
    return max(float(np.abs(x - y).max()) for a, b in zip(pa, pb) for x, y in zip(a, b))


# ----- gradient check of the whole network --------------------------------------------------------
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("act", TRAINABLE)
def test_backprop_matches_finite_differences(act, loss):
    X, T, k = problem(loss)
    net = _net([act, act], loss, k)
    check = gradient_check(net, X, T)
    assert check.max_abs_diff < 1e-7, check
    assert check.agrees(rel_tol=1e-5, abs_tol=1e-8), check


def test_mixed_activations_and_deeper_network():
    X, T, k = problem("bce", seed=3)
    net = _net(["relu", "sine", "gelu"], "bce", k, hidden=(6, 5, 3))
    assert gradient_check(net, X, T).max_abs_diff < 1e-7


# ----- the fused training path is the readable one --------------------------------------------------
def _readable_epoch(net, X, T, batch):
    for start in range(0, len(X), batch):
        cache = net.forward(X[start:start + batch])
        net.backward(cache, T[start:start + batch])
        net.step()


def _fused_vs_readable(act, loss, batch, epochs=3, **kw):
    X, T, k = problem(loss, seed=2)
    fused, readable = _net([act, act], loss, k, **kw), _net([act, act], loss, k, **kw)
    for _ in range(epochs):
        fused._train_epoch_fused(X, T, batch)
        _readable_epoch(readable, X, T, batch)
    moved = max_diff(fused.get_params(), _net([act, act], loss, k, **kw).get_params())
    return max_diff(fused.get_params(), readable.get_params()), moved


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("act", ["tanh", "relu", "linear", "sigmoid", "gelu"])
def test_fused_path_equals_readable_path(act, optimizer):
    diff, moved = _fused_vs_readable(act, "square", 4, optimizer=optimizer, lr=0.05)
    assert moved > 1e-3  # training did something
    assert diff < 1e-12


@pytest.mark.parametrize("batch", [1, 4, N, 32])
@pytest.mark.parametrize("loss", ["bce", "ce", "huber"])
def test_fused_path_batch_sizes_and_losses(batch, loss):
    diff, moved = _fused_vs_readable("tanh", loss, batch, optimizer="momentum", lr=0.1)
    assert moved > 1e-3 and diff < 1e-12


@pytest.mark.parametrize("extra", [
    {"reg": "l2", "reg_rate": 0.05},
    {"reg": "l1", "reg_rate": 0.05},
    {"clip": 0.05},
    {"reg": "l1", "reg_rate": 0.01, "clip": 0.1, "optimizer": "adam"},
])
def test_fused_path_with_regularisation_and_clipping(extra):
    kw = {"optimizer": "sgd", "lr": 0.1, **extra}
    diff, moved = _fused_vs_readable("relu", "mse", 4, **kw)
    assert moved > 1e-3 and diff < 1e-12


@pytest.mark.parametrize("hidden", [(), (6,), (5, 4, 3)])
@pytest.mark.parametrize("loss", ["square", "bce", "mse"])
def test_fused_path_any_depth(hidden, loss):
    """No hidden layer (the output straight from the inputs), one, and three."""
    X, T, k = problem(loss, seed=4)
    acts = ["tanh", "relu", "sigmoid"][:len(hidden)]
    fused, readable = (_net(acts, loss, k, hidden=hidden, optimizer="sgd", lr=0.1) for _ in range(2))
    for _ in range(3):
        fused._train_epoch_fused(X, T, 4)
        _readable_epoch(readable, X, T, 4)
    start = _net(acts, loss, k, hidden=hidden).get_params()
    assert max_diff(fused.get_params(), start) > 1e-3 and max_diff(fused.get_params(), readable.get_params()) < 1e-12


def test_fused_path_follows_a_learning_rate_changed_between_mini_batches():
    """The rate is a live setting: an epoch trained in two calls with a new rate between them is the
    readable path with the same change, bit for bit in float32 (the fused path keeps a converted copy)."""
    X, T, k = problem("square", n=24)
    X, T = X.astype(np.float32), T.astype(np.float32)
    fused, readable = (_net(["tanh", "tanh"], "square", k, dtype=np.float32, lr=0.1) for _ in range(2))
    fused.train_epoch(X, T, 4, None, 0, 3)
    _readable_epoch(readable, X[:12], T[:12], 4)
    fused.lr = readable.lr = 0.02
    fused.train_epoch(X, T, 4, None, 3, None)
    _readable_epoch(readable, X[12:], T[12:], 4)
    assert np.array_equal(fused.flat, readable.flat)
    assert len(fused._bufs) == 2  # one input buffer for the parts of the epoch, one set for batch 4
    again = _net(["tanh", "tanh"], "square", k, dtype=np.float32, lr=0.1)
    again.train_epoch(X, T, 4, None)  # the whole epoch at 0.1: a different result
    assert not np.array_equal(again.flat, fused.flat)


# ----- what the trainer records after each epoch, in one pass ---------------------------------------
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid", "gelu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_evaluate_splits_equals_two_evaluate_calls(act, loss, dtype):
    X, T, k = problem(loss, n=23)
    net = _net([act, act], loss, k, dtype=dtype)
    net.train_epoch(X, T, 4, None)  # off the initial weights
    Xtr, Ttr, Xte, Tte = X[:15].astype(dtype), T[:15].astype(dtype), X[15:].astype(dtype), T[15:].astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 2e-6
    for _ in range(2):  # the second call reuses the kept buffers, at the weights after one more epoch
        train_loss, out_tr, grads = net.evaluate(Xtr, Ttr, grads=True)
        test_loss, out_te, _ = net.evaluate(Xte, Tte)
        got = net.evaluate_splits(Xtr, Ttr, Xte, Tte)
        assert got[0] == pytest.approx(train_loss, rel=tol, abs=tol)
        assert got[1] == pytest.approx(test_loss, rel=tol, abs=tol)
        np.testing.assert_allclose(got[2], out_tr, rtol=tol, atol=tol)
        np.testing.assert_allclose(got[3], out_te, rtol=tol, atol=tol)
        assert max_diff(got[4], grads) < tol and all(g.dtype == np.float64 for W in got[4] for g in W)
        assert [W.shape for W, _ in got[4]] == [W.shape for W, _ in grads]
        net.train_epoch(X, T, 4, None)


def test_train_epoch_uses_fused_path_without_dropout(monkeypatch):
    X, T, k = problem("square")
    net = _net(["tanh", "tanh"], "square", k)
    calls = []
    monkeypatch.setattr(net, "_train_epoch_fused", lambda *a: calls.append(a))
    net.train_epoch(X, T, 4, np.random.default_rng(0))
    assert len(calls) == 1


def test_regularisation_and_clipping_change_the_step():
    """l2 pulls weights (not biases) towards 0 on top of the data gradient; clip caps the step's norm."""
    X, T, k = problem("mse")
    plain, l2 = _net(["tanh", "tanh"], "mse", k, lr=0.1), _net(["tanh", "tanh"], "mse", k, lr=0.1, reg="l2", reg_rate=0.5)
    for net in (plain, l2):
        net.backward(net.forward(X), T)
    w_before = l2.get_params()
    plain.step()
    l2.step()
    for (Wp, bp), (Wl, bl), (W0, _) in zip(plain.get_params(), l2.get_params(), w_before):
        np.testing.assert_allclose(Wl, Wp - 0.1 * 0.5 * W0, atol=1e-15)  # the extra −η λ w
        np.testing.assert_allclose(bl, bp, atol=1e-15)  # biases untouched
    clipped = _net(["tanh", "tanh"], "mse", k, optimizer="sgd", lr=1.0, clip=1e-3)
    start = clipped.flat.copy()
    clipped.backward(clipped.forward(X), T)
    clipped.step()
    assert np.linalg.norm(clipped.flat - start) == pytest.approx(1e-3, rel=1e-3)


# ----- dropout ---------------------------------------------------------------------------------------
def test_dropout_training_is_reproducible_and_uses_the_rng():
    X, T, k = problem("square")

    def run(seed):
        net = _net(["tanh", "tanh"], "square", k, dropout=0.3, lr=0.1)
        rng = np.random.default_rng(seed)
        for _ in range(3):
            net.train_epoch(X, T, 4, rng)
        return net.get_params()

    assert max_diff(run(5), run(5)) == 0.0
    assert max_diff(run(5), run(6)) > 1e-4


def test_dropout_without_rng_is_plain_training():
    X, T, k = problem("square")
    with_p, without = _net(["tanh", "tanh"], "square", k, dropout=0.5), _net(["tanh", "tanh"], "square", k)
    with_p.train_epoch(X, T, 4, None)
    without.train_epoch(X, T, 4, None)
    assert max_diff(with_p.get_params(), without.get_params()) < 1e-12


def test_inverted_dropout_keeps_the_expected_activation():
    p = 0.4
    net = _net(["sigmoid", "tanh"], "square", 1, dropout=p)
    x = np.random.default_rng(0).normal(size=(1, 3))
    clean = net.forward(x).acts[1][0]  # (5,) first hidden layer, no dropout
    many = net.forward(np.repeat(x, 40_000, axis=0), np.random.default_rng(1))
    dropped = many.acts[1]
    assert abs((dropped == 0).mean() - p) < 0.01  # about p of the units are zeroed
    kept = dropped[dropped != 0].reshape(-1)
    assert np.allclose(np.sort(np.unique(np.round(kept, 12))), np.sort(np.round(clean / (1 - p), 12)))
    np.testing.assert_allclose(dropped.mean(axis=0), clean, rtol=0.03)  # E[mask · a] = a
    # evaluation never drops
    assert np.array_equal(net.evaluate(x, None)[1], net.evaluate(x, None)[1])
    np.testing.assert_array_equal(net.layer_outputs(x)[0][0], clean)


# ----- optimizer state, parameters, views -------------------------------------------------------------
def test_changing_lr_keeps_the_optimizer_state():
    X, T, k = problem("square")
    net = _net(["tanh", "tanh"], "square", k, optimizer="adam", lr=0.01)
    net.train_epoch(X, T, 4, None)
    t, m, v = net.optimizer.t, net.optimizer._a.copy(), net.optimizer._b.copy()
    assert t == 3
    net.lr = 0.002
    assert net.lr == 0.002 and net.optimizer.lr == 0.002
    assert net.optimizer.t == t and np.array_equal(net.optimizer._a, m) and np.array_equal(net.optimizer._b, v)
    net.train_epoch(X, T, 4, None)
    assert net.optimizer.t == 6


def test_params_views_and_shapes():
    X, T, k = problem("ce")
    net = _net(["relu", "tanh"], "ce", k, dtype=np.float32)
    assert net.n_params == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3
    params = net.get_params()
    assert [W.shape for W, _ in params] == [(3, 5), (5, 4), (4, 3)]
    assert all(W.dtype == np.float64 for W, _ in params)
    params[0][0][...] = 7.0  # a copy: the network is unchanged
    assert not (net.W[0] == 7.0).any()
    net.set_params(params)
    assert (net.W[0] == 7.0).all() and net.flat[layer_slices(net.sizes)[0][0]].tolist() == [7.0] * 15
    outs, zs = net.layer_outputs(X), net.pre_activations(X)
    assert [o.shape for o in outs] == [(N, 5), (N, 4), (N, 3)] and [z.shape for z in zs] == [(N, 5), (N, 4), (N, 3)]
    assert outs[0].dtype == np.float32
    np.testing.assert_allclose(outs[-1].sum(axis=1), 1.0, rtol=1e-6)  # softmax output
    loss, out, grads = net.evaluate(X, None)
    assert np.isnan(loss) and grads is None and out.shape == (N, 3)
    loss, out, grads = net.evaluate(X, T, grads=True)
    assert np.isfinite(loss) and [g[0].shape for g in grads] == [(3, 5), (5, 4), (4, 3)]
    assert grads[0][0].dtype == np.float64


def test_repr_and_errors():
    net = _net(["tanh", "relu"], "mse", 1, dtype=np.float32)
    assert repr(net) == "NumpyMLP(3-5-4-1, [tanh, relu] → mse, float32)"
    with pytest.raises(ValueError, match="need 2 hidden activations, got 1"):
        _net(["tanh"], "mse", 1)


# ----- determinism with dropout through the trainer ------------------------------------------------------
def assert_deterministic_per_seed(cfg: Config, epochs: int = 5) -> None:
    """Same config → identical history and weights; another seed → a different run.  Shared with test_parity."""
    a, b, c = Trainer(cfg), Trainer(cfg), Trainer(cfg.replace(seed="2"))
    for t in (a, b, c):
        t.run(epochs=epochs)
    assert a.history.train_loss == b.history.train_loss and a.history.grad_norms == b.history.grad_norms
    assert max_diff(a.params, b.params) == 0.0
    assert a.history.train_loss != c.history.train_loss


def test_trainer_with_dropout_is_deterministic_per_seed():
    assert_deterministic_per_seed(Config(dataset="xor", hidden=(6,), dropout=0.2, optimizer="momentum", points=120))
