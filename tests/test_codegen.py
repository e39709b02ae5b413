""""Show the code": the generated scripts run on their own and reproduce the app's numbers.

Each script is written to a temporary folder and run there with ``python`` in a
subprocess, in a clean environment (no PYTHONPATH, and a ``playground`` module
in that folder that refuses to be imported: the script must need nothing but
NumPy, and torch for the PyTorch one); its last line ``FINAL train_loss=<x> test_loss=<y>`` must equal the last history
entry of ``Trainer(cfg).run(epochs=N)``: to 1e-9 relative in float64, 1e-4 in
float32.  The scripts run in parallel (a thread per subprocess) to keep the
wall time down.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from playground.run import codegen_parts
from playground.core.activations import ACTIVATIONS, TRAINABLE
from playground.run.codegen import numpy_script, torch_script
from playground.run.codegen_parts import CodegenError
from playground.run.config import Config, from_query
from playground.core.engines import torch_available
from playground.core.features import FEATURES
from playground.core.initializers import INITIALIZERS
from playground.core.losses import LOSSES
from playground.core.optimizers import OPTIMIZERS
from playground.run.trainer import Trainer

EPOCHS = 12
FINAL = re.compile(r"^FINAL train_loss=(\S+) test_loss=(\S+)$")
S = "&dtype=float64&points=200"
CASES = {  # name: (link, engines to generate)
    "xor-tanh-sgd": ("dataset=xor&hidden=4,2" + S, ("numpy",)),
    "circle-sigmoid-bce-momentum": ("dataset=circle&hidden=6&activation=sigmoid&loss=bce&optimizer=momentum"
                                    "&features=x1,x2,x1sq,x2sq" + S, ("numpy",)),
    "gauss-leaky-elu-nesterov-xavier": ("dataset=gauss&hidden=3,3&activation=leaky_relu,elu&optimizer=nesterov"
                                        "&init=xavier&noise=20" + S, ("numpy",)),
    "moons-gelu-rmsprop-he": ("dataset=moons&hidden=5&activation=gelu&optimizer=rmsprop&lr=0.01&init=he" + S,
                              ("numpy",)),
    "spiral3-silu-softplus-adam-ce": ("dataset=spiral3&loss=ce&hidden=5,4&activation=silu,softplus&optimizer=adam"
                                      "&lr=0.01&init=normal&init_scale=0.3&features=x1,x2,sinx1,sinx2,x1x2" + S,
                                      ("numpy", "torch")),
    "xor-sine-l1-clip": ("dataset=xor&hidden=6&activation=sine&reg=l1&reg_rate=0.001&clip=0.5" + S, ("numpy",)),
    "xor-l2-dropout": ("dataset=xor&hidden=6,3&reg=l2&reg_rate=0.01&dropout=0.2" + S, ("numpy",)),
    "blobs-ce-adam": ("dataset=blobs&classes=4&hidden=6&activation=relu&loss=ce&optimizer=adam&seed=class-7" + S,
                      ("numpy",)),
    "spiral3-relu-no-shuffle": ("dataset=spiral3&hidden=8&activation=relu&shuffle=0&batch=7" + S, ("numpy",)),
    "reg-plane-mse-linear": ("dataset=reg-plane&hidden=3&activation=linear&loss=mse&lr=0.01" + S, ("numpy",)),
    "reg-gauss-mae": ("dataset=reg-gauss&hidden=4&loss=mae&init=zeros" + S, ("numpy",)),
    "reg-gauss-huber-no-hidden-l2-clip": ("dataset=reg-gauss&hidden=&loss=huber&reg=l2&reg_rate=0.01&clip=0.2" + S,
                                          ("numpy", "torch")),
    "iris-standardized-ce": ("dataset=iris&hidden=5&loss=ce&optimizer=adam&lr=0.01&dtype=float64", ("numpy",)),
    "xor-float32": ("dataset=xor&hidden=4,2&points=200", ("numpy", "torch")),
    "spiral-float32-adam-relu": ("dataset=spiral&hidden=8,8&activation=relu&optimizer=adam&lr=0.01&points=200",
                                 ("numpy",)),
}
RUNS = [(name, engine) for name, (_, engines) in CASES.items() for engine in engines]


def _config(name: str) -> Config:
    cfg, warnings = from_query(CASES[name][0])
    assert warnings == []
    return cfg


def _alone(folder: Path, source: str, name: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``source`` as ``folder/name`` with only what a student's machine has: python, numpy (torch)."""
    (folder / "playground.py").write_text('raise ImportError("a standalone script must not import playground")\n')
    path = folder / name
    path.write_text(source, encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder)}
    # -E: ignore PYTHON* variables; -s: no user site; the script's folder comes first on sys.path,
    # so the installed (editable) playground package is shadowed by the module above.
    return subprocess.run([sys.executable, "-E", "-s", str(path)], capture_output=True, text=True, env=env,
                          cwd=folder, timeout=timeout)


def _run_script(tmp: Path, name: str, engine: str) -> tuple[int, str, str]:
    make = numpy_script if engine == "numpy" else torch_script
    folder = tmp / f"{name}_{engine}"
    folder.mkdir()
    done = _alone(folder, make(_config(name), epochs=EPOCHS), f"train_{engine}.py")
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every script's (returncode, stdout, stderr), all run at once."""
    tmp = tmp_path_factory.mktemp("codegen")
    runs = [r for r in RUNS if r[1] == "numpy" or torch_available()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(runs, pool.map(lambda r: _run_script(tmp, *r), runs)))
    return results


@pytest.mark.parametrize("name, engine", RUNS, ids=[f"{n}-{e}" for n, e in RUNS])
def test_script_reproduces_the_app(outputs, name, engine):
    if engine == "torch" and not torch_available():
        pytest.skip("torch is not installed")
    code, out, err = outputs[(name, engine)]
    assert code == 0, err[-3000:]
    match = FINAL.match(out.strip().splitlines()[-1])
    assert match, out[-500:]
    cfg = _config(name)
    t = Trainer(cfg)
    t.run(epochs=EPOCHS)
    assert not t.diverged and t.epoch == EPOCHS
    rtol = 1e-9 if cfg.dtype == "float64" else 1e-4
    got = [float(match[1]), float(match[2])]
    want = [t.history.train_loss[-1], t.history.test_loss[-1]]
    assert got == pytest.approx(want, rel=rtol, abs=1e-12)
    assert got[0] < t.history.train_loss[0] or cfg.init == "zeros"  # it did train
    progress = [ln for ln in out.splitlines() if ln.startswith("epoch ")]
    assert len(progress) == EPOCHS // max(1, EPOCHS // 10)  # a progress line every EPOCHS // 10 epochs


def test_every_registry_entry_has_code():
    # The code each script writes lives in the registry entries (activations.py, losses.py, optimizers.py).
    assert {n for n in ACTIVATIONS if ACTIVATIONS[n].np_source and ACTIVATIONS[n].torch} == set(TRAINABLE)
    assert all(l.np_source and l.torch_script for l in LOSSES.values())
    assert all(o.np_step and o.torch_class for o in OPTIMIZERS.values())
    assert set(codegen_parts.INIT_DRAWS) == set(INITIALIZERS)
    assert set(codegen_parts.FEATURE_CODE) == set(FEATURES)


_ALLOWED_IMPORTS = {"import base64", "import sys", "import zlib", "import numpy as np", "import torch"}


@pytest.mark.parametrize("loss, dataset", [("square", "xor"), ("bce", "circle"), ("ce", "spiral3"), ("mse", "reg-plane"),
                                           ("mae", "reg-gauss"), ("huber", "diabetes")])
def test_every_combination_compiles_and_imports_only_numpy_torch_and_the_standard_library(loss, dataset):
    for i, act in enumerate(TRAINABLE):
        for optimizer in OPTIMIZERS:
            cfg = Config(dataset=dataset, loss=loss, hidden=(3, 2), activation=(act, TRAINABLE[i - 1]),
                         optimizer=optimizer, init=list(INITIALIZERS)[i % len(INITIALIZERS)], reg=("l1", "l2")[i % 2],
                         reg_rate=0.01 * (i % 3), clip=float(i % 2))
            for make in (numpy_script, torch_script):
                src = make(cfg, epochs=3)
                compile(src, f"{make.__name__}-{act}-{optimizer}", "exec")
                imports = {ln.strip() for ln in src.splitlines() if re.match(r"\s*(from|import)\s", ln)}
                assert imports <= _ALLOWED_IMPORTS, imports


def test_script_shows_only_what_the_config_uses():
    adam = numpy_script(Config(dataset="xor", hidden=(4,), optimizer="adam"), epochs=5)
    assert "BETA1, BETA2, EPS = 0.9, 0.999, 1e-8" in adam and "velocity" not in adam and "DROPOUT" not in adam
    sgd = numpy_script(Config(dataset="xor", hidden=(4,), activation=("relu",)), epochs=5)
    assert "p -= LR * g  # w ← w − η g" in sgd and "BETA1" not in sgd and "def tanh(" not in sgd
    assert "def relu(z):\n    return np.maximum(z, 0)" in sgd
    torch_src = torch_script(Config(dataset="iris", loss="ce", hidden=(5,), optimizer="rmsprop"), epochs=5)
    assert "torch.optim.RMSprop(model.parameters(), lr=LR, alpha=0.99, eps=1e-8)" in torch_src
    assert "torch.nn.Linear(4, 5),\n    torch.nn.Tanh(),\n    torch.nn.Linear(5, 3),\n)" in torch_src
    assert "# z-score every column with the TRAINING set's mean" in torch_src


def test_unsupported_settings_say_so():
    with pytest.raises(CodegenError, match=r"dropout=0.3 is not supported by the PyTorch code generator.*NumPy script"):
        torch_script(Config(dataset="xor", dropout=0.3))
    for bad in (0, -1, 1.5, True, 100_001):
        with pytest.raises(CodegenError, match="epochs must be a whole number 1–100000"):
            numpy_script(Config(), epochs=bad)


def test_max_epochs_caps_the_script_and_stop_rules_are_noted():
    src = numpy_script(Config(dataset="xor", max_epochs=7, patience=5), epochs=100)
    assert "else 7\n" in src
    assert "The app's stop rules (patience) are not part of this script" in src


@pytest.mark.timeout(60)
def test_the_default_script_runs_alone_from_any_folder(tmp_path):
    """What a student gets from "Show the code" on the default Playground: python train_numpy.py, nothing else."""
    cfg = Config()
    done = _alone(tmp_path, numpy_script(cfg, epochs=5), "train_numpy.py", timeout=50)
    assert done.returncode == 0, done.stderr[-2000:]
    match = FINAL.match(done.stdout.strip().splitlines()[-1])
    t = Trainer(cfg)
    t.run(epochs=5)
    rtol = 1e-9 if cfg.dtype == "float64" else 1e-4
    assert [float(match[1]), float(match[2])] == pytest.approx([t.history.train_loss[-1], t.history.test_loss[-1]],
                                                               rel=rtol, abs=1e-12)
    refused = _alone(tmp_path, "import playground\n", "uses_playground.py", timeout=50)
    assert "must not import playground" in refused.stderr  # the check above can fail
