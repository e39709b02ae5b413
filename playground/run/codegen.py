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

import base64
import functools
import zlib

import numpy as np

from playground.run.config import Config, rng_entropy, rng_for, to_query
from playground.run.sizes import class_count
from playground.core.activations import ACTIVATIONS, Activation
from playground.data.datasets import DATASETS, generate, split
from playground.core.initializers import INITIALIZERS
from playground.core.losses import LOSSES
from playground.core.optimizers import OPTIMIZERS

__all__ = ["CodegenError", "numpy_script", "torch_script", "DEFAULT_EPOCHS"]

DEFAULT_EPOCHS = 100


class CodegenError(ValueError):
    """A config the code generator cannot write out; the message says which setting and why."""


_FEATURES = {"x1": "x1", "x2": "x2", "x1sq": "x1 * x1", "x2sq": "x2 * x2", "x1x2": "x1 * x2",
             "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)"}

# Weight draws of initializers.py, with the spread s filled in; the same calls on the same stream.
_INIT_DRAWS = {
    "uniform": "init_rng.uniform(-{s!r}, {s!r}, size=(fan_in, fan_out))  # U(−a, a), a = {s:g}",
    "normal": "init_rng.normal(0.0, {s!r}, size=(fan_in, fan_out))  # N(0, σ²), σ = {s:g}",
    "xavier": "init_rng.uniform(-1, 1, size=(fan_in, fan_out)) * {s!r} * np.sqrt(6.0 / (fan_in + fan_out))  # Xavier",
    "he": "init_rng.normal(0.0, 1.0, size=(fan_in, fan_out)) * {s!r} * np.sqrt(2.0 / fan_in)  # He",
    "zeros": "np.zeros((fan_in, fan_out))  # all units identical: they stay identical",
}


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


_STD_IMPORTS = "import base64\nimport sys\nimport zlib\n"
_UNPACK = '''
def unpack(text, dtype, shape):
    # An array packed as text: base64 of the zlib-compressed bytes of a NumPy array.
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).reshape(shape).copy()

'''


# ----- pieces both scripts share -------------------------------------------------------------------
def _header(cfg: Config, engine: str, epochs: int) -> str:
    needs = "NumPy and PyTorch" if engine == "PyTorch" else "NumPy"
    stops = [n for n in ("target_loss", "patience") if getattr(cfg, n)]
    note = (f"\nThe app's stop rules ({', '.join(stops)}) are not part of this script: it runs all epochs.\n"
            if stops else "")
    return f'''"""Neural Playground run, written out in {engine}: read it top to bottom.

Link: {to_query(cfg)}

It runs on its own, from any folder, with only {needs} installed:
python this_script.py [epochs].  It trains for {epochs} epochs and ends with the
line "FINAL train_loss=<x> test_loss=<y>", the numbers the app shows.
{note}"""
'''


def _packed(a: np.ndarray) -> str:
    """``unpack(...)``: the script's expression that gives back exactly ``a``."""
    dtype = np.dtype(a.dtype).newbyteorder("<").str  # "<f8", "<i8": the same bytes on any machine
    text = base64.b64encode(zlib.compress(np.ascontiguousarray(a, dtype=dtype).tobytes(), 6)).decode("ascii")
    return f'unpack("{text}", "{dtype}", {tuple(a.shape)!r})'


def _seeded(cfg: Config, stream: str) -> str:
    return f"np.random.default_rng({rng_entropy(cfg, stream)!r})  # the app's {stream!r} stream for seed {cfg.seed!r}"


@functools.lru_cache(maxsize=4)  # a page draws both scripts of one config on every run
def _data_section(cfg: Config) -> str:
    spec = DATASETS[cfg.dataset]
    data = generate(cfg.dataset, cfg.noise, rng_for(cfg, "data"), n=cfg.points or None,
                    n_classes=class_count(cfg))
    train, test = split(data, cfg.train, rng_for(cfg, "split"))
    lines = [
        "# ---- Data ------------------------------------------------------------------------------",
        f"# The app's points for this link ({cfg.dataset}, noise {cfg.noise:g}, seed {cfg.seed!r}), "
        f"{cfg.train:g} % of them for",
        "# training, exactly as the app drew and split them; packed so that the script needs no other file.",
        f"N_CLASSES = {data.n_classes}",
        f"train_X = {_packed(train.X)}",
        f"train_y = {_packed(train.y)}",
        f"test_X = {_packed(test.X)}",
        f"test_y = {_packed(test.y)}",
        f"DTYPE = np.{cfg.dtype}  # the app computes in {cfg.dtype} (the link's dtype)",
        "",
    ]
    if spec.n_features == 2:
        names = ", ".join(cfg.features)
        cols = ", ".join(_FEATURES[f] for f in cfg.features)
        lines += [
            "",
            "def features(X):",
            f'    """What the network sees of each point (x1, x2): {names}."""',
            "    x1, x2 = X[:, 0], X[:, 1]",
            f"    return np.stack([{cols}], axis=1).astype(DTYPE)",
            "",
            "",
            "X_train, X_test = features(train_X), features(test_X)",
        ]
    elif cfg.standardize:
        lines += [
            "# z-score every column with the TRAINING set's mean and spread (the test set stays unseen);",
            "# a constant column is divided by 1 instead of 0.",
            "mean, std = train_X.mean(axis=0), train_X.std(axis=0)",
            "std = np.where(std > 0, std, 1.0)",
            "X_train, X_test = ((train_X - mean) / std).astype(DTYPE), ((test_X - mean) / std).astype(DTYPE)",
        ]
    else:
        lines += ["X_train, X_test = train_X.astype(DTYPE), test_X.astype(DTYPE)"]
    lines += ["", "", _targets(cfg), "", "", "T_train, T_test = targets(train_y), targets(test_y)"]
    return "\n".join(lines)


def _targets(cfg: Config) -> str:
    if cfg.loss == "ce":
        body = ['"""One-hot rows: class c becomes a 1 in column c."""',
                "T = np.zeros((len(y), N_CLASSES), dtype=DTYPE)",
                "T[np.arange(len(y)), y] = 1.0",
                "return T"]
    elif cfg.loss == "square":
        body = ['"""Labels as TF Playground writes them: class 1 → +1, class 0 → −1 (one column)."""',
                "return np.where(y > 0, 1.0, -1.0).astype(DTYPE).reshape(-1, 1)"]
    else:
        body = ['"""The label (0/1 class or regression target) as one column."""',
                "return y.astype(DTYPE).reshape(-1, 1)"]
    return "def targets(y):\n" + "\n".join("    " + b for b in body)


def _init_section(cfg: Config, sizes: list[int], as_float: str) -> str:
    init = INITIALIZERS[cfg.init]
    s = cfg.init_scale if cfg.init_scale > 0 else init.default_scale
    draw = _INIT_DRAWS[cfg.init].format(s=s)
    return "\n".join([
        "# ---- The network ------------------------------------------------------------------------",
        f"SIZES = {sizes}  # inputs, hidden layers…, outputs",
        "",
        "# Starting weights, drawn layer by layer from the app's 'init' stream: W is (fan_in, fan_out).",
        f"init_rng = {_seeded(cfg, 'init')}",
        "params = []",
        "for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):",
        f"    W = {draw}",
        f"    b = np.full(fan_out, {init.bias!r})",
        f"    params.append([{as_float.format('W')}, {as_float.format('b')}])",
    ])


def _check(cfg: Config, epochs: int) -> int:
    """The number of epochs to write, after checking that every setting has code to write."""
    if not isinstance(epochs, int) or isinstance(epochs, bool) or not 1 <= epochs <= 100_000:
        raise CodegenError(f"epochs must be a whole number 1–100000, got {epochs!r}")
    acts = [n for n, a in ACTIVATIONS.items() if a.np_source and a.torch]
    losses = [n for n, l in LOSSES.items() if l.np_source and l.torch_script]
    optimizers = [n for n, o in OPTIMIZERS.items() if o.np_step]
    for what, names, known in (("activation", cfg.activations(), acts), ("loss", [cfg.loss], losses),
                               ("optimizer", [cfg.optimizer], optimizers), ("init", [cfg.init], _INIT_DRAWS),
                               ("features", cfg.features, _FEATURES)):
        missing = [n for n in names if n not in known]
        if missing:
            raise CodegenError(f"{what} {', '.join(missing)} is not supported by the code generator yet; "
                               f"supported: {', '.join(known)}")
    return min(epochs, cfg.max_epochs) if cfg.max_epochs else epochs


def _loop_head(cfg: Config, epochs: int) -> list[str]:
    shuffle = (["        order = rng.permutation(n)  # a fresh order every epoch, from the app's 'train' stream",
                "        X, T = X_train[order], T_train[order]"] if cfg.shuffle
               else ["        X, T = X_train, T_train  # the same order every epoch (shuffle=0)"])
    return [
        "# ---- Training ---------------------------------------------------------------------------",
        f"rng = {_seeded(cfg, 'train')}",
        "n, batch = len(X_train), min(BATCH, len(X_train))",
        "",
        "",
        "def train(epochs):",
        "    for epoch in range(1, epochs + 1):",
        *shuffle,
        "        for start in range(0, n, batch):  # one update per mini-batch",
        "            update(X[start:start + batch], T[start:start + batch])",
        "        if epoch % max(1, epochs // 10) == 0:",
        '            print(f"epoch {epoch:5d}  train loss {mean_loss(X_train, T_train):.6f}  "',
        '                  f"test loss {mean_loss(X_test, T_test):.6f}")',
        "",
        "",
        f"EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else {epochs}",
        "train(EPOCHS)",
        'print(f"FINAL train_loss={mean_loss(X_train, T_train)!r} test_loss={mean_loss(X_test, T_test)!r}")',
        "",
    ]


def _constants(cfg: Config) -> list[str]:
    out = [f"LINK = {to_query(cfg)!r}", f"LR = {cfg.lr!r}  # learning rate", f"BATCH = {cfg.batch}  # mini-batch size"]
    if cfg.reg != "none" and cfg.reg_rate > 0:
        out.append(f"REG_RATE = {cfg.reg_rate!r}  # λ of the {cfg.reg.upper()} penalty, on weights only")
    if cfg.clip > 0:
        out.append(f"CLIP = {cfg.clip!r}  # largest allowed length of the whole gradient")
    if cfg.dropout > 0:
        out.append(f"DROPOUT = {cfg.dropout!r}  # chance of silencing each hidden unit during training")
    return out


# ----- the NumPy script ----------------------------------------------------------------------------
def numpy_script(cfg: Config, epochs: int = DEFAULT_EPOCHS) -> str:
    """A standalone NumPy script that trains ``cfg``'s network for ``epochs`` epochs, backprop written out."""
    from playground.run.modelio import network_sizes

    epochs = _check(cfg, epochs)
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
        _header(cfg, "NumPy", epochs),
        _STD_IMPORTS + "\nimport numpy as np\n",
        _UNPACK,
        "\n".join(_constants(cfg) + constants),
        "",
        _data_section(cfg),
        "",
        "",
        _init_section(cfg, network_sizes(cfg), "{}.astype(DTYPE)"),
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
        "\n".join(_loop_head(cfg, epochs)),
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

    epochs = _check(cfg, epochs)
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
    loop = "\n".join(_loop_head(cfg, epochs)).replace(
        "X, T = X_train[order], T_train[order]", "X, T = X_train[torch.from_numpy(order)], T_train[torch.from_numpy(order)]")
    return "\n".join([
        _header(cfg, "PyTorch", epochs),
        _STD_IMPORTS + "\nimport numpy as np\nimport torch\n",
        _UNPACK,
        "\n".join(_constants(cfg)),
        "",
        _data_section(cfg),
        "",
        "",
        _init_section(cfg, sizes, "{}"),
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
