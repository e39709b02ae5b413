"""Optimizers: single steps against hand-computed values, state kept across lr changes, torch.optim agreement."""
import math

import numpy as np
import pytest

from playground.core.optimizers import ADAM_BETAS, EPS, MOMENTUM, OPTIMIZERS, RMS_ALPHA, Optimizer

W0 = [1.0, -2.0]
G1 = [0.5, -0.25]
G2 = [0.1, 0.2]
LR = 0.1


def _steps(name, grads, lr=LR):
    opt = Optimizer(name, lr, 2, np.float64)
    w = np.array(W0)
    out = []
    for g in grads:
        opt.step(w, np.array(g))
        out.append(w.copy())
    return opt, out


def test_sgd():
    _, (w1,) = _steps("sgd", [G1])
    np.testing.assert_allclose(w1, [0.95, -1.975], rtol=0, atol=1e-15)


def test_momentum_two_steps():
    _, (w1, w2) = _steps("momentum", [G1, G2])
    np.testing.assert_allclose(w1, [0.95, -1.975], atol=1e-15)  # v = g on the first step
    # v = 0.9·[0.5, −0.25] + [0.1, 0.2] = [0.55, −0.025]
    np.testing.assert_allclose(w2, [0.95 - 0.055, -1.975 + 0.0025], atol=1e-15)


def test_nesterov_two_steps():
    _, (w1, w2) = _steps("nesterov", [G1, G2])
    # step 1: v = g, update g + 0.9 v = 1.9 g
    np.testing.assert_allclose(w1, [1.0 - 0.095, -2.0 + 0.0475], atol=1e-15)
    # step 2: v = [0.55, −0.025], update g + 0.9 v = [0.595, 0.1775]
    np.testing.assert_allclose(w2, [0.905 - 0.0595, -1.9525 - 0.01775], atol=1e-15)


def test_rmsprop_first_step_is_ten_times_sign():
    # s = 0.01 g², √s = 0.1 |g|: the step is lr · g / (0.1 |g| + ε) ≈ 10 · lr · sign(g)
    _, (w1,) = _steps("rmsprop", [G1])
    expected = [1.0 - LR * 0.5 / (0.05 + EPS), -2.0 + LR * 0.25 / (0.025 + EPS)]
    np.testing.assert_allclose(w1, expected, atol=1e-15)
    np.testing.assert_allclose(w1, [0.0, -1.0], atol=1e-6)


def test_adam_bias_correction_makes_the_first_step_lr_sign_g():
    for g in ([0.5, -0.25], [2e-3, -30.0]):  # whatever the gradient's size, while |g| ≫ ε
        _, (w1,) = _steps("adam", [g])
        np.testing.assert_allclose(w1 - np.array(W0), -LR * np.sign(g), rtol=1e-5)


def test_adam_second_step_textbook_formula():
    _, (_, w2) = _steps("adam", [G1, G2])
    b1, b2 = ADAM_BETAS
    w = np.array(W0)
    m = np.zeros(2)
    v = np.zeros(2)
    for t, g in enumerate([np.array(G1), np.array(G2)], start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - LR * m_hat / (np.sqrt(v_hat) + EPS)
    np.testing.assert_allclose(w2, w, rtol=1e-12)
    # and by hand: m̂ = [0.055, −0.0025]/0.19, v̂ = [2.5975e-4, 1.024375e-4]/0.001999
    np.testing.assert_allclose(w2[0] - (1.0 - LR), -LR * (0.055 / 0.19) / math.sqrt(2.5975e-4 / 0.001999), rtol=1e-6)


def test_changing_lr_keeps_state():
    opt, (w1,) = _steps("momentum", [G1])
    velocity = opt._a.copy()
    opt.lr = 0.2
    assert opt.t == 1 and np.array_equal(opt._a, velocity)
    w = w1.copy()
    opt.step(w, np.array(G2))
    np.testing.assert_allclose(w, w1 - 0.2 * (MOMENTUM * np.array(G1) + np.array(G2)), atol=1e-15)
    assert opt.t == 2 and "lr=0.2" in repr(opt) and "t=2" in repr(opt)


def test_registry_and_errors():
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
    for name, spec in OPTIMIZERS.items():
        assert spec.name == name and spec.latex and spec.description
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'; allowed: sgd, momentum"):
        Optimizer("adagrad", 0.1, 2)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_matches_torch_optim(name):
    """The NumPy formulas are torch.optim's (defaults included): five steps, lr changed midway."""
    torch = pytest.importorskip("torch")
    from playground.core.torch_engine import make_torch_optimizer

    rng = np.random.default_rng(3)
    w = rng.normal(size=6)
    p = torch.tensor(w.copy(), requires_grad=True)
    ours, theirs = Optimizer(name, 0.05, 6, np.float64), make_torch_optimizer(name, [p], 0.05)
    for i in range(5):
        g = rng.normal(size=6)
        ours.step(w, g)
        p.grad = torch.tensor(g)
        theirs.step()
        if i == 2:
            ours.lr = 0.01
            theirs.param_groups[0]["lr"] = 0.01
    np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert (RMS_ALPHA, EPS) == (0.99, 1e-8)
