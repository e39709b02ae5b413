"""The curriculum's worked examples A, B and C (docs/curriculum.md), computed by the NumPy engine.

Each example builds a ``NumpyMLP`` from the textbook's own weights
(``params=[(W, b), ...]``), runs the engine's ``forward``/``backward``/``step``
and returns a plain dataclass that the Worked-examples page and
``python -m playground example A|B|C`` both render.

Layouts.  The engine stores ``W`` as (fan_in, fan_out): ``W[i, j]`` joins input
``i`` to unit ``j``.  Example A's ``w_ij`` (from input ``x_i`` to hidden unit
``j``) and B's "row i = weights from input i" are exactly that.  Example C's
textbook writes ``W0`` with row ``j`` = weights INTO hidden unit ``j``, the
transpose; its results are reported in the textbook's layout.

No biases (A and C).  The engine always has bias vectors: they start at 0 and
their gradient is zeroed before every ``step``, so plain SGD
(``b ← b − η·0``) keeps them exactly 0 (``_step(net, freeze_bias=True)``);
finite differences nudge only the weights.

    >>> r = example_a()
    >>> round(r.y_hat, 4), round(r.dC_dw11, 4)
    (1.2332, 0.1455)
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .losses import Loss
from .network import NumpyMLP

__all__ = [
    "ExampleA", "ExampleB", "CompareB", "ExampleC", "GradCheck", "HALF_SQUARE_SIGMOID",
    "A_X", "A_Y", "A_W_HIDDEN", "A_W_OUT", "B_PARAMS", "C_X", "C_Y", "C_W0", "C_W1",
    "B_METHODS", "C_METHODS", "example_a", "example_b", "compare_b", "example_c",
    "numeric_gradient", "gradient_check", "to_plain", "substituted", "terms_sum", "sigmoid_text",
]

_SIG = ACTIVATIONS["sigmoid"]

# ----- the textbook's numbers --------------------------------------------------------------------
A_X, A_Y = (1.0, 1.0), 0.0
A_W_HIDDEN = ((0.8, 0.4, 0.3),  # w11 w12 w13: from x1 to hidden units 1..3
              (0.2, 0.9, 0.5))  # w21 w22 w23: from x2
A_W_OUT = (0.3, 0.5, 0.9)  # w31 w32 w33: hidden units 1..3 → output

B_PARAMS = (  # row i of the input→hidden matrix = weights from input i
    (((-0.0053, -0.5820, -0.2723), (0.3793, -0.5204, 0.1896)), (-0.0140, 0.5607, -0.0628)),
    (((0.1528,), (-0.1745,), (-0.1135,)), (-0.5516,)),
)
B_METHODS = ("numeric", "analytic")

C_X, C_Y = (0.35, 0.9), 0.5
C_W0 = ((0.1, 0.8),  # weights INTO hidden unit 1 (from x1, x2)
        (0.4, 0.6))  # weights INTO hidden unit 2
C_W1 = (0.3, 0.9)  # hidden units 1, 2 → output
C_METHODS = ("correct", "broadcast_bug")

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
def _net(sizes, loss, params, lr, dtype=np.float64) -> NumpyMLP:
    """A plain-SGD NumpyMLP with sigmoid hidden units and the given weights."""
    params = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in params]
    return NumpyMLP(sizes, ["sigmoid"] * (len(sizes) - 2), loss, params, optimizer="sgd", lr=lr, dtype=dtype)


def _weight_mask(net: NumpyMLP) -> np.ndarray:
    """True at the entries of ``net.flat`` that are weights (False at biases)."""
    mask = np.zeros(net.n_params, bool)
    for w, _ in net.slices:
        mask[w] = True
    return mask


def _unflatten(net: NumpyMLP, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """A flat vector in ``net.flat``'s order as ``[(W, b), ...]``."""
    return [(flat[w].reshape(W.shape), flat[b]) for (w, b), W in zip(net.slices, net.W)]


def _step(net: NumpyMLP, freeze_bias: bool) -> None:
    """``θ ← θ − η g`` with the engine's optimizer; a frozen bias gets a zero gradient, so stays put."""
    if freeze_bias:
        for gb in net.gb:
            gb[...] = 0.0
    net.step()


def numeric_gradient(net: NumpyMLP, X: np.ndarray, T: np.ndarray, eps: float = 1e-4,
                     central: bool = False, mask: np.ndarray | None = None) -> np.ndarray:
    """Finite-difference gradient of the mean loss w.r.t. every entry of ``net.flat``.

    forward: ``(C(θ + ε eᵢ) − C(θ)) / ε``;  central: ``(C(θ + ε eᵢ) − C(θ − ε eᵢ)) / 2ε``.
    Each entry is nudged in turn from the same θ and put back (θ is unchanged on
    return), at the network's own precision: a float32 net gives float32 losses.
    Entries outside ``mask`` get 0.  Returns a float64 vector of ``net.n_params``.
    """
    theta = net.flat
    base = None if central else net.evaluate(X, T)[0]
    g = np.zeros(theta.size)
    for i in np.flatnonzero(mask) if mask is not None else range(theta.size):
        old = theta[i]
        theta[i] = old + eps
        up = net.evaluate(X, T)[0]
        if central:
            theta[i] = old - eps
            g[i] = (up - net.evaluate(X, T)[0]) / (2 * eps)
        else:
            g[i] = (up - base) / eps
        theta[i] = old
    return g


@dataclass
class GradCheck:
    """Analytic gradient vs finite differences, entry by entry.

    ``rel_error[k] = |analytic − numeric| / max(|analytic|, |numeric|, 1e-12)``;
    an entry whose relative error exceeds ``tol`` is named in ``mismatched``.
    """

    names: list[str]
    numeric: np.ndarray
    analytic: np.ndarray
    abs_diff: np.ndarray
    rel_error: np.ndarray
    tol: float
    mismatched: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatched

    @property
    def max_rel_error(self) -> float:
        return float(self.rel_error.max())


def gradient_check(names, numeric, analytic, tol: float = 1e-5) -> GradCheck:
    """Compare two flat gradients named ``names``; see ``GradCheck``."""
    n, a = np.asarray(numeric, np.float64).ravel(), np.asarray(analytic, np.float64).ravel()
    diff = np.abs(a - n)
    rel = diff / np.maximum(np.maximum(np.abs(a), np.abs(n)), 1e-12)
    return GradCheck(list(names), n, a, diff, rel, tol, [k for k, r in zip(names, rel) if r > tol])


def to_plain(obj):
    """Dataclasses, arrays and NumPy scalars as JSON-ready lists, dicts and floats."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
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


def example_a(eta: float = 0.1, eps: float = 1e-4) -> ExampleA:
    """Example A: 2-3-1, sigmoid hidden, linear output, ``C = (y − ŷ)²``, x = (1, 1), y = 0, no biases.

    The text gives no learning rate; ``eta`` (default 0.1) is the update's η.
    ``eps`` is the finite-difference step of the numeric gradients.
    """
    eta = _check_lr(eta)
    W, v = np.array(A_W_HIDDEN), np.array(A_W_OUT)
    # The registry's "mse" pair is a linear output with (y − ŷ)² per example: C exactly.
    net = _net([2, 3, 1], "mse", [(W, np.zeros(3)), (v[:, None], np.zeros(1))], eta)
    X, T = np.array([A_X]), np.array([[A_Y]])
    cache = net.forward(X)
    h, a, y_hat = cache.zs[0][0], cache.acts[1][0], float(cache.output[0, 0])
    loss = float(net.loss.value(cache.output, T)[0])
    net.backward(cache, T)
    grad_hidden, grad_out = net.gW[0].copy(), net.gW[1][:, 0].copy()
    factors = {
        "∂C/∂ŷ": float(net.loss.delta(cache.output, T)[0, 0]),  # 2(ŷ − y) = −2(y − ŷ)
        "∂ŷ/∂a11": float(v[0]),  # linear output: ŷ = Σ w3j a1j
        "∂a11/∂h11": float(_SIG.grad(h[:1], a[:1])[0]),  # σ'(h) = a(1 − a)
        "∂h11/∂w11": float(X[0, 0]),  # h11 = w11 x1 + w21 x2
    }
    mask = _weight_mask(net)
    names = ExampleA.weight_names()
    fwd = numeric_gradient(net, X, T, eps, central=False, mask=mask)[mask]
    cen = numeric_gradient(net, X, T, eps, central=True, mask=mask)[mask]
    _step(net, freeze_bias=True)
    new_loss = net.evaluate(X, T)[0]
    r = ExampleA(
        eta=eta, eps=eps, x=X[0].copy(), y=A_Y, w_hidden=W, w_out=v, h=h.copy(), a=a.copy(), y_hat=y_hat,
        loss=loss, factors=factors, dC_dw11=float(np.prod(list(factors.values()))),
        grad_hidden=grad_hidden, grad_out=grad_out,
        numeric_forward=dict(zip(names, map(float, fwd))), numeric_central=dict(zip(names, map(float, cen))),
        check=gradient_check(names, cen, np.concatenate([grad_hidden.ravel(), grad_out])),
        new_hidden=net.W[0].copy(), new_out=net.W[1][:, 0].copy(), new_loss=new_loss, rounded={},
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


def example_b(method: str = "numeric", epochs: int = 100, lr: float = 0.01, dtype=np.float32,
              eps: float = 1e-4) -> ExampleB:
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
    net = _net([2, 3, 1], "mse", B_PARAMS, lr, dtype)
    X, T = np.array([[1.0, 1.0]]), np.array([[0.0]])
    losses = [net.evaluate(X, T)[0]]
    for _ in range(epochs):
        if method == "numeric":
            net.gflat[:] = numeric_gradient(net, X, T, eps)
        else:
            net.backward(net.forward(X), T)
        net.step()  # θ ← θ − η g, every parameter at once
        losses.append(net.evaluate(X, T)[0])
    return ExampleB(method, net.dtype.name, lr, epochs, eps, np.array(losses), net.get_params(),
                    float(net.evaluate(X, None)[1][0, 0]))


@dataclass
class CompareB:
    """Example B by both methods and how far apart they end up."""

    numeric: ExampleB
    analytic: ExampleB
    max_param_diff: float  # max |θ_numeric − θ_analytic| over every final parameter
    max_loss_diff: float  # max over epochs of |loss_numeric − loss_analytic|
    prediction_diff: float


def compare_b(epochs: int = 100, lr: float = 0.01, dtype=np.float32, eps: float = 1e-4) -> CompareB:
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


def example_c(method: str = "correct", lr: float = 1.0, eps: float = 1e-5, tol: float = 1e-5) -> ExampleC:
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
    # Built with "bce" (same sigmoid output), then given the ½-squared-error pair defined above.
    net = _net([2, 2, 1], "bce", [(W0.T, np.zeros(2)), (W1[:, None], np.zeros(1))], lr)
    net.loss = HALF_SQUARE_SIGMOID
    X, T = np.array([C_X]), np.array([[C_Y]])
    cache = net.forward(X)
    net.backward(cache, T)
    z_h, a_h, y_hat = cache.zs[0][0].copy(), cache.acts[1][0].copy(), float(cache.output[0, 0])
    delta_out = float(net.loss.delta(cache.output, T)[0, 0])
    delta_hidden = delta_out * W1 * _SIG.grad(z_h, a_h)
    grad_W0, grad_W1 = net.gW[0].T.copy(), net.gW[1][:, 0].copy()
    if method == "broadcast_bug":
        grad_W0 = np.broadcast_to(delta_hidden * X[0], W0.shape).copy()  # the bug, see the docstring
        net.gW[0][...] = grad_W0.T
    mask = _weight_mask(net)
    numeric = _unflatten(net, numeric_gradient(net, X, T, eps, central=True, mask=mask))
    _step(net, freeze_bias=True)
    names = ExampleC.weight_names()
    check = gradient_check(names, np.concatenate([numeric[0][0].T.ravel(), numeric[1][0][:, 0]]),
                           np.concatenate([grad_W0.ravel(), grad_W1]), tol)
    return ExampleC(
        method, lr, X[0].copy(), C_Y, W0, W1, z_h, a_h, float(cache.zs[1][0, 0]), y_hat,
        float(net.loss.value(cache.output, T)[0]), delta_out, delta_hidden, grad_W0, grad_W1,
        net.W[0].T.copy(), net.W[1][:, 0].copy(), net.evaluate(X, T)[0], check,
    )
