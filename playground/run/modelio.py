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
import pickletools
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from playground.run.config import CAPS, Config, from_query, network_sizes, work_problem
from playground.data.datasets import DATASETS, Data
from playground.core.engines import torch_available
from playground.core.optimizers import OPTIMIZERS, Optimizer

__all__ = [
    "FORMAT", "VERSION", "MAX_BYTES", "MAX_UNZIPPED", "HISTORY_POINTS", "ModelFileError", "LoadedModel",
    "MAX_BYTES_BY_FORMAT", "UPLOAD_SECONDS", "UPLOAD_MB", "to_json", "to_npz", "to_state_dict", "history_csv",
    "load_model", "load_untrusted_model", "parse_untrusted", "prepare_untrusted", "trainer_from_model",
    "network_sizes",
]

FORMAT = "neural-playground-model"
VERSION = 1
# The largest model the app makes (100 inputs, 8×64 hidden, 10 outputs, float64, Adam's two state
# vectors, 1,000 history points) measured 2.3 MB as JSON, 7.1 MB as .npz (its JSON 'meta' is stored
# as UTF-32) and 2.0 MB as .pt; each cap leaves room for longer printed numbers, and nothing more.
MAX_BYTES_BY_FORMAT = {"json": 4_000_000, "npz": 12_000_000, "torch": 4_000_000}
MAX_BYTES = max(MAX_BYTES_BY_FORMAT.values())  # any model file; the format's own cap is checked too
MAX_UNZIPPED = MAX_BYTES  # sum of the sizes a zip's members declare, checked before reading any
# Uploads are parsed in a worker process (playground.base.sandbox) within these limits.  The largest real
# model parsed there in 0.06–0.4 s and at most +25 MB (2026-12-04, a busy 2-core VM; torch's import
# for a first .pt is not counted); bench/measure_sandbox.py prints the figures.
UPLOAD_SECONDS = 5.0
UPLOAD_MB = 300
_FORMAT_NAMES = {"json": "JSON", "npz": ".npz", "torch": ".pt"}
MAX_MEMBERS = 256
HISTORY_POINTS = 1_000
MAX_INPUTS = 100  # uploaded tables have at most 100 columns (tables.load_csv)
MAX_OUTPUTS = 10  # at most 10 classes
_HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric", "test_rmse")
MAX_VALUES = 1_000_000  # numbers in one tensor; a real layer has at most 100 × 64 + 64
_LAYER_KEY = re.compile(r"(\d{1,4})\.(weight|bias)")
_NPZ_KEY = re.compile(r"([Wb])(\d{1,4})\.npy")


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says what is wrong and what is allowed."""


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
    doc["history"] = {k: [_plain(getattr(h, k)[i]) for i in keep] for k in _HISTORY_KEYS}
    rng_state, net = trainer.saved_state()  # as after the saved epoch, even while the next is part-way
    state = {"rng": rng_state}  # the shuffling stream, for exact continuation
    opt = _optimizer_state(net, trainer.cfg.optimizer)
    if opt is not None:
        state["optimizer"] = {**opt, "slots": [s.tolist() for s in opt["slots"]]}
    doc["state"] = state
    return doc


def _optimizer_state(net, name: str) -> dict | None:
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


def _set_optimizer_state(net, saved: dict) -> None:
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
    label = _label(name)
    try:
        raw = _checked_bytes(data)
        kind = _sniff(raw)
        _check_size(raw, kind)
        doc, params = {"json": _read_json, "npz": _read_npz, "torch": _read_torch}[kind](raw)
        return _validate(doc, params, kind)
    except ModelFileError as e:
        raise ModelFileError(f"{label}: {e}") from None
    except (RecursionError, MemoryError) as e:
        raise ModelFileError(f"{label}: the file is too deeply nested or too large to read ({type(e).__name__})") from None
    except Exception as e:  # a parser's own error on a damaged or crafted file: a message, never a traceback
        raise ModelFileError(f"{label}: the file cannot be read ({type(e).__name__}: {_short(e)})") from None


def load_untrusted_model(name: str, data: bytes, *, seconds: float = UPLOAD_SECONDS,
                         max_mb: float = UPLOAD_MB) -> LoadedModel:
    """`load_model` for uploads: the size is checked here, the parsing runs in a sandbox worker
    process (playground.base.sandbox) stopped after ``seconds`` or ``max_mb`` megabytes.

    Raises:
        ModelFileError: as `load_model`, and when the worker was stopped (the message says which limit).
    """
    from playground.base import sandbox  # the parent side starts no process and imports nothing heavy until used

    label = _label(name)
    try:
        raw = _checked_bytes(data)  # the size cap before anything is parsed or sent
    except ModelFileError as e:
        raise ModelFileError(f"{label}: {e}") from None
    try:
        plain = sandbox.run_untrusted("model", name, raw, seconds=seconds, max_mb=max_mb)
    except sandbox.Refused as e:
        raise ModelFileError(f"{label}: {e}; a model file exported by the app loads in well under a second") from None
    except sandbox.ParserError as e:
        if e.error_type == ModelFileError.__name__:
            raise ModelFileError(str(e)) from None  # already starts with the label
        raise ModelFileError(f"{label}: the file cannot be read ({e.error_type}: {_short(e)})") from None
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


def _label(name) -> str:
    return repr(str(name)[:80])


def _checked_bytes(data) -> bytes:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelFileError(f"expected the file's bytes, got {type(data).__name__}")
    raw = bytes(data)
    _check_size(raw, None)
    return raw


def _check_size(raw: bytes, kind: str | None) -> None:
    """Size caps before any parsing: the format's own cap once known, else the one its first bytes
    suggest (a zip may be an .npz or a .pt), else the largest."""
    if kind is None:
        head = raw.lstrip(b" \t\r\n\xef\xbb\xbf")[:1]
        cap = (MAX_BYTES_BY_FORMAT["json"] if head in (b"{", b"[")
               else MAX_BYTES if raw.startswith(b"PK") else min(MAX_BYTES_BY_FORMAT.values()))
    else:
        cap = MAX_BYTES_BY_FORMAT[kind]
    if len(raw) > cap:
        caps = ", ".join(f"{_FORMAT_NAMES[k]} {v:,}" for k, v in MAX_BYTES_BY_FORMAT.items())
        raise ModelFileError(f"the file is too large: {len(raw):,} bytes; model files are at most {caps} bytes "
                             f"(the largest network the app makes is about half that)")


def _sniff(raw: bytes) -> str:
    """'json', 'npz' or 'torch' from the first bytes (and a zip's member names)."""
    if not raw.strip():
        raise ModelFileError("the file is empty; a model file is JSON, .npz or PyTorch .pt exported by the app")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ModelFileError("the file is UTF-16 text; model JSON must be UTF-8")
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = [i.filename for i in _open_zip(raw).infolist()]
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        shown = ", ".join(repr(n[:40]) for n in names[:5]) or "nothing"
        raise ModelFileError(f"this zip archive is neither an .npz nor a PyTorch file (it holds {shown})")
    if raw.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"["):
        return "json"
    if raw[:1] == b"\x80":
        raise ModelFileError("this is a Python pickle (e.g. an old-style torch.save); pickles can run code, "
                             "so they are refused; export the model as JSON, .npz or a new-style .pt")
    if raw.startswith(b"\x93NUMPY"):
        raise ModelFileError("this is a single NumPy array (.npy), not a model; export an .npz from the app")
    raise ModelFileError(f"not a model file: expected JSON, .npz or PyTorch .pt; it starts with {raw[:12]!r}")


def _read_json(raw: bytes) -> tuple[dict, list]:
    doc = _parse_json(raw, "the file")
    layers = doc.get("params")
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"'params' must be a non-empty list of layers {{'W': …, 'b': …}}; got {_kind(layers)}")
    _check_layer_count(len(layers))
    params = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or set(layer) != {"W", "b"}:
            raise ModelFileError(f"params[{i}] must be an object with exactly 'W' and 'b'; got {_kind(layer)}")
        params.append((_array(layer["W"], f"params[{i}].W", 2), _array(layer["b"], f"params[{i}].b", 1)))
    return doc, params


def _parse_json(raw: bytes | str, what: str) -> dict:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as e:
        raise ModelFileError(f"{what} is not UTF-8 text (byte {raw[e.start]:#04x} at position {e.start})") from None
    try:
        doc = json.loads(text)
    except RecursionError:
        raise ModelFileError(f"{what} is JSON nested too deeply to be a model") from None
    except json.JSONDecodeError as e:
        raise ModelFileError(f"{what} is not valid JSON (truncated or damaged?): {e.msg} at line {e.lineno} "
                             f"column {e.colno}") from None
    except ValueError as e:  # e.g. an integer with more than 4300 digits
        raise ModelFileError(f"{what} holds a value JSON cannot read: {_short(e)}") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"{what} must be a JSON object {{\"format\": {FORMAT!r}, …}}; got {_kind(doc)}")
    fmt, version = doc.get("format"), doc.get("version")
    if fmt != FORMAT:
        raise ModelFileError(f"'format' must be {FORMAT!r}; got {_kind(fmt)}: not a Neural Playground model")
    if type(version) is not int or version != VERSION:
        raise ModelFileError(f"'version' {_kind(version)} is not supported; this app reads version {VERSION} (an integer)")
    return doc


def _open_zip(raw: bytes, max_unzipped: int = MAX_UNZIPPED) -> zipfile.ZipFile:
    """Open a zip after checking what its members declare: count, method and uncompressed size."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except Exception as e:  # zipfile raises BadZipFile, OSError, ValueError, … on damaged archives
        raise ModelFileError(f"the zip archive is damaged or truncated ({_short(e)})") from None
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(f"the zip archive has {len(infos):,} members; a model has at most {MAX_MEMBERS}")
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFileError(f"zip member {info.filename[:40]!r} uses compression method {info.compress_type}; "
                                 f"only stored or deflated members are read")
        total += info.file_size
        if total > max_unzipped:  # zipfile never inflates past the declared size, so this bounds memory
            raise ModelFileError(f"the zip archive unpacks to more than {max_unzipped:,} bytes (member "
                                 f"{info.filename[:40]!r} declares {info.file_size:,}); refused as a zip bomb")
    return zf


def _read_npz(raw: bytes) -> tuple[dict, list]:
    zf = _open_zip(raw)
    arrays: dict[str, dict[int, np.ndarray]] = {"W": {}, "b": {}}
    meta = None
    for info in zf.infolist():
        m = _NPZ_KEY.fullmatch(info.filename)
        if info.filename != "meta.npy" and not m:
            raise ModelFileError(f"unexpected array {info.filename[:40]!r} in the .npz; a model holds meta, W0, b0, W1, …")
        a = _read_npy(zf, info)
        if m:
            arrays[m[1]][int(m[2])] = a
        elif a.dtype.kind != "U" or a.size != 1:
            raise ModelFileError(f"'meta' must be one JSON string; got an array of {a.dtype} with shape {a.shape}")
        else:
            meta = str(a.reshape(())[()])
    if meta is None:
        raise ModelFileError("the .npz has no 'meta' entry: not a model exported by Neural Playground")
    doc = _parse_json(meta, "'meta'")
    n = 1 + max((i for k in arrays for i in arrays[k]), default=-1)
    _check_layer_count(n)
    if sorted(arrays["W"]) != list(range(n)) or sorted(arrays["b"]) != list(range(n)):
        raise ModelFileError(f"the .npz must hold W0…W{n - 1} and b0…b{n - 1} (one W and b per layer); got "
                             f"{', '.join(sorted(k + str(i) for k in arrays for i in arrays[k]))}")
    return doc, [(_array(arrays["W"][i], f"W{i}", 2), _array(arrays["b"][i], f"b{i}", 1)) for i in range(n)]


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One .npy member, its header checked before NumPy allocates what the header claims."""
    fmt = np.lib.format
    what = f"array {info.filename[:40]!r}"
    try:
        with zf.open(info) as f:
            blob = f.read(info.file_size)
        fp = io.BytesIO(blob)
        version = fmt.read_magic(fp)
        if version not in ((1, 0), (2, 0)):
            raise ModelFileError(f"{what} uses .npy version {version}; only 1.0 and 2.0 are read")
        read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, _, dtype = read_header(fp)
    except ModelFileError:
        raise
    except Exception as e:  # a damaged member: bad CRC, bad header, truncated data, …
        raise ModelFileError(f"{what} is damaged or truncated ({_short(e)})") from None
    if dtype.hasobject:
        raise ModelFileError(f"{what} holds pickled Python objects (dtype {dtype}); model files must hold plain "
                             f"numbers, and pickles are never loaded (allow_pickle=False)")
    need = math.prod(shape) * dtype.itemsize
    if need != len(blob) - fp.tell():
        raise ModelFileError(f"{what} is truncated or damaged: its header says shape {shape} of {dtype} "
                             f"({need:,} bytes) but it holds {len(blob) - fp.tell():,} bytes")
    try:
        return fmt.read_array(io.BytesIO(blob), allow_pickle=False)
    except Exception as e:
        raise ModelFileError(f"{what} cannot be read ({_short(e)})") from None


_TUPLE_OPS = {"TUPLE", "TUPLE1", "TUPLE2", "TUPLE3"}
_PUT_OPS = {"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"}
_GET_OPS = {"GET", "BINGET", "LONG_BINGET"}


def _check_pickle(zf: zipfile.ZipFile) -> None:
    """Refuse a pickle that re-uses a tuple: ``t = (t, t)`` sixty times is a few hundred bytes, but
    as a dict key Python hashes all 2⁶⁰ leaves and loading never ends (weights_only does not
    stop it).  torch.save never re-uses a tuple in a state_dict file, so this costs nothing."""
    names = [n for n in zf.namelist() if n.endswith("data.pkl")]
    if len(names) != 1:
        raise ModelFileError(f"the PyTorch file must hold one data.pkl record; it holds {len(names)}")
    try:
        pkl = zf.read(names[0])
        tuples, memo, last = set(), 0, ""
        for op, arg, _ in pickletools.genops(pkl):
            if op.name in _PUT_OPS:
                index = memo if op.name == "MEMOIZE" else arg
                memo += op.name == "MEMOIZE"
                if last in _TUPLE_OPS:
                    tuples.add(index)
            elif op.name in _GET_OPS and arg in tuples:
                raise ModelFileError("the PyTorch file re-uses a tuple inside its pickle, a way to make loading "
                                     "run forever; refused (files saved by torch.save never do this)")
            last = op.name
    except ModelFileError:
        raise
    except Exception as e:  # pickletools raises ValueError on damaged opcode streams; zipfile on bad CRCs
        raise ModelFileError(f"the PyTorch file is damaged or truncated ({_short(e)})") from None


def _read_torch(raw: bytes) -> tuple[dict, list]:
    _check_pickle(_open_zip(raw, MAX_BYTES_BY_FORMAT["torch"]))  # the same size checks before torch reads anything, and no hash bombs
    if not torch_available():
        raise ModelFileError("this is a PyTorch file but PyTorch is not installed here; "
                             "export the model as JSON or .npz, or install torch")
    from playground.core.torch_engine import torch  # the engine module is the one place torch is imported

    try:
        obj = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises UnpicklingError, RuntimeError, … on bad or hostile files
        refused = re.search(r"(?:unsupported global: GLOBAL|unsupported GLOBAL) ([\w.]+)", str(e), re.I)
        detail = re.search(r"WeightsUnpickler error:\s*(\S[^\n]*)", str(e))
        why = (f"it asks to load {refused[1]}, which is refused" if refused
               else f"the safe unpickler says: {_short(detail[1])}" if detail else _short(e))
        raise ModelFileError(f"the PyTorch file cannot be read safely ({why}); only tensors, numbers and "
                             f"strings are accepted (weights_only=True)") from None
    if isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ModelFileError("this is a bare state_dict without the playground's config; export the model "
                             "from the app, which stores the config beside the weights")
    if not isinstance(obj, dict) or set(obj) != {"meta", "state_dict"}:
        raise ModelFileError(f"the PyTorch file must hold {{'meta': <JSON text>, 'state_dict': {{…}}}}; got {_kind(obj)}")
    if not isinstance(obj["meta"], str):
        raise ModelFileError(f"'meta' must be the model's JSON text; got {_kind(obj['meta'])}")
    doc, sd = _parse_json(obj["meta"], "'meta'"), obj["state_dict"]
    if not isinstance(sd, dict):
        raise ModelFileError(f"'state_dict' must map names to tensors; got {_kind(sd)}")
    layers: dict[int, dict[str, np.ndarray]] = {}
    for key, t in sd.items():
        m = _LAYER_KEY.fullmatch(key) if isinstance(key, str) else None
        if not m:
            raise ModelFileError(f"unexpected state_dict entry {_kind(key)}; expected '<index>.weight' and '<index>.bias'")
        if not isinstance(t, torch.Tensor):
            raise ModelFileError(f"state_dict[{key!r}] must be a floating-point tensor; got {_kind(t)}")
        odd = _odd_tensor(t, torch)
        if odd:
            raise ModelFileError(f"state_dict[{key!r}] must be a floating-point tensor; got {odd}; only plain "
                                 f"dense CPU tensors of {', '.join(_TENSOR_DTYPES)} are accepted")
        if t.numel() > MAX_VALUES:  # e.g. one stored number stretched by zero strides: never expand it
            raise ModelFileError(f"state_dict[{key!r}] claims shape {tuple(t.shape)}: too many values "
                                 f"({t.numel():,}) for a layer; at most {MAX_VALUES:,}")
        layers.setdefault(int(m[1]), {})[m[2]] = t.detach().to(torch.float64).cpu().numpy()
    _check_layer_count(len(layers))
    params = []
    for i in sorted(layers):
        if set(layers[i]) != {"weight", "bias"}:
            raise ModelFileError(f"layer {i} of the state_dict needs both '{i}.weight' and '{i}.bias'")
        W = _array(layers[i]["weight"], f"{i}.weight", 2).T  # nn.Linear's (out, in) → our (in, out)
        params.append((np.ascontiguousarray(W), _array(layers[i]["bias"], f"{i}.bias", 1)))
    return doc, params


_TENSOR_DTYPES = ("float16", "bfloat16", "float32", "float64")


def _odd_tensor(t, torch) -> str:
    """What makes ``t`` other than a plain dense CPU tensor of an allowed dtype ('' if nothing)."""
    if t.layout != torch.strided:
        return f"a {str(t.layout).removeprefix('torch.')} tensor"  # sparse_coo, sparse_csr, …
    if t.is_nested:
        return "a nested tensor"
    if t.device.type != "cpu":
        return f"a tensor on device {t.device.type!r}"  # meta (no values at all), cuda, …
    if t.is_quantized:
        return f"a quantized tensor ({str(t.dtype).removeprefix('torch.')})"
    if type(t) not in (torch.Tensor, torch.nn.Parameter):
        return f"a tensor subclass {type(t).__name__}"
    if str(t.dtype).removeprefix("torch.") not in _TENSOR_DTYPES:
        return str(t.dtype)  # torch.int64, torch.complex64, torch.bool, …
    if t.is_conj() or t.is_neg():
        return "a tensor with a lazy conjugate or negation bit"
    return ""


# ----- checks ------------------------------------------------------------------------------------
def _check_layer_count(n: int) -> None:
    top = CAPS["hidden_layers"] + 1
    if not 1 <= n <= top:
        raise ModelFileError(f"the model has {n} weight layers; allowed 1–{top} "
                             f"(at most {CAPS['hidden_layers']} hidden layers)")


def _array(value, where: str, ndim: int) -> np.ndarray:
    """A finite float64 array of ``ndim`` dimensions, or a ModelFileError naming ``where``."""
    try:
        a = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise ModelFileError(f"{where} is not a rectangular array of numbers (rows of different lengths?)") from None
    if a.dtype.kind not in "iuf":
        raise ModelFileError(f"{where} must hold numbers only; got values of type {a.dtype} "
                             f"(text, true/false, null or nested objects are not weights)")
    if a.ndim != ndim:
        raise ModelFileError(f"{where} must be {'a matrix' if ndim == 2 else 'a vector'} ({ndim}-D); got shape {a.shape}")
    a = a.astype(np.float64)
    bad = ~np.isfinite(a)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ModelFileError(f"{where}{list(idx)} is {a[idx]}: weights must be finite numbers (no NaN or infinity)")
    return a


def _validate(doc: dict, params: list, fmt: str) -> LoadedModel:
    """Check the document against the weights and the weights against the config's network."""
    query = doc.get("config")
    if not isinstance(query, str):
        raise ModelFileError(f"'config' must be the run's query string (e.g. 'dataset=xor&hidden=4'); got {_kind(query)}")
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
        raise ModelFileError(f"'sizes' says {_short(declared)} but the weights' shapes give {sizes}")

    data_name = doc.get("data", {}).get("name") if isinstance(doc.get("data"), dict) else None
    if "data" in doc and not (isinstance(data_name, str) and 0 < len(data_name) <= 80):
        raise ModelFileError(f"'data' must be {{'name': <1–80 characters>}}; got {_kind(doc['data'])}")
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
            raise ModelFileError(f"{key!r} says {_short(doc[key])} but the config gives {want_value}{repaired}")
    if cfg.dtype == "float32" and max(float(np.abs(a).max(initial=0)) for p in params for a in p) > 3.0e38:
        raise ModelFileError("a weight is too large for float32 (the config's dtype); weights must be below 3e38")

    epoch = doc.get("epoch", 0)
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= CAPS["max_epochs"]:
        raise ModelFileError(f"'epoch' must be a whole number 0–{CAPS['max_epochs']}; got {_kind(epoch)}")
    history, note = _check_history(doc.get("history"))
    if note:
        warnings.append(note)
    state = _check_state(doc.get("state"), cfg, sum(W.size + b.size for W, b in params))
    return LoadedModel(cfg, tuple(warnings), params, epoch, tuple(sizes), fmt, history, state, data_name)


def _check_history(h) -> tuple[dict | None, str]:
    """The history if well formed, else None and a warning: it is for show, the model works without it."""
    if h is None:
        return None, ""
    ok = (isinstance(h, dict) and set(h) <= set(_HISTORY_KEYS) and isinstance(h.get("epoch"), list)
          and all(isinstance(v, list) and len(v) == len(h["epoch"]) <= HISTORY_POINTS for v in h.values())
          and all(x is None or (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x))
                  for v in h.values() for x in v))
    if not ok:
        return None, f"the training history in the file is malformed and was ignored (got {_kind(h)})"
    return {k: [float("nan") if x is None else x for x in v] for k, v in h.items()}, ""


def _check_state(state, cfg: Config, n_params: int) -> dict | None:
    """The shuffling generator's and the optimizer's state, checked field by field."""
    if state is None:
        return None
    if not isinstance(state, dict) or not set(state) <= {"rng", "optimizer"}:
        raise ModelFileError(f"'state' must be {{'rng': …, 'optimizer': …}}; got {_kind(state)}")
    rng = state.get("rng")
    if rng is not None:
        inner = rng.get("state") if isinstance(rng, dict) else None
        ok = (isinstance(rng, dict) and set(rng) == {"bit_generator", "state", "has_uint32", "uinteger"}
              and rng["bit_generator"] == "PCG64" and isinstance(inner, dict) and set(inner) == {"state", "inc"}
              and all(_int_in(inner[k], 2**128) for k in inner)
              and _int_in(rng["has_uint32"], 2) and _int_in(rng["uinteger"], 2**32))
        if not ok:
            raise ModelFileError(f"'state.rng' is not a PCG64 generator state; got {_kind(rng)}")
    opt = state.get("optimizer")
    if opt is not None:
        if not (isinstance(opt, dict) and set(opt) == {"name", "t", "slots"} and isinstance(opt["slots"], list)):
            raise ModelFileError(f"'state.optimizer' must be {{'name', 't', 'slots'}}; got {_kind(opt)}")
        if opt["name"] != cfg.optimizer:
            raise ModelFileError(f"'state.optimizer' is for {_kind(opt['name'])} but the config's optimizer is {cfg.optimizer!r}")
        n_slots = len(OPTIMIZERS[cfg.optimizer].slots)
        if not _int_in(opt["t"], 10**12) or len(opt["slots"]) != n_slots:
            raise ModelFileError(f"'state.optimizer' needs a step count t ≥ 0 and {n_slots} slot vectors "
                                 f"for {cfg.optimizer}; got t={_kind(opt['t'])}, {len(opt['slots'])} slots")
        slots = [_array(s, f"state.optimizer.slots[{i}]", 1) for i, s in enumerate(opt["slots"])]
        if any(s.size != n_params for s in slots):
            raise ModelFileError(f"'state.optimizer' slot vectors must have one entry per parameter ({n_params}); "
                                 f"got {[s.size for s in slots]}")
        opt = {"name": opt["name"], "t": opt["t"], "slots": slots}
    return {"rng": rng, "optimizer": opt}


def _int_in(v, top: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < top


def _kind(v) -> str:
    """A short description of an untrusted value: never its whole content, never an unbounded repr."""
    if v is None:
        return "nothing"
    if isinstance(v, dict):
        keys = [k if isinstance(k, str) else type(k).__name__ for k in list(v)[:8]]
        return f"an object with keys {_short(sorted(keys))}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return f"a {type(v).__name__} of {len(v)} items"
    if isinstance(v, (str, bytes)):
        return f"{type(v).__name__} {_short(repr(v[:60]))}"
    if isinstance(v, int) and abs(v) >= 10**30:
        return "a very large integer"
    if isinstance(v, (bool, int, float)):
        return f"{type(v).__name__} {v!r}"
    return type(v).__name__


def _short(v) -> str:
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "…"


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
        _set_optimizer_state(t.net, state["optimizer"])
    return t
