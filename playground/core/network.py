"""The NumPy engine: a multi-layer perceptron with an explicit forward and backward pass.

Read it beside the Backprop page.  Shapes, for a batch of n examples::

    X: (n, d)   W[l]: (fan_in, fan_out)   b[l]: (fan_out,)
    z[l] = a[l] @ W[l] + b[l]            pre-activation       (n, fan_out)
    a[l+1] = f_l(z[l])                   activation; a[0] = X

Backward (chain rule, from the output back to the input), with the cost the
mean over the batch of the per-example loss:

    δ = ∂L/∂z[last] / n                  given by the loss pair (e.g. ŷ − y)
    ∂C/∂W[l] = a[l]ᵀ δ,  ∂C/∂b[l] = Σ_rows δ
    δ ← (δ @ W[l]ᵀ) ⊙ f'_{l-1}(z[l-1])   move one layer back

All weights and biases live in ONE flat vector (``self.flat``; ``W`` and ``b``
are views into it) and so do their gradients: the optimizer then updates the
whole network with a handful of NumPy calls instead of a few per layer.  At
batch size 10 the cost of training is the number of NumPy calls (about 1 µs
each), not the arithmetic, which is why the hot loop counts its calls.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.core.activations import ACTIVATIONS, Activation
from playground.core.losses import LOSSES, Loss
from playground.core.optimizers import Optimizer

__all__ = ["Cache", "NumpyMLP", "batch_rows", "layer_slices"]


@dataclass
class Cache:
    """Everything the forward pass computed: the backward pass and the views read it."""

    zs: list[np.ndarray]  # pre-activations, one per layer
    acts: list[np.ndarray]  # acts[0] = input, acts[l+1] = output of layer l (after dropout)
    pre_dropout: list[np.ndarray] = field(default_factory=list)  # f(z) before the dropout mask
    masks: list[np.ndarray | None] = field(default_factory=list)

    @property
    def output(self) -> np.ndarray:
        return self.acts[-1]


def batch_rows(batch: int, start: int = 0, stop: int | None = None) -> slice:
    """The rows of mini-batches ``start`` to ``stop`` (exclusive; None = to the end) of a pass."""
    return slice(start * batch, None if stop is None else stop * batch)


def layer_slices(sizes: list[int]) -> list[tuple[slice, slice]]:
    """Where each layer's W (row-major) and b sit in the flat parameter vector."""
    out, pos = [], 0
    for fi, fo in zip(sizes[:-1], sizes[1:]):
        w = slice(pos, pos + fi * fo)
        pos += fi * fo
        out.append((w, slice(pos, pos + fo)))
        pos += fo
    return out


class NumpyMLP:
    """A fully connected network trained by backprop, in NumPy.

    Args:
        sizes: units per layer, input first and output last, e.g. ``[2, 4, 2, 1]``.
        activations: one activation name per hidden layer.
        loss: name of the output + loss pair (fixes the output activation).
        params: initial ``[(W, b), ...]``, copied in.
        optimizer, lr: see ``optimizers.py``.
        reg, reg_rate: ``"none"``, ``"l1"`` or ``"l2"``; applied to weights, not biases.
        dropout: probability of zeroing each hidden unit during training (inverted dropout).
        clip: max global gradient norm, 0 for none.
    """

    name = "numpy"

    def __init__(self, sizes, activations, loss, params, *, optimizer="sgd", lr=0.03, reg="none",
                 reg_rate=0.0, dropout=0.0, clip=0.0, dtype=np.float32):
        self.sizes = list(sizes)
        self.dtype = np.dtype(dtype)
        self.acts: list[Activation] = [ACTIVATIONS[a] for a in activations]
        self.loss: Loss = LOSSES[loss]
        if len(self.acts) != len(self.sizes) - 2:
            raise ValueError(f"need {len(self.sizes) - 2} hidden activations, got {len(self.acts)}")
        self.slices = layer_slices(self.sizes)
        n = self.slices[-1][1].stop
        self.flat = np.zeros(n, self.dtype)
        self.gflat = np.zeros(n, self.dtype)
        shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        self.W = [self.flat[w].reshape(s) for (w, _), s in zip(self.slices, shapes)]
        self.b = [self.flat[b] for _, b in self.slices]
        self.gW = [self.gflat[w].reshape(s) for (w, _), s in zip(self.slices, shapes)]
        self.gb = [self.gflat[b] for _, b in self.slices]
        # 1 where the entry is a weight (regularised), 0 for biases.
        self._wmask = np.zeros(n, self.dtype)
        for w, _ in self.slices:
            self._wmask[w] = 1.0
        self._tmp = np.empty(n, self.dtype)
        self.set_params(params)
        self.optimizer = Optimizer(optimizer, lr, n, self.dtype)
        self.reg, self.reg_rate, self.dropout, self.clip = reg, float(reg_rate), float(dropout), float(clip)

    # ----- parameters -------------------------------------------------------------------------
    def get_params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """A float64 copy of ``[(W, b), ...]`` (views of one copy of the flat vector: one call, not one a matrix)."""
        g = self.flat.astype(np.float64)
        return [(g[w].reshape(W.shape), g[b]) for (w, b), W in zip(self.slices, self.W)]

    def set_params(self, params) -> None:
        for W, b, (W0, b0) in zip(self.W, self.b, params):
            W[...] = W0
            b[...] = b0

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = float(value)  # the optimizer's state is kept

    @property
    def n_params(self) -> int:
        return self.flat.size

    # ----- forward and backward ------------------------------------------------------------------
    def forward(self, X: np.ndarray, rng: np.random.Generator | None = None) -> Cache:
        """Run the network on ``X`` (n, d), keeping every z and a.  With ``rng``, apply dropout."""
        a = np.asarray(X, self.dtype)
        cache = Cache([], [a])
        last = len(self.W) - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W
            z += b
            if l == last:
                a = self.loss.output_fn(z)
            else:
                a = self.acts[l].fn(z)
                if rng is not None and self.dropout > 0:
                    # Inverted dropout: zero with prob p, scale the kept by 1/(1-p) so the
                    # expected activation is unchanged and nothing changes at test time.
                    mask = (rng.random(a.shape) >= self.dropout).astype(self.dtype) / (1 - self.dropout)
                    cache.pre_dropout.append(a)
                    cache.masks.append(mask)
                    a = a * mask
            cache.zs.append(z)
            cache.acts.append(a)
        return cache

    def backward(self, cache: Cache, T: np.ndarray) -> None:
        """Fill ``self.gW``/``self.gb`` with ∂C/∂W, ∂C/∂b of the mean loss over the batch."""
        out = cache.output
        delta = self.loss.delta(out, T)  # ∂L/∂z at the output, per example
        delta *= 1.0 / len(out)  # the cost is the mean over the batch
        for l in range(len(self.W) - 1, -1, -1):
            np.matmul(cache.acts[l].T, delta, out=self.gW[l])  # ∂C/∂W = aᵀ δ
            delta.sum(axis=0, out=self.gb[l])  # ∂C/∂b = Σ δ
            if l:
                delta = delta @ self.W[l].T  # back through the weights
                if cache.masks:
                    delta *= cache.masks[l - 1]  # dropped units pass no gradient
                    a = cache.pre_dropout[l - 1]
                else:
                    a = cache.acts[l]
                delta *= self.acts[l - 1].grad(cache.zs[l - 1], a)  # back through f

    def step(self) -> None:
        """Add the regulariser's gradient, clip, and let the optimizer update the weights."""
        g, tmp = self.gflat, self._tmp
        if self.reg != "none" and self.reg_rate > 0:
            if self.reg == "l2":  # ∂(λ/2 Σw²)/∂w = λw: the weight-decay form
                np.multiply(self.flat, self._wmask, out=tmp)
            else:  # ∂(λ Σ|w|)/∂w = λ sign(w)
                np.sign(self.flat, out=tmp)
                tmp *= self._wmask
            tmp *= self.reg_rate
            g += tmp
        if self.clip > 0:
            norm = float(np.sqrt(g @ g))
            coef = self.clip / (norm + 1e-6)  # torch.nn.utils.clip_grad_norm_'s formula
            if coef < 1:
                g *= coef
        self.optimizer.step(self.flat, g)

    # ----- what the trainer calls --------------------------------------------------------------
    def train_epoch(self, X: np.ndarray, T: np.ndarray, batch: int, rng: np.random.Generator | None,
                    start: int = 0, stop: int | None = None) -> None:
        """One pass over (X, T) in the given order, one update per mini-batch of ``batch`` rows.

        ``start``/``stop`` (mini-batch indices, ``stop`` None = to the end) train only those
        mini-batches of the pass: an epoch trained as consecutive ranges (the trainer's frame
        budget stops mid-epoch) gives bit-for-bit the weights of the whole pass at once, since
        every mini-batch sees the same rows, buffers and dropout draws in the same order.
        """
        if start or (stop is not None and stop * batch < len(X)):  # part of the pass (whole: no slicing, ~1 µs)
            rows = batch_rows(batch, start, stop)
            X, T = X[rows], T[rows]
        if self.dropout > 0:
            for first in range(0, len(X), batch):
                cache = self.forward(X[first:first + batch], rng)
                self.backward(cache, T[first:first + batch])
                self.step()
        else:
            self._train_epoch_fused(np.asarray(X, self.dtype), np.asarray(T, self.dtype), batch)

    def _train_epoch_fused(self, X: np.ndarray, T: np.ndarray, batch: int) -> None:
        """The same arithmetic as forward → backward → step, with fewer NumPy calls.

        Why a second path: at batch 10 each NumPy call (~1 µs) costs more than its
        arithmetic, and so does a Python-level lookup or allocation per call.  Three
        tricks: (1) the bias is folded into the weights: each layer's input gets a
        constant-1 column, and since ``b`` is stored right after ``W`` in the flat
        vector, ``[W; b]`` is one (fan_in+1, fan_out) matrix, so one matmul does
        ``a @ W + b`` and one does both ``∂C/∂W`` and ``∂C/∂b``; (2) every
        intermediate lives in a buffer allocated once per batch size (the input's
        ones column once per epoch, each mini-batch a view of it), and activations
        and the output's ∂L/∂z are written into them (``fn_out``, ``delta_out``);
        (3) everything a mini-batch looks up is looked up once per epoch.
        ``tests/test_network.py`` checks that this path and the readable one give
        the same weights, the golden tests that it gives the same bits as before.
        """
        Wb, gWb, WT = self._views()
        loss, acts, last = self.loss, self.acts, len(self.W) - 1
        out_act = ACTIVATIONS.get(loss.output)
        out_into = out_act.fn_out if out_act is not None else None
        out_fn, loss_delta, delta_into = loss.output_fn, loss.delta, loss.delta_out
        fwd = [a.fn_out or (lambda z, out, fn=a.fn: np.copyto(out, fn(z))) for a in acts]
        # np.dot, not np.matmul: the same BLAS product, ~1 µs less per call on these tiny matrices.
        dot, multiply = np.dot, np.multiply
        opt = self.optimizer
        plain_sgd = opt.name == "sgd" and not (self.reg != "none" and self.reg_rate > 0) and not self.clip > 0
        flat, gflat, tmp = self.flat, self.gflat, opt._tmp
        step = self.step
        X_aug = self._input_buffer(X)
        n, rows, lr_value = len(X), 0, None
        for start in range(0, n, batch):
            if rows != min(batch, n - start):  # the first batch, or the last, shorter one
                rows = min(batch, n - start)
                a_in, zs, dsts, gtmp, out_buf, d_buf = self._buffers(rows)
                # Each layer's work as one tuple, read once per mini-batch: (input, [W; b], z, f into a buffer,
                # output) forward from layer 1, and (input, [∂W; ∂b], Wᵀ, f' into a buffer, its z, a, buffer)
                # backward from the last layer to layer 1.
                forward = [(a_in[l], Wb[l], zs[l], fwd[l], dsts[l]) for l in range(1, last)]
                backward = [(a_in[l].T, gWb[l], WT[l], acts[l - 1].grad_out, acts[l - 1].grad, zs[l - 1],
                             dsts[l - 1], gtmp[l - 1]) for l in range(last, 0, -1)]
                W0, z0, f0, a1 = Wb[0], zs[0], fwd[0] if last else None, dsts[0] if last else None
                a_last, W_last, z_last, scratch = a_in[last], Wb[last], zs[last], gtmp[last]
                # Constants as 0-d arrays of the network's type: the same values as the Python floats (cast to
                # that type), read by a ufunc ~0.4 µs faster.
                scale = np.array(1.0 / rows, self.dtype)
            first = X_aug[start:start + rows]  # the mini-batch and its ones column: a view, no copy
            tb = T[start:start + rows]
            # forward: each hidden layer's output lands in the next layer's input, beside its ones column
            if last:
                f0(dot(first, W0, out=z0), a1)
                for a, W, z, f, out in forward:
                    f(dot(a, W, out=z), out)
                z = dot(a_last, W_last, out=z_last)
            else:
                z = dot(first, W0, out=z0)
            if out_into is not None:
                out_into(z, out_buf)  # (np.copyto returns None: the buffer is the output)
                out = out_buf
            else:
                out = out_fn(z)
            delta = delta_into(out, tb, d_buf, scratch) if delta_into is not None else loss_delta(out, tb)
            delta *= scale
            # backward
            for aT, gW, W_T, grad_into, grad, z, a, g in backward:
                dot(aT, delta, out=gW)
                delta = dot(delta, W_T)
                if grad_into is not None:
                    grad_into(z, a, g)
                    delta *= g
                else:
                    delta *= grad(z, a)
            dot(first.T, delta, out=gWb[0])
            if plain_sgd:  # the optimizer's own two calls, without its dispatch
                opt.t += 1
                if opt.lr != lr_value:  # (the rate may change between mini-batches: a live setting)
                    lr_value = opt.lr
                    lr = np.array(lr_value, self.dtype)
                multiply(gflat, lr, out=tmp)
                flat -= tmp
            else:
                step()

    def _views(self) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """``[W; b]`` of each layer for the weights and for the gradients (``_folded``), and each ``Wᵀ``:
        views, built once (the flat vectors are updated in place, never replaced)."""
        views = self.__dict__.get("_views_kept")
        if views is None:
            views = self._views_kept = (self._folded(self.flat), self._folded(self.gflat), [W.T for W in self.W])
        return views

    def _input_buffer(self, X: np.ndarray) -> np.ndarray:
        """``X`` with a ones column (the fused path's layer-0 input): the first rows of one buffer kept for the
        most rows seen, a whole epoch's, so the parts of a split epoch (any number of mini-batches) share it."""
        key = ("input", X.shape[1])
        buf = self.__dict__.setdefault("_bufs", {}).get(key)
        if buf is None or len(buf) < len(X):
            buf = self._bufs[key] = np.ones((len(X), X.shape[1] + 1), self.dtype)
        rows = buf[:len(X)]
        rows[:, :-1] = X
        return rows

    def _folded(self, flat: np.ndarray) -> list[np.ndarray]:
        """Each layer's ``[W; b]`` as one (fan_in+1, fan_out) view of ``flat`` (weights or gradients):
        b is stored right after W, so a ones column on the layer's input adds the bias in the product."""
        return [flat[w.start:b.stop].reshape(fi + 1, fo)
                for (w, b), fi, fo in zip(self.slices, self.sizes[:-1], self.sizes[1:])]

    def _layer_buffers(self, n: int) -> tuple[list, list, list]:
        """For n rows: each layer's input with a ones column, each layer's z, and each hidden
        layer's output as a view into the next layer's input."""
        a_in = [np.ones((n, fi + 1), self.dtype) for fi in self.sizes[:-1]]
        zs = [np.empty((n, fo), self.dtype) for fo in self.sizes[1:]]
        return a_in, zs, [a[:, :-1] for a in a_in[1:]]

    def _buffers(self, n: int) -> tuple[list, list, list, list, np.ndarray, np.ndarray]:
        """Per-batch-size buffers of the fused path: ``_layer_buffers(n)`` (``a_in[0]`` is replaced
        by a view of the input), scratch per layer, the output and its ∂L/∂z."""
        key = ("fused", n)
        bufs = self.__dict__.setdefault("_bufs", {}).get(key)
        if bufs is None:
            gtmp = [np.empty((n, fo), self.dtype) for fo in self.sizes[1:]]
            k = self.sizes[-1]
            bufs = self._bufs[key] = (*self._layer_buffers(n), gtmp, np.empty((n, k), self.dtype),
                                      np.empty((n, k), self.dtype))
        return bufs

    def evaluate(self, X: np.ndarray, T: np.ndarray | None, grads: bool = False):
        """``(mean loss, outputs, grads)`` on (X, T); no dropout, weights unchanged.

        With ``grads=True`` also ∂C/∂W, ∂C/∂b of the data loss as float64 copies; with
        ``T=None`` only the outputs are computed (loss is nan).
        """
        cache = self.forward(X)
        out = cache.output
        if T is None:
            return float("nan"), out, None
        with np.errstate(all="ignore"):  # a diverged net is reported by the trainer, not warned here
            loss = float(self.loss.value(out, T).mean())
            g = None
            if grads:
                self.backward(cache, T)
                g = [(gW.astype(np.float64), gb.astype(np.float64)) for gW, gb in zip(self.gW, self.gb)]
        return loss, out, g

    def gradients(self, X: np.ndarray, T: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """∂C/∂W and ∂C/∂b of the data loss on (X, T) at the current weights (float64 copies)."""
        return self.evaluate(X, T, grads=True)[2]

    def evaluate_splits(self, X_train, T_train, X_test, T_test):
        """What the trainer records after every epoch, in one pass: ``(train loss, test loss,
        train outputs, test outputs, grads of the train loss)``, as ``evaluate`` gives them.

        The same arithmetic as ``evaluate`` twice, with the fused path's tricks (biases folded
        into the weights, buffers kept): both splits go through the network as one matrix, and
        the backward pass reads the training rows of it.  Costs about a third of two
        ``evaluate`` calls at the playground's sizes, where recording was ~30 % of an epoch.
        """
        ev = self.__dict__.get("_eval")
        if ev is None or ev[0] is not X_train or ev[1] is not X_test:  # once per trainer
            n_tr, k = len(X_train), self.sizes[-1]
            a_in, zs, dsts = self._eval_buffers(X_train, X_test)
            ev = self._eval = (X_train, X_test, a_in, zs, dsts,
                               np.concatenate([T_train, T_test]).astype(self.dtype, copy=False),
                               [a[:n_tr].T for a in a_in], [z[:n_tr] for z in zs], [d[:n_tr] for d in dsts],
                               self._scratch_views(n_tr), np.empty((n_tr, k), self.dtype),
                               np.array(1.0 / n_tr, self.dtype))
        a_in, zs, dsts, T_both, a_T, zs_tr, dsts_tr, scratch, d_buf, scale = ev[2:]
        n_tr, n_layers, acts, loss = len(X_train), len(self.W), self.acts, self.loss
        Wb, gWb, WT = self._views()
        with np.errstate(all="ignore"):  # a diverged net is reported by the trainer, not warned here
            for l in range(n_layers - 1):
                z = np.dot(a_in[l], Wb[l], out=zs[l])
                fwd = acts[l].fn_out
                if fwd is not None:
                    fwd(z, dsts[l])
                else:
                    dsts[l][...] = acts[l].fn(z)
            out = loss.output_fn(np.dot(a_in[-1], Wb[-1], out=zs[-1]))
            out_tr, out_te = out[:n_tr], out[n_tr:]
            per_example = loss.value(out, T_both)  # sum / n: NumPy's mean, without its ~2 µs of Python
            train_loss = float(per_example[:n_tr].sum() / n_tr)
            test_loss = float(per_example[n_tr:].sum() / len(out_te))
            if loss.delta_out is not None and T_train.dtype == self.dtype:
                delta = loss.delta_out(out_tr, T_train, d_buf, scratch[-1])
            else:
                delta = loss.delta(out_tr, T_train)
            delta *= scale if delta.dtype == self.dtype else 1.0 / n_tr  # (targets of another type: as before)
            for l in range(n_layers - 1, -1, -1):
                np.dot(a_T[l], delta, out=gWb[l])
                if l:
                    delta = np.dot(delta, WT[l])
                    act = acts[l - 1]
                    if act.grad_out is not None:
                        act.grad_out(zs_tr[l - 1], dsts_tr[l - 1], scratch[l - 1])
                        delta *= scratch[l - 1]
                    else:
                        delta *= act.grad(zs_tr[l - 1], dsts_tr[l - 1])
        g = self.gflat.astype(np.float64)
        grads = [(g[w].reshape(W.shape), g[b]) for (w, b), W in zip(self.slices, self.W)]
        return train_loss, test_loss, out_tr, out_te, grads

    def _scratch_views(self, n: int) -> list[np.ndarray]:
        """A scratch (n, fan_out) array for each layer, all views of one buffer as wide as the widest layer: the
        backward pass needs one at a time, and one a layer would keep a row per training point per layer."""
        widest = np.empty((n, max(self.sizes[1:])), self.dtype)
        return [widest[:, :fo] for fo in self.sizes[1:]]

    def _eval_buffers(self, X_train, X_test):
        """``_layer_buffers`` for both splits stacked, the input filled in."""
        a_in, zs, dsts = self._layer_buffers(len(X_train) + len(X_test))
        a_in[0][:len(X_train), :-1] = X_train
        a_in[0][len(X_train):, :-1] = X_test
        return a_in, zs, dsts

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's output on X (no dropout): [hidden 1, ..., output]; for neuron thumbnails."""
        return self.forward(X).acts[1:]

    def release_buffers(self) -> None:
        """Drop the working buffers kept between epochs (the next epoch builds them again).

        They hold a row per training (and test) point per layer: ~185 MB for the largest network and
        data a link allows, far more than the weights; a run that stopped training gives them back."""
        self.__dict__.pop("_bufs", None)
        self.__dict__.pop("_eval", None)

    def pre_activations(self, X: np.ndarray) -> list[np.ndarray]:
        return self.forward(X).zs

    def __repr__(self) -> str:
        hidden = ", ".join(a.name for a in self.acts)
        return f"NumpyMLP({'-'.join(map(str, self.sizes))}, [{hidden}] → {self.loss.name}, {self.dtype})"
