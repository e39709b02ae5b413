"""Output + loss pairs: dL/dz against finite differences, targets, class predictions."""
import numpy as np
import pytest

from playground.core.losses import LOSSES, PROB_EPS, default_loss, get_loss, losses_for_task


def _targets(loss, n, k, rng):
    if loss.task == "regression":
        return rng.normal(size=(n, k))
    y = rng.integers(0, k if loss.output == "softmax" else 2, n)
    return loss.targets(y, k)


# (loss, outputs): softmax needs several outputs, binary pairs have one, regression either.
DELTA_CASES = [(n, 3 if l.output == "softmax" else 1) for n, l in LOSSES.items()]
DELTA_CASES += [(n, 3) for n, l in LOSSES.items() if l.task == "regression"]


@pytest.mark.parametrize("name, k", DELTA_CASES)
def test_delta_matches_finite_differences_through_output(name, k):
    """delta(out, T) is ∂L/∂z per example, including the output activation: L(z) = value(output_fn(z), T)."""
    loss = LOSSES[name]
    rng = np.random.default_rng(k)
    n = 7
    z = rng.normal(size=(n, k)) * 1.5
    T = _targets(loss, n, k, rng)
    analytic = loss.delta(loss.output_fn(z), T)
    assert analytic.shape == (n, k)
    h = 1e-6
    numeric = np.zeros_like(z)
    for j in range(k):
        e = np.zeros_like(z)
        e[:, j] = h
        numeric[:, j] = (loss.value(loss.output_fn(z + e), T) - loss.value(loss.output_fn(z - e), T)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(LOSSES))
def test_value_is_per_example_nonnegative_and_smallest_at_the_target(name):
    loss = LOSSES[name]
    rng = np.random.default_rng(1)
    k = 3 if loss.output == "softmax" else 1
    T = _targets(loss, 6, k, rng)
    out = loss.output_fn(rng.normal(size=(6, k)))
    v = loss.value(out, T)
    assert v.shape == (6,) and (v >= 0).all()
    if loss.task == "regression":
        np.testing.assert_allclose(loss.value(T, T), 0.0)
    else:
        # a near-perfect output (targets pushed inside the output range) scores below a random one
        best = np.clip(T, -0.999, 0.999) if loss.output == "tanh" else np.clip(T, 1e-3, 1 - 1e-3)
        assert (loss.value(best, T) < v).all()


def test_worked_values():
    out, T = np.array([[0.5]]), np.array([[1.0]])
    assert LOSSES["square"].value(out, T)[0] == pytest.approx(0.125)
    assert LOSSES["bce"].value(out, T)[0] == pytest.approx(np.log(2))
    assert LOSSES["mse"].value(out, T)[0] == pytest.approx(0.25)
    assert LOSSES["mae"].value(out, T)[0] == pytest.approx(0.5)
    assert LOSSES["huber"].value(np.array([[0.5], [3.0]]), np.array([[1.0], [0.0]])).tolist() == pytest.approx([0.125, 2.5])
    p = np.array([[0.7, 0.2, 0.1]])
    assert LOSSES["ce"].value(p, np.array([[0.0, 1.0, 0.0]]))[0] == pytest.approx(-np.log(0.2))
    # the mean over outputs: two outputs halve the per-output contribution
    assert LOSSES["mse"].value(np.array([[1.0, 3.0]]), np.zeros((1, 2)))[0] == pytest.approx(5.0)


def test_bce_saturated_output_is_finite_in_float32():
    """A float32 sigmoid rounds to exactly 1 for z ≳ 17; the clip must still hold (1 − 1e-12 is 1 in float32)."""
    bce = LOSSES["bce"]
    out = bce.output_fn(np.array([[40.0], [40.0], [-40.0]], np.float32))
    T = np.array([[1.0], [0.0], [0.0]], np.float32)
    v = bce.value(out, T)
    assert np.isfinite(v).all()
    assert v[0] < 1e-6 and v[1] == pytest.approx(-np.log(PROB_EPS), rel=1e-6) and v[2] < 1e-6


def test_targets_shapes_and_values():
    y = np.array([0, 1, 1, 0])
    sq = LOSSES["square"].targets(y, 2)
    assert sq.shape == (4, 1) and sq[:, 0].tolist() == [-1.0, 1.0, 1.0, -1.0]
    b = LOSSES["bce"].targets(y, 2, np.float32)
    assert b.shape == (4, 1) and b.dtype == np.float32 and b[:, 0].tolist() == [0.0, 1.0, 1.0, 0.0]
    oh = LOSSES["ce"].targets(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(oh, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert LOSSES["ce"].targets(y, 2).shape == (4, 2)
    r = LOSSES["mse"].targets(np.array([0.5, -2.0]), 0)
    assert r.shape == (2, 1) and r[:, 0].tolist() == [0.5, -2.0]


def test_predict_class_and_outputs():
    assert LOSSES["square"].predict_class(np.array([[-0.2], [0.0], [0.9]])).tolist() == [0, 1, 1]
    assert LOSSES["bce"].predict_class(np.array([[0.2], [0.5], [0.9]])).tolist() == [0, 1, 1]
    assert LOSSES["ce"].predict_class(np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])).tolist() == [1, 0]
    assert LOSSES["ce"].n_outputs(5) == 5 and LOSSES["bce"].n_outputs(2) == 1 and LOSSES["mse"].n_outputs(0) == 1
    for name, loss in LOSSES.items():
        assert loss.name == name and loss.latex and name in repr(loss)


def test_losses_for_task_and_defaults():
    assert losses_for_task("regression") == ("mse", "mae", "huber")
    assert losses_for_task("binary", 2) == ("square", "bce", "ce")
    assert losses_for_task("multiclass", 3) == ("ce",)
    assert default_loss("binary", 2) == "square" and default_loss("multiclass", 4) == "ce"
    assert default_loss("regression") == "mse"
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*allowed: square"):
        get_loss("hinge")


@pytest.mark.parametrize("name", [n for n, l in LOSSES.items() if l.delta_out is not None])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_delta_out_gives_the_same_bits_as_delta(name, dtype):
    """``delta_out`` (the fused training path's allocation-free form) writes exactly the bytes ``delta``
    returns, and leaves the output and targets as they were."""
    loss = LOSSES[name]
    rng = np.random.default_rng(5)
    k = 3 if loss.output == "softmax" else 1
    out = loss.output_fn(rng.normal(size=(30, k)).astype(dtype) * 2)
    T = _targets(loss, 30, k, rng).astype(dtype)
    before = out.copy(), T.copy()
    ref = loss.delta(out, T)
    d, scratch = np.full_like(out, 9.0), np.empty_like(out)
    got = loss.delta_out(out, T, d, scratch)
    assert got is d and d.dtype == ref.dtype and d.tobytes() == ref.tobytes()
    assert np.array_equal(out, before[0]) and np.array_equal(T, before[1])
    assert np.abs(ref).max() > 0
