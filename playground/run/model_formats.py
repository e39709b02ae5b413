"""Reading model files (JSON, NumPy .npz, PyTorch .pt) within limits: the format caps, the sniffing of a
file's kind, and a reader per format that checks every member before it is used (the zip's declared
sizes, the pickle's opcodes, each tensor's type and size). ``modelio`` validates what they return."""
from __future__ import annotations

import io
import json
import math
import pickletools
import re
import zipfile

import numpy as np

from playground.run.sizes import CAPS
from playground.core.engines import torch_available


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
HISTORY_KEYS = ("epoch", "train_loss", "test_loss", "train_metric", "test_metric", "test_rmse")
MAX_VALUES = 1_000_000  # numbers in one tensor; a real layer has at most 100 × 64 + 64
_LAYER_KEY = re.compile(r"(\d{1,4})\.(weight|bias)")
_NPZ_KEY = re.compile(r"([Wb])(\d{1,4})\.npy")


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says what is wrong and what is allowed."""


def label_of(name) -> str:
    return repr(str(name)[:80])


def checked_bytes(data) -> bytes:
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelFileError(f"expected the file's bytes, got {type(data).__name__}")
    raw = bytes(data)
    check_size(raw, None)
    return raw


def check_size(raw: bytes, kind: str | None) -> None:
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


def sniff(raw: bytes) -> str:
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


def read_json(raw: bytes) -> tuple[dict, list]:
    doc = parse_json(raw, "the file")
    layers = doc.get("params")
    if not isinstance(layers, list) or not layers:
        raise ModelFileError(f"'params' must be a non-empty list of layers {{'W': …, 'b': …}}; got {kind_of(layers)}")
    check_layer_count(len(layers))
    params = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or set(layer) != {"W", "b"}:
            raise ModelFileError(f"params[{i}] must be an object with exactly 'W' and 'b'; got {kind_of(layer)}")
        params.append((array_of(layer["W"], f"params[{i}].W", 2), array_of(layer["b"], f"params[{i}].b", 1)))
    return doc, params


def parse_json(raw: bytes | str, what: str) -> dict:
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
        raise ModelFileError(f"{what} holds a value JSON cannot read: {short(e)}") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"{what} must be a JSON object {{\"format\": {FORMAT!r}, …}}; got {kind_of(doc)}")
    fmt, version = doc.get("format"), doc.get("version")
    if fmt != FORMAT:
        raise ModelFileError(f"'format' must be {FORMAT!r}; got {kind_of(fmt)}: not a Neural Playground model")
    if type(version) is not int or version != VERSION:
        raise ModelFileError(f"'version' {kind_of(version)} is not supported; this app reads version {VERSION} (an integer)")
    return doc


def _open_zip(raw: bytes, max_unzipped: int = MAX_UNZIPPED) -> zipfile.ZipFile:
    """Open a zip after checking what its members declare: count, method and uncompressed size."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except Exception as e:  # zipfile raises BadZipFile, OSError, ValueError, … on damaged archives
        raise ModelFileError(f"the zip archive is damaged or truncated ({short(e)})") from None
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


def read_npz(raw: bytes) -> tuple[dict, list]:
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
    doc = parse_json(meta, "'meta'")
    n = 1 + max((i for k in arrays for i in arrays[k]), default=-1)
    check_layer_count(n)
    if sorted(arrays["W"]) != list(range(n)) or sorted(arrays["b"]) != list(range(n)):
        raise ModelFileError(f"the .npz must hold W0…W{n - 1} and b0…b{n - 1} (one W and b per layer); got "
                             f"{', '.join(sorted(k + str(i) for k in arrays for i in arrays[k]))}")
    return doc, [(array_of(arrays["W"][i], f"W{i}", 2), array_of(arrays["b"][i], f"b{i}", 1)) for i in range(n)]


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
        raise ModelFileError(f"{what} is damaged or truncated ({short(e)})") from None
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
        raise ModelFileError(f"{what} cannot be read ({short(e)})") from None


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
        raise ModelFileError(f"the PyTorch file is damaged or truncated ({short(e)})") from None


def read_torch(raw: bytes) -> tuple[dict, list]:
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
               else f"the safe unpickler says: {short(detail[1])}" if detail else short(e))
        raise ModelFileError(f"the PyTorch file cannot be read safely ({why}); only tensors, numbers and "
                             f"strings are accepted (weights_only=True)") from None
    if isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ModelFileError("this is a bare state_dict without the playground's config; export the model "
                             "from the app, which stores the config beside the weights")
    if not isinstance(obj, dict) or set(obj) != {"meta", "state_dict"}:
        raise ModelFileError(f"the PyTorch file must hold {{'meta': <JSON text>, 'state_dict': {{…}}}}; got {kind_of(obj)}")
    if not isinstance(obj["meta"], str):
        raise ModelFileError(f"'meta' must be the model's JSON text; got {kind_of(obj['meta'])}")
    doc, sd = parse_json(obj["meta"], "'meta'"), obj["state_dict"]
    if not isinstance(sd, dict):
        raise ModelFileError(f"'state_dict' must map names to tensors; got {kind_of(sd)}")
    layers: dict[int, dict[str, np.ndarray]] = {}
    for key, t in sd.items():
        m = _LAYER_KEY.fullmatch(key) if isinstance(key, str) else None
        if not m:
            raise ModelFileError(f"unexpected state_dict entry {kind_of(key)}; expected '<index>.weight' and '<index>.bias'")
        if not isinstance(t, torch.Tensor):
            raise ModelFileError(f"state_dict[{key!r}] must be a floating-point tensor; got {kind_of(t)}")
        odd = _odd_tensor(t, torch)
        if odd:
            raise ModelFileError(f"state_dict[{key!r}] must be a floating-point tensor; got {odd}; only plain "
                                 f"dense CPU tensors of {', '.join(_TENSOR_DTYPES)} are accepted")
        if t.numel() > MAX_VALUES:  # e.g. one stored number stretched by zero strides: never expand it
            raise ModelFileError(f"state_dict[{key!r}] claims shape {tuple(t.shape)}: too many values "
                                 f"({t.numel():,}) for a layer; at most {MAX_VALUES:,}")
        layers.setdefault(int(m[1]), {})[m[2]] = t.detach().to(torch.float64).cpu().numpy()
    check_layer_count(len(layers))
    params = []
    for i in sorted(layers):
        if set(layers[i]) != {"weight", "bias"}:
            raise ModelFileError(f"layer {i} of the state_dict needs both '{i}.weight' and '{i}.bias'")
        W = array_of(layers[i]["weight"], f"{i}.weight", 2).T  # nn.Linear's (out, in) → our (in, out)
        params.append((np.ascontiguousarray(W), array_of(layers[i]["bias"], f"{i}.bias", 1)))
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


def check_layer_count(n: int) -> None:
    top = CAPS["hidden_layers"] + 1
    if not 1 <= n <= top:
        raise ModelFileError(f"the model has {n} weight layers; allowed 1–{top} "
                             f"(at most {CAPS['hidden_layers']} hidden layers)")


def array_of(value, where: str, ndim: int) -> np.ndarray:
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


def int_in(v, top: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < top


def kind_of(v) -> str:
    """A short description of an untrusted value: never its whole content, never an unbounded repr."""
    if v is None:
        return "nothing"
    if isinstance(v, dict):
        keys = [k if isinstance(k, str) else type(k).__name__ for k in list(v)[:8]]
        return f"an object with keys {short(sorted(keys))}"
    if isinstance(v, (list, tuple, set, frozenset)):
        return f"a {type(v).__name__} of {len(v)} items"
    if isinstance(v, (str, bytes)):
        return f"{type(v).__name__} {short(repr(v[:60]))}"
    if isinstance(v, int) and abs(v) >= 10**30:
        return "a very large integer"
    if isinstance(v, (bool, int, float)):
        return f"{type(v).__name__} {v!r}"
    return type(v).__name__


def short(v) -> str:
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "…"
