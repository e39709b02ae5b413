"""The chain rule on one weight: the product that gives ∂L/∂w, point by point, with live numbers.

For a weight ``w = W[l][i, j]`` (unit i of layer l → unit j of layer l + 1) and one training
point n, backprop computes::

    ∂Lₙ/∂w = ∂Lₙ/∂aⱼ · f′(zⱼ) · aᵢ        (hidden unit j: upstream gradient, slope, incoming activation)
    ∂Lₙ/∂w = δⱼ · aᵢ                      (output unit j: δ = ∂Lₙ/∂zⱼ from the loss pair, e.g. ŷ − y)

where ``∂Lₙ/∂aⱼ = Σₖ δₖ W[l+1][j, k]`` gathers the δ of every unit j feeds.  A bias is the same
with ``aᵢ = 1``.  The optimizer uses the mean over its mini-batch, ``(1/N) Σₙ ∂Lₙ/∂w``, plus the
regulariser's term (λw for L2, λ·sign(w) for L1).  `explain` returns all of it, in float64, next
to the engine's own gradient on the same rows and a central finite difference::

    >>> from playground.run.config import Config
    >>> from playground.run.trainer import Trainer
    >>> t = Trainer(Config(dataset="xor", dtype="float64"))
    >>> e = explain(t, WeightRef("w", 0, 0, 1), rows="train")
    >>> abs(e.mean - e.engine) < 1e-12
    True

The factors are computed on a float64 NumPy copy of the network at the trainer's current weights
(``trainer.params``, the last evaluated epoch), without dropout; ``engine`` is the run's own engine
(NumPy or PyTorch, at its precision) on the same rows.  The trainer's weights are not changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from playground.core.network import NumpyMLP

__all__ = ["WeightRef", "Term", "Explanation", "explain", "parse_weight", "parse_rows", "batch_rows_next",
           "nearest_row", "highlight",
           "FD_EPS", "MAX_TERMS", "ROW_CHOICES"]

FD_EPS = 1e-6  # the finite difference's step, in float64
MAX_TERMS = 12  # per-point products listed for a mini-batch or the training set (the sum uses all)
ROW_CHOICES = ("batch", "train")  # besides one point's index: the next mini-batch, the whole training set
_WEIGHT_RE = re.compile(r"^(w)(\d{1,2})\.(\d{1,3})\.(\d{1,3})$|^(b)(\d{1,2})\.(\d{1,3})$")


@dataclass(frozen=True)
class WeightRef:
    """A weight ``W[layer][i, j]`` (kind "w") or a bias ``b[layer][j]`` (kind "b", i = -1); 0-based."""

    kind: str
    layer: int
    i: int
    j: int

    def label(self) -> str:
        if self.kind == "b":
            return f"bias of unit {self.j + 1} in layer {self.layer + 1}"
        return f"weight w[{self.layer + 1}] from unit {self.i + 1} to unit {self.j + 1}"

    def to_text(self) -> str:
        """The link form, 1-based like the diagram: ``w1.2.3`` (layer 1, unit 2 → unit 3) or ``b2.1``."""
        if self.kind == "b":
            return f"b{self.layer + 1}.{self.j + 1}"
        return f"w{self.layer + 1}.{self.i + 1}.{self.j + 1}"

    def valid_for(self, sizes) -> bool:
        if not 0 <= self.layer < len(sizes) - 1 or not 0 <= self.j < sizes[self.layer + 1]:
            return False
        return self.kind == "b" or 0 <= self.i < sizes[self.layer]


def parse_weight(text, sizes) -> tuple[WeightRef, str]:
    """A weight from its link text (``w1.2.3``, ``b2.1``); never raises.  A missing, malformed or
    out-of-range value gives the first weight and a message naming what is allowed."""
    first = WeightRef("w", 0, 0, 0)
    if text is None or str(text).strip() == "":
        return first, ""
    m = _WEIGHT_RE.match(str(text).strip()[:20].lower())
    ref = None
    if m:
        if m.group(1):
            ref = WeightRef("w", int(m.group(2)) - 1, int(m.group(3)) - 1, int(m.group(4)) - 1)
        else:
            ref = WeightRef("b", int(m.group(6)) - 1, -1, int(m.group(7)) - 1)
    if ref is None or not ref.valid_for(sizes):
        shape = "-".join(map(str, sizes))
        return first, (f"weight {str(text)[:20]!r} is not in this {shape} network; use w<layer>.<from>.<to> or "
                       f"b<layer>.<unit>, counting from 1 (e.g. w1.1.1); showing {first.to_text()}")
    return ref, ""


def parse_rows(text, n_train: int) -> tuple[str | int, str]:
    """``batch``, ``train`` or a training point's index (0-based) from its link text; never raises."""
    value = str(text).strip().lower()[:12] if text is not None else ""
    if value in ROW_CHOICES or value == "":
        return value or "batch", ""
    if value.isdigit() and int(value) < n_train:
        return int(value), ""
    return "batch", (f"point {str(text)[:12]!r} is not valid; use batch, train or a training point's number "
                     f"from 0 to {n_train - 1}; showing the next mini-batch")


@dataclass(frozen=True)
class Term:
    """One point's factors: ``product = upstream · slope · incoming`` (slope 1 at the output)."""

    row: int  # index into the training set
    upstream: float  # ∂Lₙ/∂aⱼ (hidden unit) or δⱼ = ∂Lₙ/∂zⱼ (output unit)
    z: float  # zⱼ, the unit's pre-activation
    slope: float  # f′(zⱼ); 1.0 for an output unit (its δ already holds the output's slope)
    incoming: float  # aᵢ; 1 for a bias
    product: float  # ∂Lₙ/∂w


@dataclass(frozen=True)
class Explanation:
    ref: WeightRef
    output_unit: bool  # j is an output unit: δ comes straight from the loss pair
    activation: str  # f of layer l + 1 ("" at the output)
    rows: np.ndarray  # training-set indices used
    terms: tuple[Term, ...]  # the first MAX_TERMS points' factors
    total: float  # Σₙ ∂Lₙ/∂w over all rows
    mean: float  # total / N: the data part of the gradient
    engine: float  # the run's own engine's ∂C/∂w on the same rows (its backward pass, at its precision)
    numeric: float  # central finite difference of the mean loss on the rows
    reg_term: float  # λw (L2), λ·sign(w) (L1) or 0
    optimizer_grad: float  # mean + reg_term: what the optimizer's step uses (before clipping)
    weight: float
    notes: tuple[str, ...]


def batch_rows_next(trainer) -> np.ndarray:
    """The training rows of the optimizer's next mini-batch from the last evaluated epoch's state:
    the first ``batch`` rows of the next epoch's shuffle (read from a copy of the shuffling generator)."""
    n = len(trainer.X_train)
    size = min(trainer.cfg.batch, n)
    if not trainer.cfg.shuffle:
        return np.arange(size)
    state, _ = trainer.saved_state()
    gen = np.random.Generator(np.random.PCG64())
    gen.bit_generator.state = state
    return gen.permutation(n)[:size]


def _mirror(trainer) -> NumpyMLP:
    """A float64 NumPy copy of the trainer's network at its current weights (no dropout)."""
    cfg = trainer.cfg
    return NumpyMLP(trainer.sizes, cfg.activations(), cfg.loss, trainer.params, dtype=np.float64)


def _rows(trainer, rows) -> np.ndarray:
    if isinstance(rows, (int, np.integer)) and not isinstance(rows, bool):
        return np.array([int(rows)])
    if rows == "train":
        return np.arange(len(trainer.X_train))
    if rows == "batch":
        return batch_rows_next(trainer)
    return np.asarray(rows, np.intp).ravel()


def explain(trainer, ref: WeightRef, rows="batch", eps: float = FD_EPS) -> Explanation:
    """The chain-rule product for ``ref`` on ``rows`` (a training index, ``"batch"``, ``"train"``
    or an index array) at the trainer's current weights; raises ValueError for a weight outside
    the network or an index outside the training set."""
    if not ref.valid_for(trainer.sizes):
        raise ValueError(f"{ref.to_text()} is not a weight of a {'-'.join(map(str, trainer.sizes))} network")
    idx = _rows(trainer, rows)
    n_train = len(trainer.X_train)
    if idx.size == 0 or idx.min() < 0 or idx.max() >= n_train:
        raise ValueError(f"training points are numbered 0 to {n_train - 1}")
    net = _mirror(trainer)
    X = np.asarray(trainer.X_train, np.float64)[idx]
    T = np.asarray(trainer.T_train, np.float64)[idx]
    cache = net.forward(X)
    l, i, j = ref.layer, ref.i, ref.j
    last = len(net.W) - 1
    # δ per layer, per example (not yet divided by N): walk back from the output to layer l.
    delta = net.loss.delta(cache.output, T)
    upstream, slope = (delta[:, j], np.ones(len(idx))) if l == last else (None, None)
    for k in range(last, l, -1):
        back = delta @ net.W[k].T  # ∂Lₙ/∂a of layer k's inputs
        f = net.acts[k - 1]
        d = f.grad(cache.zs[k - 1], cache.acts[k])
        if k - 1 == l:
            upstream, slope = back[:, j], d[:, j]
        delta = back * d
    incoming = np.ones(len(idx)) if ref.kind == "b" else cache.acts[l][:, i]
    products = upstream * slope * incoming
    total = float(products.sum())
    mean = total / len(idx)

    g = trainer.net.gradients(trainer.X_train[idx], trainer.T_train[idx])  # the run's own engine and precision
    engine = float(g[l][1][j] if ref.kind == "b" else g[l][0][i, j])
    numeric = _finite_difference(net, X, T, ref, eps)

    cfg = trainer.cfg
    w = float(trainer.params[l][1][j] if ref.kind == "b" else trainer.params[l][0][i, j])
    reg_term = 0.0
    if ref.kind == "w" and cfg.reg != "none" and cfg.reg_rate > 0:
        reg_term = cfg.reg_rate * (w if cfg.reg == "l2" else float(np.sign(w)))
    notes = []
    if cfg.dropout > 0:
        notes.append(f"Shown without dropout: in training each hidden unit is switched off with probability "
                     f"{cfg.dropout:g}, so a step's gradient is this with some of the terms zeroed.")
    if cfg.clip > 0:
        notes.append(f"Gradient clipping is on: the whole gradient vector is scaled down if its norm is above "
                     f"{cfg.clip:g}.")
    if cfg.optimizer != "sgd":
        notes.append(f"The {cfg.optimizer} optimizer turns this gradient into a step with its own running "
                     "averages; plain SGD moves the weight by −η times it.")
    zs = cache.zs[l][:, j]
    terms = tuple(Term(int(r), float(u), float(z), float(s), float(a), float(p))
                  for r, u, z, s, a, p in zip(idx[:MAX_TERMS], upstream, zs, slope, incoming, products))
    act = "" if l == last else net.acts[l].name
    return Explanation(ref, l == last, act, idx, terms, total, mean, engine, numeric, reg_term,
                       mean + reg_term, w, tuple(notes))


def _finite_difference(net: NumpyMLP, X, T, ref: WeightRef, eps: float) -> float:
    """(C(w + ε) − C(w − ε)) / 2ε of the mean loss on (X, T), in float64; the weight is put back."""
    arr = net.b[ref.layer] if ref.kind == "b" else net.W[ref.layer]
    at = (ref.j,) if ref.kind == "b" else (ref.i, ref.j)
    w0 = float(arr[at])
    try:
        arr[at] = w0 + eps
        up = net.evaluate(X, T)[0]
        arr[at] = w0 - eps
        down = net.evaluate(X, T)[0]
    finally:
        arr[at] = w0
    return (up - down) / (2 * eps)


def nearest_row(trainer, x, y) -> int | None:
    """The training point nearest to a click at (x, y) on the plane (2-D data); None for a bad click."""
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        return None
    X = np.asarray(trainer.train.X, np.float64)
    if X.shape[1] != 2 or not (np.isfinite(x) and np.isfinite(y)) or not len(X):
        return None
    return int(np.argmin((X[:, 0] - x) ** 2 + (X[:, 1] - y) ** 2))


def highlight(fig: dict, ref: WeightRef) -> dict:
    """A ring on ``ref``'s link (or node, for a bias) in a network figure dict (``spec=True``), if it is drawn."""
    want = [ref.kind, ref.layer, ref.j] if ref.kind == "b" else [ref.kind, ref.layer, ref.i, ref.j]
    for tr in fig["data"]:
        custom = tr.get("customdata")
        if custom is None:
            continue
        for k, c in enumerate(custom):
            if list(c) == want:
                fig["data"].append({"type": "scatter", "mode": "markers", "x": [float(tr["x"][k])],
                                    "y": [float(tr["y"][k])], "hoverinfo": "skip", "showlegend": False,
                                    "name": "chosen", "marker": {"symbol": "circle-open", "size": 22,
                                                                 "line": {"color": "#d62728", "width": 3}}})
                return fig
    return fig
