"""One home per concept: the activation, loss and optimizer registries carry everything about an entry.

* The NumPy engine's fused fast path inlines plain SGD and the regulariser/clipping; it is held
  bit for bit to the optimizer registry's update rules, for every optimizer, with and without them.
* A new activation or optimizer registered in a test (one entry, nothing else) works in the NumPy
  engine, the PyTorch engine and the generated scripts.
* No other module restates a registry's names as a table of string literals.
"""
import ast
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.core import activations
from playground.run import config
from playground.core import optimizers
from playground.core.activations import ACTIVATIONS, Activation
from playground.run.codegen import numpy_script, torch_script
from playground.run.config import ENGINES, REGULARIZERS, Config
from playground.core.engines import initial_params, torch_available
from playground.core.losses import LOSSES
from playground.core.network import NumpyMLP
from playground.core.optimizers import OPTIMIZERS, OptimizerSpec
from playground.run.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent


def _problem(n=23, d=3, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    T = np.tanh(X @ rng.normal(size=(d, 1)))
    return X, T


def _net(optimizer, acts=("tanh", "relu"), **kw):
    sizes = [3, 5, 4, 1]
    params = initial_params("xavier", sizes, np.random.default_rng(1))
    return NumpyMLP(sizes, list(acts), "mse", params, optimizer=optimizer, lr=0.05, dtype=np.float64, **kw)


# ----- the fused path against the registry's rules ------------------------------------------------
def _registry_step(net, spec, state, reg, reg_rate, clip):
    """The update written here from the registry entry alone: regulariser, clipping, ``spec.update``."""
    g = net.gflat.copy()
    if reg != "none" and reg_rate > 0:
        w = net.flat * net._wmask if reg == "l2" else np.sign(net.flat) * net._wmask
        g += w * reg_rate
    if clip > 0:
        coef = clip / (float(np.sqrt(g @ g)) + 1e-6)
        if coef < 1:
            g *= coef
    state["t"] += 1
    out = np.empty_like(g)
    spec.update(state["slots"], g, state["lr"], state["t"], out)
    net.flat -= out


@pytest.mark.parametrize("extra", [{}, {"reg": "l2", "reg_rate": 0.05}, {"reg": "l1", "reg_rate": 0.05},
                                   {"clip": 0.05}, {"reg": "l2", "reg_rate": 0.01, "clip": 0.1}],
                         ids=["plain", "l2", "l1", "clip", "l2+clip"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fused_path_is_the_registry_rule_bit_for_bit(name, extra):
    X, T = _problem()
    fused, ref = _net(name, **extra), _net(name, **extra)
    spec = OPTIMIZERS[name]
    state = {"t": 0, "lr": 0.05, "slots": [np.zeros(ref.n_params) for _ in spec.slots]}
    # The reference runs the same forward/backward code but every update goes through the function
    # above (a name other than "sgd" keeps the fused path from inlining its own SGD step).
    ref.optimizer.name = "registry-reference"
    ref.step = lambda: _registry_step(ref, spec, state, ref.reg, ref.reg_rate, ref.clip)
    start = fused.flat.copy()
    for _ in range(4):  # 4 epochs of 6 mini-batches (the last one shorter)
        fused.train_epoch(X, T, 4, None)
        ref.train_epoch(X, T, 4, None)
    assert state["t"] == fused.optimizer.t == 24
    assert np.abs(fused.flat - start).max() > 1e-3  # it trained
    np.testing.assert_array_equal(fused.flat, ref.flat)  # bit for bit
    for ours, theirs in zip(fused.optimizer.slots, state["slots"]):
        np.testing.assert_array_equal(ours, theirs)


def test_every_optimizer_entry_is_complete():
    for spec in OPTIMIZERS.values():
        assert callable(spec.update) and spec.np_step and spec.torch_class
        assert set(spec.hyper) <= set(spec.torch_kwargs) | {"eps"}, spec.name
        opt = optimizers.Optimizer(spec.name, 0.1, 3)
        assert len(opt.slots) == len(spec.slots)


# ----- a new entry is one entry --------------------------------------------------------------------
SOFTSIGN = Activation(
    "softsign", "Softsign", lambda z: z / (1.0 + np.abs(z)), lambda z, a: 1.0 / (1.0 + np.abs(z)) ** 2,
    r"f(z) = z / (1 + |z|)", r"f'(z) = 1 / (1 + |z|)^2", "A test entry.", (-1.0, 1.0),
    torch="z / (1 + z.abs())",  # no torch_layer: the script writes a module class from this
    np_source=("return z / (1.0 + np.abs(z))", "return 1.0 / (1.0 + np.abs(z)) ** 2"),
)


def _adagrad(slots, g, lr, t, out):
    s = slots[0]
    s += g * g
    np.sqrt(s, out=out)
    out += 1e-10
    np.divide(g, out, out=out)
    out *= lr


ADAGRAD = OptimizerSpec(
    "adagrad", "Adagrad", r"s \leftarrow s + g^2,\ w \leftarrow w - \eta\, g / (\sqrt{s} + \epsilon)", "A test entry.",
    _adagrad, {"eps": 1e-10}, ("sum",), "Adagrad", {"eps": 1e-10}, torch_fused=False,
    np_init=("sums = [[np.zeros_like(p) for p in layer] for layer in params]",),
    np_step=("            s = sums[i][j]", "            s += g * g", "            p -= LR * g / (np.sqrt(s) + 1e-10)"),
)


@pytest.fixture
def registered(monkeypatch):
    """Softsign and Adagrad registered the way a contributor would: one entry each."""
    monkeypatch.setitem(ACTIVATIONS, "softsign", SOFTSIGN)
    monkeypatch.setitem(OPTIMIZERS, "adagrad", ADAGRAD)
    trainable = tuple(n for n, a in ACTIVATIONS.items() if a.trainable)  # derived at import: derive again
    monkeypatch.setattr(activations, "TRAINABLE", trainable)
    monkeypatch.setattr(config, "TRAINABLE", trainable)
    return Config(dataset="xor", hidden=(4, 3), activation=("softsign", "tanh"), optimizer="adagrad", lr=0.05,
                  dtype="float64", seed="3")


def _script_final(script: str, tmp_path: Path) -> list[float]:
    path = tmp_path / "run.py"
    path.write_text(script)
    out = subprocess.run([sys.executable, str(path), "6"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    match = re.search(r"FINAL train_loss=(\S+) test_loss=(\S+)", out.stdout)
    return [float(match[1]), float(match[2])]


@pytest.mark.timeout(240)
def test_a_new_activation_and_optimizer_work_everywhere(registered, tmp_path):
    cfg = registered
    numpy_run = Trainer(cfg)
    numpy_run.run(epochs=6)
    want = [numpy_run.history.train_loss[-1], numpy_run.history.test_loss[-1]]
    assert want[0] < numpy_run.history.train_loss[0]  # it trained
    # The generated NumPy script: the entries' source text, the same run.
    script = numpy_script(cfg, epochs=6)
    assert "def softsign(z):" in script and "sums = " in script
    assert _script_final(script, tmp_path) == pytest.approx(want, rel=1e-9)
    if not torch_available():
        pytest.skip("torch is not installed: the NumPy engine and script were checked")
    # The PyTorch engine: the entry's torch expression and torch.optim class, the same trajectory.
    torch_run = Trainer(dataclasses.replace(cfg, engine="torch"))
    torch_run.run(epochs=6)
    assert [torch_run.history.train_loss[-1], torch_run.history.test_loss[-1]] == pytest.approx(want, rel=1e-9)
    # The generated PyTorch script: a module class written from the torch expression, torch.optim.Adagrad.
    script = torch_script(cfg, epochs=6)
    assert "class Softsign(torch.nn.Module):" in script and "torch.optim.Adagrad(" in script
    assert _script_final(script, tmp_path) == pytest.approx(want, rel=1e-9)


# ----- no name tables outside the registries --------------------------------------------------------
REGISTRIES = {
    "activations": set(ACTIVATIONS), "losses": set(LOSSES), "optimizers": set(OPTIMIZERS),
    "engines": set(ENGINES), "regularizers": set(REGULARIZERS),
}
# Where each registry lives (it may name its own entries).
HOMES = {"activations": "playground/core/activations.py", "losses": "playground/core/losses.py",
         "optimizers": "playground/core/optimizers.py", "engines": "playground/core/engines.py",
         "regularizers": "playground/run/config.py"}
# Curated subsets, not copies of a registry: pages that pick a few activations to teach with, and
# loss_demos.fit_line, which implements its own fit for exactly three regression losses.
CURATED = {
    ("pages/activations.py", "activations"), ("pages/gradients.py", "activations"),
    ("pages/perceptron.py", "activations"), ("playground/teach/loss_demos.py", "losses"),
}


def _name_tables(tree: ast.AST):
    """String-literal tuples, lists, sets and dict keys with two or more entries."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        else:
            continue
        strings = [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if len(strings) >= 2 and len(strings) == len(items):
            yield node.lineno, strings


def test_no_module_restates_a_registry_s_names():
    found = []
    for path in sorted([*ROOT.glob("playground/*.py"), *ROOT.glob("pages/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        for line, strings in _name_tables(ast.parse(path.read_text(encoding="utf-8"))):
            for registry, names in REGISTRIES.items():
                if HOMES[registry] == rel or (rel, registry) in CURATED:
                    continue
                if set(strings) <= names:
                    found.append(f"{rel}:{line} restates {registry} names {strings}")
    assert not found, "\n".join(found)
