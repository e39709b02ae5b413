"""Measure what uploads cost through the sandbox worker; prints figures, asserts nothing.

    PYTHONPATH=. python bench/measure_sandbox.py

For each file: wall time of the call, how the call ended, the server process's resident-memory
growth, and the worker's peak resident memory above its idle level (Linux VmHWM, reset before
each file; "killed" when the worker was stopped, and then a replacement is started).  Hostile files: the nested-tuple .pt (the hash
bomb), a JSON file that expands ~25× in memory, a 19 MB JSON file, .pt files with sparse and meta
tensors.  Normal files: the largest model the app makes (100 inputs, 8×64 hidden, 10 outputs,
Adam, float64) as JSON, .npz and .pt, each loaded twice (first: a fresh worker, and for .pt the
torch import; then warm), and the largest allowed CSV table.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' helpers (browser_util, hostile_files)
sys.path.insert(0, str(Path(__file__).parent.parent))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from playground.run import modelio  # noqa: E402
from playground.data import uploads  # noqa: E402
from playground.base import sandbox  # noqa: E402
from playground.run.config import Config  # noqa: E402
from playground.data.datasets import Data  # noqa: E402
from playground.core.engines import torch_available  # noqa: E402
from playground.run.trainer import Trainer  # noqa: E402


def _peak_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def measure(label: str, call) -> None:
    me = psutil.Process()
    before = me.memory_info().rss
    idle = {pid: _rss_mb(pid) for pid in sandbox.worker_pids()}
    t = time.perf_counter()
    try:
        call()
        outcome = "loaded"
    except modelio.ModelFileError as e:
        outcome = "refused: " + str(e).split(": ", 1)[1][:70]
    wall = time.perf_counter() - t
    after = sandbox.worker_pids()
    if set(idle) - set(after):
        worker = "killed"  # a replacement starts in the background: wait for it before the next file
        deadline = time.monotonic() + 60
        while not sandbox.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
    elif idle:
        pid = max(idle)
        worker = f"peak +{_peak_mb(pid) - idle[pid]:.0f} MB"
    else:
        worker = f"new worker, peak {_peak_mb(after[0]):.0f} MB"
    grow = (me.memory_info().rss - before) / 2**20
    print(f"{label:34s} {wall:7.3f} s  server +{grow:5.0f} MB  worker {worker:24s} {outcome}")


def largest_trainer() -> Trainer:
    rng = np.random.default_rng(0)
    data = Data(rng.normal(size=(400, 100)), rng.integers(0, 10, 400), "classification", 10,
                tuple(f"f{i}" for i in range(100)), "big")
    t = Trainer(Config(dataset="iris", hidden=(64,) * 8, optimizer="adam", loss="ce", dtype="float64"), data=data)
    t.run(epochs=1_000)
    return t


def main() -> None:
    import hostile_files
    import test_sandbox as T

    sandbox.shutdown()
    t = largest_trainer()
    files = {"json": modelio.to_json(t).encode(), "npz": modelio.to_npz(t)}
    if torch_available():
        files["pt"] = modelio.to_state_dict(t)
    for fmt, data in files.items():
        print(f"largest real model as {fmt}: {len(data):,} bytes")
        for run in ("first", "warm"):
            measure(f"{fmt} model ({run})", lambda: modelio.load_untrusted_model(f"m.{fmt}", data))  # noqa: B023 (called before the loop moves on)
        measure(f"{fmt} model (in-process load_model)", lambda: modelio.load_model(f"m.{fmt}", data))  # noqa: B023 (called before the loop moves on)
    rows = b"".join(b",".join(b"%.6f" % v for v in r) + b",c%d\n" % (i % 10)
                    for i, r in enumerate(np.random.default_rng(1).normal(size=(10_000, 60))))
    csv = b",".join(b"f%d" % i for i in range(60)) + b",label\n" + rows
    csv = csv[:uploads.MAX_UPLOAD_BYTES]
    csv = csv[:csv.rindex(b"\n") + 1]
    print(f"CSV table: {len(csv):,} bytes")
    for run in ("first", "warm"):
        def load_csv():
            table, err = uploads.read_upload("t.csv", csv)
            if err:
                raise modelio.ModelFileError(f"t.csv: {err}")
        measure(f"CSV table ({run})", load_csv)

    print("hostile files (default limits: "
          f"{modelio.UPLOAD_SECONDS:g} s, {modelio.UPLOAD_MB} MB):")
    measure("19 MB JSON", lambda: modelio.load_untrusted_model("big.json", b'{"p": "' + b"x" * 19_000_000 + b'"}'))
    measure("memory-hog JSON (default limit)", lambda: modelio.load_untrusted_model("hog.json", T.HOG))
    measure("memory-hog JSON (max_mb=40)", lambda: modelio.load_untrusted_model("hog.json", T.HOG, max_mb=40))
    if torch_available():
        measure("warm-up .pt", lambda: modelio.load_untrusted_model("m.pt", files["pt"]))
        bomb = hostile_files.pt_pickle_bomb()
        measure(f"nested-tuple .pt ({len(bomb)} bytes)", lambda: modelio.load_untrusted_model("bomb.pt", bomb))
        measure("next normal .pt (replacement worker)", lambda: modelio.load_untrusted_model("m.pt", files["pt"]))
        sparse = T._with_tensor(lambda w: w.to_sparse())
        meta = T._with_tensor(lambda w: w.to("meta"))
        measure("sparse-tensor .pt", lambda: modelio.load_untrusted_model("s.pt", sparse))
        measure("meta-tensor .pt", lambda: modelio.load_untrusted_model("m.pt", meta))
    sandbox.shutdown()


if __name__ == "__main__":
    main()
