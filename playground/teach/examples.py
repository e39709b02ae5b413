"""The curriculum's worked examples A, B and C (docs/curriculum.md), computed by the NumPy engine.

The textbook's numbers (inputs, targets, weights, η, ε) are written once, in
``WORKED``; ``labs`` (the Backprop page, with editable numbers) uses the same
specs and the same ``worked_net``.  Each example builds a ``NumpyMLP`` from the
textbook's own weights (``worked_net``), runs the engine's ``forward``/``backward``/``step``
and returns a plain dataclass that the Worked-examples page and
``python -m playground example A|B|C`` both render.

Layouts.  The engine stores ``W`` as (fan_in, fan_out): ``W[i, j]`` joins input
``i`` to unit ``j``.  Example A's ``w_ij`` (from input ``x_i`` to hidden unit
``j``) and B's "row i = weights from input i" are exactly that.  Example C's
textbook writes ``W0`` with row ``j`` = weights INTO hidden unit ``j``, the
transpose; its results are reported in the textbook's layout.

No biases (A and C).  The engine always has bias vectors: they start at 0 and
their gradient is zeroed before every ``step``, so plain SGD
(``b ← b − η·0``) keeps them exactly 0 (``sgd_update(net, spec_mask(spec, net))``);
finite differences nudge only the weights.

    >>> r = example_a()
    >>> round(r.y_hat, 4), round(r.dC_dw11, 4)
    (1.2332, 0.1455)
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from playground.core.activations import ACTIVATIONS
from playground.core.gradcheck import GradCheck, compare_gradients, numeric_flat
from playground.core.losses import Loss
from playground.core.network import NumpyMLP

__all__ = [
    "Param", "WorkedSpec", "WORKED", "params_of", "worked_net", "spec_mask", "sgd_update",
    "Trace", "worked_step", "broadcast_bug", "TrainBoth", "train_worked", "train_both",
    "ExampleA", "ExampleB", "CompareB", "ExampleC", "HALF_SQUARE_SIGMOID",
    "A_X", "A_Y", "A_W_HIDDEN", "A_W_OUT", "B_PARAMS", "C_X", "C_Y", "C_W0", "C_W1",
    "B_METHODS", "C_METHODS", "example_a", "example_b", "compare_b", "example_c",
    "to_plain", "substituted", "terms_sum", "sigmoid_text",
]

_SIG = ACTIVATIONS["sigmoid"]

# Example C's sigmoid output with ½ squared error is no pair in losses.LOSSES (the app's
# regression losses have a linear output), so it is built here from the registry's
# sigmoid.  With ŷ = σ(z):  ∂L/∂z = (ŷ − y)·σ'(z) = (ŷ − y)·ŷ(1 − ŷ), σ' written from the
# output as the registry's sigmoid.grad does.
HALF_SQUARE_SIGMOID = Loss(
    "half_square_sigmoid", "Sigmoid output + ½ squared error", "regression", "sigmoid", _SIG.fn,
    lambda out, t: 0.5 * ((out - t) ** 2).sum(axis=1),
    lambda out, t: (out - t) * out * (1.0 - out),
    r"E = \tfrac12 (y - \hat y)^2,\ \hat y = \sigma(z)",
    "The classic hand-worked example's output and error (not offered for training).",
)

ROUND_NOTE = ("Exact values are shown (float64). A textbook rounds every intermediate value to 2 "
              "decimals (a11 ≈ 0.73, ŷ ≈ 1.23), so its later digits can differ slightly; the "
              "rounded column is there to compare with it.")


# ----- the textbook's numbers: written once, in WORKED --------------------------------------------
@dataclass(frozen=True)
class Param:
    """One weight or bias of a 2-H-1 worked example.

    ``layer`` 0 is input→hidden, 1 hidden→output; ``i``/``j`` index the engine's
    ``W[layer][i, j]`` (from unit i to unit j) or ``b[layer][j]`` (``i = -1``);
    ``flat`` is the position in ``NumpyMLP.flat``.
    """

    name: str  # as the textbook writes it: "w11", "b2", "W0[1,2]"
    latex: str
    layer: int
    kind: str  # "w" or "b"
    i: int
    j: int
    flat: int


@dataclass(frozen=True)
class WorkedSpec:
    """One worked example: shape, output, loss and its textbook numbers.

    ``hidden`` is written as the textbook writes it: row i = weights FROM input i
    (A, B: the engine's layout) or, with ``into_rows``, row j = weights INTO
    hidden unit j (C).  ``half``: the loss is ½(y − ŷ)² instead of (y − ŷ)².
    """

    key: str
    title: str
    output: str  # "linear" or "sigmoid"
    half: bool
    biases: bool
    dtype: str
    eta: float
    eps: float
    x: tuple[float, float]
    y: float
    hidden: tuple[tuple[float, ...], ...]
    out: tuple[float, ...]
    hidden_bias: tuple[float, ...] = ()
    out_bias: float = 0.0
    into_rows: bool = False
    epochs: int = 0  # > 0: the page offers "train this many epochs by both methods"
    rounds: bool = False  # the textbook prints 2-decimal values

    @property
    def n_hidden(self) -> int:
        return len(self.out)

    @property
    def cost(self) -> str:
        return "E" if self.half else "C"

    def unit(self, j: int) -> tuple[str, str]:
        """Plain and LaTeX names of hidden unit j's pre-activation and activation (0-based j)."""
        k = f"{j + 1}" if self.into_rows else f"1{j + 1}"
        return (f"h{k}", f"a{k}"), (f"h_{{{k}}}", f"a_{{{k}}}")

    def params(self) -> list[Param]:
        """Every parameter in the textbook's reading order (hidden weights, biases, output)."""
        H, out = self.n_hidden, []
        flat_b0, flat_w1 = 2 * H, 3 * H
        if self.into_rows:  # W0[j, i]: into unit j from input i
            out += [Param(f"W0[{j + 1},{i + 1}]", f"W^{{0}}_{{{j + 1}{i + 1}}}", 0, "w", i, j, i * H + j)
                    for j in range(H) for i in range(2)]
            out += [Param(f"W1[{j + 1}]", f"W^{{1}}_{{{j + 1}}}", 1, "w", j, 0, flat_w1 + j) for j in range(H)]
        else:
            out += [Param(f"w{i + 1}{j + 1}", f"w_{{{i + 1}{j + 1}}}", 0, "w", i, j, i * H + j)
                    for i in range(2) for j in range(H)]
            if self.biases:
                out += [Param(f"b{j + 1}", f"b_{{{j + 1}}}", 0, "b", -1, j, flat_b0 + j) for j in range(H)]
            out += [Param(f"w3{j + 1}", f"w_{{3{j + 1}}}", 1, "w", j, 0, flat_w1 + j) for j in range(H)]
            if self.biases:
                out.append(Param("b_out", r"b_{\text{out}}", 1, "b", -1, 0, flat_w1 + H))
        return out

    def defaults(self) -> dict[str, float]:
        """The textbook's numbers by name: x1, x2, y, eta and every parameter."""
        v = {"x1": self.x[0], "x2": self.x[1], "y": self.y, "eta": self.eta}
        for p in self.params():
            if p.kind == "b":
                v[p.name] = self.out_bias if p.layer else self.hidden_bias[p.j]
            elif p.layer == 1:
                v[p.name] = self.out[p.i]
            else:
                v[p.name] = self.hidden[p.j][p.i] if self.into_rows else self.hidden[p.i][p.j]
        return {k: float(x) for k, x in v.items()}


WORKED: dict[str, WorkedSpec] = {
    "A": WorkedSpec("A", "A · one forward pass and one gradient", "linear", False, False, "float64", 0.1, 1e-4,
                    (1.0, 1.0), 0.0, ((0.8, 0.4, 0.3), (0.2, 0.9, 0.5)), (0.3, 0.5, 0.9), rounds=True),
    "B": WorkedSpec("B", "B · training with biases, numeric vs backprop", "linear", False, True, "float32", 0.01,
                    1e-4, (1.0, 1.0), 0.0, ((-0.0053, -0.5820, -0.2723), (0.3793, -0.5204, 0.1896)),
                    (0.1528, -0.1745, -0.1135), (-0.0140, 0.5607, -0.0628), -0.5516, epochs=100),
    "C": WorkedSpec("C", "C · a two-layer sigmoid net by hand", "sigmoid", True, False, "float64", 1.0, 1e-5,
                    (0.35, 0.9), 0.5, ((0.1, 0.8), (0.4, 0.6)), (0.3, 0.9), into_rows=True),
}




# ----- numbers written into formulas -------------------------------------------------------------
def substituted(text: str) -> str:
    """A written number as it goes into a formula: a negative one in brackets with a real minus sign.

    >>> substituted("-0.5417"), substituted("0.36")
    ('(−0.5417)', '0.36')
    """
    return f"(−{text[1:]})" if text.startswith("-") else text


def terms_sum(terms) -> str:
    """Written terms added up, a negative one subtracted: ``0.15·1 − 0.2·1 − 0.014``, never ``+ -0.014``.

    A term's own sign is its first character (``"-0.2·1"``); its other factors are ``substituted``.
    """
    out = []
    for k, t in enumerate(terms):
        neg = t.startswith("-")
        body = t[1:] if neg else t
        out.append(("−" if neg else "") + body if k == 0 else (" − " if neg else " + ") + body)
    return "".join(out)


def sigmoid_text(arg: str, value: str) -> str:
    """``σ(h) = 1 / (1 + e^(−h))`` with h's written value put in: ``e^(−(−0.5417))`` when it is negative."""
    return f"σ({arg}) = 1 / (1 + e^(−{substituted(value)}))"


# ----- shared machinery --------------------------------------------------------------------------
def params_of(spec: WorkedSpec, values: dict[str, float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(W0 (2, H), b0 (H,)), (W1 (H, 1), b1 (1,))]`` in the engine's layout from named values."""
    H = spec.n_hidden
    layers = [(np.zeros((2, H)), np.zeros(H)), (np.zeros((H, 1)), np.zeros(1))]
    for p in spec.params():
        W, b = layers[p.layer]
        if p.kind == "w":
            W[p.i, p.j] = values[p.name]
        else:
            b[p.j] = values[p.name]
    return layers


def worked_net(spec: WorkedSpec, values: dict[str, float]) -> NumpyMLP:
    """The example as a plain-SGD NumpyMLP (biases at 0 for A and C)."""
    # "mse" is a linear output with (y − ŷ)² for one output; "bce" only lends its sigmoid
    # output: the ½-squared-error loss of example C replaces it (see HALF_SQUARE_SIGMOID).
    net = NumpyMLP([2, spec.n_hidden, 1], ["sigmoid"], "mse" if spec.output == "linear" else "bce",
                   params_of(spec, values), optimizer="sgd", lr=values["eta"], dtype=np.dtype(spec.dtype))
    if spec.half:
        net.loss = HALF_SQUARE_SIGMOID
    return net


def spec_mask(spec: WorkedSpec, net: NumpyMLP) -> np.ndarray | None:
    """Entries of ``net.flat`` the example has (None = all): A and C have no biases."""
    if spec.biases:
        return None
    mask = np.zeros(net.n_params, bool)
    for p in spec.params():
        mask[p.flat] = True
    return mask


def sgd_update(net: NumpyMLP, mask: np.ndarray | None) -> None:
    """θ ← θ − η g; parameters outside ``mask`` (absent biases) get g = 0, so they stay 0."""
    if mask is not None:
        net.gflat[~mask] = 0.0
    net.step()


# The textbook numbers under the names the tests and the CLI use.
_A, _B, _C = WORKED["A"], WORKED["B"], WORKED["C"]
A_X, A_Y = _A.x, _A.y
A_W_HIDDEN = _A.hidden  # w11 w12 w13: from x1 to hidden units 1..3; w21 w22 w23: from x2
A_W_OUT = _A.out  # w31 w32 w33: hidden units 1..3 → output
B_PARAMS = tuple(tuple(layer) for layer in params_of(_B, _B.defaults()))  # [(W (2,3), b (3,)), (W (3,1), b (1,))]
B_METHODS = ("numeric", "analytic")
C_X, C_Y = _C.x, _C.y
C_W0 = _C.hidden  # row j: weights INTO hidden unit j (from x1, x2)
C_W1 = _C.out  # hidden units 1, 2 → output
C_METHODS = ("correct", "broadcast_bug")


def to_plain(obj):
    """Dataclasses, arrays and NumPy scalars as JSON-ready lists, dicts and floats."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.metadata.get("plain", True)}
        if isinstance(obj, GradCheck):
            out.update(ok=obj.ok, max_rel_error=obj.max_rel_error)
        return out
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_plain(obj.tolist())
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, (np.integer, np.bool_)):
        return obj.item()
    return obj


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _check_lr(lr) -> float:
    lr = float(lr)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a finite number > 0, got {lr!r}")
    return lr


# ----- one worked step and training both ways: the page (labs) and the CLI use these -----------
@dataclass
class Trace:
    """One forward pass, backprop, finite differences and the update of a worked example.

    Gradients are by parameter name: ``grads`` backprop's, ``forward``/``central``
    the finite differences ``(C(θ+ε) − C(θ))/ε`` and ``(C(θ+ε) − C(θ−ε))/2ε``.
    """

    spec: WorkedSpec
    values: dict[str, float]  # the inputs, target, η and parameters used
    h: np.ndarray  # (H,) hidden pre-activations
    a: np.ndarray  # (H,) σ(h)
    z: float  # output pre-activation (= ŷ for a linear output)
    y_hat: float
    loss: float
    grads: dict[str, float]
    forward: dict[str, float]
    central: dict[str, float]
    new_values: dict[str, float]  # after θ ← θ − η ∂C/∂θ (with ``worked_step``'s ``grads``, if given)
    new_loss: float
    delta_out: float  # ∂C/∂z at the output: ∂C/∂ŷ · f′(z), from the engine's loss

    def check(self, grads: dict[str, float] | None = None, tol: float | None = None) -> GradCheck:
        """Backprop's (or ``grads``') gradients vs central differences.

        Relative tolerance ``tol``, by default 1e-5; 1e-2 in float32, where the
        difference quotient itself is only good to about 10⁻³.
        """
        g = grads or self.grads
        names = list(self.grads)
        if tol is None:
            tol = 1e-2 if self.spec.dtype == "float32" else 1e-5
        return compare_gradients(names, [self.central[n] for n in names], [g[n] for n in names], tol)

    @property
    def delta_hidden(self) -> np.ndarray:
        """(H,) ∂C/∂h = δ_out · w_out ⊙ σ′(h)."""
        w_out = params_of(self.spec, self.values)[1][0][:, 0]
        return self.delta_out * w_out * _SIG.grad(self.h, self.a)


def worked_step(spec: WorkedSpec, values: dict[str, float] | None = None,
                grads: dict[str, float] | None = None) -> Trace:
    """Forward pass, backprop, finite differences and one SGD update of ``spec`` at ``values``.

    ``values`` maps names (``x1, x2, y, eta`` and ``spec.params()``) to numbers;
    missing ones take the textbook's.  Arithmetic is in ``spec.dtype`` (B: float32).
    ``grads`` (by name): the update uses these instead of backprop's (``broadcast_bug``).
    """
    v = {**spec.defaults(), **(values or {})}
    net = worked_net(spec, v)
    X, T = np.array([[v["x1"], v["x2"]]]), np.array([[v["y"]]])
    cache = net.forward(X)
    net.backward(cache, T)
    analytic = net.gflat.astype(np.float64)  # a copy: numeric_flat below only evaluates
    mask = spec_mask(spec, net)
    fwd = numeric_flat(net, X, T, spec.eps, "forward", mask)
    cen = numeric_flat(net, X, T, spec.eps, "central", mask)
    loss = float(net.loss.value(cache.output, T)[0])
    ps = spec.params()
    if grads:
        for p in ps:
            net.gflat[p.flat] = grads[p.name]
    sgd_update(net, mask)
    after = net.flat.astype(np.float64)
    return Trace(
        spec, v, cache.zs[0][0].astype(np.float64), cache.acts[1][0].astype(np.float64),
        float(cache.zs[1][0, 0]), float(cache.output[0, 0]), loss,
        {p.name: float(analytic[p.flat]) for p in ps}, {p.name: float(fwd[p.flat]) for p in ps},
        {p.name: float(cen[p.flat]) for p in ps},
        {**v, **{p.name: float(after[p.flat]) for p in ps}}, net.evaluate(X, T)[0],
        float(net.loss.delta(cache.output, T)[0, 0]),
    )


def broadcast_bug(trace: Trace) -> dict[str, float]:
    """The hidden-weight gradients of the widely copied ``W0 -= lr * delta_hidden * x`` (example C).

    ``delta_hidden * x`` multiplies two (2,) vectors elementwise, ``[δ₁x₁, δ₂x₂]``;
    subtracted from the (2, 2) ``W0`` it is broadcast onto *every row*, so each
    hidden unit j gets ``[δ₁x₁, δ₂x₂]`` instead of its own ``δ_j·[x₁, x₂]``.
    Output weights are unaffected.  Needs as many hidden units as inputs (2).
    """
    d, x = trace.delta_hidden, np.array([trace.values["x1"], trace.values["x2"]])
    if d.shape != x.shape:
        raise ValueError(f"the broadcast bug needs {x.size} hidden units to broadcast at all; got {d.size}")
    wrong = d * x  # (2,): [δ1·x1, δ2·x2]
    return {p.name: (float(wrong[p.i]) if p.layer == 0 else trace.grads[p.name]) for p in trace.spec.params()}


# ----- example B: training by both methods ------------------------------------------------------
@dataclass
class TrainBoth:
    """Training from the same start by finite differences and by backprop.

    ``losses[method][k]``: the loss after k epochs; ``final[method]``: the parameters by name.
    """

    epochs: int
    losses: dict[str, np.ndarray]
    final: dict[str, dict[str, float]]
    prediction: dict[str, float]  # ŷ for the example's input with the final parameters
    max_param_diff: float
    max_loss_diff: float
    prediction_diff: float


def train_worked(spec: WorkedSpec, values: dict[str, float], method: str, epochs: int
              ) -> tuple[np.ndarray, dict[str, float], float]:
    """(losses after 0…epochs epochs, final parameters by name, ŷ for the input) of training ``spec``
    from ``values`` (all given) by ``method``: "numeric" (forward differences, the textbook's way)
    or "analytic" (backprop).  Every parameter is updated at once, in ``spec.dtype``."""
    X, T = np.array([[values["x1"], values["x2"]]]), np.array([[values["y"]]])
    net = worked_net(spec, values)
    mask = spec_mask(spec, net)
    curve = [net.evaluate(X, T)[0]]
    for _ in range(epochs):
        if method == "numeric":
            net.gflat[:] = numeric_flat(net, X, T, spec.eps, "forward", mask)
        else:
            net.backward(net.forward(X), T)
        sgd_update(net, mask)
        curve.append(net.evaluate(X, T)[0])
    flat = net.flat.astype(np.float64)
    return np.array(curve), {p.name: float(flat[p.flat]) for p in spec.params()}, float(net.evaluate(X, None)[1][0, 0])


def train_both(spec: WorkedSpec, values: dict[str, float] | None = None, epochs: int | None = None) -> TrainBoth:
    """Train ``epochs`` epochs (default ``spec.epochs``) by forward differences and by backprop.

    The numeric method nudges every parameter in turn by ``spec.eps`` from the
    epoch's starting point, then updates all together (the textbook's way);
    both run in ``spec.dtype`` (``train_worked``).
    """
    v = {**spec.defaults(), **(values or {})}
    epochs = int(spec.epochs if epochs is None else epochs)
    if not 0 <= epochs <= 10_000:
        raise ValueError(f"epochs must be 0–10000, got {epochs!r}")
    losses, final, pred = {}, {}, {}
    for method in B_METHODS:
        losses[method], final[method], pred[method] = train_worked(spec, v, method, epochs)
    names = list(final["numeric"])
    return TrainBoth(
        epochs, losses, final, pred,
        max(abs(final["numeric"][n] - final["analytic"][n]) for n in names),
        float(np.abs(losses["numeric"] - losses["analytic"]).max()),
        abs(pred["numeric"] - pred["analytic"]),
    )



# ----- A: one forward pass and one chain-rule gradient -----------------------------------------
@dataclass
class ExampleA:
    """Example A, every intermediate value.  Hidden arrays are (3,); weight names follow the text.

    ``grad_hidden[i, j] = ∂C/∂w_{i+1, j+1}`` (from input i to hidden unit j);
    ``grad_out[j] = ∂C/∂w_{3, j+1}``.
    """

    eta: float
    eps: float
    x: np.ndarray  # (2,)
    y: float
    w_hidden: np.ndarray  # (2, 3)
    w_out: np.ndarray  # (3,)
    h: np.ndarray  # (3,) pre-activations h11, h12, h13
    a: np.ndarray  # (3,) σ(h)
    y_hat: float
    loss: float  # C = (y − ŷ)²
    factors: dict[str, float]  # the four chain-rule factors of ∂C/∂w11, in order
    dC_dw11: float  # their product
    grad_hidden: np.ndarray
    grad_out: np.ndarray
    numeric_forward: dict[str, float]  # by weight name
    numeric_central: dict[str, float]
    check: GradCheck  # analytic vs central differences
    new_hidden: np.ndarray  # after w ← w − η ∂C/∂w
    new_out: np.ndarray
    new_loss: float
    rounded: dict  # the same values to 2 decimals, as a textbook prints them
    note: str = ROUND_NOTE

    @staticmethod
    def weight_names() -> list[str]:
        return [f"w{i}{j}" for i in (1, 2) for j in (1, 2, 3)] + ["w31", "w32", "w33"]

    def named(self, hidden: np.ndarray, out: np.ndarray) -> dict[str, float]:
        """``{"w11": …, …, "w33": …}`` from a (2, 3) hidden and a (3,) output array."""
        return dict(zip(self.weight_names(), map(float, [*np.ravel(hidden), *np.ravel(out)])))

    @property
    def gradients(self) -> dict[str, float]:
        return self.named(self.grad_hidden, self.grad_out)

    @property
    def updated(self) -> dict[str, float]:
        return self.named(self.new_hidden, self.new_out)

    def steps(self) -> list[tuple[str, str, float]]:
        """(quantity, how it is computed, exact value): the forward pass, the chain rule, the update."""
        x, W, v, h, a = self.x, self.w_hidden, self.w_out, self.h, self.a
        rows = [(f"h1{j + 1}", f"w1{j + 1}·x1 + w2{j + 1}·x2 = "
                 + terms_sum([f"{W[i, j]:g}·" + substituted(f"{x[i]:g}") for i in range(2)]),
                 h[j]) for j in range(3)]
        rows += [(f"a1{j + 1}", sigmoid_text(f"h1{j + 1}", f"{h[j]:g}"), a[j]) for j in range(3)]
        rows.append(("ŷ", "w31·a11 + w32·a12 + w33·a13 = "
                     + terms_sum([f"{v[j]:g}·{a[j]:.4f}" for j in range(3)]), self.y_hat))
        y, y_hat = terms_sum([f"{self.y:g}"]), substituted(f"{self.y_hat:.4f}")
        rows.append(("C", f"(y − ŷ)² = ({y} − {y_hat})²", self.loss))
        how = {"∂C/∂ŷ": "−2(y − ŷ)", "∂ŷ/∂a11": "w31", "∂a11/∂h11": "a11(1 − a11)", "∂h11/∂w11": "x1"}
        rows += [(k, how[k], val) for k, val in self.factors.items()]
        rows.append(("∂C/∂w11", " · ".join(substituted(f"{val:.4f}") for val in self.factors.values()),
                     self.dC_dw11))
        grad = substituted(f"{self.dC_dw11:.4f}")
        rows.append(("w11 new", f"w11 − η·∂C/∂w11 = {terms_sum([f'{W[0, 0]:g}'])} − {self.eta:g}·{grad}",
                     self.new_hidden[0, 0]))
        rows.append(("C new", "loss after updating every weight", self.new_loss))
        return [(k, how, float(val)) for k, how, val in rows]


def example_a(eta: float = _A.eta, eps: float = _A.eps) -> ExampleA:
    """Example A: 2-3-1, sigmoid hidden, linear output, ``C = (y − ŷ)²``, x = (1, 1), y = 0, no biases.

    The text gives no learning rate; ``eta`` (default 0.1) is the update's η.
    ``eps`` is the finite-difference step of the numeric gradients.
    """
    eta = _check_lr(eta)
    W, v = np.array(A_W_HIDDEN), np.array(A_W_OUT)
    t = worked_step(dataclasses.replace(_A, eps=eps), {"eta": eta})
    names = ExampleA.weight_names()
    h, a, y_hat, loss = t.h, t.a, t.y_hat, t.loss
    grad_hidden, grad_out = np.array([t.grads[n] for n in names[:6]]).reshape(2, 3), np.array([t.grads[n] for n in names[6:]])
    factors = {
        "∂C/∂ŷ": t.delta_out,  # 2(ŷ − y) = −2(y − ŷ); a linear output has ∂ŷ/∂z = 1
        "∂ŷ/∂a11": float(v[0]),  # linear output: ŷ = Σ w3j a1j
        "∂a11/∂h11": float(_SIG.grad(h[:1], a[:1])[0]),  # σ'(h) = a(1 − a)
        "∂h11/∂w11": t.values["x1"],  # h11 = w11 x1 + w21 x2
    }
    new = np.array([t.new_values[n] for n in names])
    r = ExampleA(
        eta=eta, eps=eps, x=np.array([t.values["x1"], t.values["x2"]]), y=A_Y, w_hidden=W, w_out=v, h=h, a=a, y_hat=y_hat,
        loss=loss, factors=factors, dC_dw11=float(np.prod(list(factors.values()))),
        grad_hidden=grad_hidden, grad_out=grad_out,
        numeric_forward=dict(t.forward), numeric_central=dict(t.central), check=t.check(),
        new_hidden=new[:6].reshape(2, 3), new_out=new[6:], new_loss=t.new_loss, rounded={},
    )
    r.rounded = {
        "h": np.round(r.h, 2).tolist(), "a": np.round(r.a, 2).tolist(), "y_hat": round(y_hat, 2),
        "loss": round(loss, 2), "factors": {k: round(val, 2) for k, val in factors.items()},
        "dC_dw11": round(r.dC_dw11, 2), "gradients": {k: round(val, 2) for k, val in r.gradients.items()},
        "updated": {k: round(val, 2) for k, val in r.updated.items()},
    }
    return r


# ----- B: training by finite differences and by backprop ---------------------------------------
@dataclass
class ExampleB:
    """One run of example B.  ``losses[k]`` is the loss after k epochs (``losses[0]``: at the start)."""

    method: str
    dtype: str
    lr: float
    epochs: int
    eps: float
    losses: np.ndarray  # (epochs + 1,)
    params: list  # final [(W (2,3), b (3,)), (W (3,1), b (1,))], float64 copies
    prediction: float  # ŷ for x = (1, 1) with the final parameters


def example_b(method: str = "numeric", epochs: int = _B.epochs, lr: float = _B.eta, dtype=_B.dtype,
              eps: float = _B.eps) -> ExampleB:
    """Example B: 2-3-1 with biases, sigmoid hidden, linear output, MSE, x = (1, 1), target 0.

    ``method="numeric"``: the textbook's forward differences with step ``eps``,
    every parameter nudged in turn from the epoch's starting point, then all
    updated together.  ``method="analytic"``: backprop (the engine's backward).
    Parameters and arithmetic are in ``dtype`` (float32, as the textbook).
    """
    _check_choice("method", method, B_METHODS)
    lr, epochs = _check_lr(lr), int(epochs)
    if not 0 <= epochs <= 100_000:
        raise ValueError(f"epochs must be 0–100000, got {epochs!r}")
    spec = dataclasses.replace(_B, dtype=np.dtype(dtype).name, eps=eps)
    values = {**spec.defaults(), "eta": lr}
    losses, final, prediction = train_worked(spec, values, method, epochs)
    return ExampleB(method, spec.dtype, lr, epochs, eps, losses, params_of(spec, {**values, **final}), prediction)


@dataclass
class CompareB:
    """Example B by both methods and how far apart they end up."""

    numeric: ExampleB
    analytic: ExampleB
    max_param_diff: float  # max |θ_numeric − θ_analytic| over every final parameter
    max_loss_diff: float  # max over epochs of |loss_numeric − loss_analytic|
    prediction_diff: float


def compare_b(epochs: int = _B.epochs, lr: float = _B.eta, dtype=_B.dtype, eps: float = _B.eps) -> CompareB:
    """Run example B numerically and analytically from the same start; see ``CompareB``."""
    num, ana = (example_b(m, epochs, lr, dtype, eps) for m in B_METHODS)
    pdiff = max(float(np.abs(p - q).max()) for pn, pa in zip(num.params, ana.params) for p, q in zip(pn, pa))
    return CompareB(num, ana, pdiff, float(np.abs(num.losses - ana.losses).max()),
                    abs(num.prediction - ana.prediction))


# ----- C: a two-layer sigmoid net by hand, and the broadcast bug -------------------------------
@dataclass
class ExampleC:
    """Example C, in the textbook's layout: ``W0[j, i]`` = weight from input i INTO hidden unit j.

    ``grad_W0``/``grad_W1`` are the gradients ``method`` computes (for
    ``"broadcast_bug"``, the copied code's); ``check`` compares them with
    central differences, which flag the bug.
    """

    method: str
    lr: float
    x: np.ndarray  # (2,)
    y: float
    W0: np.ndarray  # (2, 2)
    W1: np.ndarray  # (2,)
    z_hidden: np.ndarray  # (2,) W0 @ x
    a_hidden: np.ndarray  # (2,) σ(z_hidden)
    z_out: float
    y_hat: float  # σ(z_out)
    error: float  # ½(y − ŷ)²
    delta_out: float  # ∂E/∂z_out = (ŷ − y) ŷ(1 − ŷ)
    delta_hidden: np.ndarray  # (2,) ∂E/∂z_hidden = δ_out W1 ⊙ a(1 − a)
    grad_W0: np.ndarray  # (2, 2)
    grad_W1: np.ndarray  # (2,)
    new_W0: np.ndarray  # after W ← W − lr·grad
    new_W1: np.ndarray
    new_error: float
    check: GradCheck

    @staticmethod
    def weight_names() -> list[str]:
        return ["W0[1,1]", "W0[1,2]", "W0[2,1]", "W0[2,2]", "W1[1]", "W1[2]"]


def example_c(method: str = "correct", lr: float = _C.eta, eps: float = _C.eps, tol: float = 1e-5) -> ExampleC:
    """Example C: 2-2-1, sigmoid/sigmoid, no biases, ``E = ½(y − ŷ)²``, one update with ``lr``.

    ``method="correct"``: the engine's backprop, ``∂E/∂W0 = δ_hidden xᵀ`` (an
    outer product: row j is δ_j·x).  ``method="broadcast_bug"``: the widely
    copied ``W0 -= lr * delta_hidden * x``, where ``*`` of two (2,) vectors is
    elementwise, ``[δ1·x1, δ2·x2]``, and subtracting that (2,) vector from the
    (2, 2) ``W0`` broadcasts it onto every row: both rows get the same update.
    """
    _check_choice("method", method, C_METHODS)
    lr = _check_lr(lr)
    W0, W1 = np.array(C_W0), np.array(C_W1)
    spec, names = dataclasses.replace(_C, eps=eps), ExampleC.weight_names()
    t = worked_step(spec, {"eta": lr})
    grads = broadcast_bug(t) if method == "broadcast_bug" else t.grads  # the bug: see the docstring
    after = worked_step(spec, {"eta": lr}, grads) if method == "broadcast_bug" else t
    g, new = np.array([grads[n] for n in names]), np.array([after.new_values[n] for n in names])
    return ExampleC(
        method, lr, np.array([t.values["x1"], t.values["x2"]]), C_Y, W0, W1, t.h, t.a, t.z, t.y_hat, t.loss,
        t.delta_out, t.delta_hidden, g[:4].reshape(2, 2), g[4:], new[:4].reshape(2, 2), new[4:], after.new_loss,
        t.check(grads, tol),
    )
