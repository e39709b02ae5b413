"""Uploads are parsed in a sandbox worker process: a crafted file is stopped, the server stays responsive.

The hostile files are built here: a torch-style zip whose pickle nests tuples 2⁶⁰ leaves deep
(each level stored under two memo slots, which the opcode check does not follow) and uses the
top one as a dictionary key, so hashing it never ends; a JSON file that expands ~25× in memory;
a 19 MB JSON file; .pt files holding sparse and meta tensors.  Every case has a time limit, so a
runaway fails instead of hanging.  No timing figures are asserted (bench/measure_sandbox.py prints them).
"""
import io
import re
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from playground.run import model_formats, modelio
from playground.data import uploads
from playground.base import sandbox
from playground.run.config import Config
from playground.core.engines import torch_available
from playground.run.modelio import ModelFileError, load_model, load_untrusted_model
from playground.data.tables import load_csv
from playground.run.trainer import Trainer

sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402
from hostile_files import pt_pickle_bomb  # noqa: E402

needs_torch = pytest.mark.skipif(not torch_available(), reason="torch is not installed")


def _trainer() -> Trainer:
    t = Trainer(Config(dataset="xor", hidden=(4, 3), optimizer="adam", points=100))
    t.run(epochs=3)
    return t


def test_the_crafted_pickle_passes_the_opcode_check():
    """The check alone is not a guarantee: this file gets past it, so only the sandbox stops it."""
    model_formats._check_pickle(zipfile.ZipFile(io.BytesIO(pt_pickle_bomb())))


@needs_torch
@pytest.mark.slow
@pytest.mark.timeout(90)
def test_nested_tuple_pt_is_stopped_and_the_caller_stays_responsive():
    data = pt_pickle_bomb()
    assert len(data) < 1_000
    load_untrusted_model("warm.pt", modelio.to_state_dict(_trainer()))  # torch imported, worker warm
    before = set(sandbox.worker_pids())
    ticks, stop = [], threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.02)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        with pytest.raises(ModelFileError) as info:
            load_untrusted_model("bomb.pt", data, seconds=3)
    finally:
        stop.set()
        counter.join()
    msg = str(info.value)
    assert msg.startswith("'bomb.pt': ") and "longer than the 3 s allowed" in msg
    assert len(ticks) >= 10  # the other thread ran all the while (it ticks 50 times a second)
    assert not before & set(sandbox.worker_pids())  # the stuck worker was killed


# 1.3 M empty JSON lists: 3.9 MB of file (under the 4 MB cap), ~100 MB once parsed.
HOG = b'{"pad":[' + b"[]," * 1_300_000 + b'[]]}'


@pytest.mark.timeout(60)
def test_memory_hog_is_stopped_by_the_watchdog():
    data = HOG
    assert len(data) <= modelio.MAX_BYTES_BY_FORMAT["json"]
    with pytest.raises(ModelFileError) as info:
        load_untrusted_model("hog.json", data, max_mb=40)
    msg = str(info.value)
    assert msg.startswith("'hog.json': ") and "more than the 40 MB of memory allowed" in msg
    # With the default limit the same file is only refused for its content.
    with pytest.raises(ModelFileError, match="'format' must be"):
        load_untrusted_model("hog.json", data)


@pytest.mark.timeout(60)
def test_19_mb_json_is_refused_before_parsing(monkeypatch):
    data = b'{"format": "neural-playground-model", "pad": "' + b"x" * 19_000_000 + b'"}'

    def no_parsing(*args, **kwargs):
        raise AssertionError("a file over the cap was handed to a parser")

    monkeypatch.setattr(sandbox, "run_untrusted", no_parsing)
    monkeypatch.setattr(modelio.json, "loads", no_parsing)
    for load in (load_untrusted_model, load_model):
        with pytest.raises(ModelFileError) as info:
            load("big.json", data)
        msg = str(info.value)
        assert f"too large: {len(data):,} bytes" in msg and "JSON 4,000,000" in msg and ".pt 4,000,000" in msg


def _with_tensor(make) -> bytes:
    """An exported .pt whose first weight is replaced by ``make(weight)``."""
    import torch

    obj = torch.load(io.BytesIO(modelio.to_state_dict(_trainer())), weights_only=True)
    obj["state_dict"]["0.weight"] = make(obj["state_dict"]["0.weight"])
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@needs_torch
@pytest.mark.timeout(90)
@pytest.mark.parametrize("make, what", [
    (lambda w: w.to_sparse(), r"got a sparse_coo tensor"),
    (lambda w: w.to_sparse_csr(), r"got a sparse_csr tensor"),
    (lambda w: w.to("meta"), r"got a tensor on device 'meta'"),
    (lambda w: w.to(__import__("torch").complex64), r"got torch.complex64"),
    (lambda w: w.to(__import__("torch").int32), r"got torch.int32"),
    (lambda w: __import__("torch").quantize_per_tensor(w.float(), 0.1, 0, __import__("torch").qint8), r"got a quantized tensor \(qint8\)"),
], ids=["sparse", "sparse-csr", "meta", "complex", "int", "quantized"])
def test_odd_tensors_get_a_message(make, what):
    try:
        data = _with_tensor(make)
    except Exception as e:  # this torch cannot save such a tensor: nothing to refuse
        pytest.skip(f"torch cannot save it: {e}")
    for load in (load_model, load_untrusted_model):
        with pytest.raises(ModelFileError) as info:
            load("odd.pt", data)
        msg = str(info.value)
        assert msg.startswith("'odd.pt': ")
        assert "state_dict['0.weight'] must be a floating-point tensor; " in msg and re.search(what, msg), msg
        assert "only plain dense CPU tensors of float16, bfloat16, float32, float64 are accepted" in msg


@pytest.mark.timeout(120)
@pytest.mark.parametrize("fmt", ["json", "npz", "torch"])
def test_normal_models_load_identically_through_the_worker(fmt):
    if fmt == "torch" and not torch_available():
        pytest.skip("torch is not installed")
    t = _trainer()
    data = {"json": lambda: modelio.to_json(t).encode(), "npz": lambda: modelio.to_npz(t),
            "torch": lambda: modelio.to_state_dict(t)}[fmt]()
    here, there = load_model("m", data), load_untrusted_model("m", data)
    assert there.config == here.config == t.cfg and there.warnings == here.warnings
    assert (there.epoch, there.sizes, there.format, there.data_name) == (here.epoch, here.sizes, fmt, None)
    assert repr(there.history) == repr(here.history) and there.state["rng"] == here.state["rng"]  # NaN != NaN
    for a, b in zip(there.state["optimizer"]["slots"], here.state["optimizer"]["slots"]):
        assert np.array_equal(a, b)
    for (W, b), (W0, b0) in zip(there.params, t.params):
        assert W.dtype == np.float64 and np.array_equal(W, W0) and np.array_equal(b, b0)


@pytest.mark.timeout(120)
def test_worker_is_reused_and_restarted_after_a_kill():
    data = modelio.to_json(_trainer()).encode()
    sandbox.shutdown()  # no idle workers left by earlier tests
    load_untrusted_model("a.json", data)
    first = sandbox.worker_pids()
    assert len(first) == 1
    load_untrusted_model("b.json", data)
    assert sandbox.worker_pids() == first  # the same process served both
    with pytest.raises(ModelFileError, match="more than the 40 MB of memory allowed"):
        load_untrusted_model("c.json", HOG, max_mb=40)
    # killed, and a fresh worker started in the background for the next upload
    deadline = time.monotonic() + 50
    while (sandbox.worker_pids() in ([], first)) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = sandbox.worker_pids()
    assert len(second) == 1 and second != first
    assert load_untrusted_model("d.json", data).epoch == 3
    assert sandbox.worker_pids() == second  # the fresh worker served it


@pytest.mark.timeout(60)
def test_bad_model_messages_are_the_same_through_the_worker():
    for case in corpus.model_cases()[::7]:
        with pytest.raises(ModelFileError) as here:
            load_model("f.bin", case.data)
        with pytest.raises(ModelFileError) as there:
            load_untrusted_model("f.bin", case.data)
        assert str(there.value) == str(here.value), case.name


@pytest.mark.timeout(60)
def test_csv_upload_goes_through_the_worker():
    good = b"x1,x2,label\n0,0,a\n0,1,b\n1,0,b\n1,1,a\n"
    table, err = uploads.read_upload("good.csv", good)
    assert err is None and table == load_csv(good, name="good")
    table, err = uploads.read_upload("bad.csv", b"x1,x2\n1\n")
    assert table is None and err.startswith("row 2 has 1 field, expected 2")
    big = b"a,b,label\n" + b"1.5,2.5,x\n3.5,4.5,y\n" * 200_000
    table, err = uploads.read_upload("slow.csv", big[:uploads.MAX_UPLOAD_BYTES], seconds=0)
    assert table is None and "longer than the 0 s allowed" in err
    table, err = uploads.read_upload("huge.csv", big + b"1,2,x\n" * 600_000)
    assert table is None and err.startswith("the file is too large:") and f"{uploads.MAX_UPLOAD_BYTES:,}" in err


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown parser kind 'pickle'"):
        sandbox.run_untrusted("pickle", "x", b"", seconds=1, max_mb=10)


@needs_torch
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_stuck_upload_does_not_hold_up_the_others(monkeypatch):
    bomb, normal = pt_pickle_bomb(), modelio.to_json(_trainer()).encode()
    errors = []

    def stuck():
        try:
            load_untrusted_model("bomb.pt", bomb, seconds=15)
        except ModelFileError as e:
            errors.append(str(e))

    slow = threading.Thread(target=stuck)
    slow.start()
    try:
        assert load_untrusted_model("mine.json", normal).epoch == 3  # another worker serves it meanwhile
        assert slow.is_alive()  # the bomb is still being parsed
        sandbox.shutdown()  # the idle worker goes; with one worker at most, none is free:
        monkeypatch.setattr(sandbox, "MAX_WORKERS", 1)  # a clear message, not a hang
        with pytest.raises(ModelFileError, match="the server is busy checking other uploads .1 at a time."):
            load_untrusted_model("late.json", normal, seconds=0.5)
    finally:
        slow.join()
    assert len(errors) == 1 and "longer than the 15 s allowed" in errors[0]
