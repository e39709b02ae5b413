"""Hostile and broken files: every one raises the module's own error, with a message naming the problem.

The corpus (``tests/corpus.py``) is generated: truncated, noisy, mis-encoded,
mis-shaped, non-finite, oversized, deeply nested, zip bombs, pickles and
tampered model files.  ``pytest.raises(TableError / ModelFileError)`` fails the
test on any other exception type.  Valid files round-trip exactly, and a model
saved mid-run and loaded again trains on along the very same trajectory.
"""
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.run import modelio
from playground.run.config import Config
from playground.core.engines import torch_available
from playground.run.modelio import ModelFileError, load_model, trainer_from_model
from playground.data.tables import TableError, load_csv
from playground.run.trainer import Trainer

sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402

CSV_CASES = corpus.csv_cases()
MODEL_CASES = corpus.model_cases()


def _check_message(err: Exception, case: corpus.Case) -> None:
    msg = str(err)
    assert msg.strip(), f"{case.name}: empty message"
    assert re.search(case.expect, msg, re.I | re.S), f"{case.name}: {msg!r} does not match {case.expect!r}"
    assert len(msg) < 600, f"{case.name}: message too long ({len(msg)} characters): it must not echo the file"


def test_corpus_is_large_and_named_uniquely():
    names = [c.name for c in CSV_CASES + MODEL_CASES]
    assert len(names) >= 200
    assert len(set(names)) == len(names)
    assert len(CSV_CASES) >= 60 and len(MODEL_CASES) >= 140


@pytest.mark.parametrize("case", CSV_CASES, ids=lambda c: c.name)
def test_bad_csv_raises_table_error(case):
    with pytest.raises(TableError) as info:
        table = load_csv(case.data)
        features = case.features or table.columns[:-1]
        table.to_data(list(features), table.columns[-1])
    _check_message(info.value, case)


@pytest.mark.parametrize("case", MODEL_CASES, ids=lambda c: c.name)
def test_bad_model_raises_model_file_error(case):
    name = f"{case.name}.bin"
    with pytest.raises(ModelFileError) as info:
        load_model(name, case.data)
    assert str(info.value).startswith(repr(name) + ": ")  # the message says which file
    _check_message(info.value, case)


# ----- valid files ---------------------------------------------------------------------------------
FORMATS = {
    "json": lambda t: modelio.to_json(t).encode(),
    "npz": modelio.to_npz,
    "torch": modelio.to_state_dict,
}
CONFIGS = {
    "xor-float32-sgd": dict(dataset="xor", hidden=(4, 2), points=200),
    "spiral-float64-adam-relu": dict(dataset="spiral", points=200, hidden=(6, 5), activation=("relu", "tanh"), optimizer="adam",
                                     lr=0.01, dtype="float64", features=("x1", "x2", "x1sq", "sinx2")),
    "blobs4-ce-momentum": dict(dataset="blobs", classes=4, points=200, loss="ce", hidden=(5,), optimizer="momentum"),
    "reg-gauss-no-hidden-rmsprop": dict(dataset="reg-gauss", hidden=(), loss="huber", optimizer="rmsprop", points=200),
    "iris-nesterov-dropout-l2": dict(dataset="iris", hidden=(6,), loss="ce", optimizer="nesterov", dropout=0.2,
                                     reg="l2", reg_rate=0.001, clip=1.0),
}


def _format(name):
    if name == "torch" and not torch_available():
        pytest.skip("torch is not installed")
    return FORMATS[name]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("cfg_name", CONFIGS)
def test_export_import_round_trip(fmt, cfg_name):
    export = _format(fmt)
    t = Trainer(Config(**CONFIGS[cfg_name]))
    t.run(epochs=3)
    m = load_model(f"model.{fmt}", export(t))
    assert m.config == t.cfg and m.warnings == () and m.epoch == 3 and m.format == fmt
    assert list(m.sizes) == t.sizes
    assert len(m.params) == len(t.params)
    for (W, b), (W0, b0) in zip(m.params, t.params):
        assert W.dtype == np.float64 and np.array_equal(W, W0) and np.array_equal(b, b0)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("cfg_name", CONFIGS)
def test_continue_training_follows_the_same_trajectory(fmt, cfg_name):
    export = _format(fmt)
    cfg = Config(**CONFIGS[cfg_name])
    straight = Trainer(cfg)
    straight.run(epochs=6)
    first = Trainer(cfg)
    first.run(epochs=3)
    resumed = trainer_from_model(load_model(f"model.{fmt}", export(first)))
    resumed.run(epochs=3)
    h, r = straight.history, resumed.history
    assert r.epoch == [3, 4, 5, 6] == h.epoch[3:]
    # Same engine, same arithmetic, same shuffles and optimizer state: bit-for-bit equal.
    assert r.train_loss == h.train_loss[3:]
    assert r.test_loss == h.test_loss[3:]
    assert r.test_metric == h.test_metric[3:]
    for (W, b), (W0, b0) in zip(resumed.params, straight.params):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
