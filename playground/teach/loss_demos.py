"""The numbers behind the Losses lesson: small, exact, testable.

* ``LOSS_CURVES``: each loss as a function of one prediction, with its derivative.
* ``outlier_data`` / ``fit_line``: a straight line fitted under MSE, MAE or Huber (IRLS),
  and the outliers that pull MSE's line but not MAE's.
* ``softmax_t``, ``entropy``, ``cross_entropy``, ``kl_divergence``:
  ``H(q, p) = H(q) + KL(q ‖ p)``.
* ``parse_numbers`` / ``parse_distribution``: a comma list typed by a person, with errors
  that say what to fix.

>>> q, p = [0.7, 0.2, 0.1], softmax_t([2.0, 1.0, 0.1], 1.0)
>>> abs(cross_entropy(q, p) - entropy(q) - kl_divergence(q, p)) < 1e-12
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from playground.core.activations import softmax
from playground.core.losses import LOSSES

__all__ = [
    "LossCurve", "LOSS_CURVES", "loss_curves", "huber", "outlier_data", "fit_line",
    "softmax_t", "entropy", "cross_entropy", "kl_divergence", "parse_numbers", "parse_distribution",
]


# ----- losses as functions of one prediction ----------------------------------------------------
def huber(r: np.ndarray, delta: float) -> np.ndarray:
    """``½r²`` for ``|r| ≤ δ``, ``δ(|r| − ½δ)`` beyond: quadratic near 0, linear far away."""
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))


_EPS = 1e-12


@dataclass(frozen=True)
class LossCurve:
    """One example's loss as a function of the prediction, and its derivative.

    ``kind`` is ``"regression"`` (prediction ŷ any number, target y a number) or
    ``"probability"`` (prediction p in (0, 1): for ``bce`` the probability of class 1
    with target 0 or 1, for ``ce`` the probability given to the true class).
    """

    name: str
    label: str
    kind: str
    latex: str
    grad_latex: str
    fn: Callable[[np.ndarray, float, float], np.ndarray]  # (pred, target, delta) -> loss
    grad: Callable[[np.ndarray, float, float], np.ndarray]  # (pred, target, delta) -> dL/dpred


LOSS_CURVES: dict[str, LossCurve] = {c.name: c for c in [
    LossCurve("mse", "MSE", "regression", LOSSES["mse"].latex, r"\partial L/\partial\hat y = 2(\hat y - y)",
              lambda p, y, d: (p - y) ** 2, lambda p, y, d: 2 * (p - y)),
    LossCurve("mae", "MAE", "regression", LOSSES["mae"].latex,
              r"\partial L/\partial\hat y = \operatorname{sign}(\hat y - y)",
              lambda p, y, d: np.abs(p - y), lambda p, y, d: np.sign(p - y)),
    LossCurve("huber", "Huber", "regression", LOSSES["huber"].latex,
              r"\partial L/\partial\hat y = \operatorname{clip}(\hat y - y, -\delta, \delta)",
              lambda p, y, d: huber(p - y, d), lambda p, y, d: np.clip(p - y, -d, d)),
    LossCurve("bce", "Binary cross-entropy", "probability", LOSSES["bce"].latex,
              r"\partial L/\partial p = -\frac{y}{p} + \frac{1-y}{1-p},\quad \partial L/\partial z = p - y",
              lambda p, y, d: -(y * np.log(np.clip(p, _EPS, 1)) + (1 - y) * np.log(np.clip(1 - p, _EPS, 1))),
              lambda p, y, d: -y / np.clip(p, _EPS, 1) + (1 - y) / np.clip(1 - p, _EPS, 1)),
    LossCurve("ce", "Categorical cross-entropy", "probability", LOSSES["ce"].latex,
              r"L = -\log p_{\text{true}},\quad \partial L/\partial p_{\text{true}} = -1/p_{\text{true}}",
              lambda p, y, d: -np.log(np.clip(p, _EPS, 1)), lambda p, y, d: -1.0 / np.clip(p, _EPS, 1)),
]}


def loss_curves(names, target: float, delta: float = 1.0, lo: float | None = None, hi: float | None = None,
                n: int = 601):
    """``(pred, values, derivatives)`` for the named loss curves at one target.

    Regression losses default to predictions target ± 3; probability losses to p in (0, 1).
    """
    curves = [LOSS_CURVES[n_] for n_ in names]
    if curves and curves[0].kind == "probability":
        lo, hi = 0.005 if lo is None else lo, 0.995 if hi is None else hi
    else:
        lo, hi = target - 3.0 if lo is None else lo, target + 3.0 if hi is None else hi
    p = np.linspace(lo, hi, n)
    values = {c.label: c.fn(p, target, delta) for c in curves}
    grads = {c.label: c.grad(p, target, delta) for c in curves}
    return p, values, grads


# ----- outliers pull MSE, not MAE ---------------------------------------------------------------
def outlier_data(rng: np.random.Generator | int, outlier_size: float, n: int = 30, n_outliers: int = 3,
                 slope: float = 0.5, intercept: float = 1.0, noise: float = 0.5):
    """Points near ``y = slope·x + intercept`` on x ∈ [0, 10]; ``n_outliers`` of them lifted by ``outlier_size``.

    The outliers are spread over the right-hand third of the x range, where they
    have the most leverage on a fitted slope.

    ``rng`` may be a seed.  Returns ``(x (n,), y (n,), is_outlier (n,) bool)``.  Lifting the right end
    tilts an MSE line: the squared residuals of the few outliers dominate.
    """
    if not 0 <= n_outliers < n:
        raise ValueError(f"n_outliers must be 0–{n - 1}, got {n_outliers!r}")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(int(rng))  # a seed from a page's widget
    x = np.sort(rng.uniform(0, 10, n))
    y = slope * x + intercept + rng.normal(0, noise, n)
    out = np.zeros(n, bool)
    if n_outliers:
        out[np.linspace(n - 1, (2 * n) // 3, n_outliers).round().astype(int)] = True
    return x, y + outlier_size * out, out


def fit_line(x: np.ndarray, y: np.ndarray, loss: str, delta: float = 1.0, iters: int = 200) -> tuple[float, float]:
    """``(slope, intercept)`` minimising the mean loss of the residuals; loss "mse", "mae" or "huber".

    MSE is solved exactly (least squares).  MAE and Huber by iteratively
    reweighted least squares: each round solves a weighted least-squares problem
    with weights ``1/|r|`` (MAE) or ``min(1, δ/|r|)`` (Huber), which makes the
    weighted squared error equal the loss at the current residuals r.
    """
    if loss not in ("mse", "mae", "huber"):
        raise ValueError(f"fit_line loss must be 'mse', 'mae' or 'huber', got {loss!r}")
    A = np.column_stack([x, np.ones(len(x))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    if loss == "mse":
        return float(coef[0]), float(coef[1])
    for _ in range(iters):
        r = np.abs(y - A @ coef)
        w = 1.0 / np.maximum(r, 1e-8) if loss == "mae" else np.minimum(1.0, delta / np.maximum(r, 1e-12))
        sw = np.sqrt(w)
        new, *_ = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)
        if np.abs(new - coef).max() < 1e-10:
            coef = new
            break
        coef = new
    return float(coef[0]), float(coef[1])


# ----- softmax, entropy, cross-entropy ----------------------------------------------------------
def softmax_t(scores, temperature: float) -> np.ndarray:
    """``softmax(s / T)``: T → 0 puts all mass on the largest score, T → ∞ spreads it evenly."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    s = np.asarray(scores, dtype=np.float64)
    return softmax(s[None, :] / temperature)[0]


def entropy(p) -> float:
    """``H(p) = −Σ p log p`` in nats (0 log 0 = 0)."""
    p = np.asarray(p, dtype=np.float64)
    nz = p > 0
    return float(-(p[nz] * np.log(p[nz])).sum())


def cross_entropy(q, p) -> float:
    """``H(q, p) = −Σ q log p`` in nats: the loss when the target is q and the model says p."""
    q, p = np.asarray(q, dtype=np.float64), np.asarray(p, dtype=np.float64)
    nz = q > 0
    return float(-(q[nz] * np.log(np.clip(p[nz], _EPS, None))).sum()) + 0.0  # + 0.0: no "-0.000"


def kl_divergence(q, p) -> float:
    """``KL(q ‖ p) = Σ q log(q/p) ≥ 0``, zero only when p = q.  ``H(q, p) = H(q) + KL(q ‖ p)``."""
    q, p = np.asarray(q, dtype=np.float64), np.asarray(p, dtype=np.float64)
    nz = q > 0
    return float((q[nz] * (np.log(q[nz]) - np.log(np.clip(p[nz], _EPS, None)))).sum())


def parse_numbers(text: str, *, min_count: int = 2, max_count: int = 10,
                  nonnegative: bool = False, example: str = "2, 1, 0.1") -> list[float]:
    """Numbers from a comma-separated text such as ``"2, 1, 0.1"``.

    Raises ValueError naming the first bad item, its position and what is
    allowed: finite numbers (``nonnegative``: ≥ 0), ``min_count``–``max_count`` of them.
    """
    count = f"exactly {min_count}" if min_count == max_count else f"{min_count}–{max_count}"
    allowed = (f"allowed: {count} {'non-negative ' if nonnegative else ''}numbers "
               f"separated by commas, e.g. {example}")
    items = [s.strip() for s in str(text).split(",")]
    if items and items[-1] == "":
        items = items[:-1]  # a trailing comma is harmless
    values = []
    for i, item in enumerate(items, 1):
        try:
            v = float(item)
        except ValueError:
            shown = item if len(item) <= 20 else item[:17] + "…"
            what = "is empty" if item == "" else f"{shown!r} is not a number"
            raise ValueError(f"item {i} {what}; {allowed}") from None
        if not math.isfinite(v):
            raise ValueError(f"item {i} ({item!r}) is not a finite number; {allowed}")
        if nonnegative and v < 0:
            raise ValueError(f"item {i} ({item!r}) is negative; {allowed}")
        values.append(v)
    if not min_count <= len(values) <= max_count:
        raise ValueError(f"got {len(values)} number{'s' * (len(values) != 1)}; {allowed}")
    return values


def parse_distribution(text: str, n: int) -> np.ndarray:
    """A target distribution typed as weights, e.g. ``"0.7, 0.2, 0.1"`` or ``"1, 0, 0"``, scaled to sum 1.

    Raises ValueError when an item is bad, when there are not exactly ``n``
    values (one per score), or when all are 0.
    """
    values = parse_numbers(text, min_count=n, max_count=n, nonnegative=True,
                           example=", ".join(["1"] + ["0"] * (n - 1)))
    total = sum(values)
    if total <= 0:
        raise ValueError("the target weights add up to 0; give at least one positive value, e.g. 1, 0, 0")
    return np.asarray(values) / total
