"""Speed benchmark: epochs/second of each engine and milliseconds per decision-grid frame.

``python -m playground bench [--seconds S] [--json]`` prints one row per figure
with its target and PASS/MISS (never a failing exit code: speed is reported,
not asserted, so tests stay independent of the machine).

Configurations (TF Playground's defaults unless named):

* default: circle, 500 points, 50 % train (250), x1,x2 → 4,2 tanh → square, lr 0.03
* deep: the same on spiral with hidden 8,8,8,8,8,8

Rows:

* engine epochs/s: ``net.train_epoch`` on pre-shuffled training data, nothing else;
* trainer epochs/s: ``Trainer.step(1)``: shuffle, train, then evaluate the train and
  test sets and the full-train-set gradient (what the app pays per epoch);
* grid ms: ``net.layer_outputs(trainer.inputs(XY))`` on the 100×100 grid, the
  forward pass of every neuron the app draws each frame (median of many);
* torch: ``TorchMLP.train_epoch`` against a plain ``nn.Sequential`` +
  ``torch.optim.SGD`` loop slicing one mini-batch per step, same data and start.
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from playground.run.config import Config
from playground.data.datasets import domain
from playground.core.engines import cuda_available, torch_available
from playground.core.features import grid

__all__ = ["Row", "Report", "TARGETS", "run", "numpy_rows", "torch_rows", "to_json", "format_report"]

#: (target, higher is better) per measured figure.
TARGETS = {
    "engine_batch10": (1_000.0, True),
    "engine_full": (10_000.0, True),
    "engine_deep": (500.0, True),
    "grid_default": (1.0, False),
    "grid_deep": (6.0, False),
    "torch_ratio": (1.5, True),
}

DEFAULT = Config()
DEEP = Config(dataset="spiral", hidden=(8,) * 6)


@dataclass
class Row:
    """One measured figure; ``status`` is PASS/MISS against ``target``, "" without one, SKIP if not measured."""

    key: str
    name: str
    value: float | None
    unit: str
    target: float | None = None
    higher_is_better: bool = True
    note: str = ""

    @property
    def status(self) -> str:
        if self.value is None:
            return "SKIP"
        if self.target is None:
            return ""
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if ok else "MISS"


@dataclass
class Report:
    rows: list[Row]
    seconds: float
    machine: dict = field(default_factory=dict)


def _row(key: str, name: str, value: float | None, unit: str, note: str = "") -> Row:
    target, higher = TARGETS.get(key, (None, True))
    return Row(key, name, value, unit, target, higher, note)


def rate(fn, seconds: float) -> float:
    """Calls per second of ``fn()`` over about ``seconds`` (after one warm-up call)."""
    fn()
    calls, t0 = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds and calls >= 3:
            return calls / elapsed


def median_ms(fn, seconds: float, min_runs: int = 15) -> float:
    """Median milliseconds of ``fn()`` over about ``seconds`` (at least ``min_runs`` runs)."""
    fn()
    times, t_end = [], time.perf_counter() + seconds
    while len(times) < min_runs or time.perf_counter() < t_end:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000.0 * statistics.median(times)


def _shuffled(trainer) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(0).permutation(len(trainer.X_train))
    return trainer.X_train[order], trainer.T_train[order]


def numpy_rows(seconds: float) -> list[Row]:
    """Engine, trainer and grid figures of the NumPy engine on the default and deep configs."""
    from playground.run.trainer import Trainer

    rows = []
    for label, cfg in (("default", DEFAULT), ("deep", DEEP)):
        t = Trainer(cfg)
        X, T = _shuffled(t)
        net, n = t.net, len(X)
        shape = "-".join(map(str, t.sizes))
        batches = [(10, "batch10" if label == "default" else "deep")] + ([(n, "full")] if label == "default" else [])
        for batch, key in batches:
            what = "batch 10" if batch == 10 else f"full batch ({n})"
            rows.append(_row(f"engine_{key}", f"NumPy engine, {label} {shape}, {what}",
                             rate(lambda: net.train_epoch(X, T, batch, None), seconds), "epochs/s"))  # noqa: B023 (called before the loop moves on)
        for batch, what in [(10, "batch 10")] + ([(n, f"full batch ({n})")] if label == "default" else []):
            tr = Trainer(cfg.replace(batch=batch))
            rows.append(_row(f"trainer_{label}_{batch}", f"NumPy Trainer.step (with evaluation), {label}, {what}",
                             rate(lambda: tr.step(1), seconds), "epochs/s"))  # noqa: B023 (called before the loop moves on)
        XY = grid(domain(t.data), 100)[2]
        frame = lambda: net.layer_outputs(t.inputs(XY))  # noqa: B023, E731
        rows.append(_row(f"grid_{label}", f"100×100 grid, every neuron, {label} {shape}",
                         median_ms(frame, seconds), "ms"))
        limits = _one_blas_thread()
        if limits is not None:
            # Small matmuls on a busy machine: OpenBLAS threads waiting for a core can cost
            # far more than the arithmetic. This row shows what one thread gives.
            with limits:
                ms = median_ms(frame, seconds)
            rows.append(_row(f"grid_{label}_blas1", "  same, BLAS limited to 1 thread", ms, "ms",
                             "threadpoolctl"))
    return rows


def _one_blas_thread():
    """A context limiting BLAS to one thread, or None without threadpoolctl (optional)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1, user_api="blas")


def _plain_loop(torch, trainer, device: str):
    """A textbook PyTorch loop on the trainer's config and starting weights: one epoch per call.

    Why bench.py imports torch (the house rule keeps torch in torch_engine.py):
    the baseline must be plain PyTorch, not our engine; the import is lazy and
    happens only here, when the benchmark runs and torch is installed.
    """
    nn = torch.nn
    cfg = trainer.cfg
    if cfg.loss != "square" or set(cfg.activations()) != {"tanh"}:
        raise ValueError(f"the plain loop is written for tanh layers + square loss, got {cfg.activations()} + {cfg.loss}")
    layers = []
    for W, b in trainer.initial:
        lin = nn.Linear(*W.shape)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(W.T))
            lin.bias.copy_(torch.as_tensor(b))
        layers += [lin, nn.Tanh()]
    model = nn.Sequential(*layers).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    X, T = (torch.as_tensor(A, device=device) for A in _shuffled(trainer))
    batch = cfg.batch

    def epoch():
        for i in range(0, len(X), batch):
            xb, tb = X[i:i + batch], T[i:i + batch]
            opt.zero_grad()
            loss = 0.5 * ((model(xb) - tb) ** 2).sum(dim=1).mean()
            loss.backward()
            opt.step()
        if device == "cuda":
            torch.cuda.synchronize()

    return epoch


def torch_rows(seconds: float) -> list[Row]:
    """TorchMLP vs a plain PyTorch loop on the default config; CPU, and CUDA when available."""
    keys = [("torch_engine", "PyTorch engine (TorchMLP), default, batch 10", "epochs/s"),
            ("torch_plain", "plain nn.Sequential + SGD loop, default, batch 10", "epochs/s"),
            ("torch_ratio", "TorchMLP / plain loop", "×")]
    if not torch_available():
        return [_row(k, f"{n} [cpu]", None, u, "torch is not installed") for k, n, u in keys]
    try:
        from playground.core.torch_engine import TorchMLP
    except ImportError as err:
        return [_row(k, f"{n} [cpu]", None, u, f"torch engine unavailable: {err}") for k, n, u in keys]
    from playground.core.torch_engine import torch  # the engine module is the one place torch is imported

    from playground.run.trainer import Trainer

    rows = []
    t = Trainer(DEFAULT)
    X, T = _shuffled(t)
    for device in ["cpu"] + (["cuda"] if cuda_available() else []):
        net = TorchMLP(t.sizes, DEFAULT.activations(), DEFAULT.loss, t.initial, lr=DEFAULT.lr, device=device)

        def engine_epoch():
            net.train_epoch(X, T, DEFAULT.batch, None)  # noqa: B023 (called before the loop moves on)
            if device == "cuda":  # noqa: B023 (called before the loop moves on)
                torch.cuda.synchronize()

        fast = rate(engine_epoch, seconds)
        plain = rate(_plain_loop(torch, t, device), seconds)
        for (key, name, unit), value in zip(keys, (fast, plain, fast / plain)):
            rows.append(_row(key if device == "cpu" else f"{key}_cuda", f"{name} [{device}]", value, unit))
    if "_cuda" not in rows[-1].key:
        rows.append(_row("torch_cuda", "PyTorch engine [cuda]", None, "epochs/s", "CUDA is not available here"))
    return rows


def run(seconds: float = 1.0) -> Report:
    """Every row: NumPy engine, trainer and grid, then torch (skipped rows say why)."""
    import numpy

    rows = numpy_rows(seconds) + torch_rows(seconds)
    machine = {"python": platform.python_version(), "numpy": numpy.__version__, "processor": platform.machine(),
               "cpus": os.cpu_count()}
    try:
        from threadpoolctl import threadpool_info

        machine["blas_threads"] = sum(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
    except ImportError:
        pass
    if torch_available():
        from playground.core.torch_engine import torch  # the engine module is the one place torch is imported

        machine["torch"] = torch.__version__
        machine["torch_threads"] = torch.get_num_threads()
    return Report(rows, seconds, machine)


def to_json(report: Report) -> dict:
    """``{"rows": [{key, name, value, unit, target, higher_is_better, note, status}], ...}``."""
    return {"rows": [{**asdict(r), "status": r.status} for r in report.rows],
            "seconds": report.seconds, "machine": report.machine}


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def format_report(report: Report) -> str:
    """A plain-text table: figure, value, unit, target, PASS/MISS."""
    head = ("measurement", "value", "unit", "target", "")
    lines = [(r.name, _fmt(r.value), r.unit,
              "" if r.target is None else ("≥ " if r.higher_is_better else "≤ ") + _fmt(r.target),
              r.status + (f"  ({r.note})" if r.note else "")) for r in report.rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(4)]
    out = ["  ".join([x[0].ljust(widths[0]), x[1].rjust(widths[1]), x[2].ljust(widths[2]),
                      x[3].ljust(widths[3]), x[4]]).rstrip() for x in [head, *lines]]
    m = report.machine
    out.append(f"\n{report.seconds:g} s per measurement; {m.get('cpus')} CPUs; Python {m.get('python')}, "
               f"NumPy {m.get('numpy')}" + (f" ({m['blas_threads']} BLAS threads)" if "blas_threads" in m else "")
               + (f", torch {m['torch']} ({m['torch_threads']} threads)" if "torch" in m else ", no torch"))
    return "\n".join(out)
