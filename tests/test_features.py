"""Tests for playground.core.features: exact names, values of every feature, the plotting grid."""

import math

import numpy as np
import pytest

from playground.core.features import DEFAULT_FEATURES, FEATURES, Feature, feature_matrix, grid

POINTS = np.array([[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5], [math.pi / 2, -math.pi]])

# name -> expected column for POINTS, written out by hand
EXPECTED = {
    "x1": [0.0, 1.0, -3.0, math.pi / 2],
    "x2": [0.0, 2.0, 0.5, -math.pi],
    "x1sq": [0.0, 1.0, 9.0, math.pi ** 2 / 4],
    "x2sq": [0.0, 4.0, 0.25, math.pi ** 2],
    "x1x2": [0.0, 2.0, -1.5, -math.pi ** 2 / 2],
    "sinx1": [0.0, math.sin(1.0), math.sin(-3.0), 1.0],
    "sinx2": [0.0, math.sin(2.0), math.sin(0.5), 0.0],
}


def test_names_are_the_public_link_names_in_tf_order():
    assert list(FEATURES) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    assert DEFAULT_FEATURES == ("x1", "x2")
    assert FEATURES["x1sq"].label == "X₁²" and FEATURES["x1sq"].latex == r"x_1^2"
    for name, feature in FEATURES.items():
        assert isinstance(feature, Feature) and feature.name == name
        assert feature.label and feature.latex


@pytest.mark.parametrize("name", list(FEATURES))
def test_each_feature_value(name):
    out = feature_matrix(POINTS, [name])
    assert out.shape == (4, 1)
    np.testing.assert_allclose(out[:, 0], EXPECTED[name], atol=1e-12)


def test_all_features_together_in_the_chosen_order():
    names = ["sinx2", "x1", "x1x2", "x2sq"]
    out = feature_matrix(POINTS, names)
    assert out.shape == (4, 4) and out.dtype == np.float64
    np.testing.assert_allclose(out, np.column_stack([EXPECTED[n] for n in names]), atol=1e-12)


def test_float32_output_and_inputs_untouched():
    X = POINTS.copy()
    out = feature_matrix(X, list(FEATURES), dtype=np.float32)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_allclose(out[:, 2], np.float32(EXPECTED["x1sq"]), rtol=1e-6)
    np.testing.assert_array_equal(X, POINTS)  # writing in place must not touch the inputs
    out[:, 0] = 99  # and the x1 column is a copy, not a view of X
    assert X[1, 0] == 1.0


@pytest.mark.parametrize("X, names, words", [
    (np.zeros((3, 3)), ["x1"], ["(n, 2)", "(3, 3)"]),
    (np.zeros(3), ["x1"], ["(n, 2)", "(3,)"]),
    (POINTS, [], ["at least one"]),
    (POINTS, ["x1", "x3"], ["'x3'", "sinx2"]),
])
def test_bad_input_messages(X, names, words):
    with pytest.raises(ValueError) as err:
        feature_matrix(X, names)
    for word in words:
        assert word in str(err.value)


def test_a_bare_string_is_one_feature():
    np.testing.assert_array_equal(feature_matrix(POINTS, "x2")[:, 0], POINTS[:, 1])


def test_grid_is_row_major():
    xs, ys, XY = grid((-6, 6, -3, 3), resolution=5)
    np.testing.assert_allclose(xs, [-6, -3, 0, 3, 6])
    np.testing.assert_allclose(ys, [-3, -1.5, 0, 1.5, 3])
    assert XY.shape == (25, 2)
    Z = (XY[:, 0] * 10 + XY[:, 1]).reshape(5, 5)  # z[iy, ix] = 10·x + y
    for iy in range(5):
        for ix in range(5):
            assert Z[iy, ix] == pytest.approx(10 * xs[ix] + ys[iy])


def test_grid_default_and_feature_matrix_on_it():
    xs, ys, XY = grid((-6, 6, -6, 6))
    assert xs.shape == ys.shape == (100,) and XY.shape == (10_000, 2)
    M = feature_matrix(XY, list(FEATURES))
    assert M.shape == (10_000, 7)
    np.testing.assert_allclose(M[:, 4], XY[:, 0] * XY[:, 1])


@pytest.mark.parametrize("dom, res, words", [
    ((-1, 1, -1, 1), 1, ["2 to 1000", "1"]),
    ((-1, 1, -1, 1), 2.5, ["integer", "2.5"]),
    ((1, -1, -1, 1), 10, ["x_min < x_max", "(1, -1, -1, 1)"]),
    ((-1, 1, 0, float("inf")), 10, ["finite"]),
    ((-1, 1, 0), 10, ["(x_min, x_max, y_min, y_max)"]),
])
def test_grid_bad_arguments(dom, res, words):
    with pytest.raises(ValueError) as err:
        grid(dom, res)
    for word in words:
        assert word in str(err.value)
