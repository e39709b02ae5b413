"""Real data in the app: what the Digits and Data pages compute, without Streamlit.

Training summaries (confusion matrix, the test examples the net gets wrong,
first-layer weights as images), 2-D views of many-column data (two chosen
columns, or a PCA projection), and training on an uploaded table once
``data/uploads.py`` has made it a checked `Data`.

    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], 3).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    >>> Z, ratio = pca_2d(np.array([[0., 0.], [1., 1.], [2., 2.], [3., 3.1]]))
    >>> Z.shape, bool(ratio[0] > 0.99)
    ((4, 2), True)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import MutableMapping, Sequence
from urllib.parse import parse_qsl

import numpy as np

from playground.run.config import Config, normalize, rng_for
from playground.run.sizes import class_count, task_of
from playground.data.datasets import DATASETS, Data, generate, split, standardize
from playground.core.losses import LOSSES, default_loss
from playground.data.uploads import clean_name
from playground.run.session import PlaygroundSession
from playground.run.trainer import Trainer

__all__ = [
    "USER_DATA_KEY", "USER_DATA_NAME_KEY", "PROJECTIONS", "Misclassified",
    "confusion_matrix", "class_probabilities", "predictions", "raw_test", "misclassified",
    "first_layer_images", "pca_2d", "projection", "summary_rows", "column_stats", "catalog_rows",
    "load_builtin", "suggested_config", "playground_query", "digits_settings", "digits_config",
    "standardized", "upload_config",
    "quick_train", "quick_session", "quick_metrics", "remember", "store_user_data",
]

#: Session-state keys the Data page fills and the Playground reads.
USER_DATA_KEY, USER_DATA_NAME_KEY = "user_data", "user_data_name"
PROJECTIONS = ("columns", "pca")


# ------------------------------------------------------------------ classification results

def confusion_matrix(y_true, y_pred, k: int) -> np.ndarray:
    """Counts ``C[i, j]`` = examples of true class i predicted as class j; shape (k, k), int64.

    Row sums are the class sizes, ``C.sum()`` is the number of examples and the
    trace is the number classified correctly.
    """
    t, p = np.asarray(y_true, np.int64).ravel(), np.asarray(y_pred, np.int64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {t.size} and {p.size}")
    if k < 1 or (t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= k)):
        raise ValueError(f"class indices must lie in 0..{k - 1}; got y_true {t.min()}..{t.max()}, "
                         f"y_pred {p.min()}..{p.max()}")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def class_probabilities(loss: str, out: np.ndarray) -> np.ndarray:
    """(n, k) class probabilities from a classifier's (n, ·) output, for any classification loss.

    softmax: the output itself; sigmoid p: [1 − p, p]; tanh t (TF's ±1 labels): p = (t + 1)/2.
    """
    spec = LOSSES[loss]
    out = np.asarray(out, np.float64)
    if spec.task == "regression":
        raise ValueError(f"loss {loss!r} is a regression loss: its outputs are not class probabilities")
    if spec.output == "softmax":
        return out
    p = out[:, 0] if spec.output == "sigmoid" else (out[:, 0] + 1.0) / 2.0
    return np.column_stack([1.0 - p, p])


def predictions(trainer: Trainer, which: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """(predicted class (n,), class probabilities (n, k)) of the current net on a split."""
    if which not in ("train", "test"):
        raise ValueError(f"which must be 'train' or 'test'; got {which!r}")
    X = trainer.X_test if which == "test" else trainer.X_train
    probs = class_probabilities(trainer.cfg.loss, trainer.net.evaluate(X, None)[1])
    return probs.argmax(axis=1), probs


def raw_test(trainer: Trainer) -> np.ndarray:
    """The test split's inputs *before* standardisation (e.g. digit pixels 0–16), shape (n_test, d).

    The trainer keeps only the z-scored split, so the split is drawn again from
    the same seeded stream (``rng_for(cfg, "split")``), exactly as `build_data` does.
    """
    _, test = split(trainer.data, trainer.cfg.train, rng_for(trainer.cfg, "split"))
    if test.X.shape != trainer.test.X.shape or not np.array_equal(test.y, trainer.test.y):
        raise RuntimeError("re-drawing the test split did not reproduce the trainer's split")
    return test.X


@dataclass(frozen=True)
class Misclassified:
    """Test examples the net gets wrong, most confident mistakes first.

    ``images`` is (m, h, w) of unstandardised inputs when d = h·w, else None;
    ``confidence`` is the probability the net gave its (wrong) prediction.
    """

    indices: np.ndarray  # (m,) rows of trainer.test
    images: np.ndarray | None
    true: np.ndarray  # (m,) class index
    predicted: np.ndarray  # (m,)
    confidence: np.ndarray  # (m,) in [0, 1]
    n_wrong: int  # all mistakes on the test set, before `limit`
    n_test: int

    def __repr__(self) -> str:
        return f"Misclassified({len(self.indices)} shown of {self.n_wrong} wrong / {self.n_test} test)"


def misclassified(trainer: Trainer, limit: int = 24, shape: tuple[int, int] = (8, 8)) -> Misclassified:
    """The test examples whose predicted class is not the true one (at most ``limit``)."""
    if trainer.task == "regression":
        raise ValueError("misclassified examples exist only for classification; this run is regression")
    pred, probs = predictions(trainer, "test")
    y = trainer.test.y
    wrong = np.flatnonzero(pred != y)
    conf = probs[wrong, pred[wrong]]
    order = np.argsort(-conf, kind="stable")[:max(0, int(limit))]
    idx = wrong[order]
    images = None
    if trainer.test.X.shape[1] == shape[0] * shape[1]:
        images = raw_test(trainer)[idx].reshape(len(idx), *shape)
    return Misclassified(idx, images, y[idx], pred[idx], conf[order], int(wrong.size), int(y.size))


def first_layer_images(params, shape: tuple[int, int] = (8, 8)) -> np.ndarray:
    """Each first-layer neuron's incoming weights as an image: (n_hidden, h, w).

    ``params[0][0]`` is W (d, n_hidden) with d = h·w inputs; image j is column j,
    ``W[:, j].reshape(h, w)``: which pixels push neuron j up (> 0) or down (< 0).
    """
    W = np.asarray(params[0][0])
    if W.ndim != 2 or W.shape[0] != shape[0] * shape[1]:
        raise ValueError(f"first-layer weights of shape {W.shape} cannot be drawn as "
                         f"{shape[0]}×{shape[1]} images: need {shape[0] * shape[1]} inputs")
    return W.T.reshape(W.shape[1], *shape).copy()


# ------------------------------------------------------------------- 2-D views of data

def pca_2d(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project onto the two principal components: ``Z = (X − μ) V₂``, with ``X − μ = U S Vᵀ``
    (V: eigenvectors of ``(X − μ)ᵀ(X − μ)``, eigenvalues S²).

    Returns (Z (n, 2), explained-variance ratio (2,)) where ratio_i = S_i² / Σ S².
    Signs are fixed so that each component's largest loading is positive.
    """
    X = np.asarray(X, np.float64)
    if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 2:
        raise ValueError(f"PCA needs at least 2 rows and 2 columns; got shape {X.shape}")
    Xc = X - X.mean(axis=0)
    # S² and V are the eigenvalues and eigenvectors of the d × d matrix XcᵀXc: with d ≤ 100
    # columns that is ~10× cheaper than the SVD of the n × d Xc (0.4 s for 10,000 × 99).
    S2, V = np.linalg.eigh(Xc.T @ Xc)  # ascending
    S2, V = np.clip(S2[::-1], 0.0, None), V[:, ::-1][:, :2]
    V = V * np.where(V[np.abs(V).argmax(axis=0), [0, 1]] < 0, -1.0, 1.0)
    total = float(S2.sum())
    ratio = S2[:2] / total if total > 0 else np.zeros(2)
    return Xc @ V, ratio


def projection(data: Data, mode: str = "columns", x_col: int = 0, y_col: int = 1
               ) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(x, y, x title, y title) for a 2-D preview of many-column data.

    ``mode="columns"``: a slice through two chosen columns; ``"pca"``: the first
    two principal components. One-column data shows the column against the label.
    """
    if mode not in PROJECTIONS:
        raise ValueError(f"mode must be one of {PROJECTIONS}; got {mode!r}")
    names, X = data.feature_names, data.X
    if X.shape[1] == 1:
        return X[:, 0], data.y.astype(np.float64), names[0], "label"
    if mode == "pca":
        Z, ratio = pca_2d(X)
        return Z[:, 0], Z[:, 1], f"PC1 ({ratio[0]:.0%} of variance)", f"PC2 ({ratio[1]:.0%})"
    for c in (x_col, y_col):
        if not 0 <= c < X.shape[1]:
            raise ValueError(f"column index {c} is out of range 0..{X.shape[1] - 1}")
    return X[:, x_col], X[:, y_col], names[x_col], names[y_col]


# --------------------------------------------------------------------- describing data

def summary_rows(data: Data) -> list[tuple[str, str]]:
    """(property, value) rows that describe a data set in words, for a two-column table."""
    n, d = data.X.shape
    rows = [("name", data.name), ("rows", f"{n:,}"), ("features", str(d)), ("task", data.task)]
    if data.task == "classification":
        counts = np.bincount(data.y, minlength=data.n_classes)
        names = data.class_names or tuple(str(c) for c in range(data.n_classes))
        rows.append(("classes", str(data.n_classes)))
        rows.append(("rows per class", ", ".join(f"{nm}: {c}" for nm, c in zip(names, counts))))
    else:
        rows.append(("target range", f"{data.y.min():.4g} to {data.y.max():.4g} "
                                     f"(mean {data.y.mean():.4g}, std {data.y.std():.4g})"))
    shown = ", ".join(data.feature_names[:8]) + (f", … ({d - 8} more)" if d > 8 else "")
    rows.append(("feature names", shown))
    return rows


def column_stats(data: Data) -> dict[str, list]:
    """Per feature column (and a regression target, last): mean, standard deviation, min and max."""
    X, names = data.X, list(data.feature_names)
    if data.task == "regression":
        X, names = np.column_stack([X, data.y]), names + ["target"]
    return {"column": names, "mean": X.mean(axis=0).round(4).tolist(),
            "std": X.std(axis=0).round(4).tolist(), "min": X.min(axis=0).round(4).tolist(),
            "max": X.max(axis=0).round(4).tolist()}


def catalog_rows() -> dict[str, list]:
    """Every built-in data set as table columns: name, kind, task, rows, features, classes, description."""
    specs = list(DATASETS.values())
    return {"name": [s.name for s in specs], "kind": [s.kind for s in specs],
            "task": [s.task for s in specs], "rows": [s.default_size for s in specs],
            "features": [s.n_features for s in specs],
            "classes": [s.n_classes or None for s in specs],
            "description": [s.description for s in specs]}


def load_builtin(name: str, seed: str = "1") -> Data:
    """A built-in data set exactly as the Playground draws it for ``seed`` (default noise and size)."""
    cfg = suggested_config(name, seed)
    return generate(name, cfg.noise, rng_for(cfg, "data"),
                    n_classes=class_count(cfg))


# Networks that learn each real set in a few hundred epochs (measured; see tests).
_SUGGESTED = {
    "digits": dict(hidden=(32,), activation=("relu",), optimizer="adam", lr=0.01, batch=32, init="he"),
    "iris": dict(hidden=(8,), activation=("tanh",), optimizer="adam", lr=0.01, batch=10, init="xavier"),
    "wine": dict(hidden=(8,), activation=("tanh",), optimizer="adam", lr=0.01, batch=10, init="xavier"),
    "breast-cancer": dict(hidden=(8,), activation=("tanh",), optimizer="adam", lr=0.01, batch=10,
                          init="xavier"),
    "diabetes": dict(hidden=(8,), activation=("tanh",), optimizer="adam", lr=0.01, batch=10, init="xavier"),
}


def suggested_config(name: str, seed: str = "1") -> Config:
    """A Config for training on built-in set ``name`` in the Playground: its fitting loss
    (softmax + cross-entropy for real classification sets) and a net that suits it."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    spec = DATASETS[name]
    raw: dict = {"dataset": name, "seed": seed}
    if spec.kind == "real":
        raw |= _SUGGESTED.get(name, {})
        raw["loss"] = "ce" if spec.task == "classification" else "mse"
    else:
        raw["loss"] = default_loss(*task_of(spec))
    return normalize(raw)[0]


def playground_query(name: str, seed: str = "1") -> dict[str, str]:
    """`suggested_config`'s share-link fields as a mapping, for a link to ``/play?…``."""
    return dict(parse_qsl(suggested_config(name, seed).to_query(), keep_blank_values=True))


def digits_settings(hidden: str | Sequence[int] = "32", activation: str = "relu", optimizer: str = "adam",
                    lr: float = 0.01, batch: int = 32, epochs: int = 100, engine: str = "numpy",
                    init: str = "he", seed: str = "1") -> tuple[dict, list[str]]:
    """The Digits page's controls as raw config fields (for `PlaygroundSession.apply`), and warnings.

    64 pixel inputs → ``hidden`` → 10 softmax outputs with cross-entropy, half the
    images for training. ``epochs`` 0 = no limit. Hidden sizes that cannot be used
    (e.g. "32,x") are left out, so the network keeps its current layers, and named
    in a warning.
    """
    hidden_text = hidden if isinstance(hidden, str) else ",".join(map(str, hidden))
    raw = {"dataset": "digits", "loss": "ce", "train": 50, "hidden": hidden_text, "activation": activation,
           "optimizer": optimizer, "lr": lr, "batch": batch, "max_epochs": epochs, "engine": engine,
           "init": init, "seed": seed}
    _, warnings = normalize({"hidden": hidden_text})
    if warnings:
        del raw["hidden"]
        warnings = [w.problem + "; the network keeps its current hidden layers" for w in warnings]
    return raw, warnings


def digits_config(**controls) -> tuple[Config, list[str]]:
    """`digits_settings` as a Config (a bad hidden value gives 32 neurons), with the warnings."""
    raw, warnings = digits_settings(**controls)
    raw.setdefault("hidden", "32")
    return normalize({**raw, "speed": "max"})[0], warnings  # no Speed control on the page: as fast as possible


# ------------------------------------------------------------- training on uploaded tables

def standardized(data: Data) -> Data:
    """``data`` with every feature column z-scored, ``x' = (x − mean) / std``, and so is a
    regression target (a constant column becomes 0).

    The whole table's statistics, shown to the user beside the toggle (the Trainer
    standardises built-in sets with training statistics only). A regression target
    in its own units (prices, 25–346 for diabetes) makes a small net's squared
    error huge and training slow or divergent; R² does not change under the rescaling.
    """
    z, _, _ = standardize(data, data)
    if data.task == "regression":
        sd = float(data.y.std()) or 1.0
        z = Data(z.X, (data.y - data.y.mean()) / sd, z.task, 0, z.feature_names, z.name)
    return z


def upload_config(data: Data, train: int = 70, seed: str = "1", epochs: int = 300) -> Config:
    """A sensible first network for an uploaded table: one tanh layer of 8, Adam, lr 0.01.

    `Config` checks the loss against ``cfg.dataset``, so a built-in set with the
    same kind of task stands in for the uploaded one ("blobs" for classification
    with softmax + cross-entropy, any k ≥ 2; "diabetes" for regression with MSE);
    the Trainer is then given the uploaded `Data` itself.
    """
    stand_in, loss = ("blobs", "ce") if data.task == "classification" else ("diabetes", "mse")
    cfg, warnings = normalize({"dataset": stand_in, "loss": loss, "hidden": "8", "activation": "tanh",
                               "optimizer": "adam", "lr": 0.01, "batch": 16, "init": "xavier",
                               "train": train, "seed": seed, "max_epochs": epochs,
                               "standardize": False, "speed": "max"}, data=data)  # Quick train: at full speed
    if warnings:
        raise ValueError("; ".join(warnings))
    return cfg


def quick_train(data: Data, train: int = 70, seed: str = "1", epochs: int = 300,
                seconds: float = 10.0) -> Trainer:
    """Train `upload_config`'s net on ``data`` for ``epochs`` (or until ``seconds`` have passed)."""
    trainer = Trainer(upload_config(data, train, seed, epochs), data=data)
    trainer.run(epochs=epochs, seconds=seconds)
    return trainer


def quick_session(data: Data, train: int = 70, seed: str = "1", epochs: int = 300) -> PlaygroundSession:
    """`quick_train`'s run as a playing `PlaygroundSession`: a page trains it one frame at a
    time (``session.frame``, at most FRAME_SECONDS, in the live pages' turns) instead of all
    300 epochs in one page run (5.7 s of CPU for a 10,000 × 100 table)."""
    session = PlaygroundSession(upload_config(data, train, seed, epochs), data=data, data_name="uploaded")
    session.play()
    return session


def quick_metrics(summary: dict) -> list[tuple[str, str]]:
    """(label, value) for the Quick-train result: epochs, then test and train accuracy, or test
    R² and RMSE; "–" where there is no value (training stopped before the first epoch)."""
    def text(value, fmt):
        return "–" if value is None or not np.isfinite(value) else fmt(value)

    percent = lambda v: f"{v:.1%}".replace("%", " %")  # noqa: E731
    rows = [("Epochs", str(summary["epochs"]))]
    if "test_accuracy" in summary:
        rows += [("Test accuracy", text(summary["test_accuracy"], percent)),
                 ("Train accuracy", text(summary["train_accuracy"], percent))]
    else:
        rows += [("Test R²", text(summary["r2"], "{:.3f}".format)),
                 ("Test RMSE", text(summary["rmse"], "{:.4g}".format))]
    return rows


def remember(store: MutableMapping, key, compute, limit: int = 4):
    """``compute()`` once per ``key``, kept in ``store`` (a dict in session state) with at most
    ``limit`` entries (the least recently used goes first): what the Data page derives from one
    upload and one column choice is not recomputed on every rerun. An entry can hold a whole
    table's arrays (8 MB for 10,000 × 100), hence the small limit."""
    if key in store:
        store[key] = store.pop(key)  # most recently used last
        return store[key]
    value = compute()
    store[key] = value
    while len(store) > limit:
        del store[next(iter(store))]
    return value


def store_user_data(state: MutableMapping, data: Data | None, name: str) -> bool:
    """Put accepted data in ``state[USER_DATA_KEY]`` and its display name in ``state[USER_DATA_NAME_KEY]``.

    ``data=None`` (a rejected file) or data holding NaN/±inf (which no plot or network can
    use) changes nothing, so data accepted earlier stays in use. Returns whether anything was stored.
    """
    if data is None or not (np.isfinite(data.X).all() and np.isfinite(data.y).all()):
        return False
    state[USER_DATA_KEY] = data
    state[USER_DATA_NAME_KEY] = clean_name(name)
    return True
