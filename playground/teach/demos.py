"""The numbers behind the Activations lesson: small, exact, testable (the Losses lesson's are ``loss_demos``).

* ``derivative_peak`` / ``gradient_bound``: backprop multiplies one ``f'`` per
  layer, so through ``d`` layers the gradient is scaled by at most
  ``max|f'|^d`` (weights aside): ``0.25¹⁰ ≈ 9.5e-7`` for sigmoid.
* ``LinearStack``: ``(X W_h + b_h) W_o + b_o = X (W_h W_o) + (b_h W_o + b_o)``,
  two linear layers are one.
* ``relu_step`` / ``relu_bump`` / ``fit_relu_sum``: two ReLUs make a step,
  two steps a bump, and a least-squares sum of shifted ReLUs approximates a curve.

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

from playground.core.activations import ACTIVATIONS, get_activation

__all__ = [
    "activation_curves", "range_text", "derivative_peak", "gradient_bound", "saturated_spans",
    "LinearStack", "plane_residual", "latex_matrix",
    "relu", "relu_step", "relu_bump", "relu_demo", "Target", "TARGETS", "ReluFit", "fit_relu_sum",
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
