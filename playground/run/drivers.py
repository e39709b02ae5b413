"""Which training points drive learning now: each point's loss and gradient contribution.

The full-batch gradient is the mean of one gradient per training point; some
points (misclassified, near the boundary) contribute most of it, others (far
on the right side) almost nothing.  ``point_scores`` gives, per training point
at the current weights:

* ``"loss"``: the point's own loss;
* ``"grad"``: the norm of the point's own gradient ‖∂Lᵢ/∂θ‖ over every weight
  and bias.  For one point a layer's weight gradient is an outer product
  aᵢ δᵢᵀ, whose norm is ‖aᵢ‖·‖δᵢ‖, so one forward and one backward pass over
  the training set give every point's norm exactly (no per-point loop).

The Playground sizes each training point by its score (``marker_sizes``) and a
click on a point leaves it out (``Trainer.set_removed``), training going on from
the same weights.  Both travel in the link: ``drive=loss|grad`` and
``removed=<training-point indices>`` (``parse_link``/``link_query``), at most
``REMOVED_CAP`` of them.
"""
from __future__ import annotations

import numpy as np

from playground.core.network import NumpyMLP

__all__ = ["KINDS", "LINK_KEYS", "REMOVED_CAP", "point_scores", "marker_sizes", "parse_link", "link_query",
           "remove_point", "original_indices", "explanation"]

#: The sizing options: key -> label (``off`` draws every point the same size).
KINDS = {"off": "same size", "loss": "its loss now", "grad": "its gradient now"}
LINK_KEYS = ("drive", "removed")
#: Most training points a run may leave out (and a link may carry).
REMOVED_CAP = 50
SIZE_RANGE = (4.0, 20.0)  # marker diameter in pixels, smallest and largest score


def point_scores(trainer, kind: str) -> np.ndarray:
    """One score per current training point (``trainer.train`` order), float64, at the current weights."""
    if kind not in ("loss", "grad"):
        raise ValueError(f"kind must be 'loss' or 'grad', got {kind!r}")
    net = NumpyMLP(trainer.sizes, trainer.cfg.activations(), trainer.cfg.loss, trainer.params, dtype=np.float64)
    X = np.asarray(trainer.X_train, np.float64)
    T = np.asarray(trainer.T_train, np.float64)
    with np.errstate(all="ignore"):
        cache = net.forward(X)
        if kind == "loss":
            v = np.asarray(net.loss.value(cache.output, T), np.float64)
            return v.reshape(len(X), -1).sum(axis=1) if v.ndim > 1 else v
        delta = np.asarray(net.loss.delta(cache.output, T), np.float64)  # ∂Lᵢ/∂z at the output, per point
        sq = np.zeros(len(X))
        for l in range(len(net.W) - 1, -1, -1):
            a = cache.acts[l]
            dd = (delta * delta).sum(axis=1)
            sq += dd * ((a * a).sum(axis=1) + 1.0)  # ‖aᵢδᵢᵀ‖² + ‖δᵢ‖² (the bias)
            if l:
                delta = (delta @ net.W[l].T) * net.acts[l - 1].grad(cache.zs[l - 1], cache.acts[l])
    return np.sqrt(sq)


def marker_sizes(scores: np.ndarray) -> np.ndarray:
    """Marker diameters (px) for scores: area grows with the score, relative to the largest one now."""
    s = np.nan_to_num(np.asarray(scores, np.float64), nan=0.0, posinf=0.0, neginf=0.0).clip(0)
    top = float(s.max()) if s.size else 0.0
    lo, hi = SIZE_RANGE
    if top <= 0:
        return np.full(s.shape, lo, np.float32)
    return (lo + (hi - lo) * np.sqrt(s / top)).astype(np.float32)


def parse_link(params, n_train: int) -> tuple[str, tuple[int, ...], list[str]]:
    """``(kind, removed indices, warnings)`` from a link's ``drive`` and ``removed``; never raises."""
    warnings: list[str] = []
    kind = str(params.get("drive", "off") or "off")
    if kind not in KINDS:
        warnings.append(f"drive {kind[:40]!r} is not one of {', '.join(KINDS)}; using 'off'")
        kind = "off"
    raw = str(params.get("removed", "") or "")
    removed: set[int] = set()
    if raw:
        parts = raw.split(",")
        if len(parts) > REMOVED_CAP:
            warnings.append(f"removed lists {len(parts)} points; at most {REMOVED_CAP} are read")
            parts = parts[:REMOVED_CAP]
        bad = [p for p in parts if not (p.isdigit() and len(p) <= 6 and int(p) < n_train)]
        if bad:
            warnings.append(f"removed: {len(bad)} value(s) are not training-point numbers 0–{n_train - 1} "
                            f"(e.g. {bad[0][:20]!r}); ignored")
        removed = {int(p) for p in parts if p not in bad}
        if n_train - len(removed) < 2:
            warnings.append("removed would leave fewer than 2 training points; none removed")
            removed = set()
    return kind, tuple(sorted(removed)), warnings


def link_query(kind: str, removed) -> str:
    """The link's part for these settings ("" when both are at their default)."""
    items = [] if kind in (None, "off") else [f"drive={kind}"]
    if removed:
        items.append("removed=" + ",".join(map(str, sorted(removed))))
    return "&".join(items)


def remove_point(trainer, index) -> str:
    """Leave out training point ``index`` (the split's numbering, as the chart's customdata carries);
    returns "" or why not (the cap reached, a bad index)."""
    try:
        i = int(index[0] if isinstance(index, (list, tuple)) else index)
    except (TypeError, ValueError, IndexError):
        return "click a training point to remove it"
    if i in trainer.removed:
        return ""
    if len(trainer.removed) >= REMOVED_CAP:
        return f"at most {REMOVED_CAP} points can be removed; bring them back first"
    try:
        trainer.set_removed((*trainer.removed, i))
    except ValueError as e:
        return str(e)
    return ""


def original_indices(trainer) -> np.ndarray:
    """For each current training point, its index in the split's training set (what ``removed`` lists)."""
    n = len(trainer.X_train) + len(trainer.removed)
    keep = np.ones(n, bool)
    keep[list(trainer.removed)] = False
    return np.flatnonzero(keep)


def explanation(kind: str) -> str:
    """What the sizes mean, for the caption under the plane."""
    what = {"loss": "its loss now: large where the network is wrong or unsure",
            "grad": "the size of its own gradient ‖∂Lᵢ/∂θ‖ now: how hard it pulls on the weights"}[kind]
    return (f"Each training point is drawn with an area that grows with {what}. The full-batch gradient is the "
            "mean of these pulls, so the big points are the ones driving learning; points far on the right "
            "side barely count. Click a point to leave it out: training goes on from the same weights.")
