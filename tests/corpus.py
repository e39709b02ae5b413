"""A generated corpus of malformed files: CSV tables and model files (used by test_bad_files.py).

Each `Case` is the bytes of one bad file and a regular expression that the
error message must match (case-insensitive): the message has to name the
problem, not just fail.  Nothing is stored on disk; every file is built here
from a small valid one by cutting, corrupting or tampering, so the corpus
documents what each kind of damage looks like.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import struct
import zipfile
from dataclasses import dataclass

import numpy as np

from playground.run import modelio
from playground.run.config import Config
from playground.core.engines import torch_available
from playground.run.trainer import Trainer

__all__ = ["Case", "csv_cases", "model_cases", "valid_trainer"]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: str  # regex the error message must match
    features: tuple[str, ...] | None = None  # CSV only: columns to use (None: all but the last)


# ----- shared helpers ------------------------------------------------------------------------------
def _noise(seed: int, n: int, nul: bool = True) -> bytes:
    """Random bytes, starting with a byte no format claims; with ``nul=False`` never valid UTF-8."""
    rng = np.random.default_rng(seed)
    raw = bytearray(rng.integers(0 if nul else 0x80, 256, n, dtype=np.uint8).tobytes())
    raw[0] = 0x01 if nul else 0xC0  # 0xC0 never starts valid UTF-8
    if nul and 0 not in raw:
        raw[-1] = 0
    return bytes(raw)


def _zip(members: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=True)
    return buf.getvalue()


def _cuts(data: bytes, n: int = 8) -> list[int]:
    """``n`` cut points spread over the file (never 0 or the full length)."""
    return sorted({max(1, min(len(data) - 1, int(len(data) * f))) for f in np.linspace(0.05, 0.97, n)})


# ----- CSV tables ----------------------------------------------------------------------------------
_GOOD_CSV = "x1,x2,label\n" + "".join(f"{i * 0.5},{(i * 7) % 5 - 2},{'ab'[i % 2]}\n" for i in range(12))


def _with_cell(row: int, col: int, value: str, text: str = _GOOD_CSV) -> bytes:
    lines = text.splitlines()
    cells = lines[row - 1].split(",")
    cells[col] = value
    lines[row - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


def csv_cases() -> list[Case]:
    """Bad tables for ``tables.load_csv(data)`` then ``.to_data(features, label)``."""
    c: list[Case] = []
    add = lambda name, data, expect, features=None: c.append(Case(f"csv-{name}", data, expect, features))  # noqa: E731
    good = _GOOD_CSV.encode()
    for name, data in [("empty", b""), ("spaces", b"   \n\t \n"), ("newlines", b"\n\n\n\n")]:
        add(name, data, r"empty")
    add("header-only", b"x1,x2,label\n", r"too few rows")
    for k in (1, 2, 3):
        add(f"rows-{k}", ("x1,x2,label\n" + "1,2,a\n" * k).encode(), rf"too few rows: {k}")
    add("one-column", ("x\n" + "1\n" * 10).encode(), r"only 1 column")
    add("script-lines", b"<script>alert(1)</script>\n" * 10, r"only 1 column")
    for row in (2, 5, 9, 13):  # a short row and a long row at several places
        line = _GOOD_CSV.splitlines()[row - 1].encode() + b"\n"
        add(f"short-row-{row}", good.replace(line, b"1,2\n", 1), rf"row {row} has 2 fields")
        add(f"long-row-{row}", good.replace(line, b"1,2,a,9\n", 1), rf"row {row} has 4 fields")
    for cut in _cuts(good, 6):  # cut inside a row: the last row is short (or its label is cut)
        data = good[:cut]
        if data.endswith(b"\n") or data.count(b"\n") < 5:
            continue
        last = data.rsplit(b"\n", 1)[1]
        expect = r"row \d+ has \d field" if last.count(b",") < 2 else r"too few rows|class|label|row"
        add(f"truncated-{cut}", data, expect)
    for i, bad in enumerate(["nan", "NaN", "inf", "-inf", "Infinity", "+inf", "-nan"]):
        add(f"nonfinite-{bad}", _with_cell(3 + i, i % 2, bad), r"NaN/inf")
    for i, bad in enumerate(["abc", "1_000", "0x1F", "1e", "--1", "1.2.3", "½", "3 4", "<b>1</b>", "1e5e5", "≈2"]):
        add(f"not-number-{i}", _with_cell(2 + i % 12, i % 2, bad), r"is not a number")
    add("empty-cell", _with_cell(4, 0, ""), r"row 4, column 'x1' is empty")
    add("overflow", _with_cell(6, 1, "1e999"), r"too large \(inf\)")
    add("label-nan", _with_cell(5, 2, "nan"), r"NaN/inf.*label")
    add("label-empty", _with_cell(7, 2, ""), r"row 7, column 'label' is empty")
    add("one-class", _GOOD_CSV.replace(",b\n", ",a\n").encode(), r"only one class")
    many = "x1,x2,label\n" + "".join(f"{i},{i % 3},c{i}\n" for i in range(14))
    add("eleven-classes", many.encode(), r"14 classes.*at most 10")
    add("utf16-le", b"\xff\xfe" + _GOOD_CSV.encode("utf-16-le"), r"UTF-16")
    add("utf16-be", b"\xfe\xff" + _GOOD_CSV.encode("utf-16-be"), r"UTF-16")
    add("utf16-no-bom", _GOOD_CSV.encode("utf-16-le"), r"not a text file.*NUL")
    for seed, n in [(1, 10), (2, 300), (3, 5000)]:
        add(f"noise-{seed}", _noise(seed, n), r"not a text file")
        add(f"noise-high-{seed}", _noise(seed, n, nul=False), r"not UTF-8")
    add("latin1", "x1,x2,label\n".encode() + "1,2,café\n".encode("latin-1") * 6, r"not UTF-8.*0xe9")
    add("npz-as-csv", _zip({"a.npy": _npy(np.zeros(3))}), r"not a text file")
    add("gzip-as-csv", gzip.compress(good), r"not a text file|not UTF-8")
    add("too-large", b"x1,x2,label\n" + b"1,2,a\n" * 900_000, r"too large.*5,000,000")
    add("too-many-rows", b"x1,x2,label\n" + b"1,2,a\n2,3,b\n" * 5001, r"too many rows: 10,002")
    add("too-many-columns", (",".join(f"c{i}" for i in range(101)) + "\n" + ",".join("1" * 101) + "\n").encode() * 1,
        r"too many columns: 101")
    add("duplicate-header", b"x,x,label\n" + b"1,2,a\n2,3,b\n" * 3, r"'x' appears twice")
    add("open-quote", b'x1,x2,label\n1,2,a\n"3,4,b\n5,6,a\n7,8,b\n9,1,a\n', r"row \d+ has|quote|not valid CSV")
    add("quote-in-cell", b'x1,x2,label\n1,2,a\n3,4"x,b\n5,6,a\n7,8,b\n9,1,a\n', r"not a number|quote|not valid CSV")
    add("json-as-csv", json.dumps({"x1": [1, 2], "label": ["a", "b"]}).encode(), r"too few rows|row \d+ has")
    add("html-table", b"<table><tr><td>1</td><td>2</td></tr></table>\n" * 6, r"only 1 column")
    add("label-is-feature", good, r"both a feature and the label", ("x1", "label"))
    add("unknown-column", good, r"no column 'x3'", ("x1", "x3"))
    add("text-feature", ("name,x2,label\n" + "".join(f"n{i},{i},{'ab'[i % 2]}\n" for i in range(6))).encode(),
        r"row 2, column 'name': 'n0' is not a number")
    long_csv = "x1,x2,label\n" + "".join(f"{i},{i % 7},{'ab'[i % 2]}\n" for i in range(30))
    for sep, name in ((";", "semicolon"), ("\t", "tab")):  # past the 20 lines the delimiter is guessed from
        text = long_csv.replace(",", sep).replace(f"25{sep}4{sep}b\n", f"25{sep}4{sep}b{sep}extra\n")
        add(f"ragged-{name}", text.encode(), r"row 27 has 4 fields")
    add("decimal-comma-bad", "x1;x2;label\n".encode() + b"1,5;2,5,5;a\n2;3;b\n" * 4, r"is not a number")
    add("nul-in-middle", good[:40] + b"\x00" + good[40:], r"NUL byte at position 40")
    return c


# ----- model files ---------------------------------------------------------------------------------
def valid_trainer(**changes) -> Trainer:
    """A small trained model to tamper with: xor, 2-3-1 tanh, Adam, 2 epochs."""
    cfg = Config(**{"dataset": "xor", "hidden": (3,), "optimizer": "adam", "points": 40, **changes})
    t = Trainer(cfg)
    t.run(epochs=2)
    return t


def _json(doc) -> bytes:
    return json.dumps(doc).encode()


def _tamper_json(doc: dict) -> list[tuple[str, dict, str]]:
    """(name, tampered document, expected message) for every field of a model document."""
    out = []

    def change(name, expect, fn):
        d = json.loads(json.dumps(doc))
        fn(d)
        out.append((name, d, expect))

    def set_(key, value):
        return lambda d: d.__setitem__(key, value)

    def drop(key):
        return lambda d: d.pop(key)

    def w(fn):
        return lambda d: fn(d["params"][0]["W"], d)

    for v in ("keras", None, 1, ""):
        change(f"format-{v}", r"'format' must be", set_("format", v))
    change("format-missing", r"'format' must be", drop("format"))
    for v in (2, 0, "1", None, True, 1.0, -1):
        change(f"version-{v}", r"'version'.*not supported", set_("version", v))
    for v in (None, {}, [], "abc", [1, 2], 7):
        change(f"params-{json.dumps(v)}", r"'params' must be|params\[0\] must be", set_("params", v))
    change("params-missing", r"'params' must be", drop("params"))
    change("layer-no-b", r"params\[0\] must be an object", lambda d: d["params"][0].pop("b"))
    change("layer-extra-key", r"params\[1\] must be an object", lambda d: d["params"][1].__setitem__("act", "x"))
    change("W-ragged", r"params\[0\].W is not a rectangular", w(lambda W, d: W[0].append(1.0)))
    change("W-string", r"params\[0\].W must hold numbers", w(lambda W, d: W[0].__setitem__(0, "0.5")))
    change("W-null", r"params\[0\].W must hold numbers", w(lambda W, d: W[1].__setitem__(1, None)))
    change("W-bool", r"params\[0\].W must hold numbers", lambda d: d["params"][0].__setitem__("W", [[True] * 3] * 2))
    change("W-bigint", r"params\[0\].W must hold numbers", w(lambda W, d: W[0].__setitem__(0, 10**30)))
    change("W-object", r"params\[0\].W must hold numbers", w(lambda W, d: W[0].__setitem__(0, {"a": 1})))
    change("W-3d", r"params\[0\].W must be a matrix", lambda d: d["params"][0].__setitem__("W", [d["params"][0]["W"]]))
    change("W-scalar", r"params\[0\].W must be a matrix", lambda d: d["params"][0].__setitem__("W", 0.5))
    change("b-2d", r"params\[0\].b must be a vector", lambda d: d["params"][0].__setitem__("b", [[0.1] * 3]))
    change("W-float32-overflow", r"too large for float32", w(lambda W, d: W[0].__setitem__(0, 1e300)))
    change("W-transposed", r"layer 0: W has shape \(3, 2\)",
           lambda d: d["params"][0].__setitem__("W", np.array(d["params"][0]["W"]).T.tolist()))
    change("b-short", r"layer 1: W has shape .* but b has 2", lambda d: d["params"][1].__setitem__("b", [0.1, 0.2]))
    change("extra-layer", r"layer 2 takes 3 inputs but layer 1 gives 1",
           lambda d: d["params"].append({"W": [[0.1]] * 3, "b": [0.0]}))
    change("missing-layer", r"'sizes' says \[2, 3, 1\] but the weights' shapes give \[2, 3\]", lambda d: d["params"].pop(1))
    change("too-many-layers", r"20 weight layers; allowed 1–9",
           lambda d: d.__setitem__("params", [{"W": [[0.1]], "b": [0.0]}] * 20))
    change("thousand-layers", r"1000 weight layers", lambda d: d.__setitem__("params", [{}] * 1000))
    change("neurons-65", r"out of range", lambda d: d.__setitem__("params", [
        {"W": [[0.0] * 65] * 2, "b": [0.0] * 65}, {"W": [[0.0]] * 65, "b": [0.0]}]))
    change("inputs-200", r"out of range", lambda d: d.__setitem__("params", [
        {"W": [[0.0] * 3] * 200, "b": [0.0] * 3}, {"W": [[0.0]] * 3, "b": [0.0]}]))
    change("sizes-wrong", r"'sizes' says \[2, 4, 1\]", set_("sizes", [2, 4, 1]))
    change("sizes-huge", r"'sizes' says", set_("sizes", [10**9] * 1000))
    change("config-missing", r"'config' must be the run's query string", drop("config"))
    for v in (None, 5, {"dataset": "xor"}, ["hidden=3"]):
        change(f"config-{type(v).__name__}", r"'config' must be", set_("config", v))
    q = doc["config"]
    change("config-iris", r"take 2 inputs but the config's dataset 'iris' give 4",
           set_("config", q.replace("dataset=xor", "dataset=iris").replace("loss=square", "loss=ce")))
    change("config-features", r"take 2 inputs but the config's features x1,x2,x1sq give 3",
           set_("config", q.replace("features=x1,x2", "features=x1,x2,x1sq")))
    change("config-ce", r"1 outputs but loss 'ce' on dataset 'xor' needs 2", set_("config", q.replace("loss=square", "loss=ce")))
    change("config-hidden", r"hidden layers \[3\] but the config says hidden=5", set_("config", q.replace("hidden=3", "hidden=5")))
    change("config-hidden-hostile", r"hidden=4,2 \(the file's config was repaired: hidden must be",
           set_("config", q.replace("hidden=3", "hidden=999")))
    change("config-activation", r"'activations' says \['tanh'\] but the config gives \['relu'\]",
           set_("config", q.replace("activation=tanh", "activation=relu")))
    change("activations-field", r"'activations' says \['sigmoid'\]", set_("activations", ["sigmoid"]))
    change("loss-field", r"'loss' says bce", set_("loss", "bce"))
    for v in (-1, 1.5, "3", True, 10**7, None):
        change(f"epoch-{v}", r"'epoch' must be a whole number", set_("epoch", v))
    for i, v in enumerate((5, "x", {"name": ""}, {"name": "a" * 81}, {"name": 3})):
        change(f"data-{i}", r"'data' must be", set_("data", v))
    change("state-list", r"'state' must be", set_("state", [1, 2]))
    change("state-extra", r"'state' must be", lambda d: d["state"].__setitem__("evil", 1))
    change("rng-mt", r"'state.rng' is not a PCG64", lambda d: d["state"]["rng"].__setitem__("bit_generator", "MT19937"))
    change("rng-negative", r"'state.rng' is not a PCG64", lambda d: d["state"]["rng"]["state"].__setitem__("state", -5))
    change("rng-huge", r"'state.rng' is not a PCG64", lambda d: d["state"]["rng"]["state"].__setitem__("inc", 2**200))
    change("rng-string", r"'state.rng' is not a PCG64", lambda d: d["state"].__setitem__("rng", "seed=1"))
    change("opt-name", r"'state.optimizer' is for str 'sgd' but the config's optimizer is 'adam'",
           lambda d: d["state"]["optimizer"].__setitem__("name", "sgd"))
    change("opt-slots-count", r"needs a step count t ≥ 0 and 2 slot vectors",
           lambda d: d["state"]["optimizer"]["slots"].pop())
    change("opt-t-negative", r"needs a step count t ≥ 0", lambda d: d["state"]["optimizer"].__setitem__("t", -1))
    change("opt-slot-length", r"one entry per parameter \(13\)",
           lambda d: d["state"]["optimizer"]["slots"][0].append(0.0))
    change("opt-slot-text", r"slots\[1\] must hold numbers",
           lambda d: d["state"]["optimizer"]["slots"][1].__setitem__(0, "x"))
    change("opt-missing-key", r"'state.optimizer' must be", lambda d: d["state"]["optimizer"].pop("t"))
    return out


def _json_literal_cases(text: str) -> list[tuple[str, bytes, str]]:
    """Tampering that needs raw JSON text: non-standard literals and unreadable numbers."""
    first = text.index('"W":[[') + len('"W":[[')
    end = text.index(",", first)
    put = lambda lit: (text[:first] + lit + text[end:]).encode()  # noqa: E731
    return [
        ("W-NaN", put("NaN"), r"params\[0\].W\[0, 0\] is nan: weights must be finite"),
        ("W-Infinity", put("Infinity"), r"is inf: weights must be finite"),
        ("W-minus-Infinity", put("-Infinity"), r"is -inf: weights must be finite"),
        ("W-1e999", put("1e999"), r"is inf: weights must be finite"),
        ("W-5000-digits", put("9" * 5000), r"holds a value JSON cannot read"),
        ("W-hex", put("0x10"), r"not valid JSON"),
    ]


def model_cases() -> list[Case]:
    """Bad model files for ``modelio.load_model``."""
    c: list[Case] = []
    add = lambda name, data, expect: c.append(Case(f"model-{name}", data, expect))  # noqa: E731
    t = valid_trainer()
    text = modelio.to_json(t)
    good, doc = text.encode(), json.loads(text)

    # Not a model at all.
    for name, data in [("empty", b""), ("spaces", b"  \n\t"), ("nul", b"\x00")]:
        add(name, data, r"empty|not a model file")
    for seed, n in [(1, 1), (2, 7), (3, 100), (4, 4096), (5, 100_000)]:
        add(f"noise-{seed}-{n}", _noise(seed, n), r"not a model file")
    for name, data in [("text", b"hello world\n"), ("csv", _GOOD_CSV.encode()),
                       ("html", b"<html><script>alert(1)</script></html>"), ("img-onerror", b"<img src=x onerror=alert(1)>"),
                       ("png", b"\x89PNG\r\n\x1a\n" + bytes(100)), ("gzip", gzip.compress(good)),
                       ("number", b"42"), ("null", b"null")]:
        add(name, data, r"not a model file")
    add("utf16-le", b"\xff\xfe" + text.encode("utf-16-le"), r"UTF-16")
    add("utf16-be", b"\xfe\xff" + text.encode("utf-16-be"), r"UTF-16")
    add("utf16-no-bom", text.encode("utf-16-le"), r"not valid JSON")
    add("latin1", good.replace(b'"format"', b'"f\xe9rmat"'), r"not UTF-8 text \(byte 0xe9")
    for proto in (2, 3, 4, 5):
        add(f"pickle-{proto}", pickle.dumps({"W": [1.0]}, protocol=proto), r"pickle.*refused")
    add("npy", _npy(np.zeros((2, 3))), r"single NumPy array")
    add("too-large-json", b"{" + b" " * modelio.MAX_BYTES + b"}", rf"too large: {modelio.MAX_BYTES + 2:,} bytes")
    add("too-large-zip", _zip({"W0.npy": bytes(modelio.MAX_BYTES + 10)}), r"too large")

    # JSON damage.
    for cut in _cuts(good, 10):
        add(f"json-truncated-{cut}", good[:cut], r"not valid JSON \(truncated")
    add("json-list", b"[1, 2, 3]", r"must be a JSON object")
    add("json-deep-list", b"[" * 100_000 + b"]" * 100_000, r"nested too deeply")
    add("json-deep-object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, r"nested too deeply")
    add("json-deep-params", good.replace(b'"params":', b'"params":' + b"[" * 30_000, 1), r"nested too deeply|not valid JSON")
    for name, d, expect in _tamper_json(doc):
        add(f"json-{name}", _json(d), expect)
    for name, data, expect in _json_literal_cases(text):
        add(f"json-{name}", data, expect)

    # npz damage.
    npz = modelio.to_npz(t)
    arrays = {k[:-4]: v for k, v in _npz_members(npz).items()}
    for cut in _cuts(npz, 8):
        add(f"npz-truncated-{cut}", npz[:cut], r"damaged or truncated")

    def npz_with(expect, name, **changes):
        members = {**arrays, **changes}
        add(f"npz-{name}", _zip({f"{k}.npy": v for k, v in members.items() if v is not None}), expect)

    obj = np.empty(2, dtype=object)
    obj[:] = [os.getcwd, "x"]  # a callable inside: must never be unpickled
    npz_with(r"pickled Python objects.*allow_pickle=False", "object-W0", W0=_npy(obj))
    npz_with(r"pickled Python objects", "object-meta", meta=_npy(np.array([{"format": 1}], dtype=object)))
    npz_with(r"no 'meta' entry", "no-meta", meta=None)
    npz_with(r"'meta' must be one JSON string", "meta-number", meta=_npy(np.array(3.0)))
    npz_with(r"'meta' must be one JSON string", "meta-two-strings", meta=_npy(np.array(["{}", "{}"])))
    npz_with(r"'meta' is not valid JSON", "meta-garbage", meta=_npy(np.array("{not json")))
    npz_with(r"'format' must be", "meta-format", meta=_npy(np.array(json.dumps({**doc, "format": "x"}))))
    npz_with(r"must hold W0…W1 and b0…b1", "missing-W1", W1=None)
    npz_with(r"must hold W0…W2", "extra-W2", W2=_npy(np.zeros((1, 1))))
    npz_with(r"unexpected array 'evil.npy'", "unexpected", evil=_npy(np.zeros(1)))
    npz_with(r"W0 must hold numbers", "complex", W0=_npy(np.zeros((2, 3), complex)))
    npz_with(r"W0 must hold numbers", "bool", W0=_npy(np.zeros((2, 3), bool)))
    npz_with(r"W0 must hold numbers", "strings", W0=_npy(np.full((2, 3), "a")))
    npz_with(r"W0 must hold numbers", "structured", W0=_npy(np.zeros(3, dtype=[("a", "f8"), ("b", "i4")])))
    npz_with(r"W0\[1, 2\] is nan", "nan", W0=_npy(np.where(np.arange(6).reshape(2, 3) == 5, np.nan, 0.1)))
    npz_with(r"b1\[0\] is inf", "inf", b1=_npy(np.array([np.inf])))
    npz_with(r"W0 must be a matrix", "3d", W0=_npy(np.zeros((2, 3, 1))))
    npz_with(r"layer 0: W has shape \(2, 4\)", "wide", W0=_npy(np.zeros((2, 4))))
    npz_with(r"'sizes' says \[2, 3, 1\] but the weights' shapes give \[5, 3, 1\]", "inputs", W0=_npy(np.zeros((5, 3))))
    huge = bytearray(arrays["W0"])
    huge[: 128] = huge[:128].replace(b"(2, 3)", b"(99999999, 99999)")
    npz_with(r"header says shape \(99999999, 99999\)", "header-huge", W0=bytes(huge))
    short = bytes(arrays["W0"])[:-8]
    npz_with(r"header says shape \(2, 3\) of float64 \(48 bytes\) but it holds 40", "data-short", W0=short)
    npz_with(r"damaged or truncated", "bad-magic", W0=b"\x93NUMPX" + bytes(arrays["W0"])[6:])
    npz_with(r"damaged or truncated", "bad-header", W0=bytes(arrays["W0"]).replace(b"'descr'", b"'dexxx'"))
    npz_with(r"npy version \(3, 0\)|damaged", "version-3", W0=b"\x93NUMPY\x03\x00" + bytes(arrays["W0"])[8:])
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.npy", arrays["meta"])
        zf.writestr("W0.npy", bytes(25_000_000))  # 25 MB of zeros deflate to ~25 kB
    add("npz-zip-bomb", bomb.getvalue(), r"refused as a zip bomb")
    add("npz-forged-size", _forge_sizes(npz, 0xFFFFFFF0), r"refused as a zip bomb")
    add("npz-forged-small", _forge_sizes(npz, 10), r"damaged or truncated")
    add("zip-many-members", _zip({f"W{i}.npy": b"" for i in range(300)}), r"300 members")
    add("zip-bzip2", _zip({"W0.npy": arrays["W0"]}, zipfile.ZIP_BZIP2), r"compression method 12")
    add("zip-lzma", _zip({"W0.npy": arrays["W0"]}, zipfile.ZIP_LZMA), r"compression method 14")
    add("zip-text", _zip({"hello.txt": b"hi"}), r"neither an .npz nor a PyTorch")
    add("zip-empty", b"PK\x05\x06" + bytes(18), r"neither an .npz nor a PyTorch.*nothing")
    add("zip-garbage-after-magic", b"PK\x03\x04" + _noise(9, 200), r"damaged or truncated")
    add("xlsx-like", _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}), r"neither an .npz")

    c += _torch_cases(t, doc) if torch_available() else []
    return c


def _npz_members(npz: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(npz)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _forge_sizes(data: bytes, size: int) -> bytes:
    """A zip whose central directory declares ``size`` bytes uncompressed for every member."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        struct.pack_into("<I", out, pos + 24, size)  # uncompressed size field of the central header
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def _hash_bomb_pickle(meta: str) -> bytes:
    """{"meta": meta, "state_dict": {t60: 1}} with t(k+1) = (t(k), t(k)), written opcode by opcode.

    Building it in Python would hang here (the dict would hash the key); unpickled, it hangs the loader.
    """
    text = lambda s: b"X" + len(s.encode()).to_bytes(4, "little") + s.encode()  # noqa: E731  BINUNICODE
    out = b"\x80\x02}q\x00(" + text("meta") + text(meta) + text("state_dict") + b"}q\x01"
    out += b")q\x02"  # EMPTY_TUPLE, memo 2
    for k in range(2, 62):
        out += b"h" + bytes([k]) + b"h" + bytes([k]) + b"\x86q" + bytes([k + 1])  # BINGET k twice, TUPLE2, BINPUT k+1
    return out + b"K\x01su."  # BININT1 1, SETITEM, SETITEMS, STOP


def _with_pickle(pt: bytes, pkl: bytes) -> bytes:
    """A torch.save zip with its data.pkl replaced."""
    members = _npz_members(pt)
    name = next(n for n in members if n.endswith("data.pkl"))
    return _zip({**members, name: pkl})


class _Harmless:
    """A pickled global call (os.getcwd, harmless if it ran): weights_only must refuse it."""

    def __reduce__(self):
        return (os.getcwd, ())


def _torch_cases(t: Trainer, doc: dict) -> list[Case]:
    import torch

    c: list[Case] = []
    add = lambda name, data, expect: c.append(Case(f"torch-{name}", data, expect))  # noqa: E731

    def save(obj, **kw) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf, **kw)
        return buf.getvalue()

    good = modelio.to_state_dict(t)
    ck = torch.load(io.BytesIO(good), weights_only=True)
    meta, sd = ck["meta"], ck["state_dict"]
    for cut in _cuts(good, 6):
        add(f"truncated-{cut}", good[:cut], r"damaged or truncated|cannot be read safely")
    add("list", save([1, 2, 3]), r"must hold \{'meta'")
    add("string", save("hello"), r"must hold \{'meta'")
    add("tensor", save(torch.zeros(3)), r"must hold \{'meta'")
    add("bare-state-dict", save(sd), r"bare state_dict without the playground's config")
    add("global-call", save({"meta": meta, "state_dict": _Harmless()}), r"cannot be read safely \(it asks to load posix.getcwd")
    add("numpy-inside", save({"meta": meta, "state_dict": {"0.weight": np.zeros((3, 2))}}),
        r"cannot be read safely|floating-point tensor")
    add("legacy-pickle", save({"meta": meta, "state_dict": sd}, _use_new_zipfile_serialization=False), r"pickle.*refused")
    add("extra-key", save({"meta": meta, "state_dict": sd, "x": 1}), r"must hold \{'meta'")
    add("meta-number", save({"meta": 3, "state_dict": sd}), r"'meta' must be the model's JSON text; got int 3")
    add("meta-garbage", save({"meta": "{nope", "state_dict": sd}), r"'meta' is not valid JSON")
    add("meta-format", save({"meta": json.dumps({**json.loads(meta), "format": "onnx"}), "state_dict": sd}), r"'format'")
    add("meta-hidden", save({"meta": json.dumps({**json.loads(meta), "config": doc["config"].replace("hidden=3", "hidden=7")}),
                             "state_dict": sd}), r"config says hidden=7")
    add("sd-list", save({"meta": meta, "state_dict": [1.0]}), r"'state_dict' must map names to tensors")
    add("sd-value-list", save({"meta": meta, "state_dict": {**sd, "0.weight": [1.0, 2.0]}}), r"floating-point tensor")
    add("sd-int-tensor", save({"meta": meta, "state_dict": {**sd, "0.bias": torch.zeros(3, dtype=torch.int64)}}),
        r"floating-point tensor; got torch.int64")
    add("sd-key", save({"meta": meta, "state_dict": {**sd, "fc.weight": torch.zeros(1)}}), r"unexpected state_dict entry str 'fc.weight'")
    add("sd-no-bias", save({"meta": meta, "state_dict": {k: v for k, v in sd.items() if k != "2.bias"}}),
        r"needs both '2.weight' and '2.bias'")
    add("sd-transposed", save({"meta": meta, "state_dict": {**sd, "0.weight": sd["0.weight"].T.contiguous()}}),
        r"layer 0: W has shape \(3, 2\)")
    add("sd-nan", save({"meta": meta, "state_dict": {**sd, "2.weight": torch.full((1, 3), float("nan"), dtype=torch.float64)}}),
        r"is nan: weights must be finite")
    deep = ()
    for _ in range(60):  # 2**60 leaves when printed, a few hundred bytes when pickled (shared references)
        deep = (deep, deep)
    add("meta-exponential-tuple", save({"meta": deep, "state_dict": sd}), r"re-uses a tuple")
    add("hash-bomb-key", _with_pickle(good, _hash_bomb_pickle(meta)), r"re-uses a tuple")
    add("damaged-pickle", _with_pickle(good, b"\x80\x02}q\x00(X\x04\x00\x00\x00meta"), r"damaged or truncated")
    add("meta-huge-int", save({"meta": 10**5000, "state_dict": sd}), r"cannot be read safely \(the safe unpickler says: Unsupported operand")
    stretched = torch.zeros(1, dtype=torch.float64).expand(100_000, 100_000)  # one number, 10¹⁰ views of it
    add("sd-stretched", save({"meta": meta, "state_dict": {**sd, "0.weight": stretched}}),
        r"claims shape \(100000, 100000\): too many values")
    add("sd-many-layers", save({"meta": meta, "state_dict": {f"{i}.{k}": torch.zeros(1) for i in range(12) for k in ("weight", "bias")}}),
        r"12 weight layers")
    return c
