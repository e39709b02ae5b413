"""The pieces both "Show the code" scripts share: the header with the link, the app's data packed
into the script, the seeded starting weights, the constants and the training loop, and the check that
every setting has code to write.

Each piece is text in the script's own words; ``run/codegen.py`` puts them together with the
NumPy or the PyTorch network.  Random streams are seeded with the app's numbers (``config.rng_entropy``).

    >>> from playground.run.config import Config
    >>> loop_head(Config(), 5)[-3]
    'train(EPOCHS)'
"""
from __future__ import annotations

import base64
import functools
import zlib

import numpy as np

from playground.run.config import Config, rng_entropy, rng_for, to_query
from playground.run.sizes import class_count
from playground.core.activations import ACTIVATIONS
from playground.data.datasets import DATASETS, generate, split
from playground.core.initializers import INITIALIZERS
from playground.core.losses import LOSSES
from playground.core.optimizers import OPTIMIZERS

__all__ = ["CodegenError", "FEATURE_CODE", "INIT_DRAWS", "STD_IMPORTS", "UNPACK", "header", "data_section",
           "init_section", "checked_epochs", "loop_head", "constant_lines"]


class CodegenError(ValueError):
    """A config the code generator cannot write out; the message says which setting and why."""


FEATURE_CODE = {"x1": "x1", "x2": "x2", "x1sq": "x1 * x1", "x2sq": "x2 * x2", "x1x2": "x1 * x2",
             "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)"}

# Weight draws of initializers.py, with the spread s filled in; the same calls on the same stream.
INIT_DRAWS = {
    "uniform": "init_rng.uniform(-{s!r}, {s!r}, size=(fan_in, fan_out))  # U(−a, a), a = {s:g}",
    "normal": "init_rng.normal(0.0, {s!r}, size=(fan_in, fan_out))  # N(0, σ²), σ = {s:g}",
    "xavier": "init_rng.uniform(-1, 1, size=(fan_in, fan_out)) * {s!r} * np.sqrt(6.0 / (fan_in + fan_out))  # Xavier",
    "he": "init_rng.normal(0.0, 1.0, size=(fan_in, fan_out)) * {s!r} * np.sqrt(2.0 / fan_in)  # He",
    "zeros": "np.zeros((fan_in, fan_out))  # all units identical: they stay identical",
}


STD_IMPORTS = "import base64\nimport sys\nimport zlib\n"
UNPACK = '''
def unpack(text, dtype, shape):
    # An array packed as text: base64 of the zlib-compressed bytes of a NumPy array.
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).reshape(shape).copy()

'''


def header(cfg: Config, engine: str, epochs: int) -> str:
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
def data_section(cfg: Config) -> str:
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
        cols = ", ".join(FEATURE_CODE[f] for f in cfg.features)
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


def init_section(cfg: Config, sizes: list[int], as_float: str) -> str:
    init = INITIALIZERS[cfg.init]
    s = cfg.init_scale if cfg.init_scale > 0 else init.default_scale
    draw = INIT_DRAWS[cfg.init].format(s=s)
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


def checked_epochs(cfg: Config, epochs: int) -> int:
    """The number of epochs to write, after checking that every setting has code to write."""
    if not isinstance(epochs, int) or isinstance(epochs, bool) or not 1 <= epochs <= 100_000:
        raise CodegenError(f"epochs must be a whole number 1–100000, got {epochs!r}")
    acts = [n for n, a in ACTIVATIONS.items() if a.np_source and a.torch]
    losses = [n for n, l in LOSSES.items() if l.np_source and l.torch_script]
    optimizers = [n for n, o in OPTIMIZERS.items() if o.np_step]
    for what, names, known in (("activation", cfg.activations(), acts), ("loss", [cfg.loss], losses),
                               ("optimizer", [cfg.optimizer], optimizers), ("init", [cfg.init], INIT_DRAWS),
                               ("features", cfg.features, FEATURE_CODE)):
        missing = [n for n in names if n not in known]
        if missing:
            raise CodegenError(f"{what} {', '.join(missing)} is not supported by the code generator yet; "
                               f"supported: {', '.join(known)}")
    return min(epochs, cfg.max_epochs) if cfg.max_epochs else epochs


def loop_head(cfg: Config, epochs: int) -> list[str]:
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


def constant_lines(cfg: Config) -> list[str]:
    out = [f"LINK = {to_query(cfg)!r}", f"LR = {cfg.lr!r}  # learning rate", f"BATCH = {cfg.batch}  # mini-batch size"]
    if cfg.reg != "none" and cfg.reg_rate > 0:
        out.append(f"REG_RATE = {cfg.reg_rate!r}  # λ of the {cfg.reg.upper()} penalty, on weights only")
    if cfg.clip > 0:
        out.append(f"CLIP = {cfg.clip!r}  # largest allowed length of the whole gradient")
    if cfg.dropout > 0:
        out.append(f"DROPOUT = {cfg.dropout!r}  # chance of silencing each hidden unit during training")
    return out
