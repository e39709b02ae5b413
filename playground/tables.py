"""User tables: load a CSV a student uploads, check it, and turn chosen columns into `Data`.

Every problem becomes a `TableError` whose message says what is wrong, where
(row and column) and what is allowed, because the person reading it is fixing
a spreadsheet, not debugging Python. Rows are numbered as a spreadsheet shows
them: the first line of the file is row 1 (the header, if there is one).

>>> table = load_csv("x1,x2,label\\n0,0,a\\n0,1,b\\n1,0,b\\n1,1,a\\n")
>>> data = table.to_data(["x1", "x2"], "label")
>>> data.task, data.class_names, data.y.tolist()
('classification', ('a', 'b'), [0, 1, 1, 0])
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .datasets import Data

__all__ = ["MAX_CLASSES", "MIN_ROWS", "Table", "TableError", "load_csv", "to_csv"]

MAX_CLASSES = 10
MIN_ROWS = 4
_DELIMITERS = {"\t": "tab", ";": "semicolon", ",": "comma"}  # preference order on a tie
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


class TableError(ValueError):
    """A CSV file or a column choice that cannot be used; the message says why and how to fix it."""


def _parse_number(text: str, decimal_comma: bool) -> float | None:
    """The float in ``text`` or None. Only plain decimal notation: no '1_000', no hex.

    With a ';' or tab delimiter, '3,5' is read as 3.5: spreadsheets in many
    European locales export decimal commas that way.
    """
    if decimal_comma and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text) if _NUMBER.fullmatch(text) else None


@dataclass(frozen=True)
class Table:
    """A checked rectangular table of text cells (whitespace stripped)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...]  # spreadsheet row of each entry of `rows`, for messages
    has_header: bool
    delimiter: str
    name: str = "table"

    def __repr__(self) -> str:
        return (f"Table({self.name!r}, {len(self.rows)} rows × {len(self.columns)} columns, "
                f"{_DELIMITERS[self.delimiter]}-separated, header={self.has_header})")

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def _index(self, column: str) -> int:
        if column not in self.columns:
            raise TableError(f"there is no column {column!r}; the columns are: "
                             f"{', '.join(map(repr, self.columns))}")
        return self.columns.index(column)

    def _cells(self, column: str) -> list[str]:
        """The cells of one column, refusing empty ones."""
        j = self._index(column)
        cells = [row[j] for row in self.rows]
        for i, cell in enumerate(cells):
            if cell == "":
                raise TableError(f"row {self.row_numbers[i]}, column {column!r} is empty; "
                                 f"every cell of a column you use needs a value")
        return cells

    def _numbers(self, column: str) -> list[float | None]:
        return [_parse_number(c, self.delimiter != ",") for c in self._cells(column)]

    def numeric_columns(self) -> tuple[str, ...]:
        """Columns whose every cell is a finite number: the ones usable as features."""
        out = []
        for j, name in enumerate(self.columns):
            values = [_parse_number(row[j], self.delimiter != ",") for row in self.rows]
            if all(v is not None and math.isfinite(v) for v in values):
                out.append(name)
        return tuple(out)

    def default_columns(self) -> tuple[tuple[str, ...], str]:
        """A sensible first choice for the UI: the last column as label, numeric others as features."""
        label = self.columns[-1]
        return tuple(c for c in self.numeric_columns() if c != label), label

    def guess_task(self, label_col: str) -> str:
        """'classification' if the label is text, or whole numbers with ≤ 10 distinct values."""
        values = self._numbers(label_col)
        if any(v is None for v in values):
            return "classification"
        distinct = set(values)
        if len(distinct) <= MAX_CLASSES and all(math.isfinite(v) and v == int(v) for v in distinct):
            return "classification"
        return "regression"

    def to_data(self, feature_cols: Sequence[str], label_col: str, task: str = "auto") -> Data:
        """Build `Data` from the chosen feature columns and label column.

        Classification labels (text or numbers) become class indices in sorted
        order (numbers numerically, text alphabetically); their text is kept as
        ``class_names``.
        """
        if isinstance(feature_cols, str):
            feature_cols = [feature_cols]
        feature_cols = list(feature_cols)
        if task not in ("auto", "classification", "regression"):
            raise TableError(f"task must be 'auto', 'classification' or 'regression'; got {task!r}")
        if not feature_cols:
            raise TableError("choose at least one feature column")
        for column in [*feature_cols, label_col]:
            self._index(column)
        for column in feature_cols:
            if feature_cols.count(column) > 1:
                raise TableError(f"feature column {column!r} is chosen twice; choose each column once")
        if label_col in feature_cols:
            raise TableError(f"column {label_col!r} is both a feature and the label; "
                             f"a feature cannot also be the answer")

        X = np.empty((self.n_rows, len(feature_cols)))
        for j, column in enumerate(feature_cols):
            cells, values = self._cells(column), self._numbers(column)
            for i, value in enumerate(values):
                _check_number(value, cells[i], self.row_numbers[i], column)
            X[:, j] = values

        if task == "auto":
            task = self.guess_task(label_col)
        name = self.name
        if task == "regression":
            cells, values = self._cells(label_col), self._numbers(label_col)
            for i, value in enumerate(values):
                _check_number(value, cells[i], self.row_numbers[i], label_col,
                              hint="; a regression target must be numeric (or choose classification)")
            return Data(X, np.array(values, dtype=np.float64), "regression", 0,
                        tuple(feature_cols), name)

        y, class_names = self._classes(label_col)
        return Data(X, y, "classification", len(class_names), tuple(feature_cols), name, class_names)

    def _classes(self, label_col: str) -> tuple[np.ndarray, tuple[str, ...]]:
        cells, values = self._cells(label_col), self._numbers(label_col)
        for i, cell in enumerate(cells):
            v = values[i]
            if cell.lower() in _NOT_FINITE or (v is not None and not math.isfinite(v)):
                # most likely a missing value or an overflow, not a class
                raise TableError(f"row {self.row_numbers[i]}, column {label_col!r}: {cell!r} "
                                 f"(NaN/inf) is not allowed as a label; every row needs a class")
        if all(v is not None for v in values):
            # Numbers: '1' and '1.0' are one class, ordered numerically (2 before 10).
            keys: list = values
            first_text = {}
            for cell, v in zip(cells, values):
                first_text.setdefault(v, cell)
            order = sorted(first_text)
            names = tuple(first_text[v] for v in order)
        else:
            keys = cells
            order = sorted(set(cells))
            names = tuple(order)
        if len(order) < 2:
            raise TableError(f"label column {label_col!r} has only one class ({names[0]!r}); "
                             f"classification needs at least 2")
        if len(order) > MAX_CLASSES:
            shown = ", ".join(map(repr, names[:12])) + (", …" if len(names) > 12 else "")
            raise TableError(f"label column {label_col!r} has {len(order)} classes ({shown}); "
                             f"at most {MAX_CLASSES} are allowed. For a numeric target, "
                             f"choose regression")
        index = {k: c for c, k in enumerate(order)}
        return np.array([index[k] for k in keys], dtype=np.int64), names


def _check_number(value: float | None, cell: str, row: int, column: str, hint: str = "") -> None:
    if value is None:
        if cell.lower() in _NOT_FINITE:
            raise TableError(f"row {row}, column {column!r}: {cell!r} (NaN/inf) is not allowed; "
                             f"every value must be a finite number{hint}")
        raise TableError(f"row {row}, column {column!r}: {cell!r} is not a number "
                         f"(write numbers like 3.5, -2 or 1e-3){hint}")
    if not math.isfinite(value):
        raise TableError(f"row {row}, column {column!r}: {cell!r} is too large (inf); "
                         f"values must be finite numbers{hint}")


def _decode(data: bytes | str, max_bytes: int) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise TableError(f"the file is too large: {len(raw):,} bytes; the limit is {max_bytes:,} bytes")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("the file is UTF-16 text; save it as 'CSV UTF-8' instead")
    if b"\x00" in raw:
        position = raw.index(b"\x00")
        raise TableError(f"this is not a text file (it contains a NUL byte at position "
                         f"{position}); upload a CSV text file")
    try:
        text = raw.decode("utf-8-sig")  # -sig drops the BOM Excel writes
    except UnicodeDecodeError as e:
        raise TableError(f"the file is not UTF-8 text (undecodable byte {raw[e.start]:#04x} at "
                         f"position {e.start}); save it as 'CSV UTF-8' or plain UTF-8 text") from None
    if not text.strip():
        raise TableError("the file is empty: it needs a table of at least "
                         f"{MIN_ROWS} rows and 2 columns")
    return text


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most fields, the same number on each.

    On a tie the earlier of tab, semicolon, comma wins: '1,5;2,5' is two
    decimal-comma numbers, not three fields.
    """
    sample = lines[:20]
    best, best_fields = ",", 1
    for delimiter in _DELIMITERS:
        counts = {len(r) for r in csv.reader(sample, delimiter=delimiter) if r}
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = delimiter, fields
    return best


def _looks_like_header(first: Sequence[str], second: Sequence[str], decimal_comma: bool) -> bool:
    """A header is text above numbers, or a first row with no number at all."""
    def num(c):
        return _parse_number(c, decimal_comma) is not None
    text_over_number = any(not num(a) and num(b) for a, b in zip(first, second))
    return text_over_number or not any(num(c) for c in first)


def load_csv(data: bytes | str, *, max_bytes: int = 5_000_000, max_rows: int = 10_000,
             max_cols: int = 100, header: bool | None = None, delimiter: str | None = None,
             name: str = "table") -> Table:
    """Read and check a CSV table (UTF-8, optional BOM; comma, semicolon or tab separated).

    Args:
        data: the file's bytes, or text.
        max_bytes, max_rows, max_cols: limits; ``max_rows`` counts data rows (not the header).
        header: whether the first row holds column names; None guesses. Without a
            header the columns are named col1, col2, ….
        delimiter: ',', ';' or '\\t'; None guesses.
        name: shown in the UI and kept as `Data.name`.

    Raises:
        TableError: the message names the problem, where it is, and the limit.
    """
    text = _decode(data, max_bytes)
    lines = text.splitlines()
    if delimiter is None:
        delimiter = _sniff_delimiter([ln for ln in lines if ln.strip()])
    elif delimiter not in _DELIMITERS:
        raise TableError(f"delimiter must be ',', ';' or a tab; got {delimiter!r}")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as e:
        raise TableError(f"the file is not valid CSV near line {reader.line_num}: {e}; "
                         f'check the quotes (") on that line') from None

    # Keep spreadsheet row numbers (record index + 1); fully blank lines are skipped.
    numbered = [(i + 1, [c.strip() for c in r]) for i, r in enumerate(records)
                if any(c.strip() for c in r)]
    if not numbered:
        raise TableError("the file is empty: it has no values")
    width = len(numbered[0][1])
    if width > max_cols:
        raise TableError(f"too many columns: {width}; the limit is {max_cols}")
    for row_no, cells in numbered:
        if len(cells) != width:
            fields = "field" if len(cells) == 1 else "fields"
            raise TableError(f"row {row_no} has {len(cells)} {fields}, expected {width} "
                             f"(as in row {numbered[0][0]}); every row needs the same "
                             f"number of {_DELIMITERS[delimiter]}-separated values")
    if width < 2:
        raise TableError("the table has only 1 column; it needs at least 2 "
                         "(features and a label), separated by commas, semicolons or tabs")

    if header is None:
        header = len(numbered) > 1 and _looks_like_header(numbered[0][1], numbered[1][1],
                                                           delimiter != ",")
    if header:
        columns = tuple(c or f"col{j + 1}" for j, c in enumerate(numbered[0][1]))
        seen = set()
        for c in columns:
            if c in seen:
                raise TableError(f"column name {c!r} appears twice in the header; "
                                 f"column names must be unique")
            seen.add(c)
        body = numbered[1:]
    else:
        columns = tuple(f"col{j + 1}" for j in range(width))
        body = numbered
    if len(body) > max_rows:
        raise TableError(f"too many rows: {len(body):,} data rows; the limit is {max_rows:,}")
    if len(body) < MIN_ROWS:
        raise TableError(f"too few rows: {len(body)} data row(s); at least {MIN_ROWS} are needed "
                         f"to train and test")
    return Table(columns, tuple(tuple(r) for _, r in body), tuple(no for no, _ in body),
                 bool(header), delimiter, name)


def to_csv(data: Data) -> str:
    """Write `Data` as comma-separated text with a header; the label goes last.

    Floats use ``repr`` (shortest exact round-trip); classification labels are
    written as class indices, so ``load_csv(to_csv(d)).to_data(...)`` gives
    back the same arrays.
    """
    label = "label"
    while label in data.feature_names:  # a feature called 'label' must not be shadowed
        label = "_" + label
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*data.feature_names, label])
    labels = data.y.tolist()
    for row, target in zip(data.X.tolist(), labels):
        writer.writerow([*map(repr, row), repr(target)])
    return buf.getvalue()
