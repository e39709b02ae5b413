"""The chain rule on one weight: the product of its factors is the engine's gradient, point by point."""
import numpy as np
import pytest

from playground.core.chainrule import (WeightRef, batch_rows_next, explain, highlight, nearest_row, parse_rows,
                                  parse_weight)
from playground.run.config import Config
from playground.core.engines import torch_available
from playground.run.trainer import Trainer


def _every_weight(sizes):
    for l in range(len(sizes) - 1):
        for j in range(sizes[l + 1]):
            yield WeightRef("b", l, -1, j)
            for i in range(sizes[l]):
                yield WeightRef("w", l, i, j)


@pytest.mark.parametrize("cfg", [
    Config(dataset="xor", hidden=(4, 3), dtype="float64"),
    Config(dataset="circle", hidden=(5,), activation=("relu",), loss="bce", dtype="float64"),
    Config(dataset="spiral3", hidden=(6, 4), activation=("sigmoid", "elu"), loss="ce", dtype="float64"),
    Config(dataset="reg-plane", hidden=(3,), activation=("gelu",), loss="mse", dtype="float64"),
], ids=["xor-tanh-square", "circle-relu-bce", "spiral3-softmax", "regression-gelu"])
def test_product_of_factors_equals_the_numpy_engines_gradient_for_every_weight(cfg):
    t = Trainer(cfg)
    t.step(3)
    for ref in _every_weight(t.sizes):
        for rows in ("batch", "train", 7):
            e = explain(t, ref, rows)
            assert abs(e.mean - e.engine) <= 1e-9 * max(1.0, abs(e.engine)), (ref, rows, e.mean, e.engine)
            assert abs(e.numeric - e.engine) <= 1e-6 * max(1.0, abs(e.engine)), (ref, rows)
            for term in e.terms:  # each product is its factors multiplied
                assert term.product == pytest.approx(term.upstream * term.slope * term.incoming, rel=1e-12, abs=1e-300)
            if e.output_unit:
                assert all(term.slope == 1.0 for term in e.terms)
            if ref.kind == "b":
                assert all(term.incoming == 1.0 for term in e.terms)


@pytest.mark.skipif(not torch_available(), reason="PyTorch is not installed")
def test_product_equals_the_torch_engines_gradient():
    t = Trainer(Config(dataset="xor", hidden=(4, 2), dtype="float64", engine="torch"))
    t.step(2)
    for ref in _every_weight(t.sizes):
        e = explain(t, ref, "batch")
        assert abs(e.mean - e.engine) <= 1e-9 * max(1.0, abs(e.engine)), (ref, e.mean, e.engine)


def test_the_batch_is_the_optimizers_next_step_and_the_sum_is_the_gradient_it_uses():
    t = Trainer(Config(dataset="circle", hidden=(4, 2), dtype="float64", reg="l2", reg_rate=0.01, lr=0.1))
    t.step(2)
    ref = WeightRef("w", 1, 2, 1)
    e = explain(t, ref, "batch")
    assert len(e.rows) == t.cfg.batch
    assert e.reg_term == pytest.approx(0.01 * e.weight)
    before = t.net.W[1][2, 1].copy()
    t._train_batches(1, split=True)  # exactly the optimizer's next mini-batch (plain SGD, L2)
    moved = before - t.net.W[1][2, 1]
    assert moved == pytest.approx(t.lr * e.optimizer_grad, rel=1e-9, abs=1e-15)


def test_next_batch_rows_follow_the_shuffle_the_run_draws():
    t = Trainer(Config(dataset="xor", batch=7))
    t.step(1)
    rows = batch_rows_next(t)
    state = t._rng.bit_generator.state
    order = np.random.Generator(np.random.PCG64())
    order.bit_generator.state = state
    assert np.array_equal(rows, order.permutation(len(t.X_train))[:7])
    assert np.array_equal(batch_rows_next(Trainer(Config(dataset="xor", batch=5, shuffle=False))), np.arange(5))


def test_explain_leaves_the_run_unchanged_and_refuses_bad_weights_and_points():
    t = Trainer(Config(dataset="xor"))
    before = [w.copy() for w, _ in t.net.get_params()]
    explain(t, WeightRef("w", 0, 1, 1), "train")
    assert all(np.array_equal(a, b) for a, (b, _) in zip(before, t.net.get_params()))
    with pytest.raises(ValueError, match="not a weight"):
        explain(t, WeightRef("w", 5, 0, 0))
    with pytest.raises(ValueError, match="numbered 0 to"):
        explain(t, WeightRef("w", 0, 0, 0), 10_000)


def test_links_parse_weights_and_points_with_clear_messages():
    sizes = [2, 4, 2, 1]
    assert parse_weight("w2.4.1", sizes) == (WeightRef("w", 1, 3, 0), "")
    assert parse_weight("B3.1", sizes) == (WeightRef("b", 2, -1, 0), "")
    for bad in ("w4.1.1", "w1.3.1", "x", "w1.1", "b1.5", "<b>1</b>", "w" + "9" * 500):
        ref, msg = parse_weight(bad, sizes)
        assert ref == WeightRef("w", 0, 0, 0) and "is not in this 2-4-2-1 network" in msg, bad
    assert parse_rows("train", 10) == ("train", "")
    assert parse_rows("3", 10) == (3, "")
    assert parse_rows(None, 10) == ("batch", "")
    for bad in ("10", "-1", "all", "1e3"):
        value, msg = parse_rows(bad, 10)
        assert value == "batch" and "from 0 to 9" in msg
    assert WeightRef("w", 1, 3, 0).to_text() == "w2.4.1" and WeightRef("b", 0, -1, 2).to_text() == "b1.3"


def test_a_click_picks_the_nearest_point_and_the_chosen_weight_is_ringed():
    from playground.viz.network_figure import network_figure
    from playground.run import views

    t = Trainer(Config(dataset="xor"))
    k = 17
    assert nearest_row(t, *t.train.X[k]) == k
    assert nearest_row(t, "nan", 1) is None and nearest_row(t, None, 1) is None
    fig = network_figure(**views.network_kwargs(t), spec=True)
    n = len(fig["data"])
    highlight(fig, WeightRef("w", 1, 2, 0))
    assert len(fig["data"]) == n + 1 and fig["data"][-1]["name"] == "chosen"
