"""The nastiest files a visitor can upload, built in code (nothing hostile is stored in the repository).

Used by the sandbox tests, the hostile soak test and bench/measure_sandbox.py; each builder returns bytes.
"""
from __future__ import annotations

import io
import json
import pickle
import zipfile

__all__ = ["nested_tuple_pickle", "torch_zip", "pt_pickle_bomb", "json_oversized", "csv_long_field"]


def nested_tuple_pickle(depth: int = 60) -> bytes:
    """``{t: None}`` where ``t = (t', t')`` ``depth`` times over: a few hundred bytes, 2**depth leaves to hash.
    Each tuple is stored under two memo slots and fetched through the second, which the opcode
    check in model_formats._check_pickle does not connect to a tuple; every opcode used is one that
    torch's weights_only unpickler accepts."""
    P = pickle
    out = [P.PROTO, b"\x02", P.EMPTY_DICT, P.EMPTY_TUPLE]  # the stack: {}, ()
    for i in range(depth):  # top t → (t, t): memo it twice, fetch the second copy, pair them
        out += [P.BINPUT, bytes([2 * i]), P.BINPUT, bytes([2 * i + 1]), P.BINGET, bytes([2 * i + 1]), P.TUPLE2]
    out += [P.NONE, P.SETITEM, P.STOP]  # {t: None}: hashing t visits 2**depth empty tuples
    return b"".join(out)


def torch_zip(pkl: bytes) -> bytes:
    """A file laid out as torch.save writes it (archive/data.pkl, version, byteorder) around ``pkl``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/version", "3\n")
        z.writestr("archive/.data/serialization_id", "0" * 40)
    return buf.getvalue()


def pt_pickle_bomb(depth: int = 60) -> bytes:
    """A model file of under 1 KB whose loading never ends (the nested-tuple pickle, packed like torch.save)."""
    return torch_zip(nested_tuple_pickle(depth))


def json_oversized(megabytes: int = 19) -> bytes:
    """A syntactically valid JSON 'model' of about ``megabytes`` MB: a long array of numbers."""
    n = megabytes * 1_000_000 // 11  # "0.1234567, " is 11 characters
    return json.dumps({"format": "neural-playground-model", "weights": [[0.1234567] * n]}).encode()


def csv_long_field(kilobytes: int = 200) -> bytes:
    """A CSV whose second row has one field of ``kilobytes`` KB (csv's own field limit is 128 KB)."""
    return ("x1,x2,label\n" + "1," + "9" * (kilobytes * 1024) + ",a\n" + "2,3,b\n" * 5).encode()
