"""The PyTorch engine: the same network as ``network.NumpyMLP``, with autograd and ``torch.optim``.

Same interface, same arithmetic, so a lesson can switch engines and keep its
trajectory (``tests/test_parity.py`` holds the two together to 1e-9 in float64)::

    forward:   z[l] = a[l] @ W[l] + b[l]        (torch.addmm: one call per layer)
               a[l+1] = f_l(z[l]);  ŷ = output_fn(z[last])
    backward:  loss.backward()                  autograd applies the chain rule for us
    update:    g += λw or λ·sign(w) (weights only);  clip ‖g‖;  optimizer.step()

Only this module imports torch; ``engines.make_engine`` imports it lazily, so
the app runs without torch installed.

Why it looks the way it does (speed at TF Playground's size, batch 10): each
torch call costs a few microseconds of Python and dispatch while the
arithmetic costs nanoseconds, so the hot loop counts calls.

* All weights and biases live in ONE flat tensor (``self.flat``), and so do
  their gradients (``self.gflat``).  Each layer's ``W`` and ``b`` are leaf
  tensors that *share storage* with it, and their ``.grad`` are views of
  ``gflat``: autograd accumulates every layer's gradient straight into
  ``gflat``, and the optimizer, regulariser and clipping see one tensor (one
  call each) instead of two per layer.
* The loss is summed by one fused call (``mse_loss(…, reduction="sum")``…) and
  the mean's ``1/n`` (and the ½ or ``1/k`` of the formula) goes in as the
  starting gradient of ``backward``: no extra multiply nodes.
* ``X`` and ``T`` become tensors once per epoch and are cut into mini-batches
  by one ``torch.split``.
* The update calls torch.optim's functional form (``torch.optim.sgd.sgd`` …) on
  the optimizer's own state, skipping ``Optimizer.step``'s hooks and profiler
  bookkeeping (see ``functional_step``).

Measured on TF Playground's default (2-4-2-1 tanh, square loss, batch 10, 250
points, CPU): about 1.7-1.9x the epochs/s of a plain ``nn.Sequential`` +
``torch.optim`` loop.  What is left is autograd itself: one ``backward`` call
costs ~50 µs plus ~7 µs a node, on this size more than all the arithmetic.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

# torch.optim's functional forms: what SGD/Adam/RMSprop.step call (public: in each module's __all__).
from torch.optim.adam import adam as _adam
from torch.optim.rmsprop import rmsprop as _rmsprop
from torch.optim.sgd import sgd as _sgd

from playground.core.activations import ACTIVATIONS, Activation, get_activation
from playground.core.losses import HUBER_DELTA, LOSSES, PROB_EPS, Loss, get_loss
from playground.core.network import batch_rows, layer_slices
from playground.core.optimizers import get_optimizer
from playground.base.runtime import apply_torch_settings


def cuda_available() -> bool:
    """True when torch sees a CUDA GPU."""
    return bool(torch.cuda.is_available())


__all__ = ["TorchMLP", "TorchLoss", "TORCH_ACTIVATIONS", "TORCH_LOSSES", "make_torch_optimizer", "functional_step",
           "cuda_available", "compile_expr", "torch_activation"]

# One intra-op thread, but only in a process that asked for the app's settings (runtime.py says why).
apply_torch_settings(torch)

# What a registry entry's torch expressions may use.
_SCOPE = {"torch": torch, "F": F, "PROB_EPS": PROB_EPS, "HUBER_DELTA": HUBER_DELTA}
_CALL_OF_Z = re.compile(r"([A-Za-z_][\w.]*)\(z\)")


@functools.lru_cache(maxsize=None)
def compile_expr(args: str, expr: str) -> Callable:
    """A registry entry's torch expression as a function of ``args``, e.g. ``("z", "torch.tanh(z)")``.

    The text comes from the registries (activations.py, losses.py), never from a user.  A plain
    call of ``z`` compiles to the function itself (``torch.tanh``): one Python frame less per layer.
    """
    whole = _CALL_OF_Z.fullmatch(expr) if args == "z" else None
    return eval(whole[1] if whole else f"lambda {args}: {expr}", dict(_SCOPE))  # noqa: S307 - registry text


def torch_activation(act: Activation) -> Callable[[torch.Tensor], torch.Tensor]:
    """The entry's function in torch; autograd supplies the derivative."""
    if not act.torch:
        raise ValueError(f"activation {act.name!r} has no torch expression in activations.py")
    return compile_expr("z", act.torch)


def _torch_output(output: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if output == "softmax":
        return lambda z: torch.softmax(z, dim=1)
    return torch_activation(get_activation(output))


@dataclass(frozen=True)
class TorchLoss:
    """One ``losses.LOSSES`` pair in torch, compiled from the entry's expressions.

    ``value(out, z, t)`` is the per-example loss (n,) with the formula of ``losses.py``;
    training minimises ``scale(k) / n · total(z, t)``: ``total`` is the batch sum in one
    fused call, from the output pre-activation ``z`` (n, k), which is both faster and
    numerically safer (bce and ce work from logits, so their gradient is exactly ŷ − t).
    """

    value: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
    total: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    scale: Callable[[int], float]

    @classmethod
    def of(cls, loss: Loss) -> "TorchLoss":
        if not (loss.torch_value and loss.torch_total):
            raise ValueError(f"loss {loss.name!r} has no torch expressions in losses.py")
        return cls(compile_expr("out, z, t", loss.torch_value), compile_expr("z, t", loss.torch_total),
                   compile_expr("k", loss.torch_scale))


#: The registries in torch, for reading; the engine compiles the entries it is given.
TORCH_ACTIVATIONS = {name: torch_activation(a) for name, a in ACTIVATIONS.items()}
TORCH_LOSSES = {name: TorchLoss.of(l) for name, l in LOSSES.items()}


def make_torch_optimizer(name: str, params, lr: float, device: str = "cpu") -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer of an ``optimizers.OPTIMIZERS`` entry (its class and arguments).

    The engine has a single parameter tensor, so the multi-tensor (``foreach``) code
    buys nothing and its set-up costs ~10 µs a step: use the plain loop, or on CUDA
    the fused one-kernel versions where torch has them.
    """
    spec = get_optimizer(name)
    fast = {"fused": True} if str(device).startswith("cuda") and spec.torch_fused else {"foreach": False}
    return getattr(torch.optim, spec.torch_class)(params, lr=lr, **spec.torch_kwargs, **fast)


def functional_step(opt: torch.optim.Optimizer, p: torch.Tensor) -> bool:
    """``opt.step()`` for an optimizer whose only parameter is ``p``, via torch.optim's functional API.

    ``Optimizer.step`` wraps the very same call (``torch.optim.sgd.sgd`` …) in hooks, a
    profiler record and per-group bookkeeping that cost ~20 µs a call, as much as the
    update itself at batch 10.  The hyperparameters and the state are read from ``opt``
    (its lr, momentum buffer, Adam moments and step count), so ``opt`` stays the one
    source of truth.  Returns False, doing nothing, where ``opt`` has no state yet (its
    first ``step()`` creates it) or is not one of the engine's optimizers.
    """
    state, group = opt.state.get(p), opt.param_groups[0]
    if group.get("fused") or group.get("capturable") or group.get("differentiable"):
        return False  # variants this shortcut does not reproduce: let step() handle them
    kind = type(opt)
    if kind is torch.optim.SGD and (state or not group["momentum"]):
        with torch.no_grad():
            _sgd([p], [p.grad], [state["momentum_buffer"] if state else None], foreach=False,
                 weight_decay=group["weight_decay"], momentum=group["momentum"], lr=group["lr"],
                 dampening=group["dampening"], nesterov=group["nesterov"], maximize=group["maximize"])
        return True
    if kind is torch.optim.Adam and state and not group["amsgrad"]:
        with torch.no_grad():
            _adam([p], [p.grad], [state["exp_avg"]], [state["exp_avg_sq"]], [], [state["step"]], foreach=False,
                  amsgrad=False, beta1=group["betas"][0], beta2=group["betas"][1], lr=group["lr"],
                  weight_decay=group["weight_decay"], eps=group["eps"], maximize=group["maximize"])
        return True
    if kind is torch.optim.RMSprop and state and not group["momentum"] and not group["centered"]:
        with torch.no_grad():
            _rmsprop([p], [p.grad], [state["square_avg"]], [], [], [state["step"]], foreach=False,
                     lr=group["lr"], alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
                     momentum=0.0, centered=False, maximize=group["maximize"])
        return True
    return False


def _dropout_masks(rng: np.random.Generator, n: int, sizes: list[int], p: float, dtype) -> list[np.ndarray]:
    """One inverted-dropout mask per hidden layer: the same draws, in the same order, as NumpyMLP.forward."""
    return [(rng.random((n, fo)) >= p).astype(dtype) / (1 - p) for fo in sizes[1:-1]]


class TorchMLP:
    """A fully connected network trained with autograd and ``torch.optim``; ``NumpyMLP``'s interface.

    Args: as ``NumpyMLP``, plus ``device``: ``"cpu"`` or ``"cuda"``.  Every method takes
    and returns NumPy arrays; tensors stay inside.
    """

    name = "torch"

    def __init__(self, sizes, activations, loss, params, *, optimizer="sgd", lr=0.03, reg="none",
                 reg_rate=0.0, dropout=0.0, clip=0.0, dtype=np.float32, device="cpu"):
        self.sizes = list(sizes)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.acts: list[Activation] = [get_activation(a) for a in activations]
        self.loss: Loss = get_loss(loss)
        if len(self.acts) != len(self.sizes) - 2:
            raise ValueError(f"need {len(self.sizes) - 2} hidden activations, got {len(self.acts)}")
        self.device = str(device)
        self._tdtype = torch.float64 if self.dtype == np.float64 else torch.float32
        self._fns = [torch_activation(a) for a in self.acts]
        self._out_fn = _torch_output(self.loss.output)
        self._tloss = TorchLoss.of(self.loss)
        self.slices = layer_slices(self.sizes)
        n = self.slices[-1][1].stop
        kw = {"dtype": self._tdtype, "device": self.device}
        # The optimizer's one parameter and its gradient; W[l], b[l] and their grads are views.
        self.flat = torch.zeros(n, **kw, requires_grad=True)
        self.gflat = torch.zeros(n, **kw)
        self.flat.grad = self.gflat
        storage = self.flat.detach()  # shares memory (and version counter) with flat
        shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        self.W = [storage[w].view(s).requires_grad_() for (w, _), s in zip(self.slices, shapes)]
        self.b = [storage[b].requires_grad_() for _, b in self.slices]
        for W, b, (w, bs), s in zip(self.W, self.b, self.slices, shapes):
            W.grad, b.grad = self.gflat[w].view(s), self.gflat[bs]
        self._wmask = torch.zeros(n, **kw)  # 1 for weights (regularised), 0 for biases
        for w, _ in self.slices:
            self._wmask[w] = 1.0
        self._starts: dict[int, torch.Tensor] = {}
        self.set_params(params)
        self.optimizer = make_torch_optimizer(optimizer, [self.flat], lr, self.device)
        self.reg, self.reg_rate, self.dropout, self.clip = reg, float(reg_rate), float(dropout), float(clip)
        self._reg = reg if reg != "none" and self.reg_rate > 0 else None
        # On CUDA a step is kernel launches, not Python: keep torch's (fused) step there.
        self._fast = not self.device.startswith("cuda")

    # ----- parameters -------------------------------------------------------------------------
    def get_params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """A float64 copy of ``[(W, b), ...]``."""
        return [(_numpy(W, np.float64), _numpy(b, np.float64)) for W, b in zip(self.W, self.b)]

    def set_params(self, params) -> None:
        with torch.no_grad():
            for W, b, (W0, b0) in zip(self.W, self.b, params):
                W.copy_(torch.as_tensor(np.asarray(W0)))
                b.copy_(torch.as_tensor(np.asarray(b0)))

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        for group in self.optimizer.param_groups:  # the optimizer's state (momentum, moments) is kept
            group["lr"] = float(value)

    @property
    def n_params(self) -> int:
        return self.flat.numel()

    # ----- forward and backward ------------------------------------------------------------------
    def _tensor(self, A: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(A, self.dtype), device=self.device)

    def _forward(self, X: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """(zs, acts) with acts[0] = X and acts[-1] = the output ŷ; no dropout."""
        zs, acts, a = [], [X], X
        last = len(self.W) - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = torch.addmm(b, a, W)  # b + a @ W
            a = self._out_fn(z) if l == last else self._fns[l](z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def _start(self, T: torch.Tensor) -> torch.Tensor:
        """backward's starting gradient ∂C/∂total = scale(k)/n, one cached tensor per batch size."""
        start = self._starts.get(len(T))
        if start is None:
            start = torch.tensor(self._tloss.scale(T.shape[1]) / len(T), dtype=self._tdtype, device=self.device)
            self._starts[len(T)] = start
        return start

    def _backward(self, z_out: torch.Tensor, T: torch.Tensor) -> None:
        """Fill ``gflat`` with ∂C/∂θ of the mean loss over the batch, C = scale/n · total."""
        self.gflat.zero_()
        self._tloss.total(z_out, T).backward(self._start(T))  # autograd adds each layer's gradient into gflat

    def _step(self) -> None:
        """Add the regulariser's gradient (weights only), clip the global norm, update."""
        if self._reg is not None:
            with torch.no_grad():
                w = self.flat if self._reg == "l2" else self.flat.sign()  # ∂(λ/2 Σw²) = λw, ∂(λ Σ|w|) = λ sign w
                self.gflat.addcmul_(w, self._wmask, value=self.reg_rate)
        if self.clip > 0:
            torch.nn.utils.clip_grad_norm_([self.flat], self.clip)  # g *= clip / (‖g‖ + 1e-6) when < 1
        if self._fast:
            try:
                if functional_step(self.optimizer, self.flat):
                    return
            except TypeError:  # a torch whose functional signatures differ: use the standard path
                self._fast = False
        self.optimizer.step()

    # ----- what the trainer calls --------------------------------------------------------------
    def train_epoch(self, X: np.ndarray, T: np.ndarray, batch: int, rng: np.random.Generator | None,
                    start: int = 0, stop: int | None = None) -> None:
        """One pass over (X, T) in the given order, one update per mini-batch of ``batch`` rows;
        ``start``/``stop`` train only those mini-batches of it (as ``NumpyMLP.train_epoch``)."""
        rows = batch_rows(batch, start, stop)
        Xs, Ts = torch.split(self._tensor(X[rows]), batch), torch.split(self._tensor(T[rows]), batch)
        layers = list(zip(self.W, self.b, self._fns + [None]))  # the output layer's f is in the loss
        total, step, gflat = self._tloss.total, self._step, self.gflat
        dropout = self.dropout if rng is not None else 0.0
        for xb, tb in zip(Xs, Ts):
            masks = _dropout_masks(rng, len(xb), self.sizes, dropout, self.dtype) if dropout > 0 else None
            a = xb
            for l, (W, b, f) in enumerate(layers):
                z = torch.addmm(b, a, W)  # b + a @ W
                if f is not None:
                    a = f(z) if masks is None else f(z) * self._tensor(masks[l])
            gflat.zero_()
            total(z, tb).backward(self._start(tb))  # = self._backward(z, tb), inlined: this loop is hot
            step()

    def evaluate(self, X: np.ndarray, T: np.ndarray | None, grads: bool = False):
        """``(mean loss, outputs, grads)`` on (X, T); no dropout, weights unchanged.

        With ``grads=True`` also ∂C/∂W, ∂C/∂b of the data loss as float64 copies; with
        ``T=None`` only the outputs are computed (loss is nan).
        """
        Xt = self._tensor(X)
        if T is None or not grads:
            with torch.no_grad():
                zs, acts = self._forward(Xt)
                out = _numpy(acts[-1])
                if T is None:
                    return float("nan"), out, None
                Tt = self._tensor(T)
                return float(self._tloss.value(acts[-1], zs[-1], Tt).mean()), out, None
        Tt = self._tensor(T)
        zs, acts = self._forward(Xt)
        self._backward(zs[-1], Tt)
        with torch.no_grad():
            loss = float(self._tloss.value(acts[-1], zs[-1], Tt).mean())
        g = [(_numpy(W.grad, np.float64), _numpy(b.grad, np.float64)) for W, b in zip(self.W, self.b)]
        return loss, _numpy(acts[-1]), g

    def gradients(self, X: np.ndarray, T: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """∂C/∂W and ∂C/∂b of the data loss on (X, T) at the current weights (float64 copies)."""
        return self.evaluate(X, T, grads=True)[2]

    def evaluate_splits(self, X_train, T_train, X_test, T_test):
        """``(train loss, test loss, train outputs, test outputs, grads of the train loss)``."""
        train_loss, out_tr, grads = self.evaluate(X_train, T_train, grads=True)
        test_loss, out_te, _ = self.evaluate(X_test, T_test)
        return train_loss, test_loss, out_tr, out_te, grads

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's output on X (no dropout): [hidden 1, ..., output]; for neuron thumbnails."""
        with torch.no_grad():
            return [_numpy(a) for a in self._forward(self._tensor(X))[1][1:]]

    def pre_activations(self, X: np.ndarray) -> list[np.ndarray]:
        with torch.no_grad():
            return [_numpy(z) for z in self._forward(self._tensor(X))[0]]

    def __repr__(self) -> str:
        hidden = ", ".join(a.name for a in self.acts)
        return (f"TorchMLP({'-'.join(map(str, self.sizes))}, [{hidden}] → {self.loss.name}, "
                f"{self.dtype}, {self.device})")


def _numpy(t: torch.Tensor, dtype=None) -> np.ndarray:
    """A NumPy copy of a tensor (any device), optionally cast."""
    a = t.detach().cpu().numpy()
    return a.astype(dtype) if dtype is not None else a.copy()
