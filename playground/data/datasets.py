"""Datasets: the registry of TensorFlow Playground's 2-D sets, a few extras, and small real tables.

Every synthetic set is drawn by ``data/generators.py``, which reproduces the semantics of
TF Playground's ``src/dataset.ts`` (same shapes, radii, noise model and labels) with NumPy
and an explicit ``np.random.Generator`` instead of a global ``Math.random``. Real sets are
scikit-learn's bundled toy data, repacked under ``playground/data/bundled/`` and read
with ``gzip`` + ``csv`` only, so the app never imports scikit-learn.

Conventions
-----------
* ``noise`` is given in percent, 0–50, like the app's slider; TF's generators
  take the fraction 0–0.5, so every generator receives ``noise / 100``.
* Classification labels are class indices ``0..K-1`` (int64). For TF's
  two-class sets class 1 is TF's positive label (+1, blue) and class 0 its
  negative label (−1, orange). Regression targets are float64.

>>> data = generate("circle", noise=10, rng=np.random.default_rng(0))
>>> data.X.shape, data.y.shape, int(np.bincount(data.y).sum())
((500, 2), (500,), 500)
"""

from __future__ import annotations

import csv
import gzip
import math
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable

import numpy as np

from playground.data.generators import blobs, circle, gauss, moons, reg_gauss, reg_plane, spiral, spiral3, xor

__all__ = [
    "DATASETS",
    "MAX_POINTS",
    "SYNTHETIC_DOMAIN",
    "Data",
    "DatasetSpec",
    "describe",
    "domain",
    "generate",
    "split",
    "standardize",
]

MAX_POINTS = 10_000
MIN_POINTS = 4  # a train/test split needs a few points on each side
SYNTHETIC_DOMAIN = (-6.0, 6.0, -6.0, 6.0)  # TF Playground plots every 2-D set in [-6, 6]²
_TASKS = ("classification", "regression")
_DATA_DIR = Path(__file__).with_name("bundled")
_TWO_CLASS = ("negative", "positive")  # index 0 = TF's −1 (orange), 1 = TF's +1 (blue)

# A generator maps (n points, noise as a 0–0.5 fraction, rng, number of classes) to (X, y).
Maker = Callable[[int, float, np.random.Generator, int], "tuple[np.ndarray, np.ndarray]"]


# ----------------------------------------------------------------------------- records

@dataclass(frozen=True)
class DatasetSpec:
    """One registry entry: what a data set is, for the UI, links and tests."""

    name: str
    task: str  # "classification" | "regression"
    n_classes: int  # 0 for regression; the default for `blobs`
    kind: str  # "synthetic" | "real"
    default_size: int
    description: str  # one plain-language line for the UI
    n_features: int = 2
    class_names: tuple[str, ...] = ()
    fn: Maker | None = None  # how to make (X, y); see `Maker`

    def __repr__(self) -> str:
        return (f"DatasetSpec({self.name!r}, {self.task}, n_classes={self.n_classes}, "
                f"kind={self.kind}, n={self.default_size}, d={self.n_features})")


@dataclass(frozen=True)
class Data:
    """A data set: inputs ``X`` (n, d) float64 and labels ``y`` (n,).

    ``y`` is an int64 class index in ``0..n_classes-1`` for classification and a
    float64 target for regression (then ``n_classes == 0``).
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int
    feature_names: tuple[str, ...]
    name: str
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Frozen, so coerce through object.__setattr__: callers may pass lists or int arrays.
        X = np.asarray(self.X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"Data.X must be 2-D (n, d); got shape {X.shape}")
        if self.task not in _TASKS:
            raise ValueError(f"Data.task must be one of {_TASKS}; got {self.task!r}")
        y = np.asarray(self.y, dtype=np.int64 if self.task == "classification" else np.float64)
        if y.shape != (X.shape[0],):
            raise ValueError(f"Data.y must have shape ({X.shape[0]},) to match X; got {y.shape}")
        if len(self.feature_names) != X.shape[1]:
            raise ValueError(f"Data has {X.shape[1]} columns but {len(self.feature_names)} "
                             f"feature names: {tuple(self.feature_names)}")
        if self.task == "classification" and y.size and (y.min() < 0 or y.max() >= self.n_classes):
            raise ValueError(f"class indices must lie in 0..{self.n_classes - 1}; "
                             f"got values {y.min()}..{y.max()}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "class_names", tuple(self.class_names))

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        k = f", {self.n_classes} classes" if self.task == "classification" else ""
        return f"Data({self.name!r}, n={len(self)}, d={self.X.shape[1]}, {self.task}{k})"

    def subset(self, idx) -> "Data":
        """The rows ``idx`` (indices or boolean mask) as a new `Data`; arrays are copies."""
        return Data(self.X[idx], self.y[idx], self.task, self.n_classes,
                    self.feature_names, self.name, self.class_names)


# ------------------------------------------------------------------------ real data

@lru_cache(maxsize=None)
def _read_real(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Parse ``data/<name>.csv.gz``: a header of feature names + 'target', then numbers.

    Cached, and the arrays are made read-only so the shared cache cannot be
    modified by a caller; `generate` hands out copies.
    """
    with gzip.open(_DATA_DIR / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    table = np.array(body, dtype=np.float64)
    X, y = table[:, :-1], table[:, -1]
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y, tuple(header[:-1])


def _real(name: str, n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """All rows of a real set, or a random subset of n rows (without replacement, order kept)."""
    X, y, _ = _read_real(name)
    if n >= len(X):
        return X.copy(), y.copy()
    idx = np.sort(rng.choice(len(X), size=n, replace=False))
    return X[idx], y[idx]


# -------------------------------------------------------------------------- registry

def _synthetic(name, task, k, size, description, fn, class_names=()) -> DatasetSpec:
    return DatasetSpec(name, task, k, "synthetic", size, description, 2, class_names, fn)


def _real_spec(name, task, k, size, d, description, class_names=()) -> DatasetSpec:
    return DatasetSpec(name, task, k, "real", size, description, d, class_names, partial(_real, name))


DATASETS: dict[str, DatasetSpec] = {s.name: s for s in [
    _synthetic("circle", "classification", 2, 500,
               "A blue disc inside an orange ring: needs a curved boundary.", circle, _TWO_CLASS),
    _synthetic("xor", "classification", 2, 500,
               "Four squares, blue where x and y have the same sign: no single line separates them.",
               xor, _TWO_CLASS),
    _synthetic("gauss", "classification", 2, 500,
               "Two round clouds of points: the easy case, one straight line splits them.",
               gauss, _TWO_CLASS),
    _synthetic("spiral", "classification", 2, 500,
               "Two arms winding around each other: the hardest of the classic four.",
               spiral, _TWO_CLASS),
    _synthetic("moons", "classification", 2, 500,
               "Two interlocking half-moons: a gently curved boundary.", moons,
               ("upper moon", "lower moon")),
    _synthetic("blobs", "classification", 3, 500,
               "Three to five round clusters, one colour each: a first multi-class problem.",
               blobs, ("class 0", "class 1", "class 2")),
    _synthetic("spiral3", "classification", 3, 500,
               "Three spiral arms, one class each: a hard multi-class problem.", spiral3,
               ("arm 0", "arm 1", "arm 2")),
    _synthetic("reg-plane", "regression", 0, 1200,
               "A tilted plane: the target rises steadily from bottom-left to top-right.", reg_plane),
    _synthetic("reg-gauss", "regression", 0, 1200,
               "Six bumps and dips: the target is high near some centres and low near others.",
               reg_gauss),
    _real_spec("digits", "classification", 10, 1797, 64,
               "8×8 images of handwritten digits 0–9; each of the 64 inputs is one pixel's ink.",
               tuple(str(i) for i in range(10))),
    _real_spec("iris", "classification", 3, 150, 4,
               "Iris flowers: tell three species apart from petal and sepal sizes.",
               ("setosa", "versicolor", "virginica")),
    _real_spec("wine", "classification", 3, 178, 13,
               "Wines from three growers, told apart by 13 chemical measurements.",
               ("class_0", "class_1", "class_2")),
    _real_spec("breast-cancer", "classification", 2, 569, 30,
               "Breast tumour cell measurements (30 of them): malignant or benign?",
               ("malignant", "benign")),
    _real_spec("diabetes", "regression", 0, 442, 10,
               "Predict diabetes progression after one year from age, sex, BMI, blood pressure "
               "and six blood tests."),
]}


# ------------------------------------------------------------------------------ API

def _spec(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return DATASETS[name]


def generate(name: str, noise: float = 0.0, rng: np.random.Generator | None = None,
             n: int | None = None, n_classes: int | None = None) -> Data:
    """Make data set ``name`` (a key of `DATASETS`).

    Args:
        noise: percent, 0–50 (TF's 0–0.5 fraction × 100). Ignored by real sets.
        rng: the only source of randomness. ``None`` means ``np.random.default_rng(0)``,
            so a call without one is still reproducible.
        n: number of points; default ``spec.default_size``, at most `MAX_POINTS`.
            For a real set, n below its size draws a random subset of rows.
        n_classes: only for ``blobs`` (3–5, default 3).

    Returns:
        `Data` with X (n, d) float64 and y (n,) int64 class index / float64 target.
    """
    spec = _spec(name)
    if rng is None:
        rng = np.random.default_rng(0)
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator such as np.random.default_rng(seed); "
                        f"got {type(rng).__name__}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.number)) \
            or not 0 <= noise <= 50:
        raise ValueError(f"noise is a percentage from 0 to 50; got {noise!r}")

    k = spec.n_classes
    if n_classes is not None:
        allowed = range(3, 6) if name == "blobs" else range(k, k + 1)
        if isinstance(n_classes, bool) or n_classes not in allowed:
            what = "3, 4 or 5" if name == "blobs" else f"only {k}"
            raise ValueError(f"dataset {name!r} takes {what} classes; got n_classes={n_classes!r}")
        k = int(n_classes)

    if n is None:
        n = spec.default_size
    lowest = max(MIN_POINTS, k)
    top = min(MAX_POINTS, spec.default_size) if spec.kind == "real" else MAX_POINTS
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not lowest <= n <= top:
        raise ValueError(f"n (number of points) for {name!r} must be an integer from "
                         f"{lowest} to {top}; got {n!r}")

    X, y = spec.fn(int(n), float(noise) / 100.0, rng, k)
    if spec.kind == "real":
        feature_names = _read_real(name)[2]
    else:
        feature_names = ("x1", "x2")  # the names features.py's x1/x2 read
    class_names = spec.class_names if k == spec.n_classes else tuple(f"class {c}" for c in range(k))
    return Data(X, y, spec.task, k, feature_names, name, class_names)


def split(data: Data, train_pct: float, rng: np.random.Generator) -> tuple[Data, Data]:
    """Shuffle with ``rng`` and give the first ``floor(n·train_pct/100)`` points to training.

    As TF Playground does; the count is clipped so each part keeps at least one point.
    """
    n = len(data)
    if n < 2:
        raise ValueError(f"cannot split {n} point(s); a train/test split needs at least 2")
    if isinstance(train_pct, bool) or not isinstance(train_pct, (int, float, np.number)) \
            or not 0 < train_pct < 100:
        raise ValueError(f"train_pct is a percentage strictly between 0 and 100; got {train_pct!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator; got {type(rng).__name__}")
    order = rng.permutation(n)
    # + 1e-9 so that e.g. 29 % of 100 stays 29 despite float rounding in 100 * 29 / 100
    n_train = min(max(math.floor(n * train_pct / 100 + 1e-9), 1), n - 1)
    return data.subset(order[:n_train]), data.subset(order[n_train:])


def standardize(train: Data, test: Data) -> tuple[Data, Data, tuple[np.ndarray, np.ndarray]]:
    """z-score both parts with the *training* statistics: ``x' = (x − μ_train) / σ_train``.

    Using only training statistics keeps the test set unseen. A constant column
    (σ = 0, e.g. a digits corner pixel that is always blank) is divided by 1
    instead, so it becomes 0 rather than NaN. Returns ``(train', test', (μ, σ))``
    with μ, σ of shape (d,).
    """
    if train.X.shape[1] != test.X.shape[1]:
        raise ValueError(f"train has {train.X.shape[1]} features but test has {test.X.shape[1]}")
    mean = train.X.mean(axis=0)
    std = train.X.std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def scaled(d: Data) -> Data:
        return Data((d.X - mean) / std, d.y, d.task, d.n_classes, d.feature_names, d.name,
                    d.class_names)

    return scaled(train), scaled(test), (mean, std)


def domain(data: Data) -> tuple[float, float, float, float]:
    """Plotting box ``(x_min, x_max, y_min, y_max)`` over the first two features.

    Synthetic sets use TF's fixed [−6, 6]²; any other data its own min/max
    widened by 5 % of the span (0.5 if a column is constant). With one feature
    the box is square on that feature's range.
    """
    spec = DATASETS.get(data.name)
    if spec is not None and spec.kind == "synthetic":
        return SYNTHETIC_DOMAIN
    if len(data) == 0:
        raise ValueError(f"cannot compute a plotting box for empty data {data.name!r}")
    cols = [0, 1] if data.X.shape[1] >= 2 else [0, 0]
    box: list[float] = []
    for c in cols:
        lo, hi = float(data.X[:, c].min()), float(data.X[:, c].max())
        pad = 0.05 * (hi - lo) if hi > lo else 0.5
        box += [lo - pad, hi + pad]
    return tuple(box)  # type: ignore[return-value]


def describe(name: str) -> str:
    """Longer text for a data set: the shipped reStructuredText card for a real set, else its line."""
    spec = _spec(name)
    if spec.kind == "real":
        return (_DATA_DIR / f"{name}.rst").read_text(encoding="utf-8")
    return spec.description
