"""views.py: grids, neuron maps, boundary values and pre-activation ranges, checked against direct maths."""
from __future__ import annotations

import numpy as np
import pytest

from playground.run.config import Config
from playground.run.trainer import Trainer
from playground.run.views import (RUG_SAMPLE, boundary_values, epoch_progress_caption, grid_for, input_labels, input_maps, make_grid,
                              network_kwargs, neuron_maps, preactivation_ranges)

RES = 30  # small grids keep the suite fast; the maths does not depend on the size


def _trained(epochs: int = 15, **cfg) -> Trainer:
    t = Trainer(Config(**cfg))
    t.run(epochs=epochs)
    return t


@pytest.fixture(scope="module")
def circle():
    return _trained(dataset="circle", hidden=(4, 2))


@pytest.fixture(scope="module")
def blobs():
    return _trained(dataset="blobs", loss="ce", classes=4, hidden=(5,))


@pytest.fixture(scope="module")
def reg():
    return _trained(dataset="reg-plane", loss="mse", hidden=(3,))


@pytest.fixture(scope="module")
def iris():
    return _trained(dataset="iris", loss="ce", hidden=(4,))


def _forward(t: Trainer, X: np.ndarray) -> list[np.ndarray]:
    """Every layer's output computed here from the parameters, in float64: the reference."""
    acts, a = [], X.astype(np.float64)
    names = t.cfg.activations()
    for l, (W, b) in enumerate(t.params):
        z = a @ W + b
        if l < len(names):
            a = np.tanh(z) if names[l] == "tanh" else np.maximum(z, 0)
        else:
            a = t.loss.output_fn(z)
        acts.append(a)
    return acts


# ----------------------------------------------------------------------------------------- grid
def test_make_grid_is_row_major_with_y_outer():
    g = make_grid((-2.0, 2.0, 0.0, 1.0), res=5)
    assert g.points.shape == (25, 2)
    assert g.xs.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert g.ys.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    iy, ix = 3, 1
    assert g.points[iy * 5 + ix].tolist() == [g.xs[ix], g.ys[iy]]
    assert g.cols == (0, 1) and g.labels == ("x1", "x2")


def test_grid_for_synthetic_uses_tf_box(circle):
    g = grid_for(circle, res=RES)
    assert g.domain == (-6.0, 6.0, -6.0, 6.0)
    assert g.labels == ("x1", "x2")


def test_grid_for_real_data_covers_the_standardised_points(iris):
    g = grid_for(iris, res=RES, cols=(2, 3))
    X = np.concatenate([iris.train.X, iris.test.X])[:, [2, 3]]
    x0, x1, y0, y1 = g.domain
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1
    assert y0 < X[:, 1].min() and X[:, 1].max() < y1
    assert g.labels == ("petal length (cm) (standardised)", "petal width (cm) (standardised)")
    assert g.cols == (2, 3)


@pytest.mark.parametrize("cols", [(0, 0), (0, 4), (-1, 1), (1, 2, 3)])
def test_grid_for_rejects_bad_columns_with_the_value(iris, cols):
    with pytest.raises(ValueError, match=r"cols must be two different column indices in 0\.\.3"):
        grid_for(iris, cols=cols)


def test_grid_inputs_apply_features_and_are_cached():
    t = Trainer(Config(dataset="circle", features=("x1", "x2", "x1sq", "sinx2"), hidden=(2,)))
    g = make_grid((-6, 6, -6, 6), RES)
    X = g.inputs(t)
    x1, x2 = g.points[:, 0], g.points[:, 1]
    np.testing.assert_allclose(X, np.column_stack([x1, x2, x1 ** 2, np.sin(x2)]), rtol=1e-6, atol=1e-6)
    assert X.dtype == np.float32
    assert g.inputs(t) is X  # cached: the page asks every frame
    other = Trainer(Config(dataset="circle", features=("x1",), hidden=(2,)))
    assert g.inputs(other).shape == (RES * RES, 1)  # a new feature set is a new entry


def test_real_data_grid_is_a_slice_through_the_training_mean(iris):
    g = grid_for(iris, res=RES, cols=(2, 3))
    X = g.inputs(iris)
    mean = iris.train.X.mean(axis=0)
    np.testing.assert_allclose(X[:, 0], mean[0], atol=1e-6)  # held columns: the mean (≈ 0 standardised)
    np.testing.assert_allclose(X[:, 1], mean[1], atol=1e-6)
    assert abs(mean[0]) < 1e-9 and abs(mean[1]) < 1e-9
    np.testing.assert_allclose(X[:, 2:], g.points, rtol=1e-6)  # varied columns: the plane


# ----------------------------------------------------------------------------------- neuron maps
def test_neuron_maps_shapes_and_values(circle):
    g = grid_for(circle, res=RES)
    maps = neuron_maps(circle, g)
    assert [m.shape for m in maps] == [(RES, RES, 4), (RES, RES, 2), (RES, RES, 1)]
    assert all(m.dtype == np.float32 for m in maps)
    ref = _forward(circle, g.inputs(circle))
    for m, r in zip(maps, ref):
        np.testing.assert_allclose(m.reshape(RES * RES, -1), r, atol=1e-5)
    # map[iy, ix] is the neuron at (xs[ix], ys[iy])
    iy, ix = 7, 19
    point = np.array([[g.xs[ix], g.ys[iy]]])
    np.testing.assert_allclose(maps[-1][iy, ix], circle.predict(point)[0], atol=1e-5)


def test_neuron_maps_on_real_data(iris):
    g = grid_for(iris, res=RES, cols=(0, 1))
    maps = neuron_maps(iris, g)
    assert [m.shape for m in maps] == [(RES, RES, 4), (RES, RES, 3)]
    np.testing.assert_allclose(maps[-1].sum(axis=-1), 1.0, atol=1e-5)  # softmax


def test_input_maps_show_each_feature_over_the_plane():
    t = Trainer(Config(dataset="xor", features=("x1", "x2sq"), hidden=(2,)))
    g = make_grid((-6, 6, -6, 6), RES)
    m = input_maps(t, g)
    assert m.shape == (RES, RES, 2)
    np.testing.assert_allclose(m[4, :, 0], g.xs, rtol=1e-6)  # x1 varies along a row
    np.testing.assert_allclose(m[:, 9, 1], g.ys ** 2, rtol=1e-5)  # x2² varies along a column


# ------------------------------------------------------------------------------ boundary values
def test_boundary_binary_tanh_is_the_output(circle):
    g = grid_for(circle, res=RES)
    v = boundary_values(circle, g)
    assert v.shape == (RES, RES) and v.dtype == np.float32
    np.testing.assert_allclose(v.ravel(), _forward(circle, g.inputs(circle))[-1][:, 0], atol=1e-5)
    assert np.all(np.abs(v) <= 1)


@pytest.mark.parametrize("loss", ["bce", "ce"])
def test_boundary_binary_probabilities_map_to_plus_minus_one(loss):
    t = _trained(5, dataset="circle", loss=loss, hidden=(3,))
    g = grid_for(t, res=RES)
    out = _forward(t, g.inputs(t))[-1]
    p1 = out[:, 0] if loss == "bce" else out[:, 1]
    v = boundary_values(t, g)
    np.testing.assert_allclose(v.ravel(), 2 * p1 - 1, atol=1e-5)
    # the map's sign is the predicted class
    assert np.array_equal(v.ravel() >= 0, t.loss.predict_class(out.astype(np.float32)) == 1)


def test_boundary_multiclass_gives_probabilities(blobs):
    g = grid_for(blobs, res=RES)
    v = boundary_values(blobs, g)
    assert v.shape == (RES, RES, 4)
    np.testing.assert_allclose(v.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(v.reshape(-1, 4), _forward(blobs, g.inputs(blobs))[-1], atol=1e-5)


def test_boundary_regression_is_the_prediction_and_reuses_maps(reg):
    g = grid_for(reg, res=RES)
    maps = neuron_maps(reg, g)
    v = boundary_values(reg, g, maps)
    np.testing.assert_allclose(v.ravel(), reg.predict(g.points)[:, 0], atol=1e-5)
    np.testing.assert_array_equal(v, boundary_values(reg, g))


def test_diverged_trainer_still_gives_finite_views():
    t = Trainer(Config(dataset="reg-plane", loss="mse", lr=10.0, hidden=(8, 8), activation=("relu",)))
    t.run(epochs=5)
    assert t.diverged
    g = grid_for(t, res=RES)
    assert np.isfinite(boundary_values(t, g)).all()
    assert all(np.isfinite(m).all() for m in neuron_maps(t, g))
    assert all(np.isfinite([lo, hi]).all() and np.isfinite(s).all() for lo, hi, s in preactivation_ranges(t))


# ------------------------------------------------------------------------- pre-activation ranges
def test_preactivation_ranges_match_the_training_inputs(circle):
    ranges = preactivation_ranges(circle)
    assert len(ranges) == 2  # hidden layers only
    a = circle.X_train.astype(np.float64)
    for (lo, hi, sample), (W, b) in zip(ranges, circle.params[:2]):
        z = a @ W + b
        assert lo == pytest.approx(z.min(), abs=1e-4) and hi == pytest.approx(z.max(), abs=1e-4)
        assert sample.dtype == np.float32 and 0 < len(sample) <= RUG_SAMPLE
        assert lo <= sample.min() and sample.max() <= hi
        a = np.tanh(z)
    assert len(ranges[0][2]) == RUG_SAMPLE  # 250 points × 4 units, thinned to the cap


# -------------------------------------------------------------------------------- network kwargs
def test_network_kwargs(circle, iris):
    g = grid_for(circle, res=RES)
    kw = network_kwargs(circle, g)
    assert kw["sizes"] == [2, 4, 2, 1]
    assert kw["input_labels"] == ("X₁", "X₂")
    assert kw["activation_names"] == ("tanh", "tanh") and kw["output_label"] == "tanh"
    assert [m.shape[2] for m in kw["neuron_maps"]] == [2, 4, 2, 1]
    assert kw["params"] is circle.params and kw["grads"] is circle.last_grads
    assert "neuron_maps" not in network_kwargs(circle)
    assert input_labels(iris) == tuple(iris.train.feature_names)


def test_the_epoch_caption_never_shows_a_finished_count_under_the_next_epochs_number():
    """Issue #14: "Epoch 1: 25 of 25 mini-batches" while the counter still said 0 read as a finished epoch 1
    with epoch 1 in progress. The caption names the epoch in progress and says when only its evaluation is left."""
    t = Trainer(Config(dataset="circle", points=250, train=50, batch=5, hidden=(4,)))  # 25 mini-batches an epoch
    nb = t.batches_per_epoch
    assert nb == 25 and epoch_progress_caption(t.epoch, t.epoch_progress, nb) is None
    t._train_batches(10, split=True)  # a frame stopped part-way through epoch 1
    assert epoch_progress_caption(t.epoch, t.epoch_progress, nb) == "Epoch 1: 10 of 25 mini-batches"
    t._train_batches(15, split=True)  # every mini-batch trained, the evaluation not yet: epoch still 0
    assert t.epoch == 0 and t.epoch_progress == 1
    assert epoch_progress_caption(t.epoch, t.epoch_progress, nb) == "Epoch 1: all 25 mini-batches trained, evaluating"
    t.step()  # the evaluation: epoch 1 is counted and the caption goes
    assert t.epoch == 1 and epoch_progress_caption(t.epoch, t.epoch_progress, nb) is None
    assert epoch_progress_caption(1_233, 24 / 25, 25) == "Epoch 1,234: 24 of 25 mini-batches"
    assert all("25 of 25" not in (epoch_progress_caption(0, k / 25, 25) or "") for k in range(26))
