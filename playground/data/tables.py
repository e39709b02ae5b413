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
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from playground.data.datasets import Data

__all__ = ["MAX_ABS_VALUE", "MAX_CLASSES", "MIN_ROWS", "Table", "TableError", "load_csv", "to_csv",
           "csv_text"]

MAX_CLASSES = 10
MIN_ROWS = 4
#: Largest magnitude a feature or regression target may have. Squares and sums of 10,000 such
#: values stay finite in float64 (standardising), and the values themselves fit the networks'
#: float32 (largest 3.4e38) with room to spare; 1e308 overflowed to NaN before this limit.
MAX_ABS_VALUE = 1e30
#: Python's csv module refuses longer fields (csv.field_size_limit(); the process-wide setting is
#: left alone).
MAX_FIELD_CHARS = csv.field_size_limit()
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
    #: (n_rows, n_columns) float64: every cell as a number, NaN where it is empty, text, NaN/inf
    #: or beyond ±MAX_ABS_VALUE. Parsed once, when the table is made (inside load_csv), so that
    #: choosing columns on every page rerun costs no parsing.
    values: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.values is None:
            values = np.full((len(self.rows), len(self.columns)), np.nan)
            cells_by_column = list(zip(*self.rows)) if self.rows else [() for _ in self.columns]
            for j, cells in enumerate(cells_by_column):
                values[:, j] = _column_values(cells, self.delimiter != ",")
            values.setflags(write=False)
            object.__setattr__(self, "values", values)

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
                raise TableError(_cell_problem(cell, False, self.row_numbers[i], column))
        return cells

    def _numbers(self, column: str) -> list[float | None]:
        return [_parse_number(c, self.delimiter != ",") for c in self._cells(column)]

    def numeric_columns(self) -> tuple[str, ...]:
        """Columns whose every cell is a finite number within ±MAX_ABS_VALUE: the ones usable as features."""
        usable = ~np.isnan(self.values).any(axis=0)
        return tuple(c for c, ok in zip(self.columns, usable) if ok)

    def problem(self, column: str, hint: str = "") -> str | None:
        """Why ``column`` cannot be a feature (its first unusable cell: row, column, the text
        found, what is allowed), or None if every cell is a usable number."""
        j = self._index(column)
        bad = np.flatnonzero(np.isnan(self.values[:, j]))
        if not bad.size:
            return None
        i = int(bad[0])
        return _cell_problem(self.rows[i][j], self.delimiter != ",", self.row_numbers[i], column, hint)

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

        for column in feature_cols:
            if (message := self.problem(column)) is not None:
                raise TableError(message)
        X = self.values[:, [self.columns.index(c) for c in feature_cols]].copy()

        if task == "auto":
            task = self.guess_task(label_col)
        name = self.name
        if task == "regression":
            message = self.problem(label_col, hint="; a regression target must be numeric "
                                                  "(or choose classification)")
            if message is not None:
                raise TableError(message)
            y = self.values[:, self.columns.index(label_col)].copy()
            return Data(X, y, "regression", 0, tuple(feature_cols), name)

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


def _usable(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and abs(value) <= MAX_ABS_VALUE


def _column_values(cells: Sequence[str], decimal_comma: bool) -> np.ndarray:
    """One column's cells as float64, NaN where a cell is not a usable number (see `_usable`)."""
    values = None
    if "_" not in "".join(cells):  # float() reads '1_000'; the table does not (else they agree)
        try:  # fast path: NumPy reads a column of plain numbers ~100× faster than cell by cell
            values = np.array(cells, dtype=np.float64)
        except ValueError:
            pass
    if values is None:  # some cell is not a plain number: decimal commas, text, empty cells
        values = np.array([v if _usable(v := _parse_number(c, decimal_comma)) else np.nan for c in cells],
                          dtype=np.float64)
    with np.errstate(invalid="ignore"):
        values[~(np.abs(values) <= MAX_ABS_VALUE)] = np.nan  # NaN, ±inf and huge values
    return values.reshape(len(cells))


def _cell_problem(cell: str, decimal_comma: bool, row: int, column: str, hint: str = "") -> str:
    """What is wrong with one cell that is not a usable number, where, and what is allowed."""
    where = f"row {row}, column {column!r}"
    if cell == "":
        return f"{where} is empty; every cell of a column you use needs a value{hint}"
    if cell.lower() in _NOT_FINITE:
        return f"{where}: {cell!r} (NaN/inf) is not allowed; every value must be a finite number{hint}"
    value = _parse_number(cell, decimal_comma)
    if value is None:
        return (f"{where}: {_shorten(cell)!r} is not a number "
                f"(write numbers like 3.5, -2 or 1e-3){hint}")
    if not math.isfinite(value):
        return (f"{where}: {_shorten(cell)!r} is too large (inf); values must be finite numbers "
                f"between {-MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}{hint}")
    return (f"{where}: {_shorten(cell)!r} is too large; values must lie between {-MAX_ABS_VALUE:g} "
            f"and {MAX_ABS_VALUE:g} (squaring and summing larger ones overflows): rescale the "
            f"column, e.g. to other units{hint}")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


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
        try:
            counts = {len(r) for r in csv.reader(sample, delimiter=delimiter) if r}
        except csv.Error:  # e.g. a field over MAX_FIELD_CHARS: load_csv's own reading names it
            continue
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
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as e:
        if "field limit" in str(e):
            raise TableError(_long_field(lines, len(records), reader.line_num, delimiter)) from None
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
        if len(numbered) > 1:
            header = _looks_like_header(numbered[0][1], numbered[1][1], delimiter != ",")
        else:  # one row: column names (a header with no data) unless it holds a number
            header = not any(_parse_number(c, delimiter != ",") is not None for c in numbered[0][1])
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
        raise TableError(f"too few rows: {len(body)} data {'row' if len(body) == 1 else 'rows'}"
                         f"{' (only a header)' if not body else ''}; at least {MIN_ROWS} are needed "
                         f"to train and test")
    return Table(columns, tuple(tuple(r) for _, r in body), tuple(no for no, _ in body),
                 bool(header), delimiter, name)


def _long_field(lines: list[str], row_index: int, line_num: int, delimiter: str) -> str:
    """The message for a field over MAX_FIELD_CHARS: which row and field, how long, the limit."""
    row = row_index + 1
    where = f"row {row}"
    line = lines[line_num - 1] if 0 < line_num <= len(lines) else ""
    pieces = line.split(delimiter)
    long = [k for k, piece in enumerate(pieces) if len(piece) > MAX_FIELD_CHARS]
    if long:
        where += f", field {long[0] + 1} ({len(pieces[long[0]]):,} characters)"
    return (f"{where} is too long: a single value may have at most {MAX_FIELD_CHARS:,} characters; "
            f"check that row: an unclosed quote (\") also runs many values into one")


#: A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(cell: str) -> str:
    """A text cell (column name, class name) made safe for a spreadsheet: one that starts
    like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading single quote, which
    spreadsheets show as text instead of running it. Numbers are not text cells: write
    them as they are, so ``-2.5`` stays a number.

    >>> csv_text("=1+2"), csv_text("-x"), csv_text("petal length")
    ("'=1+2", "'-x", 'petal length')
    """
    text = str(cell)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(data: Data) -> str:
    """Write `Data` as comma-separated text with a header; the label goes last.

    Floats use ``repr`` (shortest exact round-trip); classification labels are
    written as class indices, so ``load_csv(to_csv(d)).to_data(...)`` gives
    back the same arrays. Column names are text from the user's file: `csv_text`
    keeps a spreadsheet from reading one as a formula.
    """
    label = "label"
    while label in data.feature_names:  # a feature called 'label' must not be shadowed
        label = "_" + label
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_text(name) for name in (*data.feature_names, label)])
    labels = data.y.tolist()
    for row, target in zip(data.X.tolist(), labels):
        writer.writerow([*map(repr, row), repr(target)])
    return buf.getvalue()
