"""The worked examples' textbook numbers, written once in ``WORKED``, and the machinery that runs them:
a ``NumpyMLP`` built from a spec's own weights (``worked_net``), one worked step with every intermediate value
(``worked_step``), training by finite differences and by backprop (``train_both``), and the formula text with
numbers put in. ``examples`` (A, B, C for the CLI and the curriculum) and ``labs`` (the Backprop page, with
editable numbers) both use it; docs/curriculum.md gives the numbers."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from playground.core.activations import ACTIVATIONS
from playground.core.gradcheck import GradCheck, compare_gradients, numeric_flat
from playground.core.losses import Loss
from playground.core.network import NumpyMLP


__all__ = ["Param", "WorkedSpec", "WORKED", "params_of", "worked_net", "spec_mask", "sgd_update", "Trace", "worked_step", "broadcast_bug", "TrainBoth", "train_worked", "train_both", "HALF_SQUARE_SIGMOID", "A_X", "A_Y", "A_W_HIDDEN", "A_W_OUT", "B_PARAMS", "C_X", "C_Y", "C_W0", "C_W1", "B_METHODS", "C_METHODS", "to_plain", "substituted", "terms_sum", "sigmoid_text", "ROUND_NOTE", "SIGMOID", "check_lr", "check_choice"]

SIGMOID = ACTIVATIONS["sigmoid"]

# Example C's sigmoid output with ½ squared error is no pair in losses.LOSSES (the app's
# regression losses have a linear output), so it is built here from the registry's
# sigmoid.  With ŷ = σ(z):  ∂L/∂z = (ŷ − y)·σ'(z) = (ŷ − y)·ŷ(1 − ŷ), σ' written from the
# output as the registry's sigmoid.grad does.
HALF_SQUARE_SIGMOID = Loss(
    "half_square_sigmoid", "Sigmoid output + ½ squared error", "regression", "sigmoid", SIGMOID.fn,
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


def check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def check_lr(lr) -> float:
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
        return self.delta_out * w_out * SIGMOID.grad(self.h, self.a)


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
