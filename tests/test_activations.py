"""Activations: every registry entry's derivative against finite differences, ranges, softmax."""
import numpy as np
import pytest

from playground.core.activations import ACTIVATIONS, TRAINABLE, get_activation, softmax

# float64 points on both sides of 0 that keep clear of the kinks at 0 (relu, leaky, elu, step, sign).
Z = np.concatenate([np.linspace(-6, -0.05, 60), np.linspace(0.05, 6, 60)])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_grad_matches_central_differences(name):
    act = ACTIVATIONS[name]
    h = 1e-6
    numeric = (act.fn(Z + h) - act.fn(Z - h)) / (2 * h)
    analytic = act.grad(Z, act.fn(Z))
    assert analytic.shape == Z.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_output_within_declared_range(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-30, 30, 60_001)  # includes 0 and the region around each minimum
    a = act.fn(z)
    lo, hi = act.out_range
    assert np.isfinite(a).all()
    assert a.min() >= lo and a.max() <= hi, (a.min(), a.max(), act.out_range)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_float32_stays_float32(name):
    # The engines run in float32 by default: an activation that upcasts would silently double the work.
    act = ACTIVATIONS[name]
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    a = act.fn(z)
    assert a.dtype == np.float32 and act.grad(z, a).dtype == np.float32


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.saturates])
def test_saturating_intervals_have_small_derivative(name):
    act = ACTIVATIONS[name]
    for lo, hi in act.saturates:
        if np.isinf(lo) and np.isinf(hi):
            z = 0.7  # flat everywhere (step, sign)
        elif np.isinf(lo):
            z = hi - 1.0  # one unit inside the interval
        elif np.isinf(hi):
            z = lo + 1.0
        else:
            z = 0.5 * (lo + hi)
        z = np.array([z])
        assert abs(act.grad(z, act.fn(z))[0]) < 0.05, (name, lo, hi, z)


def test_values_at_known_points():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].fn(z), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(ACTIVATIONS["relu"].fn(z), [0.0, 0.0, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].fn(z), [-0.01, 0.0, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["elu"].fn(z), [np.exp(-1) - 1, 0.0, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["softplus"].fn(z), np.log1p(np.exp(z)))
    np.testing.assert_allclose(ACTIVATIONS["step"].fn(z), [0.0, 1.0, 1.0])
    np.testing.assert_allclose(ACTIVATIONS["sign"].fn(z), [-1.0, 1.0, 1.0])
    # softplus follows torch above 20 (identity) without overflowing far beyond
    np.testing.assert_allclose(ACTIVATIONS["softplus"].fn(np.array([25.0, 1000.0])), [25.0, 1000.0])
    # sigmoid is stable for huge |z|
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(ACTIVATIONS["sigmoid"].fn(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_registry_and_trainable():
    assert set(TRAINABLE) == set(ACTIVATIONS) - {"step", "sign"}
    for name, act in ACTIVATIONS.items():
        assert act.name == name and act.latex and act.grad_latex and act.description
        assert name in repr(act)
    with pytest.raises(ValueError, match="unknown activation 'swish'.*allowed: linear, tanh"):
        get_activation("swish")


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4)) * 3
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (p > 0).all()
    np.testing.assert_allclose(softmax(z + rng.normal(size=(5, 1)) * 100), p, atol=1e-12)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow even for huge logits
        big = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(big, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(softmax(np.zeros((1, 4))), [[0.25] * 4])


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.fn_out or a.grad_out])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_buffer_forms_give_the_same_bits(name, dtype):
    """``fn_out``/``grad_out`` (the fused training path's allocation-free forms) write exactly the bytes
    ``fn``/``grad`` return: the golden trajectories depend on it."""
    act = ACTIVATIONS[name]
    z = (np.random.default_rng(3).standard_normal((40, 5)) * 4).astype(dtype)
    z[0, :3] = 0.0, -0.0, 1e-30
    a = act.fn(z)
    if act.fn_out is not None:
        out = np.full_like(z, 7.0)
        act.fn_out(z, out)
        assert out.dtype == a.dtype and out.tobytes() == a.tobytes()
    if act.grad_out is not None:
        g = np.full_like(z, 7.0)
        act.grad_out(z, a, g)
        ref = act.grad(z, a)
        assert g.dtype == ref.dtype and g.tobytes() == ref.tobytes()
        assert not np.array_equal(ref, np.full_like(z, 7.0))  # the check compares real values
