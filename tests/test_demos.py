"""The numbers behind the Activations and Losses lessons (playground/teach/demos.py, playground/teach/loss_demos.py) and their figures."""
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings, strategies as st

from playground.viz import lesson_figures as lf
from playground.core.activations import ACTIVATIONS, softmax
from playground.teach.demos import (
    TARGETS, LinearStack, activation_curves, derivative_peak, fit_relu_sum, gradient_bound, latex_matrix,
    plane_residual, range_text, relu_bump, relu_demo, relu_step, saturated_spans,
)
from playground.teach.loss_demos import (
    LOSS_CURVES, cross_entropy, entropy, fit_line, huber, kl_divergence, loss_curves, outlier_data, parse_distribution,
    parse_numbers, softmax_t,
)
from playground.core.losses import LOSSES

# ----- activations -----------------------------------------------------------------------------------


def test_sigmoid_gradient_bound_through_ten_layers():
    z, peak = derivative_peak("sigmoid")
    assert z == 0.0 and peak == pytest.approx(0.25)
    assert gradient_bound("sigmoid", 10) == pytest.approx(0.25 ** 10)
    assert 9.5e-7 < gradient_bound("sigmoid", 10) < 9.6e-7
    assert gradient_bound("tanh", 10) == pytest.approx(1.0)
    assert gradient_bound("relu", 30) == pytest.approx(1.0)
    assert gradient_bound("step", 3) == 0.0
    assert gradient_bound("gelu", 10) > 3  # max GELU' ≈ 1.13: it can grow
    with pytest.raises(ValueError, match="depth must be a whole number"):
        gradient_bound("sigmoid", -1)


def test_activation_curves_for_the_page():
    z, values, grads, spans = activation_curves(["sigmoid", "relu"], -4, 4, n=81)
    assert list(values) == ["Sigmoid", "ReLU"] and z.shape == (81,)
    np.testing.assert_allclose(values["ReLU"], np.maximum(z, 0))
    np.testing.assert_allclose(grads["Sigmoid"], values["Sigmoid"] * (1 - values["Sigmoid"]))
    assert spans == {"Sigmoid": [], "ReLU": [(-4, 0.0)]}
    assert saturated_spans("tanh", -6, 6) == [(-6, -3.0), (3.0, 6)]
    assert range_text(ACTIVATIONS["relu"].out_range) == "0 … ∞"
    assert range_text(ACTIVATIONS["tanh"].out_range) == "−1 … 1"


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("hidden", [1, 3, 5])
def test_two_linear_layers_are_one(seed, hidden):
    s = LinearStack.random(np.random.default_rng(seed), n_in=2, n_hidden=hidden, n_out=2)
    X = np.random.default_rng(100 + seed).normal(0, 3, (200, 2))
    np.testing.assert_allclose(s.W, s.W_h @ s.W_o)
    np.testing.assert_allclose(s.b, s.b_h @ s.W_o + s.b_o)
    assert np.abs(s.forward(X) - s.collapsed(X)).max() < 1e-12
    assert np.abs(s.forward(X, "tanh") - s.collapsed(X)).max() > 1e-3  # an activation breaks the identity


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 10_000))
def test_collapse_identity_for_any_shape(n_in, n_hidden, n_out, seed):
    s = LinearStack.random(np.random.default_rng(seed), n_in, n_hidden, n_out)
    X = np.random.default_rng(seed + 1).normal(size=(20, n_in))
    assert s.max_gap(X) < 1e-12


def test_the_stack_is_a_plane_until_an_activation_bends_it():
    s = LinearStack.from_seed(3)
    assert s.max_gap() < 1e-12
    assert s.flatness("linear") < 1e-12
    assert s.flatness("tanh") > 0.5 and s.flatness("relu") > 0.5
    xs, ys, Z = s.surface("linear", resolution=11)
    assert Z.shape == (11, 11)
    assert Z[3, 7] == pytest.approx(s.collapsed(np.array([[xs[7], ys[3]]]))[0, 0])
    X = np.random.default_rng(0).normal(size=(50, 2))
    assert plane_residual(X, X @ [2.0, -1.0] + 3.0) < 1e-12
    assert plane_residual(X, (X ** 2).sum(axis=1)) > 0.5


def test_relu_step_and_bump():
    z = np.array([-5.0, -1.0, -0.5, 0.0, 3.0])
    np.testing.assert_allclose(relu_step(z, -1.0, 0.0), [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(relu_bump(z, (-1.0, 0.0), (1.0, 2.0), 2.0), [0, 0, 1.0, 2.0, 0])
    with pytest.raises(ValueError, match="a < b"):
        relu_step(z, 1.0, 1.0)
    zz, step_lines, bump_lines = relu_demo((-2.0, -1.0), (1.0, 2.0))
    assert list(step_lines) == ["relu(z + 2)", "−relu(z + 1)", "difference: a step"]
    assert step_lines["difference: a step"].max() == pytest.approx(1.0)
    assert bump_lines["sum: a bump"][np.argmin(np.abs(zz))] == pytest.approx(1.0)


def test_sum_of_relus_approximates_sin():
    errors = [fit_relu_sum("sin", n).max_error for n in (3, 6, 12, 24)]
    assert errors[2] < 0.05 and errors[3] < 0.01
    assert errors == sorted(errors, reverse=True)
    fit = fit_relu_sum("gauss", 12)
    np.testing.assert_allclose(fit.bias + fit.units().sum(axis=0), fit.fitted)
    assert set(fit.lines()) == {"target", "sum of 12 ReLUs", *(f"_unit {k}" for k in range(1, 13))}
    assert set(TARGETS) >= {"sin", "abs"}
    with pytest.raises(ValueError, match="unknown target 'cos'"):
        fit_relu_sum("cos", 5)


# ----- losses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mse", "mae", "bce"])
def test_loss_curves_agree_with_the_training_registry(name):
    curve = LOSS_CURVES[name]
    target = 1.0
    pred = np.linspace(0.05, 0.95, 7) if curve.kind == "probability" else np.linspace(-2, 3, 7)
    expect = LOSSES[name].value(pred.reshape(-1, 1), np.full((7, 1), target))
    np.testing.assert_allclose(curve.fn(pred, target, 1.0), expect)


def test_huber_and_ce_agree_with_the_training_registry():
    r = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(LOSS_CURVES["huber"].fn(r, 0.0, 1.0), LOSSES["huber"].value(r.reshape(-1, 1), 0 * r.reshape(-1, 1)))
    p = np.array([[0.2, 0.5, 0.3]])
    assert LOSS_CURVES["ce"].fn(np.array([0.5]), 1, 0)[0] == pytest.approx(LOSSES["ce"].value(p, np.array([[0, 1, 0]]))[0])


@pytest.mark.parametrize("name", list(LOSS_CURVES))
def test_loss_curve_gradients_match_finite_differences(name):
    curve = LOSS_CURVES[name]
    pred = np.array([0.13, 0.37, 0.61, 0.88]) if curve.kind == "probability" else np.array([-2.3, -0.4, 0.45, 1.7])
    for target in ((0.0, 1.0) if name == "bce" else (0.1,)):
        eps = 1e-6
        numeric = (curve.fn(pred + eps, target, 0.7) - curve.fn(pred - eps, target, 0.7)) / (2 * eps)
        np.testing.assert_allclose(curve.grad(pred, target, 0.7), numeric, rtol=1e-5, atol=1e-6)


def test_huber_is_quadratic_then_linear_and_continuous():
    d = 1.5
    assert huber(np.array([1.0]), d)[0] == 0.5
    assert huber(np.array([3.0]), d)[0] == pytest.approx(1.5 * (3 - 0.75))
    assert huber(np.array([d - 1e-9]), d)[0] == pytest.approx(huber(np.array([d + 1e-9]), d)[0])


def test_loss_curves_ranges():
    p, values, grads = loss_curves(["mse", "mae", "huber"], 0.5, 1.0)
    assert p[0] == pytest.approx(-2.5) and p[-1] == pytest.approx(3.5)
    assert min(values["MSE"]) == pytest.approx(0, abs=1e-4)
    p, values, _ = loss_curves(["bce", "ce"], 1.0)
    assert 0 < p[0] and p[-1] < 1
    np.testing.assert_allclose(values["Binary cross-entropy"], values["Categorical cross-entropy"])


def test_outliers_pull_mse_not_mae():
    x, y, out = outlier_data(1, 20.0, n_outliers=3)
    assert out.sum() == 3 and out[-1]
    mse, mae, hub = fit_line(x, y, "mse"), fit_line(x, y, "mae"), fit_line(x, y, "huber", 1.0)
    assert mse[0] > mae[0] + 0.5  # the squared outliers tilt the MSE line
    assert abs(mae[0] - 0.5) < 0.15 and abs(hub[0] - 0.5) < 0.15
    x0, y0, _ = outlier_data(1, 20.0, n_outliers=0)
    assert all(abs(fit_line(x0, y0, loss)[0] - 0.5) < 0.1 for loss in ("mse", "mae", "huber"))


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_fit_line_minimises_its_loss(loss):
    x, y, _ = outlier_data(4, 12.0, n_outliers=2)
    cost = {"mse": lambda r: (r ** 2).mean(), "mae": lambda r: np.abs(r).mean(),
            "huber": lambda r: huber(r, 1.0).mean()}[loss]
    a, b = fit_line(x, y, loss)
    best = cost(y - a * x - b)
    for da, db in [(1e-3, 0), (-1e-3, 0), (0, 1e-2), (0, -1e-2), (1e-3, -1e-2)]:
        assert cost(y - (a + da) * x - (b + db)) >= best - 1e-9
    with pytest.raises(ValueError, match="'mse', 'mae' or 'huber'"):
        fit_line(x, y, "bce")


def test_softmax_temperature_limits():
    s = [2.0, 1.0, 0.1]
    np.testing.assert_allclose(softmax_t(s, 1.0), softmax(np.array([s]))[0])
    np.testing.assert_allclose(softmax_t(s, 0.01), [1, 0, 0], atol=1e-12)
    np.testing.assert_allclose(softmax_t(s, 1e6), [1 / 3] * 3, atol=1e-5)
    for t in (0.05, 0.5, 5.0):
        assert softmax_t(s, t).sum() == pytest.approx(1.0)
    assert entropy(softmax_t(s, 0.1)) < entropy(softmax_t(s, 1.0)) < entropy(softmax_t(s, 10.0))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        softmax_t(s, 0)


def test_cross_entropy_is_entropy_plus_kl():
    p, q = softmax_t([2.0, 1.0, 0.1], 1.0), np.array([0.2, 0.7, 0.1])
    assert cross_entropy(q, p) == pytest.approx(entropy(q) + kl_divergence(q, p))
    assert kl_divergence(q, p) > 0 and kl_divergence(q, q) == pytest.approx(0, abs=1e-15)
    assert entropy([0.25] * 4) == pytest.approx(math.log(4))
    assert entropy([1.0, 0.0]) == 0.0
    one_hot = np.array([0.0, 1.0, 0.0])
    assert cross_entropy(one_hot, p) == pytest.approx(-math.log(p[1]))
    assert cross_entropy(one_hot, p) == pytest.approx(kl_divergence(one_hot, p))


def test_parse_numbers_accepts_and_explains():
    assert parse_numbers("2, 1, 0.1") == [2.0, 1.0, 0.1]
    assert parse_numbers(" -1,2e1, 3 ,") == [-1.0, 20.0, 3.0]
    with pytest.raises(ValueError, match=r"item 2 'x' is not a number; allowed: 2–10 numbers"):
        parse_numbers("2, x")
    with pytest.raises(ValueError, match="item 2 is empty"):
        parse_numbers("1,,2")
    with pytest.raises(ValueError, match="not a finite number"):
        parse_numbers("1, inf")
    with pytest.raises(ValueError, match="got 1 number;"):
        parse_numbers("5")
    with pytest.raises(ValueError, match="got 0 numbers"):
        parse_numbers("")
    with pytest.raises(ValueError, match="got 11 numbers"):
        parse_numbers(",".join(["1"] * 11))
    with pytest.raises(ValueError, match="item 1 .* is negative"):
        parse_numbers("-1, 2", nonnegative=True)


def test_parse_distribution():
    np.testing.assert_allclose(parse_distribution("2, 1, 1", 3), [0.5, 0.25, 0.25])
    with pytest.raises(ValueError, match="exactly 3 non-negative numbers .* e.g. 1, 0, 0"):
        parse_distribution("1, 0", 3)
    with pytest.raises(ValueError, match="add up to 0"):
        parse_distribution("0, 0", 2)


def test_latex_matrix():
    assert latex_matrix([[1, 2.5], [3, 4]]) == r"\begin{bmatrix}1 & 2.5 \\ 3 & 4\end{bmatrix}"
    assert latex_matrix([0.123456], 2) == r"\begin{bmatrix}0.12\end{bmatrix}"


# ----- figures --------------------------------------------------------------------------------------


def _fonts_at_least(fig: go.Figure, size: int = 14) -> None:
    assert fig.layout.font.size >= size
    for ax in [a for k, a in fig.layout.to_plotly_json().items() if k.startswith(("xaxis", "yaxis"))]:
        assert ax.get("tickfont", {}).get("size", size) >= size


def test_figures_are_built_from_the_numbers():
    z, values, grads, spans = activation_curves(["sigmoid", "tanh", "relu"])
    fig = lf.curve_and_derivative_figure(z, values, grads, titles=("f", "f′"), x_title="z", shade=spans)
    assert len(fig.data) == 6 and len(fig.layout.shapes) >= 4
    _fonts_at_least(fig)
    from playground.teach.perceptron import make_perceptron

    p = make_perceptron("XOR", seed=0)
    p.run_epoch()
    fig = lf.plane_figure(p.X, p.y, p.w, p.b, (-0.5, 1.5, -0.5, 1.5), predicted=p.predict(p.X), highlight=0)
    names = [t.name for t in fig.data]
    assert "misclassified" in names and "just shown" in names
    _fonts_at_least(fig)
    assert list(lf.mistakes_figure([3, 0]).data[0].y) == [3, 0]
    x, y, out = outlier_data(0, 10.0)
    fig = lf.robust_fit_figure(x, y, out, {"MSE": fit_line(x, y, "mse")})
    assert fig.data[-1].name.startswith("MSE: slope")
    fig = lf.probabilities_figure(["a", "b"], np.array([0.3, 0.7]), np.array([0.5, 0.5]))
    assert [t.name for t in fig.data] == ["softmax p", "target q"]
    assert len(lf.depth_figure({"Sigmoid": 0.25}, max_depth=5).data[0].y) == 6
