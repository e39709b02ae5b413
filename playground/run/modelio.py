"""Save and load trained models: JSON, NumPy ``.npz`` and PyTorch state_dict files.

A model file holds the run's config (the share-link query string), the weights
and, so that "continue training" follows the same trajectory as never
stopping, the epoch, the shuffling generator's state and the optimizer's state::

    {"format": "neural-playground-model", "version": 1, "config": "dataset=xor&hidden=4&…",
     "sizes": [2, 4, 1], "activations": ["tanh"], "loss": "square", "epoch": 120,
     "params": [{"W": [[…], …], "b": […]}, …],        # W: (fan_in, fan_out), as the engines use
     "history": {"epoch": […], "train_loss": […], …},  # optional, at most HISTORY_POINTS points
     "state": {"rng": {…}, "optimizer": {"name": "adam", "t": 1200, "slots": [[…], […]]}}}

``.npz`` keeps the same document (without ``params``) as a JSON string in the
array ``meta`` and the weights as arrays ``W0, b0, W1, …``.  The PyTorch file is
``{"meta": <that JSON string>, "state_dict": {"0.weight": (out, in), "0.bias", "2.weight", …}}``,
whose ``state_dict`` loads into ``nn.Sequential(Linear, act, Linear, act, …, Linear)``
(``nn.Identity`` for a linear activation; the output activation belongs to the loss).

Files come from strangers (a class shares them), so ``load_model`` trusts nothing:
size caps before parsing, declared zip sizes before decompressing, no pickles
(``allow_pickle=False``, ``weights_only=True``), every shape and value checked.
Every problem is a `ModelFileError` saying what was wrong, the value, and what is allowed.

    >>> from playground.run.trainer import Trainer
    >>> from playground.run.config import Config
    >>> t = Trainer(Config(dataset="xor", hidden=(3,))); t.run(epochs=2)
    2
    >>> m = load_model("xor.json", to_json(t).encode())
    >>> m.config == t.cfg, m.epoch, [W.shape for W, _ in m.params]
    (True, 2, [(2, 3), (3, 1)])
"""
from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import numpy as np

from playground.run.model_formats import (FORMAT, HISTORY_KEYS, HISTORY_POINTS, MAX_BYTES, MAX_BYTES_BY_FORMAT,
                                            MAX_INPUTS, MAX_OUTPUTS, MAX_UNZIPPED, UPLOAD_MB, UPLOAD_SECONDS, VERSION,
                                            ModelFileError, array_of, check_size, checked_bytes,
                                            int_in, kind_of, label_of, read_json, read_npz, read_torch, short, sniff)
from playground.run.config import Config, from_query
from playground.run.sizes import CAPS, network_sizes, work_problem
from playground.data.datasets import DATASETS, Data
from playground.core.engines import torch_available
from playground.core.optimizers import OPTIMIZERS, Optimizer

__all__ = [
    "FORMAT", "VERSION", "MAX_BYTES", "MAX_UNZIPPED", "HISTORY_POINTS", "ModelFileError", "LoadedModel",
    "MAX_BYTES_BY_FORMAT", "UPLOAD_SECONDS", "UPLOAD_MB", "to_json", "to_npz", "to_state_dict", "history_csv",
    "load_model", "load_untrusted_model", "parse_untrusted", "prepare_untrusted", "trainer_from_model",
    "network_sizes", "optimizer_state", "set_optimizer_state",
]

@dataclass(frozen=True)
class LoadedModel:
    """A checked model file.  ``params`` is ``[(W (fan_in, fan_out), b (fan_out,)), …]`` in float64."""

    config: Config
    warnings: tuple[str, ...]
    params: list
    epoch: int
    sizes: tuple[int, ...] = ()
    format: str = "json"  # "json", "npz" or "torch"
    history: dict | None = None
    state: dict | None = None  # {"rng": bit-generator state, "optimizer": {"name", "t", "slots"}}
    data_name: str | None = None  # set when trained on uploaded data instead of cfg.dataset

    def __repr__(self) -> str:
        return (f"LoadedModel({'-'.join(map(str, self.sizes))}, {self.config.dataset}, epoch {self.epoch}, "
                f"{self.format}, {len(self.warnings)} warnings)")


# ----- export --------------------------------------------------------------------------------------
def _document(trainer) -> dict:
    """Everything but the weights, as plain JSON values."""
    cfg = trainer.cfg
    doc = {"format": FORMAT, "version": VERSION, "config": cfg.to_query(), "sizes": list(trainer.sizes),
           "activations": list(cfg.activations()), "loss": cfg.loss, "epoch": int(trainer.epoch)}
    if trainer.data.name != cfg.dataset or list(trainer.sizes) != network_sizes(cfg):
        doc["data"] = {"name": str(trainer.data.name)[:80]}
    h = trainer.history
    keep = np.unique(np.linspace(0, len(h) - 1, min(len(h), HISTORY_POINTS)).round().astype(int))
    doc["history"] = {k: [_plain(getattr(h, k)[i]) for i in keep] for k in HISTORY_KEYS}
    rng_state, net = trainer.saved_state()  # as after the saved epoch, even while the next is part-way
    state = {"rng": rng_state}  # the shuffling stream, for exact continuation
    opt = optimizer_state(net, trainer.cfg.optimizer)
    if opt is not None:
        state["optimizer"] = {**opt, "slots": [s.tolist() for s in opt["slots"]]}
    doc["state"] = state
    return doc


def optimizer_state(net, name: str) -> dict | None:
    """``{"name", "t", "slots": [float64 flat arrays]}`` from either engine; None if unknown."""
    opt = getattr(net, "optimizer", None)
    if isinstance(opt, Optimizer):  # the NumPy engine
        return {"name": opt.name, "t": opt.t, "slots": [s.astype(np.float64) for s in opt.slots]}
    flat = getattr(net, "flat", None)
    if flat is None or not hasattr(opt, "state"):
        return None
    st = opt.state.get(flat, {})  # the torch engine: one flat parameter tensor; empty before step 1
    keys = OPTIMIZERS[name].slots  # the state vectors, named as torch.optim names them
    if not all(st.get(k) is not None for k in keys):
        return {"name": name, "t": 0, "slots": [np.zeros(flat.numel()) for _ in keys]}
    # torch's SGD counts no steps; t only tells NumPy's momentum that it has started
    t = int(float(st["step"])) if "step" in st else 1
    return {"name": name, "t": t, "slots": [st[k].detach().cpu().double().numpy().copy() for k in keys]}


def set_optimizer_state(net, saved: dict) -> None:
    """Put a saved optimizer state into either engine's optimizer (same name checked by the loader)."""
    opt = getattr(net, "optimizer", None)
    if isinstance(opt, Optimizer):
        opt.t = saved["t"]
        for dst, src in zip(opt.slots, saved["slots"]):
            dst[...] = src
    elif getattr(net, "flat", None) is not None and hasattr(opt, "state") and saved["t"] > 0:
        flat = net.flat.detach()
        spec = OPTIMIZERS[saved["name"]]
        state = {k: flat.new_tensor(s) for k, s in zip(spec.slots, saved["slots"])}
        if spec.torch_class != "SGD":  # torch's SGD counts no steps, its Adam and RMSprop do
            state["step"] = flat.new_tensor(float(saved["t"]))
        opt.state[net.flat] = state


def _plain(v):
    """A JSON-safe number: NaN (e.g. RMSE of a classifier) becomes null."""
    v = float(v) if isinstance(v, (float, np.floating)) else int(v)
    return None if isinstance(v, float) and not math.isfinite(v) else v


def to_json(trainer) -> str:
    """The model as strict JSON text (no NaN): config, weights, epoch, capped history, training state."""
    doc = _document(trainer)
    doc["params"] = [{"W": W.tolist(), "b": b.tolist()} for W, b in trainer.params]
    return json.dumps(doc, allow_nan=False, separators=(",", ":"))


def to_npz(trainer) -> bytes:
    """The model as ``.npz`` bytes: ``W0, b0, …`` (float64) and ``meta``, a JSON string (no pickles)."""
    arrays = {"meta": np.array(json.dumps(_document(trainer), allow_nan=False))}
    for i, (W, b) in enumerate(trainer.params):
        arrays[f"W{i}"], arrays[f"b{i}"] = W, b
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def to_state_dict(trainer) -> bytes:
    """``torch.save`` bytes of ``{"meta": json, "state_dict": {"0.weight": (out, in), …}}`` (needs torch)."""
    if not torch_available():
        raise ImportError("PyTorch is not installed: export the model as JSON or .npz instead, "
                          "or install torch (pip install torch==2.13.0)")
    from playground.core.torch_engine import torch  # the engine module is the one place torch is imported

    sd = {}
    for i, (W, b) in enumerate(trainer.params):
        # nn.Linear stores weight as (out, in); activations sit at the odd indices of nn.Sequential
        sd[f"{2 * i}.weight"] = torch.from_numpy(np.ascontiguousarray(W.T))
        sd[f"{2 * i}.bias"] = torch.from_numpy(b.copy())
    buf = io.BytesIO()
    torch.save({"meta": json.dumps(_document(trainer), allow_nan=False), "state_dict": sd}, buf)
    return buf.getvalue()


def history_csv(trainer) -> str:
    """The loss curves as CSV: ``epoch,train_loss,test_loss,train_metric,test_metric`` (full history)."""
    h = trainer.history
    cols = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric")
    rows = [",".join(cols)]
    for values in zip(*(getattr(h, c) for c in cols)):
        rows.append(",".join(str(int(v)) if i == 0 else ("" if not math.isfinite(v) else repr(float(v)))
                             for i, v in enumerate(values)))
    return "\n".join(rows) + "\n"


# ----- import --------------------------------------------------------------------------------------
def load_model(name: str, data: bytes) -> LoadedModel:
    """Read and check a model file in this process; the format (JSON, npz, PyTorch) is found from the content.

    For files from strangers use `load_untrusted_model`: a crafted file can make any parser run
    for hours, and only a separate process can be stopped.

    Raises:
        ModelFileError: for every kind of bad file; the message starts with the file name.
    """
    label = label_of(name)
    try:
        raw = checked_bytes(data)
        kind = sniff(raw)
        check_size(raw, kind)
        doc, params = {"json": read_json, "npz": read_npz, "torch": read_torch}[kind](raw)
        return _validate(doc, params, kind)
    except ModelFileError as e:
        raise ModelFileError(f"{label}: {e}") from None
    except (RecursionError, MemoryError) as e:
        raise ModelFileError(f"{label}: the file is too deeply nested or too large to read ({type(e).__name__})") from None
    except Exception as e:  # a parser's own error on a damaged or crafted file: a message, never a traceback
        raise ModelFileError(f"{label}: the file cannot be read ({type(e).__name__}: {short(e)})") from None


def load_untrusted_model(name: str, data: bytes, *, seconds: float = UPLOAD_SECONDS,
                         max_mb: float = UPLOAD_MB) -> LoadedModel:
    """`load_model` for uploads: the size is checked here, the parsing runs in a sandbox worker
    process (playground.base.sandbox) stopped after ``seconds`` or ``max_mb`` megabytes.

    Raises:
        ModelFileError: as `load_model`, and when the worker was stopped (the message says which limit).
    """
    from playground.base import sandbox  # the parent side starts no process and imports nothing heavy until used

    label = label_of(name)
    try:
        raw = checked_bytes(data)  # the size cap before anything is parsed or sent
    except ModelFileError as e:
        raise ModelFileError(f"{label}: {e}") from None
    try:
        plain = sandbox.run_untrusted("model", name, raw, seconds=seconds, max_mb=max_mb)
    except sandbox.Refused as e:
        raise ModelFileError(f"{label}: {e}; a model file exported by the app loads in well under a second") from None
    except sandbox.ParserError as e:
        if e.error_type == ModelFileError.__name__:
            raise ModelFileError(str(e)) from None  # already starts with the label
        raise ModelFileError(f"{label}: the file cannot be read ({e.error_type}: {short(e)})") from None
    cfg, warnings = from_query(plain["config"])  # the worker's normalised query: the same Config, no repairs
    if warnings:
        raise ModelFileError(f"{label}: the file's config could not be read back ({warnings[0]})")
    return LoadedModel(**{**plain, "config": cfg, "warnings": tuple(plain["warnings"]),
                          "sizes": tuple(plain["sizes"])})


def prepare_untrusted(data: bytes) -> None:
    """In the sandbox worker, before the clock starts: import torch when the file looks like a .pt
    (a bytes search; nothing is parsed), so torch's import is not counted against the file."""
    if data[:4] == b"PK\x03\x04" and b"data.pkl" in data and torch_available():
        from playground.core import torch_engine  # noqa: F401  the engine module is the one place torch is imported


def parse_untrusted(name: str, data: bytes) -> dict:
    """In the sandbox worker: `load_model` as plain data (the config as its normalised query string)."""
    m = load_model(name, data)
    return {**{f: getattr(m, f) for f in LoadedModel.__dataclass_fields__}, "config": m.config.to_query(),
            "warnings": list(m.warnings)}


# ----- checks ------------------------------------------------------------------------------------


def _validate(doc: dict, params: list, fmt: str) -> LoadedModel:
    """Check the document against the weights and the weights against the config's network."""
    query = doc.get("config")
    if not isinstance(query, str):
        raise ModelFileError(f"'config' must be the run's query string (e.g. 'dataset=xor&hidden=4'); got {kind_of(query)}")
    cfg, warnings = from_query(query)
    warnings = [f"config: {w}" for w in warnings]
    repaired = f" (the file's config was repaired: {warnings[0][8:]})" if warnings else ""

    for i, (W, b) in enumerate(params):
        if W.shape[1] != b.shape[0]:
            raise ModelFileError(f"layer {i}: W has shape {W.shape} ({W.shape[1]} outputs) but b has {b.shape[0]} entries")
        if i and W.shape[0] != params[i - 1][0].shape[1]:
            raise ModelFileError(f"layer {i} takes {W.shape[0]} inputs but layer {i - 1} gives {params[i - 1][0].shape[1]}")
    sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
    if not (1 <= sizes[0] <= MAX_INPUTS and all(1 <= s <= CAPS["neurons"] for s in sizes[1:-1])
            and 1 <= sizes[-1] <= MAX_OUTPUTS):
        raise ModelFileError(f"layer sizes {sizes} are out of range: 1–{MAX_INPUTS} inputs, 1–{CAPS['neurons']} "
                             f"neurons per hidden layer, 1–{MAX_OUTPUTS} outputs")
    declared = doc.get("sizes", sizes)
    if declared != sizes:
        raise ModelFileError(f"'sizes' says {short(declared)} but the weights' shapes give {sizes}")

    data_name = doc.get("data", {}).get("name") if isinstance(doc.get("data"), dict) else None
    if "data" in doc and not (isinstance(data_name, str) and 0 < len(data_name) <= 80):
        raise ModelFileError(f"'data' must be {{'name': <1–80 characters>}}; got {kind_of(doc['data'])}")
    if sizes[1:-1] != list(cfg.hidden):
        raise ModelFileError(f"the weights have hidden layers {sizes[1:-1]} but the config says hidden="
                             f"{','.join(map(str, cfg.hidden))}{repaired}")
    if data_name is None:
        want = network_sizes(cfg)
        if sizes[0] != want[0]:
            source = (f"features {','.join(cfg.features)}" if DATASETS[cfg.dataset].n_features == 2
                      else f"dataset {cfg.dataset!r}")
            raise ModelFileError(f"the weights take {sizes[0]} inputs but the config's {source} give {want[0]}{repaired}")
        if sizes[-1] != want[-1]:
            raise ModelFileError(f"the weights have {sizes[-1]} outputs but loss {cfg.loss!r} on dataset "
                                 f"{cfg.dataset!r} needs {want[-1]}{repaired}")
    for key, want_value in (("activations", list(cfg.activations())), ("loss", cfg.loss)):
        if key in doc and doc[key] != want_value:
            raise ModelFileError(f"{key!r} says {short(doc[key])} but the config gives {want_value}{repaired}")
    if cfg.dtype == "float32" and max(float(np.abs(a).max(initial=0)) for p in params for a in p) > 3.0e38:
        raise ModelFileError("a weight is too large for float32 (the config's dtype); weights must be below 3e38")

    epoch = doc.get("epoch", 0)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= CAPS["max_epochs"]:
        raise ModelFileError(f"'epoch' must be a whole number 0–{CAPS['max_epochs']}; got {kind_of(epoch)}")
    history, note = _check_history(doc.get("history"))
    if note:
        warnings.append(note)
    state = _check_state(doc.get("state"), cfg, sum(W.size + b.size for W, b in params))
    return LoadedModel(cfg, tuple(warnings), params, epoch, tuple(sizes), fmt, history, state, data_name)


def _check_history(h) -> tuple[dict | None, str]:
    """The history if well formed, else None and a warning: it is for show, the model works without it."""
    if h is None:
        return None, ""
    ok = (isinstance(h, dict) and set(h) <= set(HISTORY_KEYS) and isinstance(h.get("epoch"), list)
          and all(isinstance(v, list) and len(v) == len(h["epoch"]) <= HISTORY_POINTS for v in h.values())
          and all(x is None or (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x))
                  for v in h.values() for x in v))
    if not ok:
        return None, f"the training history in the file is malformed and was ignored (got {kind_of(h)})"
    return {k: [float("nan") if x is None else x for x in v] for k, v in h.items()}, ""


def _check_state(state, cfg: Config, n_params: int) -> dict | None:
    """The shuffling generator's and the optimizer's state, checked field by field."""
    if state is None:
        return None
    if not isinstance(state, dict) or not set(state) <= {"rng", "optimizer"}:
        raise ModelFileError(f"'state' must be {{'rng': …, 'optimizer': …}}; got {kind_of(state)}")
    rng = state.get("rng")
    if rng is not None:
        inner = rng.get("state") if isinstance(rng, dict) else None
        ok = (isinstance(rng, dict) and set(rng) == {"bit_generator", "state", "has_uint32", "uinteger"}
              and rng["bit_generator"] == "PCG64" and isinstance(inner, dict) and set(inner) == {"state", "inc"}
              and all(int_in(inner[k], 2**128) for k in inner)
              and int_in(rng["has_uint32"], 2) and int_in(rng["uinteger"], 2**32))
        if not ok:
            raise ModelFileError(f"'state.rng' is not a PCG64 generator state; got {kind_of(rng)}")
    opt = state.get("optimizer")
    if opt is not None:
        if not (isinstance(opt, dict) and set(opt) == {"name", "t", "slots"} and isinstance(opt["slots"], list)):
            raise ModelFileError(f"'state.optimizer' must be {{'name', 't', 'slots'}}; got {kind_of(opt)}")
        if opt["name"] != cfg.optimizer:
            raise ModelFileError(f"'state.optimizer' is for {kind_of(opt['name'])} but the config's optimizer is {cfg.optimizer!r}")
        n_slots = len(OPTIMIZERS[cfg.optimizer].slots)
        if not int_in(opt["t"], 10**12) or len(opt["slots"]) != n_slots:
            raise ModelFileError(f"'state.optimizer' needs a step count t ≥ 0 and {n_slots} slot vectors "
                                 f"for {cfg.optimizer}; got t={kind_of(opt['t'])}, {len(opt['slots'])} slots")
        slots = [array_of(s, f"state.optimizer.slots[{i}]", 1) for i, s in enumerate(opt["slots"])]
        if any(s.size != n_params for s in slots):
            raise ModelFileError(f"'state.optimizer' slot vectors must have one entry per parameter ({n_params}); "
                                 f"got {[s.size for s in slots]}")
        opt = {"name": opt["name"], "t": opt["t"], "slots": slots}
    return {"rng": rng, "optimizer": opt}


# ----- continue training ---------------------------------------------------------------------------
def trainer_from_model(loaded: LoadedModel, data: Data | None = None):
    """A Trainer at the loaded weights, epoch and (when saved) shuffling and optimizer state.

    With both states, training on gives the same trajectory as never having
    stopped.  A model trained on uploaded data needs that ``data`` again.
    """
    from playground.run.trainer import Trainer  # trainer imports the engines; keep loading light

    if loaded.data_name is not None and data is None:
        raise ModelFileError(f"this model was trained on uploaded data {loaded.data_name!r}; "
                             f"upload that table again to continue training")
    want = network_sizes(loaded.config, data)
    if data is not None and want != list(loaded.sizes):
        raise ModelFileError(f"the data gives a network of sizes {want} but the model's weights have {list(loaded.sizes)}")
    problem = work_problem(loaded.config, data)
    if problem:
        raise ModelFileError(f"this model cannot train here: {problem}")
    t = Trainer(loaded.config, data=data, params=loaded.params)
    # Carry the epoch count on (the trainer recorded its starting point as epoch 0).
    t.epoch = t.best_epoch = loaded.epoch
    t.history.epoch[-1] = loaded.epoch
    t.snapshots = [(loaded.epoch, *t.snapshots[0][1:])]
    state = loaded.state or {}
    if state.get("rng"):
        t._rng.bit_generator.state = state["rng"]
    if state.get("optimizer"):
        set_optimizer_state(t.net, state["optimizer"])
    return t
