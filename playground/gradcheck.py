"""Gradient checking: compare backprop's gradient with finite differences of the loss.

For each parameter θᵢ, with C the mean data loss over (X, T) and eᵢ the i-th unit vector::

    central:  ∂C/∂θᵢ ≈ (C(θ + εeᵢ) − C(θ − εeᵢ)) / 2ε      error O(ε²)
    forward:  ∂C/∂θᵢ ≈ (C(θ + εeᵢ) − C(θ)) / ε             error O(ε)

Cost, for P parameters: central needs 2P loss evaluations (forward passes), forward
P + 1, each pass itself O(P) work, so O(P²) in all; backprop gets every ∂C/∂θᵢ from
one forward and one backward pass, O(P).  That ratio is why networks are trained by
backprop and finite differences are only used to check it, on small networks, in
float64 (in float32 rounding swamps the difference quotient).

Works with any engine: it only calls ``get_params``, ``set_params``, ``evaluate`` and
``gradients``.  The parameters are restored afterwards.

    >>> check = gradient_check(net, X, T)          # doctest: +SKIP
    >>> check.max_rel_diff < 1e-6                  # doctest: +SKIP
    True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["GradCheck", "METHODS", "numeric_gradients", "gradient_check"]

METHODS = ("central", "forward")

Grads = list[tuple[np.ndarray, np.ndarray]]


def _loss(net, X, T) -> float:
    return net.evaluate(X, T)[0]


def numeric_gradients(net, X: np.ndarray, T: np.ndarray, eps: float = 1e-4, method: str = "central") -> Grads:
    """Finite-difference ``[(∂C/∂W, ∂C/∂b), ...]`` (float64) of the mean data loss at the current weights.

    Args:
        net: any engine (``NumpyMLP``, ``TorchMLP``).
        X, T: inputs (n, d) and targets (n, k).
        eps: the step ε.
        method: ``"central"`` (2 evaluations per parameter) or ``"forward"`` (1, plus one).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    params = net.get_params()
    work = [[W.copy(), b.copy()] for W, b in params]  # the copy that gets perturbed
    base = _loss(net, X, T) if method == "forward" else None
    out: Grads = []
    try:
        for layer in work:
            grads = []
            for arr in layer:
                g = np.zeros_like(arr)
                for i in np.ndindex(arr.shape):
                    orig = arr[i]
                    arr[i] = orig + eps
                    net.set_params(work)
                    up = _loss(net, X, T)
                    if method == "central":
                        arr[i] = orig - eps
                        net.set_params(work)
                        g[i] = (up - _loss(net, X, T)) / (2 * eps)
                    else:
                        g[i] = (up - base) / eps
                    arr[i] = orig
                grads.append(g)
            out.append((grads[0], grads[1]))
    finally:
        net.set_params(params)
    return out


@dataclass(frozen=True)
class GradCheck:
    """The result of ``gradient_check``.

    ``rel`` differences are ``|a − n| / max(|a| + |n|, floor)`` entry by entry (a analytic,
    n numeric); ``per_layer`` holds ``(max_abs_diff, max_rel_diff)`` for each layer.
    """

    max_abs_diff: float
    max_rel_diff: float
    per_layer: list[tuple[float, float]]
    analytic: Grads
    numeric: Grads
    method: str
    eps: float
    evaluations: int  # loss evaluations the numeric gradient cost

    def ok(self, rel_tol: float = 1e-6, abs_tol: float = 1e-8) -> bool:
        """True when every entry agrees within ``rel_tol`` (relative) or ``abs_tol`` (absolute)."""
        return all(
            bool(np.all((d <= abs_tol) | (r <= rel_tol)))
            for d, r in (_diffs(a, n, 0.0) for la, ln in zip(self.analytic, self.numeric) for a, n in zip(la, ln))
        )

    def __repr__(self) -> str:
        return (f"GradCheck({self.method}, eps={self.eps:g}: max abs diff {self.max_abs_diff:.2e}, "
                f"max rel diff {self.max_rel_diff:.2e}, {self.evaluations} loss evaluations)")


def _diffs(a: np.ndarray, n: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    d = np.abs(a - n)
    scale = np.abs(a) + np.abs(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(scale > floor, d / np.maximum(scale, floor), 0.0)
    return d, r


def gradient_check(net, X: np.ndarray, T: np.ndarray, eps: float = 1e-4, method: str = "central",
                   floor: float = 1e-7) -> GradCheck:
    """Compare ``net.gradients(X, T)`` with ``numeric_gradients``; entries with |a| + |n| ≤ floor
    count only through their absolute difference (their relative one is 0)."""
    analytic = net.gradients(X, T)
    numeric = numeric_gradients(net, X, T, eps, method)
    per_layer = []
    for (aW, ab), (nW, nb) in zip(analytic, numeric):
        dW, rW = _diffs(aW, nW, floor)
        db, rb = _diffs(ab, nb, floor)
        per_layer.append((float(max(dW.max(), db.max())), float(max(rW.max(), rb.max()))))
    n_params = sum(W.size + b.size for W, b in analytic)
    return GradCheck(
        max_abs_diff=max(d for d, _ in per_layer),
        max_rel_diff=max(r for _, r in per_layer),
        per_layer=per_layer,
        analytic=analytic,
        numeric=numeric,
        method=method,
        eps=float(eps),
        evaluations=2 * n_params if method == "central" else n_params + 1,
    )
