"""An uploaded table, from its bytes to `Data`: parsed in the sandbox within limits, columns chosen, name cleaned.

Everything here reads untrusted input (the file's bytes, its name, its headers) and never raises for a
bad one: the result says what is wrong, where, and what is allowed.

    >>> clean_name("../uploads/my\tflowers.CSV")
    'my flowers'
"""
from __future__ import annotations

import inspect
import re
import unicodedata
from dataclasses import fields
from typing import Sequence

from playground.data.datasets import Data
from playground.data.tables import Table, TableError, load_csv

__all__ = ["MAX_UPLOAD_BYTES", "UPLOAD_SECONDS", "UPLOAD_MB", "clean_name", "read_upload", "parse_untrusted_csv",
           "table_head", "choose_columns", "load_upload"]

#: The CSV size limit is tables.load_csv's own default, so the page and the parser agree.
MAX_UPLOAD_BYTES: int = inspect.signature(load_csv).parameters["max_bytes"].default


def clean_name(filename: str, limit: int = 40) -> str:
    """A short display name from an untrusted file name: no folders, no extension, no control
    characters, at most ``limit`` characters; "table" if nothing is left."""
    base = re.split(r"[\\/]", str(filename))[-1]
    base = re.sub(r"\.(csv|txt|tsv)$", "", base, flags=re.IGNORECASE)
    base = " ".join(base.split())  # tabs, newlines → one space
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    base = base[:limit].strip()
    return base or "table"


#: Limits for parsing one uploaded table in the sandbox worker: a 5 MB table (10,000 rows × 61
#: columns) parsed there in 0.5–0.7 s and at most +80 MB (bench/measure_sandbox.py prints the figures).
UPLOAD_SECONDS = 10.0
UPLOAD_MB = 400


def read_upload(name: str, raw: bytes, *, seconds: float = UPLOAD_SECONDS,
                max_mb: float = UPLOAD_MB) -> tuple[Table | None, str | None]:
    """Parse uploaded bytes into a checked `Table`: (table, None) or (None, error message).

    ``load_csv`` runs in a sandbox worker process (playground.base.sandbox), stopped after ``seconds``
    or ``max_mb`` megabytes, so a crafted table cannot stall the server.
    """
    from playground.base import sandbox

    if len(raw) > MAX_UPLOAD_BYTES:  # before anything is parsed or sent
        return None, f"the file is too large: {len(raw):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes"
    try:
        plain = sandbox.run_untrusted("csv", clean_name(name), bytes(raw), seconds=seconds, max_mb=max_mb,
                                      max_bytes=MAX_UPLOAD_BYTES)
    except sandbox.Refused as e:
        return None, f"{e}; a table within the limits reads in a second or two"
    except sandbox.ParserError as e:
        if e.error_type == TableError.__name__:
            return None, str(e)
        return None, f"the file cannot be read as a table ({e.error_type}: {str(e)[:80]})"
    return Table(**plain), None


def parse_untrusted_csv(name: str, data: bytes, max_bytes: int) -> dict:
    """In the sandbox worker: ``load_csv`` as plain data (the `Table`'s fields)."""
    table = load_csv(data, max_bytes=max_bytes, name=name)
    return {f.name: getattr(table, f.name) for f in fields(table)}


def table_head(table: Table, n: int = 10) -> dict[str, list[str]]:
    """The first ``n`` rows as ``{column: cells}``, for st.dataframe (cells stay text)."""
    rows = table.rows[:n]
    return {c: [r[j] for r in rows] for j, c in enumerate(table.columns)}


def choose_columns(table: Table, features: Sequence[str] | None = None, label: str | None = None,
                   task: str = "auto") -> tuple[Data | None, str | None, dict]:
    """`Data` from a parsed table and the user's column choice: ``(data, None, info)`` or
    ``(None, message, info)``; never raises for a bad choice.

    ``features``/``label`` default to the table's own suggestion (numeric columns;
    the last column as label). ``info`` holds what the page shows: ``numeric``
    (the usable feature columns), ``excluded`` (other columns with an empty,
    non-numeric or out-of-range cell, so not offered as features), ``why_excluded``
    (column -> its first such cell: row, text, what is allowed), ``features``, ``label``,
    ``task`` (guessed when "auto", None if the label cannot be read).
    """
    numeric = table.numeric_columns()
    label = table.columns[-1] if label is None else label
    if features is None:
        features = tuple(c for c in numeric if c != label)
    excluded = tuple(c for c in table.columns if c not in numeric and c != label)
    info: dict = {"numeric": numeric, "excluded": excluded,
                  "why_excluded": {c: table.problem(c) for c in excluded},
                  "features": tuple(features), "label": label, "task": None}
    if not features and excluded and not any(c != label for c in numeric):
        # Nothing could be offered: say which cells keep each column out, not "choose a feature".
        reasons = "; ".join(info["why_excluded"][c] for c in excluded[:3])
        more = f" (and {len(excluded) - 3} more columns)" if len(excluded) > 3 else ""
        return None, (f"no column can be a feature: {reasons}{more}. A feature column needs a "
                      f"number in every row"), info
    try:
        info["task"] = table.guess_task(label) if task == "auto" else task
        return table.to_data(features, label, task), None, info
    except TableError as e:
        return None, str(e), info


def load_upload(name: str, raw: bytes, features: Sequence[str] | None = None, label: str | None = None,
                task: str = "auto") -> tuple[Data | None, str | None, dict]:
    """From an uploaded file to `Data`: ``(data, None, info)`` or ``(None, message, info)``.

    `read_upload` then `choose_columns` (the two steps the Data page runs, keeping
    the parsed table between reruns). Never raises for a bad file or column
    choice: the message is the `TableError`'s (what is wrong, where, what is
    allowed). ``info`` is `choose_columns`'s plus ``table`` (None if the file
    was rejected) and ``name`` (the cleaned display name).
    """
    table, error = read_upload(name, raw)
    info: dict = {"table": table, "name": clean_name(name)}
    if table is None:
        return None, error, info | {"numeric": (), "excluded": (), "why_excluded": {}, "features": (),
                                    "label": None, "task": None}
    data, error, more = choose_columns(table, features, label, task)
    return data, error, info | more
