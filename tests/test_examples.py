"""The curriculum's worked examples (docs/curriculum.md), checked against hand formulas and published numbers."""
import json

import numpy as np
import pytest

from playground.teach.examples import compare_b, example_a, example_b, example_c
from playground.teach.worked import A_W_HIDDEN, A_W_OUT, B_PARAMS, C_W0, C_W1, to_plain
from playground.core.gradcheck import compare_gradients


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----- A ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def a():
    return example_a()


def test_a_forward_pass_matches_hand_formula_and_published_values(a):
    x1 = x2 = 1.0
    h = [0.8 * x1 + 0.2 * x2, 0.4 * x1 + 0.9 * x2, 0.3 * x1 + 0.5 * x2]
    act = [sig(v) for v in h]
    y_hat = 0.3 * act[0] + 0.5 * act[1] + 0.9 * act[2]
    np.testing.assert_allclose(a.h, h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.a, act, rtol=0, atol=1e-12)
    assert a.y_hat == pytest.approx(y_hat, abs=1e-12)
    assert a.loss == pytest.approx((0.0 - y_hat) ** 2, abs=1e-12)
    # The textbook's 4-decimal values.  (The brief's "ŷ = 1.2322, C = 1.5183" is a digit swap:
    # 0.3·0.7311 + 0.5·0.7858 + 0.9·0.6900 = 1.2332, and 1.2332² = 1.5208.)
    assert [round(v, 4) for v in a.a] == [0.7311, 0.7858, 0.6900]
    assert round(a.y_hat, 4) == 1.2332
    assert round(a.loss, 4) == 1.5208


def test_a_chain_rule_for_w11(a):
    y, x1, w31 = 0.0, 1.0, 0.3
    a11 = sig(1.0)
    factors = [-2 * (y - a.y_hat), w31, a11 * (1 - a11), x1]
    assert list(a.factors) == ["∂C/∂ŷ", "∂ŷ/∂a11", "∂a11/∂h11", "∂h11/∂w11"]
    np.testing.assert_allclose(list(a.factors.values()), factors, rtol=0, atol=1e-12)
    expected = 2 * a.y_hat * 0.3 * a11 * (1 - a11) * 1.0
    assert a.dC_dw11 == pytest.approx(expected, abs=1e-12)
    assert a.grad_hidden[0, 0] == pytest.approx(expected, abs=1e-12)  # the engine's backward agrees
    assert round(a.dC_dw11, 4) == 0.1455


def test_a_every_gradient_and_the_update(a):
    W, v, x = np.array(A_W_HIDDEN), np.array(A_W_OUT), np.array([1.0, 1.0])
    act = sig(x @ W)
    dy = 2 * a.y_hat  # ∂C/∂ŷ with y = 0
    np.testing.assert_allclose(a.grad_out, dy * act, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.grad_hidden, np.outer(x, dy * v * act * (1 - act)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.new_hidden, W - 0.1 * a.grad_hidden, rtol=0, atol=1e-15)
    np.testing.assert_allclose(a.new_out, v - 0.1 * a.grad_out, rtol=0, atol=1e-15)
    # The loss after the step, by hand with zero biases: the biases stayed at 0.
    assert a.new_loss == pytest.approx(float(sig(x @ a.new_hidden) @ a.new_out) ** 2, abs=1e-12)
    assert a.new_loss < a.loss


def test_a_numeric_gradients(a):
    analytic = a.gradients
    assert list(analytic) == ["w11", "w12", "w13", "w21", "w22", "w23", "w31", "w32", "w33"]
    for name, g in analytic.items():
        assert a.numeric_central[name] == pytest.approx(g, abs=1e-7)
        assert a.numeric_forward[name] == pytest.approx(g, abs=1e-3)  # O(ε) bias of forward differences
        assert a.numeric_forward[name] != pytest.approx(g, abs=1e-9)  # ... which is really there
    assert a.check.ok and a.check.max_rel_error < 1e-6


def test_a_rounded_values_and_note(a):
    assert a.rounded["a"] == [0.73, 0.79, 0.69]
    assert a.rounded["y_hat"] == 1.23
    assert a.rounded["dC_dw11"] == 0.15
    assert "Exact values" in a.note
    names = [row[0] for row in a.steps()]
    assert names[:8] == ["h11", "h12", "h13", "a11", "a12", "a13", "ŷ", "C"]
    assert dict((k, v) for k, _, v in a.steps())["∂C/∂w11"] == a.dC_dw11


def test_a_learning_rate_is_a_parameter():
    r = example_a(eta=0.5)
    np.testing.assert_allclose(r.new_hidden, np.array(A_W_HIDDEN) - 0.5 * r.grad_hidden, atol=1e-15)
    with pytest.raises(ValueError, match="got -1"):
        example_a(eta=-1)


# ----- B ------------------------------------------------------------------------------------------
def _hand_b(epochs, lr, numeric=False, eps=1e-4):
    """Independent 2-3-1 (sigmoid hidden, linear output, (y − ŷ)²) trained on x = (1, 1), y = 0."""
    (W1, b1), (W2, b2) = [(np.array(W, float), np.array(b, float)) for W, b in B_PARAMS]
    x, t = np.array([1.0, 1.0]), 0.0

    def loss(W1, b1, W2, b2):
        return float((sig(x @ W1 + b1) @ W2 + b2 - t)[0] ** 2)

    losses = [loss(W1, b1, W2, b2)]
    for _ in range(epochs):
        if numeric:
            ps, grads = [W1, b1, W2, b2], []
            base = loss(*ps)
            for p in ps:
                g = np.zeros_like(p)
                for i in np.ndindex(p.shape):
                    old = p[i]
                    p[i] = old + eps
                    g[i] = (loss(*ps) - base) / eps
                    p[i] = old
                grads.append(g)
            gW1, gb1, gW2, gb2 = grads
        else:
            a1 = sig(x @ W1 + b1)
            dy = 2 * (a1 @ W2 + b2 - t)  # (1,)
            gW2, gb2 = np.outer(a1, dy), dy
            dz = (W2 @ dy) * a1 * (1 - a1)
            gW1, gb1 = np.outer(x, dz), dz
        W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
        losses.append(loss(W1, b1, W2, b2))
    return [(W1, b1), (W2, b2)], losses


def test_b_float64_backprop_equals_hand_written_network():
    r = example_b("analytic", epochs=100, lr=0.01, dtype=np.float64)
    params, losses = _hand_b(100, 0.01)
    for (W, b), (W0, b0) in zip(r.params, params):
        np.testing.assert_allclose(W, W0, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, b0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.losses, losses, rtol=0, atol=1e-12)
    (W1, b1), (W2, b2) = params
    assert r.prediction == pytest.approx(float((sig(np.array([1.0, 1.0]) @ W1 + b1) @ W2 + b2)[0]), abs=1e-12)


def test_b_float64_numeric_equals_hand_written_forward_differences():
    # Each parameter nudged from the same starting point, all updated together.
    r = example_b("numeric", epochs=5, lr=0.01, dtype=np.float64)
    params, losses = _hand_b(5, 0.01, numeric=True)
    for (W, b), (W0, b0) in zip(r.params, params):
        np.testing.assert_allclose(W, W0, rtol=0, atol=1e-10)
        np.testing.assert_allclose(b, b0, rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.losses, losses, rtol=0, atol=1e-10)


def test_b_numeric_and_analytic_agree_in_float32():
    c = compare_b()
    for run in (c.numeric, c.analytic):
        assert run.dtype == "float32" and run.epochs == 100 and len(run.losses) == 101
        assert np.all(np.diff(run.losses) < 0), f"{run.method} loss must fall every epoch"
        assert run.losses[-1] < 0.01 * run.losses[0]
    # The start: ŷ(1, 1) with the given parameters, by hand, squared (float32 precision).
    assert c.numeric.losses[0] == pytest.approx(_hand_b(0, 0.01)[1][0], rel=1e-6)
    assert c.numeric.losses[0] == c.analytic.losses[0]
    # Measured: 4.6e-5 on parameters, 1.8e-5 on losses (forward differences are biased by O(ε)
    # and float32 rounds the loss to ~1e-8, i.e. ~1e-4 on each gradient).
    assert 0 < c.max_param_diff < 1e-3
    assert c.max_loss_diff < 1e-3
    assert c.prediction_diff < 1e-3
    assert c.prediction_diff == pytest.approx(abs(c.numeric.prediction - c.analytic.prediction))


def test_b_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'finite'"):
        example_b("finite")
    with pytest.raises(ValueError, match="epochs"):
        example_b("analytic", epochs=-1)


# ----- C ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def c_runs():
    return example_c("correct"), example_c("broadcast_bug")


def test_c_forward_values(c_runs):
    r = c_runs[0]
    x, W0, W1 = np.array([0.35, 0.9]), np.array(C_W0), np.array(C_W1)
    z = W0 @ x
    ah = sig(z)
    zo = W1 @ ah
    y_hat = sig(zo)
    np.testing.assert_allclose(r.z_hidden, z, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.a_hidden, ah, rtol=0, atol=1e-12)
    assert r.z_out == pytest.approx(zo, abs=1e-12)
    assert r.y_hat == pytest.approx(y_hat, abs=1e-12)
    assert r.error == pytest.approx(0.5 * (0.5 - y_hat) ** 2, abs=1e-12)
    # The published (rounded) numbers.
    np.testing.assert_allclose(r.z_hidden, [0.755, 0.68], atol=1e-12)
    # σ(0.755) = 0.6802672: the often-quoted "0.68028" is one off in its last digit (the quoted
    # z_out = 0.80144 was computed from the exact value, 0.68028 would give 0.80145).
    assert [round(v, 5) for v in r.a_hidden] == [0.68027, 0.66374]
    np.testing.assert_allclose(r.a_hidden, [0.68028, 0.66374], atol=2e-5)
    assert r.z_out == pytest.approx(0.80144, abs=5e-6)
    assert r.y_hat == pytest.approx(0.69028, abs=5e-6)
    assert r.error == pytest.approx(0.01810, abs=5e-6)


def test_c_correct_gradients_and_update(c_runs):
    r = c_runs[0]
    x, W0, W1 = np.array([0.35, 0.9]), np.array(C_W0), np.array(C_W1)
    ah = sig(W0 @ x)
    y_hat = sig(W1 @ ah)
    d_out = (y_hat - 0.5) * y_hat * (1 - y_hat)
    d_hid = d_out * W1 * ah * (1 - ah)
    assert r.delta_out == pytest.approx(d_out, abs=1e-12)
    np.testing.assert_allclose(r.delta_hidden, d_hid, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.grad_W1, d_out * ah, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.grad_W0, np.outer(d_hid, x), rtol=0, atol=1e-12)  # row j = δ_j · x
    np.testing.assert_allclose(r.new_W0, W0 - 1.0 * np.outer(d_hid, x), rtol=0, atol=1e-15)
    np.testing.assert_allclose(r.new_W1, W1 - 1.0 * d_out * ah, rtol=0, atol=1e-15)
    # Error after the update, by hand with zero biases: the biases stayed at 0.
    assert r.new_error == pytest.approx(0.5 * (0.5 - sig(r.new_W1 @ sig(r.new_W0 @ x))) ** 2, abs=1e-12)
    assert r.new_error < r.error
    assert r.check.ok and r.check.max_rel_error < 1e-6 and r.check.mismatched == []


def test_c_broadcast_bug_is_exposed_by_the_gradient_check(c_runs):
    good, bad = c_runs
    x = np.array([0.35, 0.9])
    # The copied code: W0 -= lr * delta_hidden * x  → the same (2,) update on both rows.
    np.testing.assert_allclose(bad.grad_W0, np.tile(good.delta_hidden * x, (2, 1)), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(bad.grad_W0[0], bad.grad_W0[1])
    assert not np.allclose(bad.grad_W0, good.grad_W0)
    assert not np.allclose(bad.new_W0, good.new_W0)
    np.testing.assert_allclose(np.diag(bad.grad_W0), np.diag(good.grad_W0), atol=1e-15)  # only the diagonal is right
    np.testing.assert_array_equal(bad.grad_W1, good.grad_W1)  # the output layer is not affected
    np.testing.assert_array_equal(bad.check.numeric, good.check.numeric)
    assert not bad.check.ok
    assert bad.check.mismatched == ["W0[1,2]", "W0[2,1]"]
    assert bad.check.max_rel_error > 0.5


def test_gradient_check_flags_only_wrong_entries():
    chk = compare_gradients(["a", "b", "c"], [1.0, 2.0, 0.0], [1.0 + 1e-9, 2.5, 0.0])
    assert chk.mismatched == ["b"] and not chk.ok


def test_results_are_json_ready(a, c_runs):
    for r in (a, c_runs[1], example_b("analytic", epochs=3)):
        d = json.loads(json.dumps(to_plain(r)))
        assert isinstance(d, dict)
    d = to_plain(c_runs[1])
    assert d["check"]["ok"] is False and d["check"]["mismatched"] == ["W0[1,2]", "W0[2,1]"]
    assert to_plain(a)["factors"]["∂ŷ/∂a11"] == 0.3


def test_example_a_steps_write_the_sigmoid_with_its_argument():
    how = {k: text for k, text, _ in example_a().steps()}
    assert how["a11"] == "σ(h11) = 1 / (1 + e^(−1))"
    assert how["w11 new"] == "w11 − η·∂C/∂w11 = 0.8 − 0.1·0.1455"
    assert all("-" not in text for text in how.values())
