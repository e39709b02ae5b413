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

from playground.core.gradcheck import GradCheck
from playground.teach.worked import SIGMOID, check_choice, check_lr, WORKED, params_of, worked_step, broadcast_bug, train_worked, A_Y, A_W_HIDDEN, A_W_OUT, C_Y, C_W0, C_W1, B_METHODS, C_METHODS, substituted, terms_sum, sigmoid_text, ROUND_NOTE

__all__ = ["OneExample", "ExampleA", "ExampleB", "CompareB", "ExampleC", "example_a", "example_b", "compare_b", "example_c"]

_A, _B, _C = WORKED["A"], WORKED["B"], WORKED["C"]


def _in_order(values: dict[str, float], names: list[str]) -> np.ndarray:
    """A worked step's values (gradients, updated weights) as one array, in the textbook's order of ``names``."""
    return np.array([values[n] for n in names])


@dataclass
class OneExample:
    """What examples A and C both report: the one example (x, y), the output for it, the gradient check."""

    x: np.ndarray  # (2,)
    y: float
    y_hat: float
    check: GradCheck  # the gradients used vs central differences


def _example_x(t) -> np.ndarray:
    return np.array([t.values["x1"], t.values["x2"]])


# ----- A: one forward pass and one chain-rule gradient -----------------------------------------
@dataclass
class ExampleA(OneExample):
    """Example A, every intermediate value.  Hidden arrays are (3,); weight names follow the text.

    ``grad_hidden[i, j] = ∂C/∂w_{i+1, j+1}`` (from input i to hidden unit j);
    ``grad_out[j] = ∂C/∂w_{3, j+1}``.
    """

    eta: float
    eps: float
    w_hidden: np.ndarray  # (2, 3)
    w_out: np.ndarray  # (3,)
    h: np.ndarray  # (3,) pre-activations h11, h12, h13
    a: np.ndarray  # (3,) σ(h)
    loss: float  # C = (y − ŷ)²
    factors: dict[str, float]  # the four chain-rule factors of ∂C/∂w11, in order
    dC_dw11: float  # their product
    grad_hidden: np.ndarray
    grad_out: np.ndarray
    numeric_forward: dict[str, float]  # by weight name
    numeric_central: dict[str, float]
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
    eta = check_lr(eta)
    W, v = np.array(A_W_HIDDEN), np.array(A_W_OUT)
    t = worked_step(dataclasses.replace(_A, eps=eps), {"eta": eta})
    names = ExampleA.weight_names()
    h, a, y_hat, loss = t.h, t.a, t.y_hat, t.loss
    grads = _in_order(t.grads, names)
    factors = {
        "∂C/∂ŷ": t.delta_out,  # 2(ŷ − y) = −2(y − ŷ); a linear output has ∂ŷ/∂z = 1
        "∂ŷ/∂a11": float(v[0]),  # linear output: ŷ = Σ w3j a1j
        "∂a11/∂h11": float(SIGMOID.grad(h[:1], a[:1])[0]),  # σ'(h) = a(1 − a)
        "∂h11/∂w11": t.values["x1"],  # h11 = w11 x1 + w21 x2
    }
    new = _in_order(t.new_values, names)
    r = ExampleA(
        eta=eta, eps=eps, x=_example_x(t), y=A_Y, w_hidden=W, w_out=v, h=h, a=a, y_hat=y_hat,
        loss=loss, factors=factors, dC_dw11=float(np.prod(list(factors.values()))),
        grad_hidden=grads[:6].reshape(2, 3), grad_out=grads[6:],
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
    check_choice("method", method, B_METHODS)
    lr, epochs = check_lr(lr), int(epochs)
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
class ExampleC(OneExample):
    """Example C, in the textbook's layout: ``W0[j, i]`` = weight from input i INTO hidden unit j.

    ``grad_W0``/``grad_W1`` are the gradients ``method`` computes (for
    ``"broadcast_bug"``, the copied code's); ``check`` compares them with
    central differences, which flag the bug.
    """

    method: str
    lr: float
    W0: np.ndarray  # (2, 2)
    W1: np.ndarray  # (2,)
    z_hidden: np.ndarray  # (2,) W0 @ x
    a_hidden: np.ndarray  # (2,) σ(z_hidden)
    z_out: float  # ŷ = σ(z_out)
    error: float  # ½(y − ŷ)²
    delta_out: float  # ∂E/∂z_out = (ŷ − y) ŷ(1 − ŷ)
    delta_hidden: np.ndarray  # (2,) ∂E/∂z_hidden = δ_out W1 ⊙ a(1 − a)
    grad_W0: np.ndarray  # (2, 2)
    grad_W1: np.ndarray  # (2,)
    new_W0: np.ndarray  # after W ← W − lr·grad
    new_W1: np.ndarray
    new_error: float

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
    check_choice("method", method, C_METHODS)
    lr = check_lr(lr)
    W0, W1 = np.array(C_W0), np.array(C_W1)
    spec, names = dataclasses.replace(_C, eps=eps), ExampleC.weight_names()
    t = worked_step(spec, {"eta": lr})
    grads = broadcast_bug(t) if method == "broadcast_bug" else t.grads  # the bug: see the docstring
    after = worked_step(spec, {"eta": lr}, grads) if method == "broadcast_bug" else t
    g, new = _in_order(grads, names), _in_order(after.new_values, names)
    return ExampleC(
        x=_example_x(t), y=C_Y, y_hat=t.y_hat, check=t.check(grads, tol), method=method, lr=lr, W0=W0, W1=W1,
        z_hidden=t.h, a_hidden=t.a, z_out=t.z, error=t.loss, delta_out=t.delta_out, delta_hidden=t.delta_hidden,
        grad_W0=g[:4].reshape(2, 2), grad_W1=g[4:], new_W0=new[:4].reshape(2, 2), new_W1=new[4:],
        new_error=after.new_loss,
    )
