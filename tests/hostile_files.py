"""The nastiest files a visitor can upload, built in code (nothing hostile is stored in the repository).

Used by the hostile soak test and the file-parsing tests; each builder returns the file's bytes.
"""
from __future__ import annotations

import io
import json
import struct
import zipfile

__all__ = ["pt_pickle_bomb", "json_oversized", "csv_long_field"]


def _binput(slot: int) -> bytes:
    return b"q" + bytes([slot]) if slot < 256 else b"r" + struct.pack("<I", slot)


def _binget(slot: int) -> bytes:
    return b"h" + bytes([slot]) if slot < 256 else b"j" + struct.pack("<I", slot)


def pt_pickle_bomb(levels: int = 60) -> bytes:
    """A PyTorch-style zip (under 1 KB) whose pickle builds ``t = (t, t)`` ``levels`` times and uses the
    last ``t`` as a dictionary key: hashing it visits 2**levels leaves.  Each tuple is stored under two
    memo slots and re-used through the second, so a check that only follows a PUT right after a
    TUPLE opcode misses it.  Every opcode used is one that torch's weights_only unpickler accepts."""
    ops = [b"\x80\x02", b")", _binput(0)]  # PROTO 2; EMPTY_TUPLE; memo[0] = ()
    prev = 0
    for i in range(levels):
        first, second = 1 + 2 * i, 2 + 2 * i
        ops += [_binget(prev), _binget(prev), b"\x86", _binput(first), _binput(second)]  # TUPLE2, two PUTs
        prev = second
    ops += [b"}", _binget(prev), b"N", b"s", b"."]  # EMPTY_DICT; {t: None}; STOP (the tuples stay below)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("model/data.pkl", b"".join(ops))
        zf.writestr("model/byteorder", "little")
        zf.writestr("model/version", "3\n")
    return buf.getvalue()


def json_oversized(megabytes: int = 19) -> bytes:
    """A syntactically valid JSON 'model' of about ``megabytes`` MB: a long array of numbers."""
    n = megabytes * 1_000_000 // 8
    return json.dumps({"format": "neural-playground-model", "weights": [[0.1234567] * n]}).encode()


def csv_long_field(kilobytes: int = 200) -> bytes:
    """A CSV whose second row has one field of ``kilobytes`` KB (csv's own field limit is 128 KB)."""
    return ("x1,x2,label\n" + "1," + "9" * (kilobytes * 1024) + ",a\n" + "2,3,b\n" * 5).encode()
