"""Activation functions: one registry, each entry with its value, derivative and formula.

Every record has ``fn(z)`` and ``grad(z, a)``: the derivative receives both the
pre-activation ``z`` and the activation ``a = fn(z)`` (the forward pass keeps
both), so each entry can use the cheaper form — tanh's derivative is
``1 - a²`` from its output, GELU's needs ``z``.  Each entry also carries the
same function as a torch expression (the PyTorch engine compiles it; the
parity tests hold the two together), the source text the code generator
writes into exported scripts and, where NumPy can, the value and the derivative
written into a buffer (``fn_out``, ``grad_out``: the fused training path's
allocation-free forms, the same bits), so adding an activation is adding one
entry here.

Example::

    >>> import numpy as np
    >>> act = ACTIVATIONS["tanh"]
    >>> z = np.array([0.0, 1.0]); a = act.fn(z)
    >>> act.grad(z, a)            # 1 - tanh(z)^2
    array([1.        , 0.41997434])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Activation", "ACTIVATIONS", "ONE", "TRAINABLE", "get_activation", "softmax"]

_GELU_C = float(np.sqrt(2.0 / np.pi))  # a Python float: a NumPy float64 scalar would turn float32 arrays into float64


@dataclass(frozen=True)
class Activation:
    """A named activation: value, derivative and the facts a page shows beside its curve."""

    name: str
    label: str
    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    latex: str
    grad_latex: str
    description: str
    out_range: tuple[float, float]
    # Where the derivative is (nearly) zero, as z-intervals; pages shade them.
    saturates: tuple[tuple[float, float], ...] = ()
    # step and sign have zero derivative almost everywhere: gradient descent cannot use them.
    trainable: bool = True
    # ``fn`` writing into a buffer, ``fn_out(z, out)``, where NumPy can (the fused training path uses it; a
    # ufunc itself where one is the function: a Python wrapper costs as much as the call at batch 10).
    fn_out: Callable[[np.ndarray, np.ndarray], object] | None = None
    # ``grad`` writing into a buffer, ``grad_out(z, a, out)``: the same operations in the same order (the same
    # bits), without allocating; the fused training path and the evaluation use it where given.
    grad_out: Callable[[np.ndarray, np.ndarray, np.ndarray], object] | None = None
    # What the PyTorch engine and the code generator need (see the module docstring):
    torch: str = ""  # the same function in torch, an expression in ``z`` (``F`` is torch.nn.functional)
    # Its torch.nn module for exported scripts; "" writes a module class returning ``torch`` (which
    # must then use ``torch.`` only: the scripts do not import ``F``).
    torch_layer: str = ""
    np_source: tuple[str, str] | None = None  # bodies of value(z) and derivative(z, a) for NumPy scripts
    np_uses: tuple[str, ...] = ()  # other activations whose value function np_source calls
    np_constants: tuple[str, ...] = ()  # constant lines np_source needs

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.latex})"


def _sigmoid(z):
    # exp(-|z|) never overflows; the two branches are the same formula rearranged.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


#: 1 as a 0-d array of each float type: a ufunc reads it ~0.4 µs faster than the Python float 1.0 (a tenth of a
#: mini-batch's call at batch 10), and the value it computes with is the same (1.0 cast to the array's type).
ONE = {np.dtype(t): np.ones((), t) for t in (np.float16, np.float32, np.float64)}


def _tanh_grad_out(z, a, out):
    """1 − a², into ``out``."""
    np.multiply(a, a, out=out)
    np.subtract(ONE.get(out.dtype, 1.0), out, out=out)


def _sigmoid_grad_out(z, a, out):
    """a · (1 − a), into ``out``."""
    np.subtract(ONE.get(out.dtype, 1.0), a, out=out)
    np.multiply(a, out, out=out)


def _softplus(z):
    # torch.nn.functional.softplus switches to the identity above 20; do the same for parity.
    return np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20)))).astype(z.dtype, copy=False)


def _elu(z):
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0))).astype(z.dtype, copy=False)


def _gelu(z):
    # The tanh approximation (torch's GELU(approximate="tanh")); numpy has no erf.
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (z + 0.044715 * z**3)))


def _gelu_grad(z, a):
    u = _GELU_C * (z + 0.044715 * z**3)
    t = np.tanh(u)
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (1.0 + 3 * 0.044715 * z * z)


def _silu_grad(z, a):
    s = _sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def _zero_grad(z, a):
    return np.zeros_like(z)


_INF = float("inf")

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "linear", "Linear", lambda z: z, lambda z, a: np.ones_like(z),
            r"f(z) = z", r"f'(z) = 1",
            "Identity: stacking linear layers still gives one linear map.",
            (-_INF, _INF),
            fn_out=lambda z, out: np.copyto(out, z),
            grad_out=lambda z, a, out: out.fill(1.0),
            torch='z',
            torch_layer='torch.nn.Identity()',
            np_source=('return z', 'return np.ones_like(z)'),
        ),
        Activation(
            "tanh", "Tanh", np.tanh, lambda z, a: 1.0 - a * a,
            r"f(z) = \tanh z = 2\sigma(2z) - 1", r"f'(z) = 1 - \tanh^2 z",
            "Zero-centred S-curve; saturates (flat) for large |z|.",
            (-1.0, 1.0), ((-_INF, -3.0), (3.0, _INF)),
            fn_out=np.tanh,  # np.tanh(z, out): out is a ufunc's second argument
            grad_out=_tanh_grad_out,
            torch='torch.tanh(z)',
            torch_layer='torch.nn.Tanh()',
            np_source=('return np.tanh(z)', "return 1.0 - a * a  # from the output: tanh' = 1 − tanh²"),
        ),
        Activation(
            "sigmoid", "Sigmoid", _sigmoid, lambda z, a: a * (1.0 - a),
            r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)(1 - \sigma(z)) \le 0.25",
            "Squashes to (0, 1); derivative at most 0.25, so deep stacks shrink gradients.",
            (0.0, 1.0), ((-_INF, -5.0), (5.0, _INF)),
            grad_out=_sigmoid_grad_out,
            torch='torch.sigmoid(z)',
            torch_layer='torch.nn.Sigmoid()',
            np_source=('e = np.exp(-np.abs(z))  # exp of a negative number never overflows\n    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype)', "return a * (1.0 - a)  # σ' = σ(1 − σ) ≤ 0.25"),
        ),
        Activation(
            "relu", "ReLU", lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype),
            r"f(z) = \max(0, z)", r"f'(z) = [z > 0]",
            "No saturation for z > 0; a unit stuck at z < 0 is 'dead' (zero gradient).",
            (0.0, _INF), ((-_INF, 0.0),),
            fn_out=lambda z, out: np.maximum(z, 0, out=out),
            grad_out=lambda z, a, out: np.greater(z, 0, out=out),  # 1.0 where z > 0, else 0.0
            torch='torch.relu(z)',
            torch_layer='torch.nn.ReLU()',
            np_source=('return np.maximum(z, 0)', 'return (z > 0).astype(z.dtype)  # 1 where the unit is on, else 0'),
        ),
        Activation(
            "leaky_relu", "Leaky ReLU",
            lambda z: np.where(z > 0, z, 0.01 * z).astype(z.dtype, copy=False),
            lambda z, a: np.where(z > 0, 1.0, 0.01).astype(z.dtype),
            r"f(z) = \max(0.01z, z)", r"f'(z) = 1 \text{ if } z > 0 \text{ else } 0.01",
            "ReLU with a small slope for z < 0, so no unit dies completely.",
            (-_INF, _INF),
            torch='F.leaky_relu(z, 0.01)',
            torch_layer='torch.nn.LeakyReLU(0.01)',
            np_source=('return np.where(z > 0, z, 0.01 * z).astype(z.dtype)', 'return np.where(z > 0, 1.0, 0.01).astype(z.dtype)'),
        ),
        Activation(
            "elu", "ELU", _elu, lambda z, a: np.where(z > 0, 1.0, a + 1.0).astype(z.dtype),
            r"f(z) = z \text{ if } z > 0 \text{ else } e^z - 1", r"f'(z) = 1 \text{ if } z > 0 \text{ else } e^z",
            "Smooth for z < 0, tends to -1; mean activations closer to zero than ReLU.",
            (-1.0, _INF), ((-_INF, -4.0),),
            torch='F.elu(z)',
            torch_layer='torch.nn.ELU()',
            np_source=('return np.where(z > 0, z, np.expm1(np.minimum(z, 0))).astype(z.dtype)', 'return np.where(z > 0, 1.0, a + 1.0).astype(z.dtype)  # e^z = f(z) + 1 for z < 0'),
        ),
        Activation(
            "gelu", "GELU", _gelu, _gelu_grad,
            r"f(z) \approx \tfrac{z}{2}\left(1 + \tanh\left[\sqrt{2/\pi}\,(z + 0.044715 z^3)\right]\right)",
            r"f'(z) = \tfrac12(1+t) + \tfrac{z}{2}(1-t^2)\sqrt{2/\pi}\,(1 + 0.134145 z^2)",
            "Smooth ReLU used in transformers (tanh approximation, as torch's approximate='tanh').",
            (-0.1701, _INF), ((-_INF, -4.0),),  # min ≈ −0.17004 at z ≈ −0.75
            torch='F.gelu(z, approximate="tanh")',
            torch_layer='torch.nn.GELU(approximate="tanh")',
            np_source=('return 0.5 * z * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3)))  # tanh approximation', 't = np.tanh(GELU_C * (z + 0.044715 * z**3))\n    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3 * 0.044715 * z * z)'),
            np_constants=('GELU_C = float(np.sqrt(2.0 / np.pi))  # a Python float keeps float32 arrays float32',),
        ),
        Activation(
            "silu", "SiLU / Swish", lambda z: z * _sigmoid(z), _silu_grad,
            r"f(z) = z\,\sigma(z)", r"f'(z) = \sigma(z)\,(1 + z(1 - \sigma(z)))",
            "Smooth, slightly non-monotonic ReLU-like curve.",
            (-0.28, _INF), ((-_INF, -6.0),),
            torch='F.silu(z)',
            torch_layer='torch.nn.SiLU()',
            np_source=('return z * sigmoid(z)', 's = sigmoid(z)\n    return s * (1.0 + z * (1.0 - s))'),
            np_uses=('sigmoid',),
        ),
        Activation(
            "softplus", "Softplus", _softplus, lambda z, a: _sigmoid(z),
            r"f(z) = \ln(1 + e^z)", r"f'(z) = \sigma(z)",
            "Smooth version of ReLU; its derivative is the sigmoid.",
            (0.0, _INF), ((-_INF, -5.0),),
            torch='F.softplus(z)',
            torch_layer='torch.nn.Softplus()',
            np_source=('return np.where(z > 20, z, np.log1p(np.exp(np.minimum(z, 20)))).astype(z.dtype)', "return sigmoid(z)  # softplus' = σ"),
            np_uses=('sigmoid',),
        ),
        Activation(
            "sine", "Sine", np.sin, lambda z, a: np.cos(z),
            r"f(z) = \sin z", r"f'(z) = \cos z",
            "Periodic: useful for wavy boundaries such as the spiral.",
            (-1.0, 1.0),
            torch='torch.sin(z)',
            np_source=('return np.sin(z)', 'return np.cos(z)'),
        ),
        Activation(
            "step", "Step (Heaviside)", lambda z: (z >= 0).astype(z.dtype), _zero_grad,
            r"f(z) = [z \ge 0]", r"f'(z) = 0 \;(z \ne 0)",
            "The perceptron's hard decision; zero derivative, so gradient descent cannot train it.",
            (0.0, 1.0), ((-_INF, _INF),), trainable=False,
            torch='(z >= 0).to(z.dtype)',
        ),
        Activation(
            "sign", "Sign", lambda z: np.where(z >= 0, 1.0, -1.0).astype(z.dtype), _zero_grad,
            r"f(z) = \operatorname{sign}(z)", r"f'(z) = 0 \;(z \ne 0)",
            "±1 hard decision of the perceptron; not trainable by gradient descent.",
            (-1.0, 1.0), ((-_INF, _INF),), trainable=False,
            torch='torch.where(z >= 0, 1.0, -1.0).to(z.dtype)',
        ),
    ]
}

#: Names usable in hidden layers of a network trained by gradient descent.
TRAINABLE: tuple[str, ...] = tuple(n for n, a in ACTIVATIONS.items() if a.trainable)


def get_activation(name: str) -> Activation:
    """Look an activation up by name, with a message listing the allowed names."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; allowed: {', '.join(ACTIVATIONS)}") from None


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax ``e^{z_i} / Σ_j e^{z_j}``, shifted by the row max so exp never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
