"""gradcheck: finite differences agree with backprop, catch a wrong gradient, restore the weights."""
import numpy as np
import pytest

from playground.core.engines import initial_params
from playground.core.gradcheck import GradCheck, gradient_check, numeric_gradients
from playground.core.network import NumpyMLP

SIZES = [3, 4, 2]


def _net(loss="ce", act="tanh", dtype=np.float64):
    params = initial_params("xavier", SIZES, np.random.default_rng(0))
    return NumpyMLP(SIZES, [act], loss, params, dtype=dtype)


def _data(k=2):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 3))
    return X, np.eye(k)[rng.integers(0, k, 9)]


def test_central_check_passes_and_reports_per_layer():
    net, (X, T) = _net(), _data()
    before = net.get_params()
    check = gradient_check(net, X, T)
    assert isinstance(check, GradCheck) and check.ok
    assert check.max_abs_diff < 1e-7 and check.max_rel_error < 1e-6
    assert len(check.per_layer) == 2 and all(len(p) == 2 for p in check.per_layer)
    assert check.max_abs_diff == max(d for d, _ in check.per_layer)
    n_params = sum(W.size + b.size for W, b in before)
    assert check.evaluations == 2 * n_params == 2 * net.n_params
    assert "central" in repr(check) and "max abs diff" in repr(check)
    assert check.mismatched == [] and len(check.names) == net.n_params and check.names[0] == "W1[0,0]"
    # the weights are put back exactly
    for (W0, b0), (W1, b1) in zip(before, net.get_params()):
        assert np.array_equal(W0, W1) and np.array_equal(b0, b1)


def test_forward_differences_are_cheaper_and_less_accurate():
    net, (X, T) = _net(), _data()
    central = gradient_check(net, X, T, eps=1e-5)
    forward = gradient_check(net, X, T, eps=1e-5, method="forward")
    assert forward.evaluations == net.n_params + 1 < central.evaluations
    # error O(ε) against O(ε²): at least an order of magnitude apart
    assert forward.max_abs_diff > 10 * central.max_abs_diff
    assert forward.max_abs_diff < 1e-4  # still roughly right


def test_numeric_gradients_shapes_and_known_value():
    # One linear layer with MSE: C = mean((xW + b − t)²), ∂C/∂b = 2·mean(xW + b − t)
    params = [(np.array([[0.5]]), np.array([0.1]))]
    net = NumpyMLP([1, 1], [], "mse", params, dtype=np.float64)
    X, T = np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]])
    (gW, gb), = numeric_gradients(net, X, T)
    r = X @ params[0][0] + params[0][1] - T  # [0.6, 0.1]
    assert gW.shape == (1, 1) and gb.shape == (1,)
    np.testing.assert_allclose(gb, [2 * r.mean()], rtol=1e-9)
    np.testing.assert_allclose(gW, [[2 * (r * X).mean()]], rtol=1e-9)


def test_detects_a_wrong_gradient():
    net, (X, T) = _net(), _data()
    true_gradients = net.gradients

    def off_by_factor(X, T):  # a backprop bug: forgot the 1/n of the mean in one layer
        g = true_gradients(X, T)
        return [(g[0][0] * len(X), g[0][1])] + g[1:]

    net.gradients = off_by_factor
    check = gradient_check(net, X, T)
    assert not check.ok
    assert check.mismatched and all(n.startswith("W1[") for n in check.mismatched)  # only the first weights
    assert check.per_layer[0][1] > 0.5 and check.per_layer[1][1] < 1e-6  # and it says which layer


def test_float32_is_too_coarse_for_a_tight_check():
    """Why the docs say float64: in float32 the difference quotient is dominated by rounding."""
    X, T = _data()
    check32 = gradient_check(_net(dtype=np.float32), X, T)
    check64 = gradient_check(_net(dtype=np.float64), X, T)
    assert check32.max_abs_diff > 100 * check64.max_abs_diff


def test_bad_arguments():
    net, (X, T) = _net(), _data()
    with pytest.raises(ValueError, match="unknown method 'backward'; allowed: central, forward"):
        numeric_gradients(net, X, T, method="backward")
    with pytest.raises(ValueError, match="eps must be > 0, got 0"):
        numeric_gradients(net, X, T, eps=0)


def test_works_with_the_torch_engine():
    pytest.importorskip("torch")
    from playground.core.torch_engine import TorchMLP

    params = initial_params("xavier", SIZES, np.random.default_rng(0))
    net = TorchMLP(SIZES, ["gelu"], "ce", params, dtype=np.float64)
    check = gradient_check(net, *_data())
    assert check.ok and check.max_abs_diff < 1e-7
