""""Show the code": a config as a standalone, readable training script (NumPy or PyTorch).

The scripts need only NumPy (and PyTorch for the PyTorch one), not this package:
they carry the app's points for the link, drawn and split here and packed into
the script (base64 of zlib-compressed bytes), and seed their random streams with
the app's numbers (``config.rng_entropy``); the network, the forward and backward pass (or autograd), the
optimizer and the training loop are written out in the script for a student to
read.  Run with the same config they reproduce the app's run: the last line is

    FINAL train_loss=<x> test_loss=<y>

equal to ``Trainer(cfg).run(epochs=N)``'s last history entry (to rounding;
``tests/test_codegen.py`` checks it).  Only the lines a config needs are emitted:
an Adam run shows Adam, not five optimizers.

    >>> from playground.run.config import Config
    >>> "def backward" in numpy_script(Config(dataset="xor", hidden=(4,)), epochs=5)
    True
"""
from __future__ import annotations

from playground.run.codegen_parts import (STD_IMPORTS, UNPACK, CodegenError, checked_epochs, constant_lines,
                                         data_section, header, init_section, loop_head)
from playground.core.activations import ACTIVATIONS, Activation
from playground.core.losses import LOSSES
from playground.core.optimizers import OPTIMIZERS
from playground.run.config import Config

__all__ = ["numpy_script", "torch_script", "DEFAULT_EPOCHS"]

DEFAULT_EPOCHS = 100


def _torch_optimizer(name: str) -> str:
    """The script's ``torch.optim`` line: the class and arguments of the optimizer's registry entry."""
    spec = OPTIMIZERS[name]
    args = "".join(f", {k}={_number(v)}" for k, v in spec.torch_kwargs.items())
    return f"torch.optim.{spec.torch_class}(model.parameters(), lr=LR{args})"


def _number(v) -> str:
    """A constant as a person writes it: 1e-8, not 1e-08."""
    return repr(v).replace("e-0", "e-").replace("e+0", "e+")


def _torch_layer(act: Activation) -> str:
    """The script's torch.nn module for a hidden activation (a class of its own where torch has none)."""
    return act.torch_layer or f"{_class_name(act)}()"


def _class_name(act: Activation) -> str:
    return "".join(part.title() for part in act.name.split("_"))


# ----- the NumPy script ----------------------------------------------------------------------------
def numpy_script(cfg: Config, epochs: int = DEFAULT_EPOCHS) -> str:
    """A standalone NumPy script that trains ``cfg``'s network for ``epochs`` epochs, backprop written out."""
    from playground.run.modelio import network_sizes

    epochs = checked_epochs(cfg, epochs)
    hidden_acts = list(cfg.activations())
    used = list(dict.fromkeys(hidden_acts))
    loss = LOSSES[cfg.loss]
    out_fn, value, delta, what = loss.np_source
    acts = [ACTIVATIONS[a] for a in used]
    fns = [f"def {a.name}(z):\n    {a.np_source[0]}\n\n\ndef {a.name}_grad(z, a):\n    {a.np_source[1]}\n" for a in acts]
    helpers = [u for a in acts for u in a.np_uses] + list(loss.np_uses)  # value functions the others call
    fns += [f"def {u}(z):\n    {ACTIVATIONS[u].np_source[0]}\n" for u in dict.fromkeys(helpers) if u not in used]
    if loss.np_defs:
        fns.append(loss.np_defs)
    constants = list(dict.fromkeys(c for a in acts for c in a.np_constants))
    return "\n".join([
        header(cfg, "NumPy", epochs),
        STD_IMPORTS + "\nimport numpy as np\n",
        UNPACK,
        "\n".join(constant_lines(cfg) + constants),
        "",
        data_section(cfg),
        "",
        "",
        init_section(cfg, network_sizes(cfg), "{}.astype(DTYPE)"),
        "",
        "",
        "# ---- Activations, each with its derivative (from z, or from a = f(z) where cheaper) -------",
        "\n\n".join(fns),
        "",
        f"ACTS = [{', '.join(hidden_acts)}]  # one per hidden layer",
        f"GRADS = [{', '.join(a + '_grad' for a in hidden_acts)}]",
        "",
        "",
        f"# ---- Output and loss: {what}",
        f"def output(z):\n    return {out_fn}\n",
        "",
        "def loss_per_example(out, T):\n" + "".join(f"    {line}\n" for line in value),
        "",
        f'def loss_delta(out, T):\n    """dL/dz at the output layer, one row per example."""\n    return {delta}\n',
        "",
        _np_forward_backward(cfg),
        "",
        _np_update(cfg),
        "",
        "\n".join(loop_head(cfg, epochs)),
    ])


def _np_forward_backward(cfg: Config) -> str:
    drop = cfg.dropout > 0
    fwd = [
        "# ---- Forward and backward pass ------------------------------------------------------------",
        "def forward(X, rng=None):",
        '    """Every layer\'s z and a (a[0] = X).  With rng (training), hidden units drop out."""',
        "    zs, acts, masks = [], [X], []",
        "    a = X",
        "    for l, (W, b) in enumerate(params):",
        "        z = a @ W + b  # (n, fan_in) @ (fan_in, fan_out) + (fan_out,)",
        "        if l == len(params) - 1:",
        "            a = output(z)",
        "        else:",
        "            a = ACTS[l](z)",
    ]
    if drop:
        fwd += [
            "            if rng is not None:",
            "                # inverted dropout: keep with prob 1−p and scale by 1/(1−p); nothing changes at test time",
            "                mask = (rng.random(a.shape) >= DROPOUT).astype(DTYPE) / (1 - DROPOUT)",
            "                masks.append((mask, a))",
            "                a = a * mask",
        ]
    fwd += ["        zs.append(z)", "        acts.append(a)", "    return zs, acts, masks", "", ""]
    bwd = [
        "def backward(zs, acts, masks, delta):",
        '    """∂C/∂W, ∂C/∂b of every layer by the chain rule, from the output back to the input."""',
        "    grads = [None] * len(params)",
        "    for l in range(len(params) - 1, -1, -1):",
        "        grads[l] = [acts[l].T @ delta, delta.sum(axis=0)]  # ∂C/∂W = aᵀδ, ∂C/∂b = Σ δ",
        "        if l > 0:",
        "            delta = delta @ params[l][0].T  # back through the weights",
    ]
    if drop:
        bwd += [
            "            if masks:",
            "                mask, a = masks[l - 1]",
            "                delta = delta * mask  # a dropped unit passes no gradient",
            "            else:",
            "                a = acts[l]",
            "            delta = delta * GRADS[l - 1](zs[l - 1], a)  # back through the activation",
        ]
    else:
        bwd += ["            delta = delta * GRADS[l - 1](zs[l - 1], acts[l])  # back through the activation"]
    bwd += ["    return grads", "", "", "def mean_loss(X, T):",
            "    return float(loss_per_example(forward(X)[1][-1], T).mean())", ""]
    return "\n".join(fwd + bwd)


def _np_update(cfg: Config) -> str:
    name = cfg.optimizer
    lines = ["# ---- The optimizer: how a gradient becomes a change of the weights ------------------------"]
    lines += list(OPTIMIZERS[name].np_init)
    lines += ["step_count = 0", "", "", "def update(xb, tb):",
              '    """One mini-batch: forward, backward, then move every weight against its gradient."""',
              "    global step_count",
              "    step_count += 1",
              "    zs, acts, masks = forward(xb, rng)" if cfg.dropout > 0 else "    zs, acts, masks = forward(xb)",
              "    delta = loss_delta(acts[-1], tb)",
              "    delta *= 1.0 / len(xb)  # the cost is the MEAN loss over the batch",
              "    grads = backward(zs, acts, masks, delta)"]
    if cfg.reg == "l2" and cfg.reg_rate > 0:
        lines += ["    for (W, _), g in zip(params, grads):",
                  "        g[0] = g[0] + REG_RATE * W  # ∂(λ/2 Σw²)/∂w = λw: weight decay"]
    elif cfg.reg == "l1" and cfg.reg_rate > 0:
        lines += ["    for (W, _), g in zip(params, grads):",
                  "        g[0] = g[0] + REG_RATE * np.sign(W)  # ∂(λ Σ|w|)/∂w = λ sign(w)"]
    if cfg.clip > 0:
        lines += ["    norm = np.sqrt(sum(float((g * g).sum()) for layer in grads for g in layer))",
                  "    if CLIP / (norm + 1e-6) < 1:  # too long: shrink the whole gradient to length CLIP",
                  "        grads = [[g * (CLIP / (norm + 1e-6)) for g in layer] for layer in grads]"]
    lines += ["    for i, layer in enumerate(params):", "        for j, p in enumerate(layer):",
              "            g = grads[i][j]"]
    body = list(OPTIMIZERS[name].np_step)
    return "\n".join(lines + body) + "\n"


# ----- the PyTorch script --------------------------------------------------------------------------
def torch_script(cfg: Config, epochs: int = DEFAULT_EPOCHS) -> str:
    """A standalone PyTorch script (nn.Sequential, autograd, torch.optim) that trains ``cfg``'s network."""
    from playground.run.modelio import network_sizes

    epochs = checked_epochs(cfg, epochs)
    if cfg.dropout > 0:
        raise CodegenError(f"dropout={cfg.dropout:g} is not supported by the PyTorch code generator: torch's "
                           f"dropout draws its own random numbers, so the run could not match the app's; "
                           f"use the NumPy script, or dropout=0")
    sizes = network_sizes(cfg)
    layers = []
    for l, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(f"    torch.nn.Linear({fi}, {fo}),")
        if l < len(cfg.hidden):
            layers.append(f"    {_torch_layer(ACTIVATIONS[cfg.activations()[l]])},")
    cost, what = LOSSES[cfg.loss].torch_script
    penalty = []
    if cfg.reg != "none" and cfg.reg_rate > 0:
        term = "0.5 * REG_RATE * (W ** 2).sum()" if cfg.reg == "l2" else "REG_RATE * W.abs().sum()"
        penalty = [f"    # {cfg.reg.upper()} penalty on the weights (not the biases); autograd adds its gradient",
                   f"    objective = objective + sum({term} for W in weights)"]
    clip = (["    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)  # shrink the gradient to length ≤ CLIP"]
            if cfg.clip > 0 else [])
    own = [ACTIVATIONS[a] for a in dict.fromkeys(cfg.activations()) if not ACTIVATIONS[a].torch_layer]
    modules = [line for a in own for line in (f"class {_class_name(a)}(torch.nn.Module):", "    def forward(self, z):",
                                                f"        return {a.torch}", "", "")]
    loop = "\n".join(loop_head(cfg, epochs)).replace(
        "X, T = X_train[order], T_train[order]", "X, T = X_train[torch.from_numpy(order)], T_train[torch.from_numpy(order)]")
    return "\n".join([
        header(cfg, "PyTorch", epochs),
        STD_IMPORTS + "\nimport numpy as np\nimport torch\n",
        UNPACK,
        "\n".join(constant_lines(cfg)),
        "",
        data_section(cfg),
        "",
        "",
        init_section(cfg, sizes, "{}"),
        "",
        "",
        *modules,
        "# nn.Linear computes z = a Wᵀ + b (its weight is (out, in)); the output activation is in the loss.",
        "model = torch.nn.Sequential(",
        *layers,
        f").to(torch.{cfg.dtype})",
        "linears = [m for m in model if isinstance(m, torch.nn.Linear)]",
        "weights = [layer.weight for layer in linears]",
        "with torch.no_grad():  # start from the app's weights, not torch's own random ones",
        "    for layer, (W, b) in zip(linears, params):",
        "        layer.weight.copy_(torch.from_numpy(W.T))",
        "        layer.bias.copy_(torch.from_numpy(b))",
        "",
        "X_train, T_train = torch.from_numpy(X_train), torch.from_numpy(T_train)",
        "X_test, T_test = torch.from_numpy(X_test), torch.from_numpy(T_test)",
        f"optimizer = {_torch_optimizer(cfg.optimizer)}",
        "",
        "",
        f"def cost(z, T):\n    \"\"\"Mean loss over the rows: {what}.\"\"\"\n    return {cost}\n",
        "",
        "def mean_loss(X, T):",
        "    with torch.no_grad():",
        "        return float(cost(model(X), T))",
        "",
        "",
        "def update(xb, tb):",
        '    """One mini-batch: forward, autograd backward, one optimizer step."""',
        "    objective = cost(model(xb), tb)",
        *penalty,
        "    optimizer.zero_grad()",
        "    objective.backward()  # autograd applies the chain rule through every layer",
        *clip,
        "    optimizer.step()",
        "",
        "",
        loop,
    ])
