"""Tests for playground.data.datasets: TF Playground semantics, reproducibility, real data, splits."""

import math

import numpy as np
import pytest

from playground.data import datasets as D
from playground.data.datasets import DATASETS, Data, domain, generate, split, standardize


def rng(seed=0):
    return np.random.default_rng(seed)


# ------------------------------------------------------------------- registry

def test_registry_order_is_the_ui_order():
    assert list(DATASETS) == ["circle", "xor", "gauss", "spiral", "moons", "blobs", "spiral3",
                              "reg-plane", "reg-gauss", "digits", "iris", "wine",
                              "breast-cancer", "diabetes"]


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_entry_generates_what_it_declares(name):
    spec = DATASETS[name]
    data = generate(name, noise=20, rng=rng(1))
    assert spec.name == name and spec.kind in ("synthetic", "real") and spec.description
    assert data.task == spec.task and data.name == name
    assert data.n_classes == spec.n_classes
    assert len(data) == spec.default_size
    assert data.X.shape == (spec.default_size, spec.n_features)
    assert data.X.dtype == np.float64 and np.isfinite(data.X).all()
    assert len(data.feature_names) == spec.n_features
    if spec.task == "classification":
        assert data.y.dtype == np.int64
        assert set(np.unique(data.y)) == set(range(spec.n_classes))
        assert len(data.class_names) == spec.n_classes
    else:
        assert data.y.dtype == np.float64 and spec.n_classes == 0
    if spec.kind == "synthetic":
        assert data.feature_names == ("x1", "x2")


def test_default_sizes_follow_tf_playground():
    for spec in DATASETS.values():
        if spec.kind == "synthetic":
            assert spec.default_size == (500 if spec.task == "classification" else 1200)


# ------------------------------------------------------------ TF semantics

def test_circle_radii_counts_and_clean_labels():
    data = generate("circle", noise=0, rng=rng())
    r = np.hypot(*data.X.T)
    pos, neg = data.y == 1, data.y == 0
    assert pos.sum() == 250 and neg.sum() == 250
    assert r[pos].max() < 2.5 and r[pos].min() >= 0
    assert r[neg].min() >= 3.5 and r[neg].max() <= 5.0
    # noise 0: the label is exactly the geometry
    np.testing.assert_array_equal(data.y, (r < 2.5).astype(np.int64))


def test_circle_noise_flips_labels_but_keeps_points_clean():
    data = generate("circle", noise=50, rng=rng())
    r = np.hypot(*data.X.T)
    geometric = (r < 2.5).astype(np.int64)
    flipped = (data.y != geometric).sum()
    assert 10 < flipped < 250  # some, not most
    assert r.max() <= 5.0  # the stored points are still on the clean disc/ring


def test_xor_padding_and_labels():
    data = generate("xor", noise=0, rng=rng())
    assert len(data) == 500
    assert (np.abs(data.X) >= 0.3).all() and (np.abs(data.X) <= 5.3).all()
    np.testing.assert_array_equal(data.y, (data.X[:, 0] * data.X[:, 1] >= 0).astype(np.int64))
    assert 200 < data.y.sum() < 300  # quadrants are equally likely
    noisy = generate("xor", noise=30, rng=rng())
    assert (noisy.y != (noisy.X[:, 0] * noisy.X[:, 1] >= 0)).sum() > 10


def test_gauss_centres_and_tf_variance_scale():
    data = generate("gauss", noise=0, rng=rng(), n=10_000)
    pos, neg = data.X[data.y == 1], data.X[data.y == 0]
    assert len(pos) == len(neg) == 5000
    np.testing.assert_allclose(pos.mean(0), [2, 2], atol=0.05)
    np.testing.assert_allclose(neg.mean(0), [-2, -2], atol=0.05)
    # TF passes 0.5 as a *variance*: std = sqrt(0.5)
    np.testing.assert_allclose(pos.std(0), math.sqrt(0.5), rtol=0.05)
    wide = generate("gauss", noise=50, rng=rng(), n=10_000)
    np.testing.assert_allclose(wide.X[wide.y == 1].std(0), 2.0, rtol=0.05)  # sqrt(4)


def test_spiral_follows_the_tf_formula_at_noise_zero():
    data = generate("spiral", noise=0, rng=rng())
    pos = data.X[data.y == 1]
    n = 250
    i = np.arange(n)
    r, t = i / n * 5, 1.75 * i / n * 2 * np.pi
    np.testing.assert_allclose(pos, np.column_stack([r * np.sin(t), r * np.cos(t)]))
    neg = data.X[data.y == 0]
    np.testing.assert_allclose(neg, -pos, atol=1e-12)  # Δt = π mirrors the arm


def test_spiral_radius_is_bounded_by_five_plus_noise():
    noise = 40
    data = generate("spiral", noise=noise, rng=rng())
    assert np.hypot(*data.X.T).max() <= 5 + math.sqrt(2) * noise / 100
    assert np.bincount(data.y).tolist() == [250, 250]


def test_reg_plane_target_is_the_scaled_sum():
    data = generate("reg-plane", noise=0, rng=rng())
    assert np.abs(data.X).max() <= 6
    np.testing.assert_allclose(data.y, data.X.sum(1) / 10)
    noisy = generate("reg-plane", noise=50, rng=rng())
    assert not np.allclose(noisy.y, noisy.X.sum(1) / 10)


def test_reg_gauss_values_at_known_points():
    data = generate("reg-gauss", noise=0, rng=rng())
    assert data.y.min() >= -1 and data.y.max() <= 1
    # check the label rule against a direct evaluation at each point
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for (x, y), target in zip(data.X[:50], data.y[:50]):
        best = 0.0
        for cx, cy, sign in centres:
            v = sign * min(max(1 - math.dist((x, y), (cx, cy)) / 2, 0), 1)
            if abs(v) > abs(best):
                best = v
        assert target == pytest.approx(best)


def test_extras_shapes_and_balance():
    moons = generate("moons", noise=0, rng=rng())
    assert np.bincount(moons.y).tolist() == [250, 250]
    assert np.abs(moons.X).max() < 5.5
    blobs = generate("blobs", noise=0, rng=rng(), n_classes=5)
    assert blobs.n_classes == 5 and np.bincount(blobs.y).tolist() == [100] * 5
    centres = np.array([blobs.X[blobs.y == k].mean(0) for k in range(5)])
    np.testing.assert_allclose(np.hypot(*centres.T), 3.0, atol=0.3)
    s3 = generate("spiral3", noise=0, rng=rng())
    assert np.bincount(s3.y).tolist() == [167, 167, 166]
    assert np.hypot(*s3.X.T).max() <= 5


def test_odd_n_gives_the_extra_point_to_the_positive_class():
    data = generate("circle", rng=rng(), n=7)
    assert len(data) == 7 and data.y.sum() == 4


# ---------------------------------------------------------------- randomness

@pytest.mark.parametrize("name", list(DATASETS)[:9])
def test_same_seed_same_data_and_different_seed_different_data(name):
    a = generate(name, noise=10, rng=rng(42))
    b = generate(name, noise=10, rng=rng(42))
    c = generate(name, noise=10, rng=rng(43))
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_no_rng_means_seed_zero():
    np.testing.assert_array_equal(generate("xor").X, generate("xor", rng=rng(0)).X)


# ------------------------------------------------------------------ real data

@pytest.mark.parametrize("name, shape, k", [
    ("digits", (1797, 64), 10), ("iris", (150, 4), 3), ("wine", (178, 13), 3),
    ("breast-cancer", (569, 30), 2), ("diabetes", (442, 10), 0)])
def test_real_shapes(name, shape, k):
    data = generate(name)
    assert data.X.shape == shape and data.n_classes == k
    assert len(set(data.feature_names)) == shape[1]


def test_real_values_spot_checks():
    iris = generate("iris")
    np.testing.assert_array_equal(iris.X[0], [5.1, 3.5, 1.4, 0.2])
    assert np.bincount(iris.y).tolist() == [50, 50, 50]
    assert iris.feature_names[0] == "sepal length (cm)"
    digits = generate("digits")
    assert digits.X.min() == 0 and digits.X.max() == 16
    assert digits.feature_names[9] == "pixel_1_1"
    bc = generate("breast-cancer")
    assert np.bincount(bc.y).tolist() == [212, 357] and bc.class_names == ("malignant", "benign")
    diabetes = generate("diabetes")
    assert diabetes.y[:3].tolist() == [151.0, 75.0, 141.0]
    assert diabetes.feature_names == ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")


@pytest.mark.parametrize("name, loader", [
    ("iris", "load_iris"), ("wine", "load_wine"), ("breast-cancer", "load_breast_cancer"),
    ("digits", "load_digits"), ("diabetes", "load_diabetes")])
def test_real_data_equals_scikit_learn(name, loader):
    """Reference parity: the repacked files hold exactly scikit-learn's numbers."""
    skd = pytest.importorskip("sklearn.datasets")
    kwargs = {"scaled": False} if name == "diabetes" else {}
    ref = getattr(skd, loader)(**kwargs)
    data = generate(name)
    np.testing.assert_array_equal(data.X, ref.data)
    np.testing.assert_array_equal(data.y, ref.target)
    assert list(data.feature_names) == list(ref.feature_names)


def test_real_subset_and_cache_is_not_mutable_through_results():
    part = generate("digits", rng=rng(), n=100)
    assert part.X.shape == (100, 64)
    full = generate("iris")
    full.X[:] = -1  # a caller scribbling on its copy ...
    assert generate("iris").X[0, 0] == 5.1  # ... does not reach the next caller
    assert "Iris" in D.describe("iris") and D.describe("circle") == DATASETS["circle"].description


# ----------------------------------------------------------- errors a person reads

@pytest.mark.parametrize("kwargs, words", [
    ({"name": "circles"}, ["'circles'", "circle", "spiral3", "diabetes"]),
    ({"name": "circle", "noise": 60}, ["0 to 50", "60"]),
    ({"name": "circle", "noise": -1}, ["0 to 50", "-1"]),
    ({"name": "circle", "noise": float("nan")}, ["0 to 50", "nan"]),
    ({"name": "circle", "n": 10_001}, ["10000", "10001"]),
    ({"name": "circle", "n": 2}, ["4", "got 2"]),
    ({"name": "iris", "n": 151}, ["150", "151"]),
    ({"name": "blobs", "n_classes": 6}, ["3, 4 or 5", "6"]),
    ({"name": "circle", "n_classes": 3}, ["only 2", "3"]),
])
def test_bad_arguments_say_what_and_what_is_allowed(kwargs, words):
    with pytest.raises(ValueError) as err:
        generate(rng=rng(), **kwargs)
    for word in words:
        assert word in str(err.value)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="default_rng"):
        generate("circle", rng=42)


# ---------------------------------------------------------- split, standardize, domain

@pytest.mark.parametrize("pct, n_train", [(10, 50), (50, 250), (90, 450), (29, 145)])
def test_split_sizes(pct, n_train):
    data = generate("circle", rng=rng())
    train, test = split(data, pct, rng(5))
    assert (len(train), len(test)) == (n_train, 500 - n_train)
    # a partition: every point lands in exactly one part
    both = np.concatenate([train.X, test.X])
    assert np.array_equal(np.sort(both, axis=0), np.sort(data.X, axis=0))


def test_split_is_seeded_and_keeps_one_point_each_side():
    data = generate("xor", rng=rng(), n=4)
    train, test = split(data, 10, rng(0))
    assert len(train) == 1 and len(test) == 3
    train, test = split(data, 99, rng(0))
    assert len(train) == 3 and len(test) == 1
    big = generate("xor", rng=rng())
    a, _ = split(big, 50, rng(7))
    b, _ = split(big, 50, rng(7))
    c, _ = split(big, 50, rng(8))
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)
    for bad in (0, 100, -5, float("nan")):
        with pytest.raises(ValueError, match="between 0 and 100"):
            split(big, bad, rng())


def test_standardize_uses_training_statistics_only():
    data = generate("wine")
    train, test = split(data, 70, rng())
    tr, te, (mean, std) = standardize(train, test)
    np.testing.assert_allclose(tr.X.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(tr.X.std(0), 1, rtol=1e-12)
    np.testing.assert_allclose(te.X, (test.X - train.X.mean(0)) / train.X.std(0))
    np.testing.assert_array_equal(tr.y, train.y)
    assert mean.shape == std.shape == (13,)


def test_standardize_leaves_constant_columns_finite():
    data = generate("digits")
    train, test = split(data, 50, rng())
    tr, te, (_, std) = standardize(train, test)
    assert np.isfinite(tr.X).all() and np.isfinite(te.X).all()
    assert std[0] == 1.0  # pixel_0_0 is always blank: divided by 1, not 0
    assert (tr.X[:, 0] == 0).all()


def test_domain():
    assert domain(generate("spiral", rng=rng())) == (-6, 6, -6, 6)
    iris = generate("iris")
    x0, x1, y0, y1 = domain(iris)
    assert (x0, x1) == pytest.approx((4.3 - 0.18, 7.9 + 0.18))
    assert (y0, y1) == pytest.approx((2.0 - 0.12, 4.4 + 0.12))
    one = Data(np.array([[1.0], [1.0]]), np.array([0.0, 1.0]), "regression", 0, ("a",), "mine")
    assert domain(one) == (0.5, 1.5, 0.5, 1.5)


def test_data_checks_and_subset():
    data = generate("iris")
    sub = data.subset(np.array([0, 50, 100]))
    assert sub.y.tolist() == [0, 1, 2] and sub.class_names == data.class_names
    assert len(data.subset(data.y == 2)) == 50
    with pytest.raises(ValueError, match="shape"):
        Data(np.zeros((3, 2)), np.zeros(4), "regression", 0, ("a", "b"), "x")
    with pytest.raises(ValueError, match="feature names"):
        Data(np.zeros((3, 2)), np.zeros(3), "regression", 0, ("a",), "x")
    with pytest.raises(ValueError, match="0..1"):
        Data(np.zeros((3, 2)), [0, 1, 2], "classification", 2, ("a", "b"), "x")


def test_library_modules_import_neither_sklearn_nor_streamlit_nor_torch():
    import subprocess
    import sys
    code = ("import sys, playground.data.datasets, playground.core.features, playground.data.tables; "
            "bad = {'sklearn', 'streamlit', 'torch', 'pandas'} & set(sys.modules); "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
