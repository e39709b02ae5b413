"""playground.teach.labs and lab_figures: the worked examples with editable numbers, gradient flow, generalisation.

The worked examples are checked against ``examples.py`` (itself checked against the textbook) and against
hand formulas; the deep-net and generalisation helpers against the behaviour they are meant to show.
"""
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.teach import examples as ex
from playground.teach import worked
from playground.run.config import Config
from playground.viz.lab_figures import (
    curves_figure, epochs_figure, histogram_grid_figure, histogram_time_figure, weight_histograms_figure,
    worked_network_figure,
)
from playground.teach.labs import (
    GRADIENT_PRESETS, chain_rule, check_value, deep_config, fmt, forward_rows, grad_ratio, gradient_regime,
    gradient_rows, histogram_stacks, layer_labels, play_query, symmetry_gap, symmetry_runs, update_rows,
)
from playground.teach.generalisation import (
    capacity_runs, dropout_runs, early_stopping_run, fit_verdict, near_zero, regulariser_runs, run_rows,
)
from playground.teach.worked import WORKED, broadcast_bug, params_of, train_both, worked_step
from playground.run.trainer import Trainer


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----- worked examples: the textbook's numbers ----------------------------------------------------------
@pytest.fixture(scope="module")
def traces():
    return {k: worked_step(spec) for k, spec in WORKED.items()}


def test_example_a_reproduces_examples_module_exactly(traces):
    t, a = traces["A"], ex.example_a()
    assert t.y_hat == a.y_hat and t.loss == a.loss and t.new_loss == a.new_loss
    assert round(t.y_hat, 4) == 1.2332 and round(t.loss, 4) == 1.5208
    assert t.grads == a.gradients
    assert t.forward == a.numeric_forward and t.central == a.numeric_central
    assert {n: t.new_values[n] for n in a.updated} == a.updated
    np.testing.assert_array_equal(t.h, a.h)
    np.testing.assert_array_equal(t.a, a.a)


def test_example_a_chain_rule_for_w11_has_the_textbook_factors(traces):
    rule = chain_rule(traces["A"], "w11")
    a = ex.example_a()
    assert [f.value for f in rule.factors] == list(a.factors.values())
    assert rule.product == pytest.approx(a.dC_dw11, abs=1e-15) and str(rule.product).startswith("0.1454")
    tex = rule.latex()
    assert r"-2(y - \hat y)" in tex and r"a_{11}(1 - a_{11})" in tex and "w_{31}" in tex and "0.145479" in tex


@pytest.mark.parametrize("key", list(WORKED))
def test_every_chain_rule_product_equals_backprop(traces, key):
    t = traces[key]
    for p in WORKED[key].params():
        rule = chain_rule(t, p.name)
        tol = 1e-6 if WORKED[key].dtype == "float32" else 1e-14
        assert rule.product == pytest.approx(rule.backprop, rel=tol, abs=1e-12), p.name
        # the factors of a hidden weight: dC/dy, [dy/dz,] w_out, a(1-a), x
        n_expected = (2 if p.layer == 1 else 4) + (WORKED[key].output == "sigmoid")
        assert len(rule.factors) == n_expected, p.name


def test_chain_rule_rejects_an_unknown_name(traces):
    with pytest.raises(ValueError, match="unknown parameter 'w99'.*allowed: w11"):
        chain_rule(traces["A"], "w99")


def test_example_c_matches_examples_module_and_the_bug_is_flagged(traces):
    t = traces["C"]
    good, bug = ex.example_c("correct"), ex.example_c("broadcast_bug")
    names = ex.ExampleC.weight_names()
    assert [t.grads[n] for n in names] == pytest.approx([*good.grad_W0.ravel(), *good.grad_W1], abs=1e-15)
    assert t.new_loss == pytest.approx(good.new_error, abs=1e-15)
    wrong = broadcast_bug(t)
    assert [wrong[n] for n in names] == pytest.approx([*bug.grad_W0.ravel(), *bug.grad_W1], abs=1e-15)
    assert wrong["W0[1,1]"] == wrong["W0[2,1]"] and wrong["W0[1,2]"] == wrong["W0[2,2]"]  # both rows the same
    assert t.check().ok
    check = t.check(wrong)
    assert not check.ok and check.mismatched == bug.check.mismatched == ["W0[1,2]", "W0[2,1]"]


def test_example_b_both_methods_reproduce_compare_b_exactly():
    both, ref = train_both(WORKED["B"]), ex.compare_b()
    np.testing.assert_array_equal(both.losses["numeric"], ref.numeric.losses)
    np.testing.assert_array_equal(both.losses["analytic"], ref.analytic.losses)
    assert both.prediction["numeric"] == ref.numeric.prediction
    assert both.prediction["analytic"] == ref.analytic.prediction
    assert both.max_param_diff == ref.max_param_diff and 1e-6 < both.max_param_diff < 1e-3
    assert both.losses["analytic"][-1] < both.losses["analytic"][0] / 10  # it learned


def test_example_b_step_is_float32_sgd_with_biases(traces):
    t = traces["B"]
    assert "b_out" in t.grads and t.check().ok  # float32 tolerance
    assert t.new_values["b_out"] == pytest.approx(-0.5516 - 0.01 * t.grads["b_out"], abs=1e-6)
    assert t.check().max_rel_error > 1e-6  # float32 finite differences are visibly off


def test_edited_values_follow_the_hand_formulas():
    vals = {**WORKED["A"].defaults(), "x1": 0.5, "x2": -2.0, "y": 1.0, "w11": -0.3, "w32": 1.5, "eta": 0.5}
    t = worked_step(WORKED["A"], vals)
    W = np.array([[-0.3, 0.4, 0.3], [0.2, 0.9, 0.5]])
    v = np.array([0.3, 1.5, 0.9])
    x = np.array([0.5, -2.0])
    a = sig(x @ W)
    y_hat = a @ v
    assert t.y_hat == pytest.approx(y_hat, abs=1e-14) and t.loss == pytest.approx((1 - y_hat) ** 2, abs=1e-14)
    dy = 2 * (y_hat - 1.0)
    assert t.grads["w32"] == pytest.approx(dy * a[1], abs=1e-14)
    assert t.grads["w21"] == pytest.approx(dy * v[0] * a[0] * (1 - a[0]) * x[1], abs=1e-14)
    assert t.new_values["w21"] == pytest.approx(0.2 - 0.5 * t.grads["w21"], abs=1e-15)
    assert t.values["x2"] == -2.0 and t.new_values["x2"] == -2.0  # inputs are not parameters


def test_negative_numbers_are_written_with_their_sign_in_the_formulas(traces):
    by_q = {r["quantity"]: r["computed as"] for r in forward_rows(traces["B"])}
    assert by_q["a12"] == "σ(h12) = 1 / (1 + e^(−(−0.5417)))"  # h12 = −0.5417: never "e^(−-0.5417)"
    assert by_q["a11"] == "σ(h11) = 1 / (1 + e^(−0.3600))"
    assert by_q["h11"] == "w11·x1 + w21·x2 + b1 = −0.0053·1 + 0.3793·1 − 0.014"
    assert by_q["ŷ"] == ("w31·a11 + w32·a12 + w33·a13 + b_out = "
                         "0.1528·0.5890 − 0.1745·0.3678 − 0.1135·0.4637 − 0.5516")
    assert by_q["C"] == "(y − ŷ)² = (0 − (−0.5784))²"
    negative = dict(WORKED["B"].defaults(), x1=-1.0, y=-1.0)
    for key in WORKED:
        spec = WORKED[key]
        for values in (spec.defaults(), {**spec.defaults(), **{k: -abs(v) - 0.5 for k, v in spec.defaults().items()
                                                               if k != "eta"}}):
            for row in forward_rows(worked_step(spec, values)):
                how = row["computed as"]
                assert "-" not in how.split("=", 1)[1], (key, how)  # a real minus sign, never "−-", "+ -", "·-"
    rows = {r["quantity"]: r["computed as"] for r in forward_rows(worked_step(WORKED["B"], negative))}
    assert rows["h11"].startswith("w11·x1 + w21·x2 + b1 = −0.0053·(−1) + 0.3793·1")
    assert "(−1 − " in rows["C"]


def test_params_of_puts_example_c_in_the_engine_layout():
    (W0, b0), (W1, b1) = params_of(WORKED["C"], WORKED["C"].defaults())
    np.testing.assert_array_equal(W0, np.array(worked.C_W0).T)  # the textbook's rows are units
    np.testing.assert_array_equal(W1[:, 0], worked.C_W1)
    assert not b0.any() and not b1.any()


def test_tables_show_exact_and_rounded_values(traces):
    rows = forward_rows(traces["A"])
    by_q = {r["quantity"]: r for r in rows}
    assert by_q["ŷ"]["exact"] == "1.233212" and by_q["ŷ"]["textbook (2 decimals)"] == "1.23"
    assert by_q["a11"]["exact"] == "0.731059" and by_q["a11"]["textbook (2 decimals)"] == "0.73"
    assert by_q["h11"]["computed as"] == "w11·x1 + w21·x2 = 0.8·1 + 0.2·1"
    assert "textbook (2 decimals)" not in forward_rows(traces["C"])[0]
    g = {r["parameter"]: r for r in gradient_rows(traces["A"])}
    assert g["w11"]["backprop"] == "0.145479" and g["w11"]["central diff"] == "0.145479"
    assert float(g["w31"]["|· − forward|"]) > 1e-6 > float(g["w31"]["|· − central|"])
    u = {r["parameter"]: r for r in update_rows(traces["C"])}
    assert u["W1[1]"]["new = old − η·∂E/∂θ"] == fmt(traces["C"].new_values["W1[1]"])


@pytest.mark.parametrize("name, value, ok", [
    ("w11", 0.5, True), ("w11", -100.0, True), ("w11", 1e9, False), ("w11", float("nan"), False),
    ("x1", "abc", False), ("x1", None, False), ("eta", 0.0, False), ("eta", 0.5, True),
])
def test_check_value(name, value, ok):
    msg = check_value(name, value, lo=0.0 if name == "eta" else -100, hi=100)
    assert (msg is None) == ok
    if not ok:
        assert name in msg or "η" in msg


def test_fmt():
    assert fmt(0) == "0" and fmt(1.2332121) == "1.233212" and fmt(-3.2e-9) == "-3.200e-09" and fmt(2e7) == "2.000e+07"


# ----- gradients in deep nets -------------------------------------------------------------------------------
def _norms(preset: str, epochs: int = 0) -> list[float]:
    p = GRADIENT_PRESETS[preset]
    t = Trainer(deep_config(activation=p.activation, init=p.init, init_scale=p.init_scale))
    t.run(epochs=epochs)
    return t.history.grad_norms[-1]


def test_sigmoid_deep_net_gradient_vanishes_towards_the_input():
    n = _norms("vanishing")
    assert len(n) == 7 and n[0] < 1e-3 * n[-1]
    assert all(a < b for a, b in zip(n, n[1:]))  # shrinks at every layer on the way back
    assert gradient_regime(grad_ratio(n)) == "vanishing"


def test_relu_he_keeps_layers_within_an_order_of_magnitude():
    n = _norms("healthy", epochs=5)
    assert 0.1 < grad_ratio(n) < 10 and max(n) / min(n) < 10
    assert gradient_regime(grad_ratio(n)) == "healthy"


def test_large_tanh_init_explodes_towards_the_input():
    n = _norms("exploding")
    assert grad_ratio(n) > 100 and gradient_regime(grad_ratio(n)) == "exploding"


def test_grad_ratio_edge_cases():
    assert math.isnan(grad_ratio([0.0, 0.0])) and gradient_regime(grad_ratio([0.0, 0.0])) == "none"
    assert grad_ratio([1.0, 0.0]) == math.inf and gradient_regime(math.inf) == "exploding"


def test_histogram_stacks_count_every_weight_at_every_snapshot():
    t = Trainer(deep_config(depth=3, width=8))
    t.run(epochs=4)
    ws, gs = histogram_stacks(t.snapshots, "weights", bins=11), histogram_stacks(t.snapshots, "gradients")
    assert len(ws) == 4 and [s.layer for s in ws] == [0, 1, 2, 3]
    assert ws[0].counts.shape == (5, 11) and list(ws[0].epochs) == [0, 1, 2, 3, 4]
    assert (ws[0].counts.sum(axis=1) == 2 * 8).all() and (gs[1].counts.sum(axis=1) == 64).all()
    W = t.snapshots[2][1][1][0]
    assert ws[1].edges[-1] >= np.abs(W).max() and ws[1].edges[0] == -ws[1].edges[-1]
    np.testing.assert_array_equal(ws[1].counts[2], np.histogram(W, ws[1].edges)[0])
    with pytest.raises(ValueError, match="'weights' or 'gradients'"):
        histogram_stacks(t.snapshots, "biases")


def test_symmetry_gap_is_zero_only_for_identical_units():
    W = np.array([[1.0, 1.0], [2.0, 2.0]])
    assert symmetry_gap([(W, np.zeros(2)), (np.ones((2, 1)), np.zeros(1))]) == [0.0]
    assert symmetry_gap([(W, np.array([0.0, 0.5])), (np.ones((2, 1)), np.zeros(1))]) == [0.5]


def test_zero_init_units_stay_identical_while_random_init_breaks_symmetry():
    runs = symmetry_runs(activation="sigmoid", epochs=60)
    zeros, uniform = runs["zeros"], runs["uniform"]
    assert zeros.gaps == [0.0, 0.0] and zeros.moved > 0.01  # the weights moved, in lockstep
    assert min(uniform.gaps) > 0.5
    assert uniform.trainer.history.test_metric[-1] > zeros.trainer.history.test_metric[-1]
    tanh = symmetry_runs(activation="tanh", epochs=10, inits=("zeros",))["zeros"]
    assert tanh.moved == 0.0 and tanh.gaps == [0.0, 0.0]  # tanh(0) = 0: no gradient at all


def test_layer_labels_and_play_query():
    assert layer_labels(3) == ["W1 (first)", "W2", "W3 (output)"]
    cfg = deep_config(depth=3, activation="relu", init="he", init_scale=2.0)
    q = play_query(cfg)
    assert q["hidden"] == "8,8,8" and q["activation"] == "relu" and q["init"] == "he" and q["init_scale"] == "2"
    assert Config(**{**cfg.__dict__}).hidden == (8, 8, 8)


# ----- generalisation -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def regs():
    return regulariser_runs(rate=0.01, epochs=150)


def test_l1_gives_more_near_zero_weights_than_l2(regs):
    none, l1, l2 = (regs[k] for k in regs)
    assert near_zero(l1.weights) > 5 * max(near_zero(l2.weights), 1) and near_zero(l1.weights) > 50
    assert np.abs(l2.weights).mean() < np.abs(none.weights).mean()  # L2 shrinks
    assert l1.cfg.reg == "l1" and l2.cfg.reg == "l2" and l1.cfg.reg_rate == l2.cfg.reg_rate == 0.01
    rows = run_rows(regs)
    assert rows[1]["|w| < 0.001"] == f"{near_zero(l1.weights)} of {l1.weights.size}"


def test_runs_are_deterministic_and_share_the_data():
    a = regulariser_runs(rate=0.003, epochs=3, hidden=(4,))
    b = regulariser_runs(rate=0.003, epochs=3, hidden=(4,))
    for k in a:
        np.testing.assert_array_equal(a[k].weights, b[k].weights)
        np.testing.assert_array_equal(a[k].train[0], b["No penalty"].train[0])


def test_capacity_small_underfits_and_big_overfits():
    runs = capacity_runs(noise=40, train=20, epochs=150)
    simple, _, big = runs.values()
    hs, hb = simple.history, big.history
    assert hs.train_metric[-1] < 0.7  # a straight line on circle data
    assert hb.train_metric[-1] > 0.9 and hb.test_loss[-1] > 1.5 * hb.train_loss[-1] + 0.3
    assert fit_verdict(simple).startswith("Underfitting") and fit_verdict(big).startswith("Overfitting")
    assert simple.boundary.shape == (60, 60) and np.isfinite(big.boundary).all()


def test_dropout_keeps_the_test_loss_lower():
    runs = dropout_runs(rate=0.5, epochs=150)
    off, on = runs.values()
    assert on.cfg.dropout == 0.5 and off.cfg.dropout == 0.0
    assert on.last_test_loss < off.last_test_loss and on.history.train_loss[-1] > off.history.train_loss[-1]


def test_early_stopping_restores_the_best_checkpoint():
    run = early_stopping_run(patience=20, max_epochs=400)
    h = run.history
    assert run.stop_reason.startswith("early stopping") and run.epoch == run.best_epoch + 20
    assert run.best_test_loss == min(h.test_loss) == h.test_loss[h.epoch.index(run.best_epoch)]
    assert run.restored_test_loss == pytest.approx(run.best_test_loss, rel=1e-6)
    assert run.restored_test_loss < run.last_test_loss
    assert not np.array_equal(run.best_boundary, run.boundary)


# ----- figures ---------------------------------------------------------------------------------------------
def _valid(fig) -> go.Figure:
    """Rebuilding with validation catches misspelt properties."""
    return go.Figure(fig.to_dict())


def test_worked_network_figure_shows_every_value_and_the_path(traces):
    fig = _valid(worked_network_figure(traces["A"], highlight="w11"))
    text = " ".join(a.text for a in fig.layout.annotations)
    for s in ("x₁ = 1", "h₁₁ = 1", "a₁₁ = σ(h₁₁) = 0.7311", "ŷ = 1.2332", "= 1.5208", "w₁₁ = 0.8", "w₃₃ = 0.9"):
        assert s in text, s
    red = [t for t in fig.data if t.mode == "lines" and t.line.color == "#d62728"]
    assert len(red) == 3  # w11, w31 and output → loss
    grads = " ".join(a.text for a in _valid(worked_network_figure(traces["C"], show="gradients")).layout.annotations)
    assert "∂E/∂W0[1,1] = 0.0009" in grads and "z = 0.8014" in grads
    b = " ".join(a.text for a in worked_network_figure(traces["B"], highlight="b_out").layout.annotations)
    assert "b_out = -0.5516" in b and "b1 = -0.014" in b
    with pytest.raises(ValueError, match="unknown parameter"):
        worked_network_figure(traces["A"], highlight="b1")


def test_other_figures_build():
    both = train_both(WORKED["B"], epochs=5)
    fig = epochs_figure({"numeric": both.losses["numeric"], "backprop": both.losses["analytic"]}, diff=True)
    assert len(_valid(fig).data) == 3 and np.isnan(fig.data[2].y[0])  # same start: no point on the log axis
    t = Trainer(deep_config(depth=2))
    t.run(epochs=2)
    ws, gs = histogram_stacks(t.snapshots), histogram_stacks(t.snapshots, "gradients")
    assert len(_valid(histogram_grid_figure(ws, gs, 1)).data) == 6
    assert len(_valid(histogram_time_figure(ws[0], gs[0], mark_epoch=1)).data) == 2
    assert len(_valid(curves_figure({"a": t.history}, best_epoch=1)).data) == 2
    assert len(_valid(weight_histograms_figure({"a": np.array([0.0, 1e-4, 0.5]), "b": np.ones(3)})).data) == 2
    assert "2 of 3 with |w| < 0.001" in _valid(weight_histograms_figure({"a": np.array([0.0, 1e-4, 0.5])})).layout.annotations[0].text
