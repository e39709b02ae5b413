"""The numbers behind the Activations and Losses lessons: small, exact, testable.

Activations
    * ``derivative_peak`` / ``gradient_bound``: backprop multiplies one ``f'`` per
      layer, so through ``d`` layers the gradient is scaled by at most
      ``max|f'|^d`` (weights aside): ``0.25¹⁰ ≈ 9.5e-7`` for sigmoid.
    * ``LinearStack``: ``(X W_h + b_h) W_o + b_o = X (W_h W_o) + (b_h W_o + b_o)``,
      two linear layers are one.
    * ``relu_step`` / ``relu_bump`` / ``fit_relu_sum``: two ReLUs make a step,
      two steps a bump, and a least-squares sum of shifted ReLUs approximates a curve.

Losses
    * ``LOSS_CURVES``: each loss as a function of one prediction, with its derivative.
    * ``fit_line``: a straight line fitted under MSE, MAE or Huber (IRLS).
    * ``softmax_t``, ``entropy``, ``cross_entropy``, ``kl_divergence``:
      ``H(q, p) = H(q) + KL(q ‖ p)``.
    * ``parse_numbers``: a comma list typed by a person, with errors that say what to fix.

>>> s = LinearStack.random(np.random.default_rng(0))
>>> X = np.random.default_rng(1).normal(size=(5, 2))
>>> bool(np.abs(s.forward(X) - s.collapsed(X)).max() < 1e-12)
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from playground.core.activations import ACTIVATIONS, get_activation, softmax
from playground.core.losses import LOSSES

__all__ = [
    "activation_curves", "range_text", "derivative_peak", "gradient_bound", "saturated_spans",
    "LinearStack", "plane_residual", "latex_matrix",
    "relu", "relu_step", "relu_bump", "relu_demo", "Target", "TARGETS", "ReluFit", "fit_relu_sum",
    "LossCurve", "LOSS_CURVES", "loss_curves", "huber", "outlier_data", "fit_line",
    "softmax_t", "entropy", "cross_entropy", "kl_divergence", "parse_numbers", "parse_distribution",
]


# ----- activations: gradient flow ---------------------------------------------------------------
def activation_curves(names, lo: float = -6.0, hi: float = 6.0, n: int = 601):
    """``(z, values, derivatives, saturated)`` for the named activations on [lo, hi].

    ``values[name]`` and ``derivatives[name]`` are (n,); ``saturated[name]`` the
    saturated z-intervals inside the view.  Keys are the registry's labels.
    """
    z = np.linspace(lo, hi, n)
    values, grads, spans = {}, {}, {}
    for name in names:
        act = get_activation(name)
        a = act.fn(z)
        values[act.label], grads[act.label] = a, act.grad(z, a)
        spans[act.label] = saturated_spans(name, lo, hi)
    return z, values, grads, spans


def range_text(out_range: tuple[float, float]) -> str:
    """An activation's output range in words and symbols: "0 … 1", "−∞ … ∞"."""
    def one(v: float) -> str:
        return "∞" if v == math.inf else "−∞" if v == -math.inf else f"{v:g}".replace("-", "−")
    return f"{one(out_range[0])} … {one(out_range[1])}"


def derivative_peak(name: str, lo: float = -10.0, hi: float = 10.0, n: int = 20_001) -> tuple[float, float]:
    """``(z*, max |f'(z)|)`` over a fine grid of [lo, hi] (z = 0 is on the grid)."""
    act = get_activation(name)
    z = np.linspace(lo, hi, n)
    g = np.abs(act.grad(z, act.fn(z)))
    i = int(np.argmax(g))
    return float(z[i]), float(g[i])


def gradient_bound(name: str, depth: int) -> float:
    """Largest factor ``max|f'|^depth`` by which ``depth`` layers of ``f`` can scale a gradient.

    The chain rule multiplies one ``f'(z)`` per layer (times the weights): with
    sigmoid, ``σ' ≤ 0.25`` so 10 layers shrink the gradient by at least
    ``0.25¹⁰ ≈ 9.5 × 10⁻⁷`` unless the weights are large.
    """
    if not isinstance(depth, (int, np.integer)) or depth < 0:
        raise ValueError(f"depth must be a whole number ≥ 0, got {depth!r}")
    return derivative_peak(name)[1] ** int(depth)


def saturated_spans(name: str, lo: float, hi: float) -> list[tuple[float, float]]:
    """The activation's saturated z-intervals, clipped to the view [lo, hi] (empty ones dropped)."""
    spans = []
    for a, b in get_activation(name).saturates:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            spans.append((a, b))
    return spans


# ----- activations: stacked linear layers collapse ----------------------------------------------
@dataclass(frozen=True)
class LinearStack:
    """Two dense layers ``O = f(X W_h + b_h) W_o + b_o``; shapes W_h (d, h), b_h (h,), W_o (h, k), b_o (k,)."""

    W_h: np.ndarray
    b_h: np.ndarray
    W_o: np.ndarray
    b_o: np.ndarray

    @classmethod
    def random(cls, rng: np.random.Generator, n_in: int = 2, n_hidden: int = 3, n_out: int = 1,
               scale: float = 1.0) -> "LinearStack":
        """Weights and biases drawn N(0, scale²) from ``rng``, in the order W_h, b_h, W_o, b_o."""
        return cls(rng.normal(0, scale, (n_in, n_hidden)), rng.normal(0, scale, n_hidden),
                   rng.normal(0, scale, (n_hidden, n_out)), rng.normal(0, scale, n_out))

    @classmethod
    def from_seed(cls, seed: int, n_hidden: int = 3) -> "LinearStack":
        """A 2-input, 1-output stack drawn from ``np.random.default_rng(seed)``."""
        return cls.random(np.random.default_rng(int(seed)), n_hidden=n_hidden)

    @property
    def W(self) -> np.ndarray:
        """The single layer's weights ``W_h W_o`` (d, k)."""
        return self.W_h @ self.W_o

    @property
    def b(self) -> np.ndarray:
        """The single layer's bias ``b_h W_o + b_o`` (k,)."""
        return self.b_h @ self.W_o + self.b_o

    def forward(self, X: np.ndarray, activation: str = "linear") -> np.ndarray:
        """Both layers, with ``activation`` between them: (n, d) -> (n, k)."""
        return get_activation(activation).fn(X @ self.W_h + self.b_h) @ self.W_o + self.b_o

    def collapsed(self, X: np.ndarray) -> np.ndarray:
        """The one linear layer ``X W + b`` that equals the stack without activation."""
        return X @ self.W + self.b

    def surface(self, activation: str = "linear", half_width: float = 2.0, resolution: int = 31):
        """``(xs, ys, Z)``: the first output over the square [−w, w]², Z[iy, ix] (2 inputs only)."""
        if self.W_h.shape[0] != 2:
            raise ValueError(f"a surface needs 2 inputs, this stack has {self.W_h.shape[0]}")
        xs = np.linspace(-half_width, half_width, resolution)
        Z = self.forward(_square_grid(half_width, resolution), activation)[:, 0]
        return xs, xs, Z.reshape(resolution, resolution)

    def max_gap(self, X: np.ndarray | None = None) -> float:
        """Largest |two layers − one layer| on X (default: the surface grid); 0 up to rounding."""
        if X is None:
            X = _square_grid(2.0, 31)
        return float(np.abs(self.forward(X) - self.collapsed(X)).max())

    def flatness(self, activation: str = "linear", half_width: float = 2.0, resolution: int = 31) -> float:
        """RMS distance of the surface from its best-fitting plane: ~1e-16 without activation."""
        X = _square_grid(half_width, resolution)
        return plane_residual(X, self.forward(X, activation)[:, 0])


def _square_grid(half_width: float, resolution: int) -> np.ndarray:
    """Points of a regular grid on [−w, w]², row-major like ``surface``: (res², 2)."""
    xs = np.linspace(-half_width, half_width, resolution)
    return np.column_stack([np.tile(xs, resolution), np.repeat(xs, resolution)])


def plane_residual(X: np.ndarray, y: np.ndarray) -> float:
    """RMS distance of y (n,) from the best plane ``X a + c`` (least squares): 0 means y *is* a plane."""
    A = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(np.sqrt(np.mean((A @ coef - y) ** 2)))


def latex_matrix(A, digits: int = 3) -> str:
    """A vector or matrix as a LaTeX ``bmatrix``; a 1-D array is shown as a row."""
    A = np.atleast_2d(np.asarray(A, dtype=np.float64))
    rows = [" & ".join(f"{v:.{digits}g}" for v in row) for row in A]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


# ----- activations: universal approximation with ReLUs ------------------------------------------
def relu(z: np.ndarray) -> np.ndarray:
    return ACTIVATIONS["relu"].fn(np.asarray(z, dtype=np.float64))


def relu_step(z: np.ndarray, a: float, b: float) -> np.ndarray:
    """``(relu(z − a) − relu(z − b)) / (b − a)``: 0 left of a, a ramp, then 1 right of b (a < b)."""
    if not b > a:
        raise ValueError(f"a step needs a < b, got a={a!r}, b={b!r}")
    return (relu(z - a) - relu(z - b)) / (b - a)


def relu_bump(z: np.ndarray, rise: tuple[float, float], fall: tuple[float, float],
              height: float = 1.0) -> np.ndarray:
    """``height · (step(rise) − step(fall))``: up between rise, flat, down between fall (four ReLUs)."""
    return height * (relu_step(z, *rise) - relu_step(z, *fall))


def _shifted(a: float) -> str:
    """``z − a`` written the way a person would: "z − 1", "z + 1", "z"."""
    return "z" if a == 0 else f"z − {a:g}" if a > 0 else f"z + {-a:g}"


def relu_demo(rise: tuple[float, float], fall: tuple[float, float], height: float = 1.0,
              lo: float = -4.0, hi: float = 4.0, n: int = 801):
    """Curves for the page: ``(z, step_lines, bump_lines)``, dicts of label -> (n,) values.

    ``step_lines``: the two ReLUs of the rising edge and their difference (a step);
    ``bump_lines``: the rising step, the falling step and the bump they make.
    """
    z = np.linspace(lo, hi, n)
    (a, b), (c, d) = rise, fall
    step_lines = {f"relu({_shifted(a)})": relu(z - a), f"−relu({_shifted(b)})": -relu(z - b),
                  "difference: a step": relu(z - a) - relu(z - b)}
    bump_lines = {"step up": height * relu_step(z, a, b), "−step down": -height * relu_step(z, c, d),
                  "sum: a bump": relu_bump(z, rise, fall, height)}
    return z, step_lines, bump_lines


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    latex: str
    fn: Callable[[np.ndarray], np.ndarray]


TARGETS: dict[str, Target] = {t.name: t for t in [
    Target("sin", "sin x", r"\sin x", np.sin),
    Target("gauss", "Gaussian bump", r"e^{-x^2}", lambda x: np.exp(-x * x)),
    Target("abs", "|x|", r"|x|", np.abs),
    Target("square", "x² / 3", r"x^2/3", lambda x: x * x / 3),
    Target("tanh", "soft step tanh 3x", r"\tanh 3x", lambda x: np.tanh(3 * x)),
]}


@dataclass(frozen=True)
class ReluFit:
    """``ŷ(x) = c₀ + Σ_k c_k relu(x − t_k)``: one hidden layer of ReLUs with fixed shifts t_k."""

    knots: np.ndarray  # t_k (n_units,)
    coef: np.ndarray  # c_k (n_units,)
    bias: float  # c₀
    x: np.ndarray
    target: np.ndarray
    fitted: np.ndarray

    @property
    def view_range(self) -> tuple[float, float]:
        """A y-range for plotting: the target's, with a margin (single units may go far beyond)."""
        return float(self.target.min()) - 0.5, float(self.target.max()) + 0.5

    @property
    def max_error(self) -> float:
        return float(np.abs(self.fitted - self.target).max())

    def units(self) -> np.ndarray:
        """Each unit's contribution ``c_k relu(x − t_k)``, (n_units, n_points)."""
        return self.coef[:, None] * relu(self.x[None, :] - self.knots[:, None])

    def lines(self, max_units: int = 12) -> dict[str, np.ndarray]:
        """For a line plot: the target, the fit, and (up to ``max_units``) the units as "_unit k"."""
        out = {"target": self.target, f"sum of {len(self.knots)} ReLUs": self.fitted}
        if len(self.knots) <= max_units:
            out.update({f"_unit {k + 1}": u for k, u in enumerate(self.units())})
        return out


def fit_relu_sum(target: str, n_units: int, lo: float = -3.0, hi: float = 3.0, n: int = 400) -> ReluFit:
    """Fit the output weights of ``n_units`` ReLUs (shifts evenly spaced on [lo, hi)) by least squares."""
    if not 1 <= n_units <= 100:
        raise ValueError(f"n_units must be 1–100, got {n_units!r}")
    try:
        fn = TARGETS[target].fn
    except KeyError:
        raise ValueError(f"unknown target {target!r}; allowed: {', '.join(TARGETS)}") from None
    x = np.linspace(lo, hi, n)
    y = fn(x)
    knots = np.linspace(lo, hi, n_units, endpoint=False)
    A = np.column_stack([np.ones(n), relu(x[:, None] - knots[None, :])])
    c, *_ = np.linalg.lstsq(A, y, rcond=None)
    return ReluFit(knots, c[1:], float(c[0]), x, y, A @ c)


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
