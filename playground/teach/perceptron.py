"""From neurons to networks: McCulloch–Pitts logic gates and Rosenblatt's perceptron.

Two steps of the story, each small enough to read beside its page (the third,
XOR with one hidden layer, is ``xor``):

* **McCulloch–Pitts neuron (1943)**: binary inputs, output ``1`` when the
  weighted input sum reaches a threshold, ``[Σ_i w_i x_i ≥ θ]``.  With the
  right weights it is an AND, OR, NOT or NAND gate; no weights make it XOR.
* **Perceptron (Rosenblatt, 1957)**: ``ŷ = step(x·w + b)``, the bias an extra
  input fixed at 1, learned one example at a time by
  ``w ← w + η (y − ŷ) x``.  It converges on any linearly separable data
  (AND, OR) and never on XOR: an epoch without a mistake changes no weight,
  so it would leave all four points classified by one straight line.

>>> p = Perceptron(*logic_data("AND"), rng=np.random.default_rng(0))
>>> p.train(epochs=20); p.converged, p.errors()
(True, 0)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Callable

import numpy as np

__all__ = [
    "Gate", "GATES", "Update", "Perceptron",
    "make_perceptron", "convergence_text", "gate_inputs", "mp_neuron", "truth_table", "gate_matches", "find_mp_weights", "logic_data",
    "update_markdown", "boundary_segment",
]


# ----- McCulloch–Pitts --------------------------------------------------------------------------
@dataclass(frozen=True)
class Gate:
    """A logic gate: its truth function and, if one exists, textbook M–P weights and threshold."""

    name: str
    n_inputs: int
    fn: Callable[[np.ndarray], np.ndarray]  # (m, n_inputs) of 0/1 -> (m,) of 0/1
    weights: tuple[float, ...] | None  # None: no single threshold unit computes this gate
    threshold: float | None
    latex: str
    description: str

    def __repr__(self) -> str:
        return f"Gate({self.name!r}, {self.n_inputs} inputs)"


GATES: dict[str, Gate] = {g.name: g for g in [
    Gate("AND", 2, lambda X: X[:, 0] & X[:, 1], (1.0, 1.0), 2.0, r"x_1 \land x_2",
         "Fires only when both inputs fire: the sum must reach 2."),
    Gate("OR", 2, lambda X: X[:, 0] | X[:, 1], (1.0, 1.0), 1.0, r"x_1 \lor x_2",
         "Fires when at least one input fires: the sum must reach 1."),
    Gate("NOT", 1, lambda X: 1 - X[:, 0], (-1.0,), 0.0, r"\lnot x_1",
         "An inhibitory input (weight −1) with threshold 0: fires only when the input is silent."),
    Gate("NAND", 2, lambda X: 1 - (X[:, 0] & X[:, 1]), (-1.0, -1.0), -1.0, r"\lnot(x_1 \land x_2)",
         "AND with the signs flipped; every logic circuit can be built from NAND gates alone."),
    Gate("NOR", 2, lambda X: 1 - (X[:, 0] | X[:, 1]), (-1.0, -1.0), 0.0, r"\lnot(x_1 \lor x_2)",
         "OR with the signs flipped: fires only when both inputs are silent."),
    Gate("XOR", 2, lambda X: X[:, 0] ^ X[:, 1], None, None, r"x_1 \oplus x_2",
         "Fires when exactly one input fires. No single threshold unit can: the two 1s sit on "
         "opposite corners of the square, and no straight line cuts them off from the two 0s."),
]}


def _gate(name: str) -> Gate:
    try:
        return GATES[name]
    except KeyError:
        raise ValueError(f"unknown gate {name!r}; allowed: {', '.join(GATES)}") from None


def gate_inputs(n_inputs: int) -> np.ndarray:
    """Every binary input pattern in truth-table order, shape (2ⁿ, n): 00, 01, 10, 11."""
    if n_inputs not in (1, 2, 3):
        raise ValueError(f"gates here have 1 to 3 inputs, got {n_inputs!r}")
    return np.array(list(product((0, 1), repeat=n_inputs)), dtype=np.int64)


def mp_neuron(X: np.ndarray, weights, threshold: float) -> np.ndarray:
    """McCulloch–Pitts unit: ``[Σ_i w_i x_i ≥ θ]`` per row of X (m, n) -> (m,) of 0/1."""
    w = np.asarray(weights, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if X.shape[1] != w.size:
        raise ValueError(f"{X.shape[1]} inputs but {w.size} weights; give one weight per input")
    return (X @ w >= threshold).astype(np.int64)


def truth_table(gate: str, weights, threshold: float) -> list[dict]:
    """One row per input pattern: the inputs, the weighted sum, the neuron's output, the gate's, and ✓/✗.

    Rows are plain dicts (``x1``, ``x2``, ``sum``, ``neuron``, ``gate``, ``match``) so a page
    can show them as a table as they are.
    """
    g = _gate(gate)
    X = gate_inputs(g.n_inputs)
    s = X @ np.asarray(weights, dtype=np.float64)
    out, want = mp_neuron(X, weights, threshold), g.fn(X)
    return [{**{f"x{j + 1}": int(x[j]) for j in range(g.n_inputs)}, "sum": float(si),
             "neuron": int(o), "gate": int(t), "match": "✓" if o == t else "✗"}
            for x, si, o, t in zip(X, s, out, want)]


def gate_matches(gate: str, weights, threshold: float) -> bool:
    """True if the M–P unit with these weights computes the gate on every input pattern."""
    g = _gate(gate)
    X = gate_inputs(g.n_inputs)
    return bool((mp_neuron(X, weights, threshold) == g.fn(X)).all())


def find_mp_weights(gate: str, values=(-2, -1, 0, 1, 2)) -> tuple[tuple[float, ...], float] | None:
    """Search every combination of ``values`` for the weights and threshold: the first that works, or None.

    For XOR none exists (with any real numbers, not just these): the page
    quotes how many settings were tried.
    """
    g = _gate(gate)
    for combo in product(values, repeat=g.n_inputs + 1):
        w, theta = tuple(float(v) for v in combo[:-1]), float(combo[-1])
        if gate_matches(gate, w, theta):
            return w, theta
    return None


# ----- Rosenblatt's perceptron ------------------------------------------------------------------
def logic_data(gate: str) -> tuple[np.ndarray, np.ndarray]:
    """A 2-input gate's truth table as training data: X (4, 2) float, y (4,) of 0/1."""
    g = _gate(gate)
    if g.n_inputs != 2:
        raise ValueError(f"the perceptron lab uses 2-input gates; {gate!r} has {g.n_inputs}")
    X = gate_inputs(2)
    return X.astype(np.float64), g.fn(X)


@dataclass(frozen=True)
class Update:
    """What one learning step did: the example seen, the prediction, and the change of the weights.

    ``delta`` and ``w`` are (d + 1,): the weights then the bias (its input is fixed at 1).
    """

    epoch: int  # 1-based epoch this step belongs to
    index: int  # which example (row of X)
    x: np.ndarray
    y: int
    y_hat: int
    z: float
    delta: np.ndarray  # η (y − ŷ) [x, 1]
    w: np.ndarray  # weights and bias after the update

    @property
    def mistake(self) -> bool:
        return self.y != self.y_hat


@dataclass
class Perceptron:
    """Rosenblatt's perceptron: ``ŷ = step(x·w + b)``, trained by ``w ← w + η (y − ŷ) x``.

    Args:
        X: (n, d) inputs.  y: (n,) labels 0/1.
        lr: η, the learning rate.
        rng: draws the initial weights U(−init_scale, init_scale) and the order of the
            examples, reshuffled at the start of every epoch (``shuffle=False``: fixed order).

    The bias is stored as the last weight, with an input fixed at 1, so one rule
    updates both.  ``mistakes[e]`` is the number of wrong predictions (= updates)
    during epoch e + 1; a whole epoch without a mistake means it has converged.
    """

    X: np.ndarray
    y: np.ndarray
    rng: np.random.Generator
    lr: float = 1.0
    init_scale: float = 0.5
    shuffle: bool = True
    wb: np.ndarray = field(init=False)
    epoch: int = field(init=False, default=0)  # completed epochs
    mistakes: list[int] = field(init=False, default_factory=list)
    last: Update | None = field(init=False, default=None)

    def __post_init__(self):
        self.X = np.asarray(self.X, dtype=np.float64)
        self.y = np.asarray(self.y, dtype=np.int64)
        if self.X.ndim != 2 or self.y.shape != (len(self.X),):
            raise ValueError(f"X must be (n, d) and y (n,); got {self.X.shape} and {self.y.shape}")
        if not set(np.unique(self.y)) <= {0, 1}:
            raise ValueError(f"perceptron labels must be 0 or 1, got {sorted(set(self.y.tolist()))}")
        if not self.lr > 0:
            raise ValueError(f"learning rate must be > 0, got {self.lr!r}")
        self.X_aug = np.hstack([self.X, np.ones((len(self.X), 1))])  # the bias input, fixed at 1
        self.wb = self.rng.uniform(-self.init_scale, self.init_scale, self.X.shape[1] + 1)
        self._order: list[int] = []
        self._pos = 0
        self._epoch_mistakes = 0

    @property
    def w(self) -> np.ndarray:
        return self.wb[:-1]

    @property
    def b(self) -> float:
        return float(self.wb[-1])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``step(X w + b)`` with step(0) = 1, (m,) of 0/1."""
        return (np.asarray(X, dtype=np.float64) @ self.w + self.b >= 0).astype(np.int64)

    def errors(self) -> int:
        """Examples misclassified by the current weights."""
        return int((self.predict(self.X) != self.y).sum())

    @property
    def converged(self) -> bool:
        """The last complete epoch made no mistake (so no later epoch will)."""
        return bool(self.mistakes) and self.mistakes[-1] == 0

    @property
    def last_mistake_epoch(self) -> int:
        """The last complete epoch that made a mistake (0: none did, the random start was right)."""
        return max((e + 1 for e, m in enumerate(self.mistakes) if m), default=0)

    @property
    def converged_epoch(self) -> int | None:
        """The first epoch without a mistake, after which no weight changes again; None before it."""
        return next((e + 1 for e, m in enumerate(self.mistakes) if m == 0), None)

    @property
    def position(self) -> int:
        """Examples already seen in the current (unfinished) epoch."""
        return self._pos

    def step(self) -> Update:
        """Show the next example, update the weights if it was misclassified, return what happened."""
        if self._pos == 0:
            n = len(self.X)
            self._order = list(self.rng.permutation(n)) if self.shuffle else list(range(n))
            self._epoch_mistakes = 0
        i = int(self._order[self._pos])
        xa = self.X_aug[i]
        z = float(xa @ self.wb)
        y_hat = int(z >= 0)
        delta = self.lr * (int(self.y[i]) - y_hat) * xa  # zero when the prediction was right
        self.wb = self.wb + delta
        self._epoch_mistakes += int(y_hat != self.y[i])
        self._pos += 1
        self.last = Update(self.epoch + 1, i, self.X[i].copy(), int(self.y[i]), y_hat, z, delta, self.wb.copy())
        if self._pos == len(self.X):
            self._pos = 0
            self.epoch += 1
            self.mistakes.append(self._epoch_mistakes)
        return self.last

    def run_epoch(self) -> list[Update]:
        """Steps up to the end of the current epoch (a whole epoch when at its start)."""
        updates = [self.step()]
        while self._pos:
            updates.append(self.step())
        return updates

    def train(self, epochs: int) -> None:
        """Whole epochs, stopping early once an epoch makes no mistake."""
        for _ in range(epochs):
            self.run_epoch()
            if self.converged:
                break

    def __repr__(self) -> str:
        w = ", ".join(f"{v:.3g}" for v in self.w)
        return f"Perceptron(w=[{w}], b={self.b:.3g}, epoch {self.epoch}, η={self.lr:g})"


def convergence_text(p: Perceptron) -> str:
    """How a converged perceptron got there, in words: the epoch of its last mistake, separate
    from the epochs trained (pressing *Epoch* after converging trains more but changes nothing)."""
    n = p.converged_epoch
    if n is None:
        raise ValueError("the perceptron has not converged: every epoch so far made a mistake")
    last = p.last_mistake_epoch
    how = (f"the last mistake was in epoch {last}, and epoch {n} made none" if last
           else "the random start was already right: epoch 1 made no mistake")
    more = f" (trained for {p.epoch} epochs)" if p.epoch > n else ""
    return f"Converged after {n} epoch{'s' if n != 1 else ''}: {how}{more}"


def make_perceptron(gate: str, lr: float = 1.0, seed: int = 0, shuffle: bool = True) -> Perceptron:
    """A perceptron on a 2-input gate's truth table, its weights and example order drawn from ``seed``."""
    return Perceptron(*logic_data(gate), rng=np.random.default_rng(int(seed)), lr=float(lr), shuffle=shuffle)


def _num(x: float) -> str:
    return f"{float(x) + 0.0:.3g}".replace("-", "−")  # + 0.0: no "-0"; a real minus sign


def _vec(v) -> str:
    return "(" + ", ".join(_num(x) for x in v) + ")"


def update_markdown(u: Update, lr: float) -> str:
    """The learning step as a two-column Markdown table with the numbers, readable in a narrow column.

    Rows: the example (with its bias input 1), the target, z = w·x, the prediction,
    Δw = η (y − ŷ) x and the new (w₁, w₂, b).
    """
    xa = np.append(u.x, 1.0)
    rows = [
        ("example x = (x₁, x₂, 1)", _vec(xa)),
        ("target y", str(u.y)),
        ("z = w·x", _num(u.z)),
        ("prediction ŷ = [z ≥ 0]", f"{u.y_hat} " + ("✗ wrong: move the line" if u.mistake else "✓ right: no change")),
        ("Δw = η (y − ŷ) x", f"{lr:g} · ({u.y} − {u.y_hat}) · {_vec(xa)} = {_vec(u.delta)}"),
        ("new (w₁, w₂, b)", _vec(u.w)),
    ]
    return "| step | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def boundary_segment(w, b: float, box: tuple[float, float, float, float]):
    """The part of the line ``w₁x₁ + w₂x₂ + b = 0`` inside ``box = (x_min, x_max, y_min, y_max)``.

    Returns ``((x_a, y_a), (x_b, y_b))`` or None when the line misses the box
    (or w = 0: then there is no line, every point gets the same class).
    """
    w1, w2 = float(w[0]), float(w[1])
    x0, x1, y0, y1 = box
    if abs(w1) < 1e-12 and abs(w2) < 1e-12:
        return None
    pts = []
    if abs(w2) > 1e-12:  # crossings with the left and right edges
        pts += [(x, -(w1 * x + b) / w2) for x in (x0, x1)]
    if abs(w1) > 1e-12:  # crossings with the bottom and top edges
        pts += [(-(w2 * y + b) / w1, y) for y in (y0, y1)]
    tol = 1e-9 * max(1.0, x1 - x0, y1 - y0)
    inside = sorted({(round(x, 12), round(y, 12)) for x, y in pts
                     if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol})
    if len(inside) < 2:
        return None
    return inside[0], inside[-1]
