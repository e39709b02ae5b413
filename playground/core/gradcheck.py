"""Gradient checking: compare backprop's gradient with finite differences of the loss.

The one home of the gradient check: the worked examples (``examples``, ``labs``),
the Backprop page, ``python -m playground example`` and the tests all use it.

For each parameter θᵢ, with C the mean data loss over (X, T) and eᵢ the i-th unit vector::

    central:  ∂C/∂θᵢ ≈ (C(θ + εeᵢ) − C(θ − εeᵢ)) / 2ε      error O(ε²)
    forward:  ∂C/∂θᵢ ≈ (C(θ + εeᵢ) − C(θ)) / ε             error O(ε)

Cost, for P parameters: central needs 2P loss evaluations (forward passes), forward
P + 1, each pass itself O(P) work, so O(P²) in all; backprop gets every ∂C/∂θᵢ from
one forward and one backward pass, O(P).  That ratio is why networks are trained by
backprop and finite differences are only used to check it, on small networks, in
float64 (in float32 rounding swamps the difference quotient).

The comparison, entry by entry (a analytic, n numeric), is ``relative_error``::

    rel = |a − n| / max(|a|, |n|, floor)

An entry agrees when ``rel ≤ tol`` or ``|a − n| ≤ abs_tol``; the ones that do not are
named in ``GradCheck.mismatched``.

``gradient_check(net, X, T)`` works with any engine: it only calls ``get_params``,
``set_params``, ``evaluate`` and ``gradients``, and restores the parameters.
``numeric_flat(net, X, T)`` nudges a ``NumpyMLP``'s own flat vector in place, at the
network's precision (the worked examples, whose textbook B works in float32);
``compare_gradients(names, numeric, analytic)`` compares two given flat gradients.

    >>> from playground.core.engines import initial_params
    >>> from playground.core.network import NumpyMLP
    >>> rng = np.random.default_rng(0)
    >>> net = NumpyMLP([3, 4, 2], ["tanh"], "ce", initial_params("xavier", [3, 4, 2], rng), dtype=np.float64)
    >>> X, T = rng.normal(size=(9, 3)), np.eye(2)[rng.integers(0, 2, 9)]
    >>> check = gradient_check(net, X, T)
    >>> check.ok, check.max_rel_error < 1e-6
    (True, True)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

__all__ = ["GradCheck", "METHODS", "FLOOR", "relative_error", "numeric_gradients", "numeric_flat",
           "compare_gradients", "gradient_check"]

METHODS = ("central", "forward")
FLOOR = 1e-12  # the smallest scale a relative error is taken against

Grads = list[tuple[np.ndarray, np.ndarray]]


def relative_error(analytic, numeric, floor: float = FLOOR) -> np.ndarray:
    """``|a − n| / max(|a|, |n|, floor)`` entry by entry: 0 when equal, at most 2, and never a
    division by zero (two gradients both below ``floor`` compare by their difference over ``floor``)."""
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor)


def _check_args(eps: float, method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")


def _differences(theta: np.ndarray, loss, eps: float, method: str, entries) -> np.ndarray:
    """The difference quotients of ``loss()`` for the ``entries`` of ``theta``, nudged in place one at a
    time from the same θ and put back; a float64 vector of ``theta.size`` (0 outside ``entries``)."""
    base = loss() if method == "forward" else None
    g = np.zeros(theta.size)
    for i in entries:
        orig = theta[i]
        theta[i] = orig + eps
        up = loss()
        if method == "central":
            theta[i] = orig - eps
            g[i] = (up - loss()) / (2 * eps)
        else:
            g[i] = (up - base) / eps
        theta[i] = orig
    return g


def _layer_slices(params: Grads) -> list[tuple[slice, slice]]:
    """Where each layer's W (row-major) and b sit when ``params`` are laid end to end."""
    out, pos = [], 0
    for W, b in params:
        out.append((slice(pos, pos + W.size), slice(pos + W.size, pos + W.size + b.size)))
        pos += W.size + b.size
    return out


def _flatten(params: Grads) -> np.ndarray:
    return np.concatenate([np.concatenate([np.ravel(W), np.ravel(b)]) for W, b in params]).astype(np.float64)


def numeric_gradients(net, X: np.ndarray, T: np.ndarray, eps: float = 1e-4, method: str = "central") -> Grads:
    """Finite-difference ``[(∂C/∂W, ∂C/∂b), ...]`` (float64) of the mean data loss at the current weights.

    Args:
        net: any engine (``NumpyMLP``, ``TorchMLP``); its parameters are restored afterwards.
        X, T: inputs (n, d) and targets (n, k).
        eps: the step ε.
        method: ``"central"`` (2 evaluations per parameter) or ``"forward"`` (1, plus one).
    """
    _check_args(eps, method)
    params = net.get_params()
    slices = _layer_slices(params)
    work = _flatten(params)  # the copy that gets perturbed; the layers below are views of it
    layers = [(work[w].reshape(W.shape), work[b].reshape(b_.shape)) for (w, b), (W, b_) in zip(slices, params)]

    def loss() -> float:
        net.set_params(layers)
        return net.evaluate(X, T)[0]

    try:
        g = _differences(work, loss, eps, method, range(work.size))
    finally:
        net.set_params(params)
    return [(g[w].reshape(W.shape), g[b].reshape(b_.shape)) for (w, b), (W, b_) in zip(slices, params)]


def numeric_flat(net, X: np.ndarray, T: np.ndarray, eps: float = 1e-4, method: str = "central",
                 mask: np.ndarray | None = None) -> np.ndarray:
    """Finite-difference gradient of a ``NumpyMLP``'s mean loss w.r.t. every entry of ``net.flat``.

    Each entry is nudged in place in ``net.flat`` and put back (θ is unchanged on return), at the
    network's own precision: a float32 net gives float32 losses.  Entries outside ``mask`` get 0.
    Returns a float64 vector of ``net.n_params``.
    """
    _check_args(eps, method)
    entries = np.flatnonzero(mask) if mask is not None else range(net.flat.size)
    return _differences(net.flat, lambda: net.evaluate(X, T)[0], eps, method, entries)


@dataclass(frozen=True)
class GradCheck:
    """Analytic gradient vs finite differences, entry by entry (flat float64 vectors).

    ``rel_error = relative_error(analytic, numeric)``; an entry whose relative error exceeds
    ``tol`` and whose absolute difference exceeds ``abs_tol`` is named in ``mismatched``.
    ``per_layer`` holds ``(max_abs_diff, max_rel_error)`` of each layer (engine checks).
    """

    names: list[str]
    numeric: np.ndarray
    analytic: np.ndarray
    abs_diff: np.ndarray
    rel_error: np.ndarray
    tol: float
    mismatched: list[str]
    # How the check was made; not part of the worked examples' JSON (``worked.to_plain``).
    abs_tol: float = field(default=0.0, metadata={"plain": False})
    per_layer: list[tuple[float, float]] = field(default_factory=list, metadata={"plain": False})
    method: str = field(default="central", metadata={"plain": False})
    eps: float = field(default=0.0, metadata={"plain": False})
    evaluations: int = field(default=0, metadata={"plain": False})  # loss evaluations the numeric side cost

    @property
    def ok(self) -> bool:
        """True when every entry agrees (nothing is ``mismatched``)."""
        return not self.mismatched

    @property
    def max_rel_error(self) -> float:
        return float(self.rel_error.max()) if self.rel_error.size else 0.0

    @property
    def max_abs_diff(self) -> float:
        return float(self.abs_diff.max()) if self.abs_diff.size else 0.0

    def agrees(self, rel_tol: float, abs_tol: float = 0.0) -> bool:
        """True when every entry agrees within ``rel_tol`` (relative) or ``abs_tol`` (absolute)."""
        return bool(np.all((self.abs_diff <= abs_tol) | (self.rel_error <= rel_tol)))

    def __repr__(self) -> str:
        return (f"GradCheck({self.method}, eps={self.eps:g}: max abs diff {self.max_abs_diff:.2e}, "
                f"max rel error {self.max_rel_error:.2e}, {self.evaluations} loss evaluations, "
                f"mismatched {self.mismatched[:5]})")


def compare_gradients(names, numeric, analytic, tol: float = 1e-5, abs_tol: float = 0.0,
                      floor: float = FLOOR) -> GradCheck:
    """Compare two flat gradients whose entries are called ``names``; see ``GradCheck``."""
    n, a = np.asarray(numeric, np.float64).ravel(), np.asarray(analytic, np.float64).ravel()
    diff, rel = np.abs(a - n), relative_error(a, n, floor)
    bad = ~((diff <= abs_tol) | (rel <= tol))
    return GradCheck(list(names), n, a, diff, rel, float(tol), [k for k, b in zip(names, bad) if b],
                     abs_tol=float(abs_tol))


def gradient_check(net, X: np.ndarray, T: np.ndarray, eps: float = 1e-4, method: str = "central",
                   tol: float = 1e-6, abs_tol: float = 1e-8, floor: float = FLOOR) -> GradCheck:
    """Compare ``net.gradients(X, T)`` with ``numeric_gradients``; entries are named ``W1[i,j]``, ``b1[j]``
    (layer 1 = input → first hidden)."""
    analytic = net.gradients(X, T)
    numeric = numeric_gradients(net, X, T, eps, method)
    names = [f"{kind}{layer}[{','.join(map(str, idx))}]"
             for layer, (W, b) in enumerate(analytic, 1) for kind, arr in (("W", W), ("b", b))
             for idx in np.ndindex(np.shape(arr))]
    check = compare_gradients(names, _flatten(numeric), _flatten(analytic), tol, abs_tol, floor)
    per_layer = [(float(check.abs_diff[w.start:b.stop].max()), float(check.rel_error[w.start:b.stop].max()))
                 for w, b in _layer_slices(analytic)]
    n_params = check.analytic.size
    return replace(check, per_layer=per_layer, method=method, eps=float(eps),
                   evaluations=2 * n_params if method == "central" else n_params + 1)
