"""NumPy engine vs PyTorch engine: same outputs, gradients and trajectories (float64, to 1e-9)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from playground.core.activations import ACTIVATIONS, TRAINABLE  # noqa: E402
from playground.run.config import Config  # noqa: E402
from playground.core.engines import initial_params, make_engine  # noqa: E402
from playground.core.losses import LOSSES  # noqa: E402
from playground.core.network import NumpyMLP  # noqa: E402
from playground.core.optimizers import OPTIMIZERS  # noqa: E402
from playground.core.torch_engine import (  # noqa: E402
    TORCH_ACTIVATIONS, TORCH_LOSSES, TorchMLP, functional_step, make_torch_optimizer,
)
from playground.run.trainer import Trainer  # noqa: E402
from test_network import N, assert_deterministic_per_seed, max_diff, problem  # noqa: E402  (tests/ is on sys.path under pytest)

TOL = 1e-9


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    # These tensors are tiny; on a small shared machine torch's worker threads only add
    # hand-off stalls (milliseconds each).  Restored afterwards: tests leave global state alone.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _pair(acts, loss, k, d=3, hidden=(5, 4), dtype=np.float64, **kw):
    sizes = [d, *hidden, k]
    params = initial_params("xavier", sizes, np.random.default_rng(1))
    return (NumpyMLP(sizes, acts, loss, params, dtype=dtype, **kw),
            TorchMLP(sizes, acts, loss, params, dtype=dtype, **kw))


def _train_both(a, b, X, T, epochs, batch=4, seed=7, lr_change=None):
    ra, rb = np.random.default_rng(seed), np.random.default_rng(seed)  # the same dropout draws
    for e in range(epochs):
        if lr_change is not None and e == epochs // 2:
            a.lr = b.lr = lr_change
        a.train_epoch(X, T, batch, ra)
        b.train_epoch(X, T, batch, rb)


def test_registries_cover_every_name():
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)
    assert set(TORCH_LOSSES) == set(LOSSES)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("act", TRAINABLE)
def test_same_outputs_gradients_and_training(act, loss):
    X, T, k = problem(loss)
    a, b = _pair([act, act], loss, k)
    la, oa, ga = a.evaluate(X, T, grads=True)
    lb, ob, gb = b.evaluate(X, T, grads=True)
    assert abs(la - lb) < TOL
    assert np.abs(oa - ob).max() < TOL
    assert max_diff(ga, gb) < TOL
    assert max_diff([a.pre_activations(X)], [b.pre_activations(X)]) < TOL
    assert max_diff([a.layer_outputs(X)], [b.layer_outputs(X)]) < TOL
    start = a.get_params()
    _train_both(a, b, X, T, epochs=3)
    assert max_diff(a.get_params(), start) > 1e-4  # they moved ...
    assert max_diff(a.get_params(), b.get_params()) < TOL  # ... together


OPTIONS = {
    "plain": {},
    "l1": {"reg": "l1", "reg_rate": 0.03},
    "l2": {"reg": "l2", "reg_rate": 0.1},
    "clip": {"clip": 0.05},
    "dropout": {"dropout": 0.3},
    "all": {"reg": "l2", "reg_rate": 0.01, "clip": 0.2, "dropout": 0.2},
}


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_optimizers_regularisers_clipping_dropout(optimizer, option):
    # RMSprop and Adam divide by √s + ε: for a near-zero gradient their step changes by up to
    # lr/ε (5·10⁶ at lr 0.05) per unit of g, so the engines' 1e-16 rounding differences would
    # grow to ~1e-9 in a few steps.  A smaller lr keeps that amplification below the tolerance.
    lr = 0.01 if optimizer in ("rmsprop", "adam") else 0.05
    X, T, k = problem("bce", seed=4)
    a, b = _pair(["relu", "tanh"], "bce", k, optimizer=optimizer, lr=lr, **OPTIONS[option])
    start = a.get_params()
    _train_both(a, b, X, T, epochs=4, lr_change=lr / 2)
    assert a.lr == b.lr == lr / 2
    assert max_diff(a.get_params(), start) > 1e-3
    assert max_diff(a.get_params(), b.get_params()) < TOL


@pytest.mark.parametrize("act", ["step", "sign"])
def test_non_trainable_activations(act):
    """step and sign: same outputs; no gradient reaches the layers below them, in either engine."""
    X, T, k = problem("square")
    a, b = _pair([act, "tanh"], "square", k)
    assert np.abs(a.evaluate(X, None)[1] - b.evaluate(X, None)[1]).max() < TOL
    ga, gb = a.gradients(X, T), b.gradients(X, T)
    assert not ga[0][0].any() and not gb[0][0].any() and not gb[0][1].any()
    assert max_diff(ga, gb) < TOL and np.abs(gb[-1][0]).max() > 0
    _train_both(a, b, X, T, epochs=2)
    assert max_diff(a.get_params(), b.get_params()) < TOL


@pytest.mark.parametrize("cfg", [
    Config(dtype="float64", hidden=(5, 3), optimizer="momentum", reg="l2", reg_rate=0.003, dropout=0.1, points=200),
    Config(dataset="blobs", classes=3, loss="ce", activation=("relu",), hidden=(6,), optimizer="adam", lr=0.01,
           dtype="float64", clip=1.0, points=150),
    Config(dataset="reg-gauss", loss="huber", activation=("gelu",), hidden=(6,), dtype="float64", batch=7, points=150),
], ids=["circle-momentum-l2-dropout", "blobs-ce-adam-clip", "reg-gauss-huber"])
def test_trainer_histories_match(cfg):
    a, b = Trainer(cfg), Trainer(cfg.replace(engine="torch"))
    assert (a.net.name, b.net.name) == ("numpy", "torch")
    a.run(epochs=8)
    b.run(epochs=8)
    for key in ("train_loss", "test_loss", "train_metric", "test_metric"):
        np.testing.assert_allclose(getattr(a.history, key), getattr(b.history, key), rtol=0, atol=TOL, err_msg=key)
    np.testing.assert_allclose(a.history.grad_norms, b.history.grad_norms, rtol=0, atol=TOL)
    assert max_diff(a.params, b.params) < TOL and max_diff(a.last_grads, b.last_grads) < TOL


def test_torch_trainer_is_deterministic_and_seeded():
    assert_deterministic_per_seed(Config(dataset="spiral", hidden=(6,), engine="torch", dropout=0.1, points=200))


def test_torch_engine_learns_xor_and_linear_cannot():
    # 200 points and lr 0.1 to keep the test short: the NumPy engine passes 95 % at epoch 23 here
    cfg = Config(dataset="xor", hidden=(4,), engine="torch", points=200, lr=0.1)
    t = Trainer(cfg)
    t.run(epochs=50)
    assert t.summary()["test_accuracy"] >= 0.95 and t.summary()["engine"] == "torch"
    lin = Trainer(cfg.replace(activation=("linear",)))
    lin.run(epochs=50)
    assert max(lin.history.test_metric) <= 0.75  # a linear boundary cannot separate the quadrants


def test_interface_dtypes_and_repr():
    X, T, k = problem("ce")
    net = TorchMLP([3, 5, 3], ["tanh"], "ce", initial_params("uniform", [3, 5, 3], np.random.default_rng(0)))
    assert net.name == "torch" and net.device == "cpu" and net.dtype == np.float32
    assert repr(net) == "TorchMLP(3-5-3, [tanh] → ce, float32, cpu)"
    assert net.n_params == 3 * 5 + 5 + 5 * 3 + 3
    loss, out, grads = net.evaluate(X, T, grads=True)
    assert isinstance(loss, float) and out.dtype == np.float32 and out.shape == (N, 3)
    assert all(gW.dtype == np.float64 and gb.dtype == np.float64 for gW, gb in grads)
    assert net.layer_outputs(X)[0].dtype == np.float32 and net.pre_activations(X)[1].shape == (N, 3)
    loss, out, grads = net.evaluate(X, None)
    assert np.isnan(loss) and grads is None
    params = net.get_params()
    assert all(W.dtype == np.float64 for W, _ in params)
    params[0][0][...] = 0.25  # a copy: the network is unchanged until set_params
    assert not np.any(net.get_params()[0][0] == 0.25)
    net.set_params(params)
    assert np.all(net.get_params()[0][0] == 0.25)
    built, note = make_engine("torch", [3, 5, 3], ["tanh"], "ce", params, optimizer="adam")
    assert isinstance(built, TorchMLP) and note == "" and isinstance(built.optimizer, torch.optim.Adam)
    if not torch.cuda.is_available():
        built, note = make_engine("torch", [3, 5, 3], ["tanh"], "ce", params, device="cuda")
        assert built.device == "cpu" and "CUDA is not available" in note


def test_lr_change_keeps_torch_optimizer_state():
    X, T, k = problem("square")
    _, net = _pair(["tanh", "tanh"], "square", k, optimizer="adam", lr=0.01)
    net.train_epoch(X, T, 4, None)
    state = net.optimizer.state[net.flat]
    step, m = float(state["step"]), state["exp_avg"].clone()
    assert step == 3  # 11 examples in batches of 4
    net.lr = 0.001
    assert net.lr == 0.001 and float(state["step"]) == step and torch.equal(state["exp_avg"], m)
    net.train_epoch(X, T, 4, None)
    assert float(net.optimizer.state[net.flat]["step"]) == 6


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_functional_step_is_optimizer_step(name):
    """The engine's fast update gives bit-identical results to torch.optim's own step()."""
    rng = np.random.default_rng(0)
    w = torch.tensor(rng.normal(size=9), requires_grad=True)
    v = w.detach().clone().requires_grad_()
    ref, fast = make_torch_optimizer(name, [w], 0.03), make_torch_optimizer(name, [v], 0.03)
    for i in range(5):
        g = torch.tensor(rng.normal(size=9))
        w.grad, v.grad = g.clone(), g.clone()
        ref.step()
        used = functional_step(fast, v)
        if not used:
            assert i == 0 and name != "sgd"  # only a stateful optimizer's first step needs step()
            fast.step()
    assert torch.equal(w, v)


def test_saturated_bce_in_float32_stays_finite():
    """A sigmoid output of exactly 1.0 (z = 40 in float32) must not turn the loss or gradient into inf/NaN."""
    params = [(np.array([[40.0]]), np.array([0.0]))]
    X, T = np.array([[1.0], [1.0]], np.float32), np.array([[0.0], [1.0]], np.float32)
    for net in (NumpyMLP([1, 1], [], "bce", params), TorchMLP([1, 1], [], "bce", params)):
        loss, out, grads = net.evaluate(X, T, grads=True)
        assert out[0, 0] == 1.0 and np.isfinite(loss) and loss == pytest.approx(-np.log(1e-12) / 2, rel=1e-5)
        np.testing.assert_allclose(grads[0][1], [0.5], rtol=1e-6)  # mean of ŷ − t = (1 + 0) / 2


def test_bad_arguments():
    params = initial_params("uniform", [2, 3, 1], np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'; allowed: sgd"):
        TorchMLP([2, 3, 1], ["tanh"], "square", params, optimizer="lbfgs")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        TorchMLP([2, 3, 1], ["swish"], "square", params)
    with pytest.raises(ValueError, match="need 1 hidden activations, got 2"):
        TorchMLP([2, 3, 1], ["tanh", "tanh"], "square", params)
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got int64"):
        TorchMLP([2, 3, 1], ["tanh"], "square", params, dtype=np.int64)
