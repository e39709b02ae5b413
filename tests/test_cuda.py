"""The torch engine on a CUDA GPU: the same maths as on the CPU, and frames sliced mid-epoch stay exact.

Skipped where torch or a CUDA device is missing (CI has none); run on a machine with a GPU:

    python -m pytest -q tests/test_cuda.py
"""
from __future__ import annotations

import numpy as np
import pytest

from playground.run.config import Config
from playground.core.engines import cuda_available, torch_available
from playground.run.race import Race
from playground.run.trainer import Trainer
from test_frames import FakeClock  # tests/ is on sys.path under pytest

pytestmark = pytest.mark.skipif(not (torch_available() and cuda_available()), reason="no CUDA device")

LINKS = [
    dict(dataset="spiral", hidden=(8, 8), activation=("tanh",), optimizer="adam", lr=0.01, batch=10),
    dict(dataset="spiral3", hidden=(6, 6), activation=("relu",), loss="ce", optimizer="momentum", lr=0.03, batch=7),
    dict(dataset="reg-gauss", hidden=(5,), activation=("sigmoid",), loss="mse", optimizer="sgd", lr=0.05,
         reg="l2", reg_rate=0.01, batch=1),
    dict(dataset="xor", hidden=(8, 4), activation=("tanh",), dropout=0.2, optimizer="adam", lr=0.01, batch=16),
]


def weights(t: Trainer) -> list[np.ndarray]:
    return [a for W, b in t.net.get_params() for a in (W, b)]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("link", LINKS, ids=[d["dataset"] for d in LINKS])
def test_cuda_follows_the_numpy_engine_in_float64(link):
    cpu = Trainer(Config(**link, engine="numpy", dtype="float64", seed="3"))
    gpu = Trainer(Config(**link, engine="torch", device="cuda", dtype="float64", seed="3"))
    assert gpu.net.device.startswith("cuda") and gpu.note == ""
    cpu.step(30)
    gpu.step(30)
    assert gpu.epoch == cpu.epoch == 30
    for a, b in zip(weights(cpu), weights(gpu)):
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-9)
    np.testing.assert_allclose(gpu.history.train_loss, cpu.history.train_loss, rtol=1e-9, atol=1e-12)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cuda_run_sliced_mid_epoch_equals_the_run_in_one_go(dtype):
    cfg = Config(dataset="circle", points=400, hidden=(16, 16), engine="torch", device="cuda", dtype=dtype,
                 optimizer="adam", dropout=0.1, batch=3, lr=0.01)
    whole, sliced = Trainer(cfg), Trainer(cfg)
    whole.step(3)
    clock = FakeClock(per_batch=0.001)  # time passes only as mini-batches train: many stops inside each epoch
    clock.charge(sliced)
    stops_inside = 0
    while sliced.epoch < 3:
        sliced.train_for(0.0015, max_epochs=3 - sliced.epoch, clock=clock)
        stops_inside += sliced.epoch_progress > 0
    assert stops_inside > 0
    assert all(np.array_equal(a, b) for a, b in zip(weights(whole), weights(sliced)))


@pytest.mark.timeout(300)
def test_cuda_race_lockstep_matches_the_cpu_race():
    base = dict(dataset="gauss", hidden=(4,), dtype="float64")
    racers = [dict(optimizer="sgd", lr=0.1), dict(optimizer="adam", lr=0.01)]
    cpu = Race([Config(**base, **r) for r in racers])
    gpu = Race([Config(**base, **r, engine="torch", device="cuda") for r in racers])
    cpu.step(20)
    gpu.step(20)
    for c, g in zip(cpu.trainers, gpu.trainers):
        for a, b in zip(weights(c), weights(g)):
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-9)
