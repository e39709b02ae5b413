"""modelio: the file layouts, what loading repairs or refuses, and continuing training.

The generated corpus of bad files and the round trips over every format live in
``test_bad_files.py``; these tests pin the documented layout and the behaviours
around it (history, warnings, uploaded data, engines, torch missing).
"""
import csv
import dataclasses
import io
import json

import numpy as np
import pytest

from playground.run import model_formats, modelio
from playground.run.config import Config
from playground.core.engines import torch_available
from playground.run.modelio import (HISTORY_POINTS, LoadedModel, ModelFileError, history_csv, load_model, network_sizes,
                                to_json, to_npz, to_state_dict, trainer_from_model)
from playground.data.tables import load_csv
from playground.run.trainer import Trainer

needs_torch = pytest.mark.skipif(not torch_available(), reason="torch is not installed")


def _trainer(epochs=3, **kw) -> Trainer:
    t = Trainer(Config(**{"dataset": "xor", "hidden": (4, 2), "points": 100, **kw}))
    t.run(epochs=epochs)
    return t


def _strict_json(text: str):
    def refuse(name):
        raise AssertionError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


def test_json_layout():
    t = _trainer(optimizer="adam", activation=("relu", "tanh"))
    doc = _strict_json(to_json(t))  # strict JSON: no NaN/Infinity anywhere
    assert doc["format"] == "neural-playground-model" and doc["version"] == 1
    assert doc["config"] == t.cfg.to_query()
    assert doc["sizes"] == [2, 4, 2, 1]
    assert doc["activations"] == ["relu", "tanh"] and doc["loss"] == "square" and doc["epoch"] == 3
    assert [np.shape(p["W"]) for p in doc["params"]] == [(2, 4), (4, 2), (2, 1)]  # (fan_in, fan_out)
    assert doc["params"][1]["b"] == t.params[1][1].tolist()
    assert doc["history"]["train_loss"] == t.history.train_loss
    assert doc["history"]["test_rmse"] == [None] * 4  # a classifier has no RMSE: null, not NaN
    assert doc["state"]["optimizer"]["name"] == "adam" and doc["state"]["optimizer"]["t"] == 3 * 5
    assert len(doc["state"]["optimizer"]["slots"]) == 2
    assert doc["state"]["rng"]["bit_generator"] == "PCG64"
    assert "data" not in doc


def test_npz_holds_plain_arrays_and_a_json_meta():
    t = _trainer()
    with np.load(io.BytesIO(to_npz(t)), allow_pickle=False) as z:
        assert sorted(z.files) == ["W0", "W1", "W2", "b0", "b1", "b2", "meta"]
        assert z["W1"].shape == (4, 2) and z["W1"].dtype == np.float64
        meta = json.loads(str(z["meta"]))
    assert meta["config"] == t.cfg.to_query() and "params" not in meta


def test_history_is_thinned_to_the_cap_keeping_both_ends(monkeypatch):
    monkeypatch.setattr(modelio, "HISTORY_POINTS", 5)
    t = _trainer(epochs=12)
    h = json.loads(to_json(t))["history"]
    assert h["epoch"] == [0, 3, 6, 9, 12]
    assert h["test_loss"] == [t.history.test_loss[i] for i in h["epoch"]]
    monkeypatch.undo()
    assert HISTORY_POINTS == 1000
    assert load_model("m.json", to_json(t).encode()).history["epoch"] == list(range(13))


def test_history_csv_has_every_epoch_exactly():
    t = _trainer(epochs=4, dataset="reg-plane", loss="mse", points=100)
    rows = list(csv.reader(io.StringIO(history_csv(t))))
    assert rows[0] == ["epoch", "train_loss", "test_loss", "train_metric", "test_metric"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2, 3, 4]
    assert [float(r[2]) for r in rows[1:]] == t.history.test_loss  # repr: exact round trip
    assert [float(r[4]) for r in rows[1:]] == t.history.test_metric  # R² for regression


def test_network_sizes_match_the_trainer():
    for kw in [dict(dataset="xor", features=("x1", "x2", "x1x2"), hidden=(3,)),
               dict(dataset="iris", loss="ce", hidden=(5, 5)),
               dict(dataset="blobs", classes=5, loss="ce", hidden=()),
               dict(dataset="reg-gauss", loss="mse", hidden=(2,), points=100),
               dict(dataset="circle", loss="ce", hidden=(2,))]:
        cfg = Config(**kw)
        assert network_sizes(cfg) == Trainer(cfg).sizes, kw


def test_bad_config_link_is_repaired_with_warnings_not_refused():
    t = _trainer()
    doc = json.loads(to_json(t))
    doc["config"] = doc["config"].replace("noise=0", "noise=999") + "&evil=%3Cscript%3Ealert(1)%3C/script%3E"
    m = load_model("m.json", json.dumps(doc).encode())
    assert m.config.noise == 0 and m.config.hidden == (4, 2)
    assert any(w.startswith("config: noise must be 0–50") for w in m.warnings)
    assert any("unknown setting 'evil'" in w for w in m.warnings)


@pytest.mark.parametrize("history", [
    {"epoch": [0, 1], "train_loss": ["NaN", 1.0]},
    {"train_loss": [1.0], "epoch": 5},
    {"epoch": [0, 1], "test_loss": [1.0]},
    {"epoch": [0], "evil": [1]},
    [1, 2],
    {"epoch": list(range(HISTORY_POINTS + 1))},
])
def test_malformed_history_is_dropped_with_a_warning(history):
    doc = json.loads(to_json(_trainer()))
    doc["history"] = history
    m = load_model("m.json", json.dumps(doc).encode())
    assert m.history is None and len(m.warnings) == 1
    assert m.warnings[0].startswith("the training history in the file is malformed and was ignored (got ")


def test_minimal_hand_written_file_loads_and_trains():
    doc = {"format": "neural-playground-model", "version": 1, "config": "dataset=gauss&hidden=2&points=60",
           "params": [{"W": [[0.5, -0.5], [0.25, 1]], "b": [0, 0.1]}, {"W": [[1], [-1]], "b": [0]}]}
    m = load_model("hand.json", json.dumps(doc).encode())
    assert (m.epoch, m.state, m.history, m.sizes) == (0, None, None, (2, 2, 1))
    t = trainer_from_model(m)
    assert t.params[0][0].tolist() == [[0.5, -0.5], [0.25, 1.0]]
    t.run(epochs=2)
    assert t.history.epoch == [0, 1, 2] and np.isfinite(t.history.train_loss).all()


def test_accepts_bytes_like_and_names_the_file_briefly():
    data = to_json(_trainer()).encode()
    for form in (data, bytearray(data), memoryview(data), data.decode()):
        assert load_model("m.json", form).epoch == 3
    hostile = "<img src=x onerror=alert(1)>" * 20
    with pytest.raises(ModelFileError) as info:
        load_model(hostile, b"")
    assert str(info.value).startswith(repr(hostile[:80]) + ": the file is empty")
    with pytest.raises(ModelFileError, match="expected the file's bytes, got int"):
        load_model("m", 5)


def test_uploaded_data_model_needs_that_data_again():
    rows = "a,b,c,label\n" + "".join(f"{i % 7},{(3 * i) % 5},{i % 3 - 1},{'xyz'[i % 3]}\n" for i in range(60))
    data = load_csv(rows).to_data(["a", "b", "c"], "label")
    cfg = Config(dataset="circle", loss="ce", hidden=(4,), optimizer="adam")
    straight, first = Trainer(cfg, data=data), Trainer(cfg, data=data)
    straight.run(epochs=4)
    first.run(epochs=2)
    m = load_model("up.json", to_json(first).encode())
    assert m.data_name == "table" and m.sizes == (3, 4, 3)
    with pytest.raises(ModelFileError, match="trained on uploaded data 'table'; upload that table again"):
        trainer_from_model(m)
    other = load_csv(rows).to_data(["a", "b"], "label")
    with pytest.raises(ModelFileError, match=r"sizes \[2, 4, 3\] but the model's weights have \[3, 4, 3\]"):
        trainer_from_model(m, other)
    resumed = trainer_from_model(m, data)
    resumed.run(epochs=2)
    assert resumed.history.train_loss == straight.history.train_loss[2:]


def test_loaded_model_repr():
    m = load_model("m.npz", to_npz(_trainer()))
    assert repr(m) == "LoadedModel(2-4-2-1, xor, epoch 3, npz, 0 warnings)"
    assert isinstance(m, LoadedModel)


@needs_torch
def test_state_dict_loads_into_nn_sequential_and_predicts_the_same():
    import torch

    t = _trainer(dtype="float64", activation=("relu", "linear"), hidden=(5, 3))
    ck = torch.load(io.BytesIO(to_state_dict(t)), weights_only=True)
    model = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3), torch.nn.Identity(),
                                torch.nn.Linear(3, 1)).double()
    model.load_state_dict(ck["state_dict"])  # strict: exactly these keys and shapes
    X = t.test.X
    with torch.no_grad():
        out = torch.tanh(model(torch.from_numpy(X))).numpy()  # the square loss's tanh output
    np.testing.assert_allclose(out, t.predict(X), rtol=0, atol=1e-12)
    assert json.loads(ck["meta"])["config"] == t.cfg.to_query()


@needs_torch
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
@pytest.mark.parametrize("engines", [("torch", "torch"), ("numpy", "torch"), ("torch", "numpy")])
def test_continue_training_across_engines(optimizer, engines):
    """The optimizer state is saved engine-neutrally: a run may even switch engines mid-way."""
    before, after = engines
    cfg = Config(dataset="xor", hidden=(5, 3), optimizer=optimizer, lr=0.01, dtype="float64", points=100, engine=before)
    straight = Trainer(cfg)
    straight.run(epochs=6)
    first = Trainer(cfg)
    first.run(epochs=3)
    m = load_model("m.json", to_json(first).encode())
    resumed = trainer_from_model(dataclasses.replace(m, config=m.config.replace(engine=after)))
    assert resumed.net.name == after
    resumed.run(epochs=3)
    if before == after:
        assert resumed.history.train_loss == straight.history.train_loss[3:]
    else:  # the two engines agree to rounding (tests/test_parity.py)
        np.testing.assert_allclose(resumed.history.train_loss, straight.history.train_loss[3:], rtol=1e-9)


def test_without_torch_exports_and_loads_say_so(monkeypatch):
    t = _trainer()
    pt = to_state_dict(t) if torch_available() else None
    monkeypatch.setattr(modelio, "torch_available", lambda: False)  # export
    monkeypatch.setattr(model_formats, "torch_available", lambda: False)  # import
    with pytest.raises(ImportError, match="export the model as JSON or .npz"):
        to_state_dict(t)
    if pt is not None:
        with pytest.raises(ModelFileError, match="PyTorch file but PyTorch is not installed"):
            load_model("m.pt", pt)
