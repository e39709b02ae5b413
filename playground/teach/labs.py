"""The numbers behind two Learning pages: Backprop step by step and Gradients.

Plain Python (no Streamlit); pages call these functions and draw the results
with ``lab_figures``.  Two parts (the Generalisation page's comparisons are in
``generalisation``):

* **Worked examples** (A/B/C, docs/curriculum.md) with *editable* numbers: the
  numbers come from ``examples`` (``WORKED``, ``worked_step``, ``train_both``,
  the same code the CLI's ``example_a/b/c`` run); here ``chain_rule`` writes
  any one parameter's gradient as a product of factors, and ``forward_rows``,
  ``gradient_rows``, ``update_rows`` lay a ``Trace`` out as tables.
* **Gradients in deep nets**: presets for vanishing / healthy / exploding
  gradients, per-layer histograms over ``Trainer.snapshots``, and the
  symmetry measure that shows why all-zero weights never learn.

    >>> from playground.teach.examples import WORKED, worked_step
    >>> t = worked_step(WORKED["A"])
    >>> round(chain_rule(t, "w11").product, 4)
    0.1455
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qsl

import numpy as np

from playground.core.activations import ACTIVATIONS
from playground.run.config import Config
from playground.teach.worked import Param, Trace, sigmoid_text, substituted, terms_sum
from playground.run.trainer import Trainer

__all__ = [
    "Factor", "ChainRule", "VALUE_LIMIT", "chain_rule", "check_value",
    "forward_rows", "gradient_rows", "update_rows", "fmt",
    "Preset", "GRADIENT_PRESETS", "deep_config", "gradient_regime", "play_query", "grad_ratio", "layer_labels", "HistStack",
    "histogram_stacks", "symmetry_gap", "SymmetryRun", "symmetry_runs",
]

_SIG = ACTIVATIONS["sigmoid"]
VALUE_LIMIT = 100.0  # |input|, |target|, |weight| allowed in the editor: beyond it sigmoids are flat to the last bit


def fmt(v: float, digits: int = 6) -> str:
    """A number for a table: fixed decimals, scientific when tiny or huge, "0" for exact zero."""
    v = float(v)
    if v == 0:
        return "0"
    if not math.isfinite(v) or abs(v) < 10 ** -(digits - 2) or abs(v) >= 1e6:
        return f"{v:.3e}"
    return f"{v:.{digits}f}"


# =================================================================================================
# Worked examples A, B, C with editable numbers
# =================================================================================================
def check_value(name: str, value, *, lo: float = -VALUE_LIMIT, hi: float = VALUE_LIMIT) -> str | None:
    """The message if ``value`` may not be used for ``name`` (not a finite number in [lo, hi]), else None."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return f"{name} must be a number between {lo:g} and {hi:g}; got {value!r}"
    if not math.isfinite(v) or not lo <= v <= hi:
        return f"{name} must be a finite number between {lo:g} and {hi:g}; got {v:g}"
    if name == "eta" and v <= 0:
        return f"the learning rate η must be > 0 (and at most {hi:g}); got {v:g}"
    return None


# ----- the chain rule, factor by factor ---------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    symbol: str  # LaTeX ∂-fraction, e.g. \frac{\partial C}{\partial \hat y}
    formula: str  # LaTeX formula, e.g. -2(y - \hat y)
    numbers: str  # the formula with the numbers put in
    value: float


@dataclass(frozen=True)
class ChainRule:
    """∂C/∂θ for one parameter θ as the product of the factors along its path to the loss."""

    param: Param
    cost: str  # "C" or "E"
    factors: tuple[Factor, ...]
    product: float
    backprop: float  # the engine's value, for comparison

    def latex(self, digits: int = 4) -> str:
        """An ``aligned`` block: symbols, formulas, numbers, factor values and the product."""
        lhs = rf"\frac{{\partial {self.cost}}}{{\partial {self.param.latex}}}"
        dot = r" \cdot "
        rows = [
            lhs + " &= " + dot.join(f.symbol for f in self.factors),
            r"&= " + dot.join(f.formula for f in self.factors),
            r"&= " + dot.join(f.numbers for f in self.factors),
            r"&= " + dot.join(_num(f.value, digits) for f in self.factors) + rf" = \mathbf{{{_num(self.product, 6)}}}",
        ]
        return r"\begin{aligned}" + r" \\[2pt] ".join(rows) + r"\end{aligned}"


def _num(v: float, digits: int = 4) -> str:
    """A number for LaTeX, in parentheses when negative (it is multiplied); short values as typed (0.3, 1)."""
    v = float(v)
    s = f"{v:g}" if round(v, digits) == v and abs(v) >= 10 ** -digits else fmt(v, digits)
    if "e" in s:
        m, e = s.split("e")
        s = rf"{m} \times 10^{{{int(e)}}}"
    return f"({s})" if v < 0 else s


def _dC_dyhat(t: Trace) -> float:
    return (1.0 if t.spec.half else 2.0) * (t.y_hat - t.values["y"])


def _out_grad(t: Trace) -> float:
    return t.y_hat * (1.0 - t.y_hat) if t.spec.output == "sigmoid" else 1.0


def chain_rule(trace: Trace, name: str) -> ChainRule:
    """The chain-rule factors of ∂C/∂``name`` (any weight or bias), multiplied out.

    Output weight w (from hidden unit k): ∂C/∂ŷ · [∂ŷ/∂z] · a_k.
    Hidden weight w_ik: ∂C/∂ŷ · [∂ŷ/∂z · ∂z/∂a_k | ∂ŷ/∂a_k] · ∂a_k/∂h_k · ∂h_k/∂w_ik,
    with ∂a/∂h = a(1 − a) (sigmoid) and ∂h_k/∂w_ik = x_i (1 for a bias).  The
    bracketed factor is ŷ(1 − ŷ) for a sigmoid output; a linear output has ŷ = z.
    """
    spec, v = trace.spec, trace.values
    params = {p.name: p for p in spec.params()}
    if name not in params:
        raise ValueError(f"unknown parameter {name!r} for example {spec.key}; allowed: {', '.join(params)}")
    p, C = params[name], spec.cost
    y, yh = v["y"], trace.y_hat
    c = "" if spec.half else "2"
    fac = [Factor(rf"\frac{{\partial {C}}}{{\partial \hat y}}", rf"-{c}(y - \hat y)",
                  rf"-{c}({_num(y)} - {_num(yh)})", _dC_dyhat(trace))]
    sig_out = spec.output == "sigmoid"
    if sig_out:
        fac.append(Factor(r"\frac{\partial \hat y}{\partial z}", r"\hat y(1 - \hat y)",
                          rf"{_num(yh)}(1 - {_num(yh)})", _out_grad(trace)))
    top = "z" if sig_out else r"\hat y"
    if p.layer == 1:
        if p.kind == "b":
            fac.append(Factor(rf"\frac{{\partial {top}}}{{\partial {p.latex}}}", "1", "1", 1.0))
        else:
            _, (_, a_tex) = spec.unit(p.i)
            fac.append(Factor(rf"\frac{{\partial {top}}}{{\partial {p.latex}}}", a_tex, _num(trace.a[p.i]),
                              float(trace.a[p.i])))
    else:
        k = p.j
        _, (h_tex, a_tex) = spec.unit(k)
        w_out = next(q for q in spec.params() if q.layer == 1 and q.kind == "w" and q.i == k)
        wv, ak = v[w_out.name], float(trace.a[k])
        fac.append(Factor(rf"\frac{{\partial {top}}}{{\partial {a_tex}}}", w_out.latex, _num(wv), wv))
        fac.append(Factor(rf"\frac{{\partial {a_tex}}}{{\partial {h_tex}}}", rf"{a_tex}(1 - {a_tex})",
                          rf"{_num(ak)}(1 - {_num(ak)})", ak * (1.0 - ak)))
        if p.kind == "b":
            fac.append(Factor(rf"\frac{{\partial {h_tex}}}{{\partial {p.latex}}}", "1", "1", 1.0))
        else:
            xi = v[f"x{p.i + 1}"]
            fac.append(Factor(rf"\frac{{\partial {h_tex}}}{{\partial {p.latex}}}", f"x_{{{p.i + 1}}}", _num(xi), xi))
    return ChainRule(p, C, tuple(fac), float(np.prod([f.value for f in fac])), trace.grads[name])


# ----- tables for the page --------------------------------------------------------------------
def forward_rows(trace: Trace) -> list[dict[str, str]]:
    """The forward pass as table rows: quantity, how it is computed (with numbers), exact, 2 decimals."""
    spec, v = trace.spec, trace.values
    ps = spec.params()
    rows = []
    for j in range(spec.n_hidden):
        (h, a), _ = spec.unit(j)
        ws = [p for p in ps if p.layer == 0 and p.kind == "w" and p.j == j]
        terms = [f"{p.name}·x{p.i + 1}" for p in ws]
        nums = [f"{v[p.name]:g}·" + substituted(f"{v[f'x{p.i + 1}']:g}") for p in ws]
        bias = [p for p in ps if p.layer == 0 and p.kind == "b" and p.j == j]
        if bias:
            terms.append(bias[0].name)
            nums.append(f"{v[bias[0].name]:g}")
        rows.append((h, " + ".join(terms) + " = " + terms_sum(nums), trace.h[j]))
    for j in range(spec.n_hidden):
        (h, a), _ = spec.unit(j)
        rows.append((a, sigmoid_text(h, fmt(trace.h[j], 4)), trace.a[j]))
    outs = [p for p in ps if p.layer == 1 and p.kind == "w"]
    terms = [f"{p.name}·{spec.unit(p.i)[0][1]}" for p in outs] + [p.name for p in ps if p.layer == 1 and p.kind == "b"]
    nums = [f"{v[p.name]:g}·{fmt(trace.a[p.i], 4)}" for p in outs] + [
        f"{v[p.name]:g}" for p in ps if p.layer == 1 and p.kind == "b"]
    if spec.output == "sigmoid":
        rows.append(("z", " + ".join(terms) + " = " + terms_sum(nums), trace.z))
        rows.append(("ŷ", sigmoid_text("z", fmt(trace.z, 4)), trace.y_hat))
    else:
        rows.append(("ŷ", " + ".join(terms) + " = " + terms_sum(nums), trace.y_hat))
    half = "½" if spec.half else ""
    y, y_hat = terms_sum([f"{v['y']:g}"]), substituted(fmt(trace.y_hat, 4))
    rows.append((spec.cost, f"{half}(y − ŷ)² = {half}({y} − {y_hat})²", trace.loss))
    out = []
    for q, how, val in rows:
        row = {"quantity": q, "computed as": how, "exact": fmt(val)}
        if spec.rounds:
            row["textbook (2 decimals)"] = f"{val:.2f}"
        out.append(row)
    return out


def gradient_rows(trace: Trace, grads: dict[str, float] | None = None) -> list[dict[str, str]]:
    """Backprop (or ``grads``, e.g. the broadcast bug's) next to forward and central differences."""
    g = grads or trace.grads
    rows = []
    for p in trace.spec.params():
        n = p.name
        rows.append({"parameter": n, "backprop" if grads is None else "gradient used": fmt(g[n]),
                     f"forward diff (ε={trace.spec.eps:g})": fmt(trace.forward[n]),
                     "central diff": fmt(trace.central[n]),
                     "|· − forward|": f"{abs(g[n] - trace.forward[n]):.1e}",
                     "|· − central|": f"{abs(g[n] - trace.central[n]):.1e}"})
    return rows


def update_rows(trace: Trace) -> list[dict[str, str]]:
    """w ← w − η·∂C/∂w for every parameter: old value, gradient, new value."""
    eta, d = trace.values["eta"], f"∂{trace.spec.cost}/∂θ"
    return [{"parameter": p.name, "old": fmt(trace.values[p.name]), d: fmt(trace.grads[p.name]),
             f"η·{d}": fmt(eta * trace.grads[p.name]), f"new = old − η·{d}": fmt(trace.new_values[p.name])}
            for p in trace.spec.params()]


# =================================================================================================
# Gradients in deep networks
# =================================================================================================
@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    activation: str
    init: str
    init_scale: float
    expect: str  # what the page should show


GRADIENT_PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("vanishing", "Vanishing: sigmoid", "sigmoid", "xavier", 0.0,
           "Each sigmoid layer multiplies the gradient by σ′ ≤ ¼: the first layer's gradient is about "
           "10⁻⁴ of the last one's, so the early layers barely learn."),
    Preset("healthy", "Healthy: ReLU + He", "relu", "he", 0.0,
           "ReLU passes the gradient through unchanged where it is active and He's scale keeps the signal's "
           "size from layer to layer: every layer's gradient is of the same order."),
    Preset("exploding", "Exploding: tanh, σ = 2", "tanh", "normal", 2.0,
           "Weights ~N(0, 2²) multiply the gradient by |w| ≫ 1 at every layer on the way back: at the start the "
           "first layer's gradient is about 1000× the last one's, and steps that size throw the weights around, "
           "so from then on the ratio jumps from epoch to epoch."),
]}


def deep_config(*, dataset: str = "spiral", depth: int = 6, width: int = 8, activation: str = "sigmoid",
                init: str = "xavier", init_scale: float = 0.0, lr: float = 0.03, seed: str = "1",
                max_epochs: int = 2000) -> Config:
    """A deep, narrow network (``depth`` hidden layers of ``width``) for the Gradients page.

    ``max_epochs`` bounds a forgotten Play (the server is shared).
    """
    return Config(dataset=dataset, hidden=(int(width),) * int(depth), activation=(activation,), init=init,
                  init_scale=float(init_scale), lr=float(lr), seed=str(seed), max_epochs=int(max_epochs))


def gradient_regime(ratio: float) -> str:
    """"vanishing" (first/last layer < 1/100), "exploding" (> 10) or "healthy"; "none" when nothing flows.

    Asymmetric on purpose: a healthy net's ratio stays within ~0.1–3, but after a few epochs of
    huge steps an exploding one (tanh, σ = 2: ~2,000 at the start) jumps between ~1 and ~50.
    """
    if not math.isfinite(ratio):
        return "exploding" if ratio == math.inf else "none"
    return "vanishing" if ratio < 1e-2 else "exploding" if ratio > 10 else "healthy"


def play_query(cfg: Config) -> dict[str, str]:
    """A config as the Playground's query parameters, for ``st.page_link(..., query_params=…)``."""
    return dict(parse_qsl(cfg.to_query(), keep_blank_values=True))


def grad_ratio(norms) -> float:
    """First layer's gradient norm / last layer's: ≪ 1 vanishing, ≈ 1 healthy, ≫ 1 exploding (nan if 0/0)."""
    first, last = float(norms[0]), float(norms[-1])
    if last == 0:
        return math.inf if first > 0 else math.nan
    return first / last


def layer_labels(n_layers: int) -> list[str]:
    """"W1 (first)", "W2", …, "W7 (output)": the weight layers from the input."""
    return [f"W{l + 1}" + (" (first)" if l == 0 else " (output)" if l == n_layers - 1 else "")
            for l in range(n_layers)]


@dataclass
class HistStack:
    """Histograms of one layer's weights or gradients at every snapshot.

    ``counts[s]`` is the histogram at ``epochs[s]`` over the shared ``edges``
    (symmetric, ±the largest |value| the layer ever had), so snapshots compare.
    """

    layer: int
    what: str  # "weights" or "gradients"
    epochs: np.ndarray  # (S,)
    edges: np.ndarray  # (bins + 1,)
    counts: np.ndarray  # (S, bins)


def histogram_stacks(snapshots, what: str = "weights", bins: int | None = None) -> list[HistStack]:
    """One ``HistStack`` per layer from ``Trainer.snapshots`` [(epoch, params, grads)], weights only (no biases).

    ``bins=None`` picks 2√n bins for a layer of n weights (8 to 31): a 2×8 layer
    spread over 31 bins would be mostly gaps.
    """
    if what not in ("weights", "gradients"):
        raise ValueError(f"what must be 'weights' or 'gradients', got {what!r}")
    if not snapshots:
        raise ValueError("no snapshots to draw: train at least one epoch, or reset")
    k = 1 if what == "weights" else 2
    epochs = np.array([s[0] for s in snapshots])
    out = []
    for l in range(len(snapshots[0][k])):
        vals = [np.asarray(s[k][l][0], np.float64).ravel() for s in snapshots]
        m = max(float(np.abs(v).max(initial=0.0)) for v in vals)
        m = m if math.isfinite(m) and m > 0 else 1.0
        k_bins = bins or int(np.clip(round(2 * math.sqrt(vals[0].size)), 8, 31))
        edges = np.linspace(-m, m, k_bins + 1)
        counts = np.array([np.histogram(v, edges)[0] for v in vals])
        out.append(HistStack(l, what, epochs, edges, counts))
    return out


def symmetry_gap(params) -> list[float]:
    """Per hidden layer: the largest difference between two units' incoming weights and bias.

    ``max_{j,k,i} |W[i, j] − W[i, k]|`` over the layer's (W; b) columns.  0 means
    every unit of the layer computes the same function: they are copies.
    """
    out = []
    for W, b in params[:-1]:
        M = np.vstack([np.asarray(W, np.float64), np.asarray(b, np.float64)[None, :]])
        out.append(float((M.max(axis=1) - M.min(axis=1)).max()))
    return out


@dataclass
class SymmetryRun:
    init: str
    trainer: Trainer
    gaps: list[float]  # symmetry_gap after training
    moved: float  # largest change of any weight during training


def symmetry_runs(*, activation: str = "sigmoid", epochs: int = 150, hidden=(4, 4), lr: float = 0.3,
                  inits=("zeros", "uniform"), seed: str = "1") -> dict[str, SymmetryRun]:
    """Train the same small net from all-zero and from random weights on the circle data."""
    runs = {}
    for init in inits:
        t = Trainer(Config(dataset="circle", hidden=tuple(hidden), activation=(activation,), init=init,
                           lr=lr, seed=seed))
        start = t.params
        t.run(epochs=epochs)
        moved = max(float(np.abs(W1 - W0).max()) for (W0, _), (W1, _) in zip(start, t.params))
        runs[init] = SymmetryRun(init, t, symmetry_gap(t.params), moved)
    return runs
