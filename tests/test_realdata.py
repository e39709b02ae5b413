"""realdata + data_figures: confusion matrix, mistakes, weight images, PCA, uploads, figures."""
import codecs

import numpy as np
import pytest

from playground.viz import data_figures as figs
from playground.run import realdata as rd
from playground.data import uploads
from playground.run.config import from_query, rng_for
from playground.data.datasets import DATASETS, Data, generate, split
from playground.core.losses import losses_for_task
from playground.data.tables import to_csv
from playground.base.text import escape_markdown
from playground.run.trainer import Trainer


@pytest.fixture(scope="module")
def digits_trainer():
    cfg, warnings = rd.digits_config(hidden="16", epochs=0)
    assert warnings == []
    trainer = Trainer(cfg)
    trainer.run(epochs=3)
    return trainer


# ----- confusion matrix ------------------------------------------------------------------------------
def test_confusion_matrix_small_example():
    cm = rd.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cm.dtype == np.int64


def test_confusion_matrix_rejects_bad_input():
    with pytest.raises(ValueError, match="0..2"):
        rd.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="same length"):
        rd.confusion_matrix([0, 1], [0], 3)


def test_confusion_matrix_of_digits_run(digits_trainer):
    t = digits_trainer
    pred, probs = rd.predictions(t, "test")
    cm = rd.confusion_matrix(t.test.y, pred, 10)
    assert cm.sum() == len(t.test) == 899
    correct = int(round(t.history.test_metric[-1] * len(t.test)))
    assert np.trace(cm) == correct == int((pred == t.test.y).sum())
    assert cm.sum(axis=1).tolist() == np.bincount(t.test.y, minlength=10).tolist()
    assert probs.shape == (899, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_class_probabilities_per_output():
    assert np.allclose(rd.class_probabilities("bce", np.array([[0.8]])), [[0.2, 0.8]])
    assert np.allclose(rd.class_probabilities("square", np.array([[0.5]])), [[0.25, 0.75]])
    p = np.array([[0.1, 0.7, 0.2]])
    assert rd.class_probabilities("ce", p).tolist() == p.tolist()
    with pytest.raises(ValueError, match="regression"):
        rd.class_probabilities("mse", p)


# ----- misclassified, raw pixels, weight images --------------------------------------------------------
def test_misclassified_really_are_wrong(digits_trainer):
    t = digits_trainer
    wrong = rd.misclassified(t, limit=10)
    pred, probs = rd.predictions(t, "test")
    assert wrong.n_wrong == int((pred != t.test.y).sum()) > 10  # 3 epochs: still some mistakes
    assert len(wrong.indices) == 10 and wrong.n_test == 899
    assert (wrong.predicted != wrong.true).all()
    assert (t.test.y[wrong.indices] == wrong.true).all() and (pred[wrong.indices] == wrong.predicted).all()
    assert np.allclose(wrong.confidence, probs[wrong.indices, wrong.predicted])
    assert (np.diff(wrong.confidence) <= 0).all()  # most confident mistakes first
    # images are the raw 0–16 pixels of those very test rows
    assert wrong.images.shape == (10, 8, 8)
    assert wrong.images.min() >= 0 and wrong.images.max() <= 16
    assert np.array_equal(wrong.images, np.round(wrong.images))
    raw = rd.raw_test(t)
    assert np.array_equal(wrong.images.reshape(10, 64), raw[wrong.indices])


def test_raw_test_standardises_to_the_trainers_test_split(digits_trainer):
    t = digits_trainer
    train, _ = split(t.data, t.cfg.train, rng_for(t.cfg, "split"))
    mu, sd = train.X.mean(axis=0), train.X.std(axis=0)
    z = (rd.raw_test(t) - mu) / np.where(sd > 0, sd, 1.0)
    assert np.allclose(z, t.test.X)


def test_misclassified_for_regression_is_an_error():
    t = Trainer(rd.suggested_config("diabetes"))
    with pytest.raises(ValueError, match="classification"):
        rd.misclassified(t)


def test_first_layer_images_are_weight_columns(digits_trainer):
    W = digits_trainer.params[0][0]
    images = rd.first_layer_images(digits_trainer.params)
    assert images.shape == (16, 8, 8)
    assert np.array_equal(images[5], W[:, 5].reshape(8, 8))
    assert images[2][3, 4] == W[3 * 8 + 4, 2]
    with pytest.raises(ValueError, match="8×8"):
        rd.first_layer_images([(np.zeros((4, 3)), np.zeros(3))])


# ----- PCA and projections ---------------------------------------------------------------------------
def test_pca_orders_variance_and_recovers_axes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 3)) * [5.0, 2.0, 0.5]
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    Z, ratio = rd.pca_2d(X @ Q.T + [10.0, -3.0, 7.0])
    assert Z.shape == (4000, 2)
    assert Z[:, 0].var() > Z[:, 1].var()
    assert ratio[0] == pytest.approx(25 / 29.25, abs=0.02) and ratio[1] == pytest.approx(4 / 29.25, abs=0.02)
    assert abs(np.corrcoef(Z.T)[0, 1]) < 1e-8  # principal components are uncorrelated
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-9)
    with pytest.raises(ValueError, match="2 columns"):
        rd.pca_2d(X[:, :1])


def test_projection_modes():
    iris = generate("iris")
    x, y, xt, yt = rd.projection(iris, "columns", 2, 3)
    assert np.array_equal(x, iris.X[:, 2]) and np.array_equal(y, iris.X[:, 3])
    assert (xt, yt) == iris.feature_names[2:4]
    x, y, xt, yt = rd.projection(iris, "pca")
    assert xt.startswith("PC1 (92%") and yt.startswith("PC2")
    one = Data(iris.X[:, :1], iris.y, "classification", 3, iris.feature_names[:1], "one")
    x, y, xt, yt = rd.projection(one)
    assert np.array_equal(y, iris.y) and yt == "label"
    with pytest.raises(ValueError, match="mode"):
        rd.projection(iris, "tsne")


# ----- describing data -------------------------------------------------------------------------------
def test_summary_rows_and_stats():
    rows = dict(rd.summary_rows(generate("iris")))
    assert rows["rows"] == "150" and rows["features"] == "4" and rows["classes"] == "3"
    assert rows["rows per class"] == "setosa: 50, versicolor: 50, virginica: 50"
    reg = dict(rd.summary_rows(generate("diabetes")))
    assert reg["task"] == "regression" and reg["target range"].startswith("25 to 346")
    digits = dict(rd.summary_rows(generate("digits")))
    assert digits["feature names"].endswith("(56 more)")
    stats = rd.column_stats(generate("iris"))
    assert stats["column"][0] == "sepal length (cm)" and stats["mean"][0] == pytest.approx(5.8433, abs=1e-4)
    assert rd.column_stats(generate("diabetes"))["column"][-1] == "target"


def test_catalog_and_suggested_links_round_trip():
    cat = rd.catalog_rows()
    assert cat["name"] == list(DATASETS) and len(set(map(len, cat.values()))) == 1
    for name, spec in DATASETS.items():
        cfg = rd.suggested_config(name)
        task = "regression" if spec.task == "regression" else ("binary" if spec.n_classes <= 2 else "multiclass")
        assert cfg.dataset == name and cfg.loss in losses_for_task(task, spec.n_classes)
        query = rd.playground_query(name)
        back, warnings = from_query(query)
        assert warnings == [] and back == cfg
    assert rd.playground_query("digits")["loss"] == "ce" and rd.playground_query("circle")["loss"] == "square"


def test_suggested_networks_learn_the_real_sets():
    scores = {}
    for name in ("iris", "wine", "breast-cancer"):
        t = Trainer(rd.suggested_config(name))
        t.run(epochs=100)
        scores[name] = t.summary()["test_accuracy"]
    assert scores["iris"] > 0.9 and scores["wine"] > 0.9 and scores["breast-cancer"] > 0.9, scores


def test_digits_settings_and_config():
    cfg, warnings = rd.digits_config()
    assert warnings == [] and cfg.hidden == (32,) and cfg.loss == "ce" and cfg.max_epochs == 100
    cfg, warnings = rd.digits_config(hidden="64,32", activation="tanh", lr=0.1, batch=8, epochs=50)
    assert warnings == [] and cfg.hidden == (64, 32) and cfg.max_epochs == 50 and cfg.batch == 8
    assert rd.digits_config(hidden="")[0].hidden == ()
    raw, warnings = rd.digits_settings(hidden="32,x")
    assert "hidden" not in raw and raw["loss"] == "ce" and len(warnings) == 1
    assert "keeps its current hidden layers" in warnings[0] and "'32,x'" in warnings[0]
    assert rd.digits_config(hidden="200")[0].hidden == (32,)  # over the 64-neuron cap


def test_digits_settings_drive_a_session():
    from playground.run.session import PlaygroundSession

    s = PlaygroundSession(rd.digits_config()[0])
    s.step_from(0)
    assert s.apply(rd.digits_settings(lr=0.003, epochs=10)[0])[0] == "live"
    assert s.trainer.epoch == 1 and s.trainer.lr == 0.003  # kept its weights
    assert s.apply(rd.digits_settings(hidden="x", lr=0.003, epochs=10)[0])[0] == "none"
    assert s.apply(rd.digits_settings(hidden="8", lr=0.003, epochs=10)[0])[0] == "reset"
    assert s.trainer.epoch == 0 and s.trainer.sizes == [64, 8, 10]


# ----- uploads ----------------------------------------------------------------------------------------
GOOD = b"length,width,species\n1.4,0.2,setosa\n4.7,1.4,versicolor\n6.0,2.5,virginica\n1.3,0.2,setosa\n" \
       b"4.5,1.5,versicolor\n5.9,2.1,virginica\n"

BAD_FILES = {
    "empty": (b"", "empty"),
    "only blanks": (b"  \n\n \n", "empty"),
    "binary": (bytes(range(256)) * 4, "NUL byte"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    "utf-16": ("a,b\n1,2\n".encode("utf-16"), "UTF-16"),
    "latin-1": ("größe,b\n1,2\n3,4\n5,6\n7,8\n".encode("latin-1"), "not UTF-8"),
    "huge": (b"a,b\n" + b"1,2\n" * (uploads.MAX_UPLOAD_BYTES // 4 + 1), "too large"),
    "too many rows": (b"a,b\n" + b"1,0\n2,1\n" * 5001, "too many rows"),
    "too many columns": ((",".join(f"c{i}" for i in range(101)) + "\n" + ",".join("1" * 101) + "\n") * 5,
                         "too many columns"),
    "ragged rows": (b"a,b,c\n1,2,0\n3,4\n5,6,1\n7,8,0\n", "row 3 has 2 fields"),
    "wrong delimiter": (b"a|b|c\n1|2|0\n3|4|1\n5|6|0\n7|8|1\n", "only 1 column"),
    "missing label": (b"a,b,y\n1,2,0\n3,4,\n5,6,1\n7,8,0\n", "column 'y' is empty"),
    "one class only": (b"a,b,y\n1,2,cat\n3,4,cat\n5,6,cat\n7,8,cat\n", "only one class"),
    "too few rows": (b"a,b,y\n1,2,0\n3,4,1\n", "too few rows"),
    "bad quotes": (b'a,b,y\n1,"2,0\n3,4,1\n5,6,0\n7,8,1\n', "not valid CSV"),
    "duplicate header": (b"a,a,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", "appears twice"),
    "too many classes": (b"a,y\n" + b"".join(b"%d,c%d\n" % (i, i) for i in range(12)), "12 classes"),
    "no numeric feature": (b"a,b,y\nx,p,0\ny,q,1\nz,r,0\nw,s,1\n", "row 2, column 'a': 'x' is not a number"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=str)
def test_bad_files_give_a_message_not_an_exception(case):
    raw, expected = BAD_FILES[case]
    data, error, info = uploads.load_upload(f"{case}.csv", raw if isinstance(raw, bytes) else raw.encode())
    assert data is None
    assert expected in error, error


@pytest.mark.parametrize("features, label, task, expected", [
    (["a", "b"], "y", "auto", "row 3, column 'b': 'n/a' is not a number"),
    (["a"], "y", "regression", "row 2, column 'y': 'cat' is not a number"),
    (["a", "y"], "y", "auto", "both a feature and the label"),
    (["a", "nope"], "y", "auto", "there is no column 'nope'"),
    (["a", "c"], "y", "auto", "NaN/inf"),
])
def test_bad_column_choices_give_a_message(features, label, task, expected):
    raw = b"a,b,c,y\n1,2,3,cat\n3,n/a,nan,dog\n5,6,1,cat\n7,8,2,dog\n"
    data, error, info = uploads.load_upload("t.csv", raw, features, label, task)
    assert data is None and expected in error, error
    assert info["table"] is not None and info["numeric"] == ("a",) and info["excluded"] == ("b", "c")


def test_good_upload_with_defaults():
    data, error, info = uploads.load_upload("C:\\Users\\me\\flowers.csv", GOOD)
    assert error is None and info["name"] == "flowers" and data.name == "flowers"
    assert info["task"] == "classification" and info["label"] == "species"
    assert info["features"] == ("length", "width") and info["excluded"] == ()
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert data.y.tolist() == [0, 1, 2, 0, 1, 2] and data.X[1].tolist() == [4.7, 1.4]


@pytest.mark.parametrize("raw, task, k", [
    (b"x;y;t\n1,5;2,0;0,1\n2,5;1,0;0,7\n3,5;0,5;1,2\n4,5;3,0;2,9\n", "regression", 0),  # decimal commas
    (b"1\t2\t0\n3\t4\t1\n5\t6\t0\n7\t8\t1\n", "classification", 2),  # tabs, no header
    (codecs.BOM_UTF8 + b"a,b,label\n1,2,1\n3,4,2\n5,6,1\n7,8,2\n", "classification", 2),  # Excel BOM
])
def test_good_uploads_of_other_shapes(raw, task, k):
    data, error, info = uploads.load_upload("t.txt", raw)
    assert error is None and data.task == task and data.n_classes == k and len(data) == 4


def test_task_override_turns_numeric_classes_into_regression():
    raw = b"a,y\n1,0\n2,1\n3,2\n4,1\n"
    assert uploads.load_upload("t.csv", raw)[0].task == "classification"
    data, error, info = uploads.load_upload("t.csv", raw, task="regression")
    assert data.task == "regression" and info["task"] == "regression" and data.y.tolist() == [0, 1, 2, 1]


def test_builtin_data_round_trips_through_a_download():
    iris = generate("iris")
    data, error, _ = uploads.load_upload("iris.csv", to_csv(iris).encode())
    assert error is None and np.array_equal(data.X, iris.X) and np.array_equal(data.y, iris.y)


def test_rejected_file_keeps_the_accepted_data():
    state = {}
    good, _, _ = uploads.load_upload("first.csv", GOOD)
    assert rd.store_user_data(state, good, "first.csv")
    assert state[rd.USER_DATA_KEY] is good and state[rd.USER_DATA_NAME_KEY] == "first"
    for case, (raw, _) in BAD_FILES.items():
        bad, error, _ = uploads.load_upload(case, raw if isinstance(raw, bytes) else raw.encode())
        assert not rd.store_user_data(state, bad, case)
    assert state[rd.USER_DATA_KEY] is good and state[rd.USER_DATA_NAME_KEY] == "first"


def test_names_from_files_are_cleaned_and_escaped():
    assert uploads.clean_name("../../etc/passwd.CSV") == "passwd"
    assert uploads.clean_name("a\x00b\u202e\tc.txt") == "ab c"
    assert uploads.clean_name("x" * 100) == "x" * 40 and uploads.clean_name(".csv") == "table"
    text = "**bold** [link](http://x) :red[y] $z$ <b>"
    escaped = escape_markdown(text)
    for ch in "*[]():$<>":
        assert ch not in escaped.replace("\\" + ch, "")  # every special character is escaped
    assert escaped.replace("\\", "").replace("\u200b", "") == text  # shown exactly as typed
    # Bare URLs and e-mail addresses would still be auto-linked: a zero-width space breaks them.
    for url in ("https://evil.example", "www.evil.example", "me@evil.example"):
        assert "\u200b" in escape_markdown(url)


def test_standardized_columns():
    data, _, _ = uploads.load_upload("t.csv", b"a,b,c,y\n1,10,5,0\n2,20,5,1\n3,30,5,0\n4,40,5,1\n")
    z = rd.standardized(data)
    assert np.allclose(z.X[:, :2].mean(axis=0), 0) and np.allclose(z.X[:, :2].std(axis=0), 1)
    assert np.array_equal(z.X[:, 2], np.zeros(4))  # a constant column becomes 0, not NaN
    assert np.array_equal(z.y, data.y)  # class labels stay
    reg = rd.standardized(uploads.load_upload("t.csv", b"a,y\n1,10.5\n2,20.5\n3,30.5\n4,40.5\n")[0])
    assert np.allclose(reg.y, (np.array([10, 20, 30, 40]) - 25) / np.sqrt(125))


def test_quick_train_learns_an_uploaded_table():
    iris, _, _ = uploads.load_upload("iris.csv", to_csv(generate("iris")).encode())
    t = rd.quick_train(rd.standardized(iris), train=70, epochs=300, seconds=1e9)
    s = t.summary()
    assert s["epochs"] == 300 and s["test_accuracy"] >= 0.9 and len(t.test) == 45
    diabetes = generate("diabetes")
    data, _, _ = uploads.load_upload("d.csv", to_csv(diabetes).encode(), task="regression")
    t = rd.quick_train(rd.standardized(data), epochs=100, seconds=1e9)
    assert 0.3 < t.summary()["r2"] < 1.0  # 0.12 with the target left in its own units


# ----- figures ----------------------------------------------------------------------------------------
def test_confusion_figure_shows_counts():
    cm = np.array([[5, 1], [2, 7]])
    fig = figs.confusion_figure(cm, ["cat", "dog"])
    assert np.array_equal(np.asarray(fig.data[0].z), cm) and fig.data[0].texttemplate == "%{z}"
    assert list(fig.data[0].x) == ["cat", "dog"] and fig.layout.yaxis.autorange == "reversed"


def test_mosaic_places_tiles_with_nan_gaps():
    images = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    z = figs.mosaic(images, cols=2, gap=1, row_gap=1)
    assert z.shape == (6, 5)
    assert np.array_equal(z[1:3, 0:2], images[0]) and np.array_equal(z[1:3, 3:5], images[1])
    assert np.array_equal(z[4:6, 0:2], images[2])
    assert np.isnan(z[0]).all() and np.isnan(z[:, 2]).all() and np.isnan(z[4:6, 3:5]).all()


def test_digit_and_weight_grids():
    imgs = np.random.default_rng(0).integers(0, 17, (5, 8, 8))
    fig = figs.digit_grid_figure(imgs, [1, 2, 3, 4, 5], [7, 7, 7, 7, 7], [0.9, 0.8, 0.7, 0.6, 0.5], cols=3)
    assert list(fig.data[1].text) == ["1→7 (90%)", "2→7 (80%)", "3→7 (70%)", "4→7 (60%)", "5→7 (50%)"]
    assert np.nanmax(np.asarray(fig.data[0].z)) <= 16 and fig.data[0].zmax == 16
    w = np.random.default_rng(1).normal(size=(4, 8, 8))
    fig = figs.weight_images_figure(w, cols=4)
    z = np.asarray(fig.data[0].z)
    assert np.nanmax(np.abs(z)) == pytest.approx(1.0) and fig.data[0].zmid is None
    assert fig.data[0].zmin == -1 and fig.data[0].zmax == 1
    assert fig.data[1].text[0] == f"h1 ±{np.abs(w[0]).max():.2g}"
    assert len(figs.image_grid_figure(np.zeros((0, 8, 8)), []).data) == 0


def test_scatter_colours():
    x = np.arange(6.0)
    two = figs.scatter_figure(x, x, np.array([0, 1, 0, 1, 0, 1]), "classification", ("neg", "pos"))
    # The palette's class colours and shapes, as over the boundary: orange circles, blue squares, teal triangles
    assert [t.marker.color for t in two.data] == ["#e8770f", "#0877bd"]
    assert [t.marker.symbol for t in two.data] == ["circle", "square"]
    assert [t.name for t in two.data] == ["neg", "pos"] and len(two.data[0].x) == 3
    three = figs.scatter_figure(x, x, np.array([0, 1, 2, 0, 1, 2]), "classification")
    assert [t.marker.color for t in three.data] == ["#e8770f", "#0877bd", "#24786a"]
    assert [t.marker.symbol for t in three.data] == ["circle", "square", "triangle-up"]
    reg = figs.scatter_figure(x, x, x, "regression")
    assert len(reg.data) == 1 and reg.data[0].marker.showscale
    with pytest.raises(ValueError, match="1 to 10 classes"):
        figs.class_colors(11)


def test_history_figure_percent():
    fig = figs.history_figure([0, 1, 2], {"train": [0.5, 0.8, 0.9], "test": [0.4, 0.7, 0.85]},
                              "accuracy", percent=True)
    assert np.allclose(fig.data[1].y, [40, 70, 85]) and fig.layout.yaxis.ticksuffix == " %"


def test_remember_computes_once_per_key_and_keeps_a_bounded_number():
    store, calls = {}, []

    def compute(k):
        calls.append(k)
        return k * 10

    got = [rd.remember(store, k, lambda k=k: compute(k), limit=2) for k in (1, 1, 2, 1, 3, 1)]
    assert got == [10, 10, 20, 10, 30, 10]
    assert calls == [1, 2, 3] and list(store) == [3, 1]  # 2 was the least recently used


def test_quick_metrics_for_regression_and_for_a_run_without_epochs():
    assert rd.quick_metrics({"epochs": 300, "r2": 0.91234, "rmse": 0.25}) == [
        ("Epochs", "300"), ("Test R²", "0.912"), ("Test RMSE", "0.25")]
    assert rd.quick_metrics({"epochs": 0, "r2": None, "rmse": float("nan")}) == [
        ("Epochs", "0"), ("Test R²", "–"), ("Test RMSE", "–")]
