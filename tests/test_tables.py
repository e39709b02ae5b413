"""Tests for playground.data.tables: every malformed CSV gets a message a student can act on."""

import numpy as np
import pytest

from playground.data.datasets import generate
from playground.data.tables import (MAX_ABS_VALUE, MAX_CLASSES, MIN_ROWS, Table, TableError, _parse_number, csv_text,
                               load_csv, to_csv)

GOOD = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def many_rows(n, label=lambda i: i % 2):
    return "x1,x2,y\n" + "".join(f"{i},{i * 2},{label(i)}\n" for i in range(n))


# Each case: file contents, load_csv options, to_data arguments, words the message must contain.
MALFORMED = [
    ("empty", "", {}, None, ["empty"]),
    ("blank", " \n \r\n\t\n", {}, None, ["empty"]),
    ("nul bytes", b"x1,x2\x00,y\n1,2,3\n", {}, None, ["not a text file", "NUL", "position 5"]),
    ("latin-1", "x1,x2,y\n1,2,caf\xe9\n".encode("latin-1"), {}, None, ["not UTF-8", "0xe9"]),
    ("utf-16", GOOD.encode("utf-16"), {}, None, ["UTF-16", "UTF-8"]),
    ("too large", many_rows(50), {"max_bytes": 100}, None, ["too large", "100 bytes"]),
    ("too many rows", many_rows(6), {"max_rows": 5}, None, ["too many rows", "6", "limit is 5"]),
    ("too many columns", "a,b,c,d\n" + "1,2,3,4\n" * 5, {"max_cols": 3}, None,
     ["too many columns", "4", "limit is 3"]),
    ("ragged", "x1,x2,y\n1,2,0\n3,4,1\n5,6\n7,8,1\n9,9,0\n", {}, None,
     ["row 4 has 2 fields, expected 3"]),
    ("one column", "x\n1\n2\n3\n4\n", {}, None, ["only 1 column", "at least 2"]),
    ("too few rows", "x1,x2,y\n1,2,0\n3,4,1\n", {}, None, ["too few rows", "2 data row", "at least 4"]),
    ("duplicate header", "x,x,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", {}, None, ["'x'", "twice"]),
    ("bad quoting", 'x1,x2,y\n1,"2"3,0\n3,4,1\n5,6,0\n7,8,1\n', {}, None, ["not valid CSV", "line 2", "quotes"]),
    ("missing value", "x1,x2,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n", {}, (["x1", "x2"], "y"),
     ["row 3", "'x2'", "empty"]),
    ("missing label", "x1,x2,y\n1,2,0\n3,4,1\n5,6,\n7,8,1\n", {}, (["x1", "x2"], "y"),
     ["row 4", "'y'", "empty"]),
    ("not a number", "x1,x2,y\n1,2,0\n3,4,1\n5,6,0\nabc,8,1\n", {}, (["x1", "x2"], "y"),
     ["row 5", "'x1'", "'abc' is not a number"]),
    ("nan", "x1,x2,y\n1,2,0\n3,NaN,1\n5,6,0\n7,8,1\n", {}, (["x1", "x2"], "y"),
     ["row 3", "'NaN'", "NaN/inf", "finite"]),
    ("inf", "x1,x2,y\n1,2,0\n3,4,1\n-inf,6,0\n7,8,1\n", {}, (["x1", "x2"], "y"),
     ["row 4", "'-inf'", "NaN/inf"]),
    ("overflow", "x1,x2,y\n1,2,0\n3,4,1\n1e999,6,0\n7,8,1\n", {}, (["x1", "x2"], "y"),
     ["row 4", "'1e999'", "too large"]),
    ("nan label", "x1,x2,y\n1,2,a\n3,4,b\n5,6,nan\n7,8,a\n", {}, (["x1", "x2"], "y"),
     ["row 4", "'nan'", "label"]),
    ("one class", "x1,x2,y\n1,2,a\n3,4,a\n5,6,a\n7,8,a\n", {}, (["x1", "x2"], "y"),
     ["only one class", "'a'", "at least 2"]),
    ("too many classes", many_rows(30, label=lambda i: f"c{i % 12}"), {}, (["x1", "x2"], "y"),
     ["12 classes", f"at most {MAX_CLASSES}"]),
    ("text regression target", GOOD.replace("1,1,0", "1,1,zero"), {}, (["x1", "x2"], "y", "regression"),
     ["row 5", "'zero' is not a number", "classification"]),
    ("feature twice", GOOD, {}, (["x1", "x1"], "y"), ["'x1'", "chosen twice"]),
    ("feature is label", GOOD, {}, (["x1", "y"], "y"), ["'y'", "both a feature and the label"]),
    ("unknown column", GOOD, {}, (["x1", "x3"], "y"), ["no column 'x3'", "'x1', 'x2', 'y'"]),
    ("no features", GOOD, {}, ([], "y"), ["at least one feature"]),
    ("bad task", GOOD, {}, (["x1", "x2"], "y", "clustering"), ["'clustering'", "regression"]),
]


@pytest.mark.parametrize("text, options, columns, words", [c[1:] for c in MALFORMED],
                         ids=[c[0] for c in MALFORMED])
def test_malformed_csv_is_refused_with_a_useful_message(text, options, columns, words):
    with pytest.raises(TableError) as err:
        table = load_csv(text, **options)
        table.to_data(*columns)
    message = str(err.value)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
    assert isinstance(err.value, ValueError)  # callers may catch ValueError


def test_at_least_fifteen_distinct_malformed_cases():
    assert len({c[0] for c in MALFORMED}) >= 15


# ------------------------------------------------------------------------ valid

def test_header_and_numeric_labels():
    table = load_csv(GOOD)
    assert table.columns == ("x1", "x2", "y") and table.has_header and table.n_rows == 4
    data = table.to_data(["x1", "x2"], "y")
    assert data.task == "classification" and data.n_classes == 2
    np.testing.assert_array_equal(data.X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert data.y.tolist() == [0, 1, 1, 0] and data.y.dtype == np.int64
    assert data.feature_names == ("x1", "x2") and data.class_names == ("0", "1")


def test_no_header_gets_generated_names():
    table = load_csv("1.5,2,0\n3,4,1\n5,6,0\n7,8.25,1\n")
    assert not table.has_header and table.columns == ("col1", "col2", "col3")
    data = table.to_data(["col1", "col2"], "col3")
    np.testing.assert_array_equal(data.X[:, 0], [1.5, 3, 5, 7])
    assert data.X[3, 1] == 8.25


def test_header_override():
    table = load_csv("1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,9,0\n", header=True)
    assert table.columns == ("1", "2", "0") and table.n_rows == 4


def test_semicolons_and_decimal_commas():
    table = load_csv("a;b;label\n1,5;2;x\n3;4,25;y\n5;6;x\n7;8;y\n")
    assert table.delimiter == ";" and table.columns == ("a", "b", "label")
    data = table.to_data(["a", "b"], "label")
    np.testing.assert_array_equal(data.X[:2], [[1.5, 2], [3, 4.25]])


def test_tab_bom_crlf_quotes_and_whitespace():
    raw = "\ufeff x1 \t\"x 2\"\t class \r\n 1 \t 2 \t cat \r\n3\t4\tdog\r\n5\t6\tcat\r\n7\t8\tdog\r\n\r\n"
    table = load_csv(raw.encode("utf-8"))
    assert table.delimiter == "\t" and table.columns == ("x1", "x 2", "class")
    data = table.to_data(["x 2", "x1"], "class")
    np.testing.assert_array_equal(data.X[0], [2, 1])
    assert data.class_names == ("cat", "dog") and data.y.tolist() == [0, 1, 0, 1]


def test_string_labels_are_sorted_and_numbers_sort_numerically():
    data = load_csv("x,s\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n").to_data(["x"], "s")
    assert data.class_names == ("setosa", "versicolor", "virginica")
    assert data.y.tolist() == [2, 0, 1, 0]
    data = load_csv("x,k\n1,10\n2,2\n3,10.0\n4,2\n").to_data(["x"], "k")
    assert data.class_names == ("2", "10") and data.y.tolist() == [1, 0, 1, 0]


def test_auto_task():
    reg = load_csv("x,t\n1,0.5\n2,1.5\n3,2.25\n4,3\n")
    assert reg.guess_task("t") == "regression"
    assert reg.to_data(["x"], "t").y.dtype == np.float64
    many_ints = load_csv(many_rows(20, label=lambda i: i))  # 20 distinct whole numbers
    assert many_ints.to_data(["x1"], "y").task == "regression"
    forced = load_csv(GOOD).to_data(["x1", "x2"], "y", task="regression")
    assert forced.task == "regression" and forced.y.tolist() == [0.0, 1.0, 1.0, 0.0]


def test_row_numbers_count_blank_lines_like_a_spreadsheet():
    text = "x1,x2,y\n1,2,0\n\n3,4,1\n5,6,0\n7,oops,1\n"
    with pytest.raises(TableError, match="row 6, column 'x2'"):
        load_csv(text).to_data(["x1", "x2"], "y")


def test_unused_columns_may_hold_anything():
    table = load_csv("x1,note,y\n1,,0\n2,hi,1\n3,,0\n4,x,1\n")
    assert table.numeric_columns() == ("x1", "y")
    assert table.default_columns() == (("x1",), "y")
    assert len(table.to_data(["x1"], "y")) == 4


def test_name_is_kept():
    data = load_csv(GOOD, name="my.csv").to_data(["x1"], "y")
    assert data.name == "my.csv" and "my.csv" in repr(load_csv(GOOD, name="my.csv"))


@pytest.mark.parametrize("name", ["circle", "reg-gauss", "iris", "diabetes"])
def test_to_csv_round_trip(name):
    data = generate(name, noise=20, rng=np.random.default_rng(0), n=120)
    text = to_csv(data)
    assert text.splitlines()[0] == ",".join(data.feature_names) + ",label"
    back = load_csv(text).to_data(list(data.feature_names), "label", task=data.task)
    np.testing.assert_array_equal(back.X, data.X)
    np.testing.assert_array_equal(back.y, data.y)
    assert isinstance(load_csv(text), Table)


# ------------------------------------------------------------- hostile files (one bad file, a message)

@pytest.mark.timeout(30)
def test_a_field_over_the_csv_limit_names_row_field_and_limit():
    # Python's csv module refuses fields over 131,072 characters; that was an uncaught csv.Error
    # (raised while guessing the delimiter), an error box instead of a message.
    huge = "x" * 140_000
    for text in (f"a,b,y\n{huge},1,0\n1,2,1\n3,4,0\n5,6,1\n",     # among the lines used to guess the delimiter
                 "a,b,y\n" + "1,2,0\n" * 30 + f"1,{huge},1\n"):  # further down
        with pytest.raises(TableError) as err:
            load_csv(text)
        message = str(err.value)
        assert "too long" in message and "131,072 characters" in message, message
    assert "row 32, field 2 (140,000 characters)" in message, message
    with pytest.raises(TableError, match=r"row 2, field 1 \(140,000 characters\)"):
        load_csv(f"a,b,y\n{huge},1,0\n1,2,1\n3,4,0\n5,6,1\n")


def test_a_header_only_file_has_0_data_rows():
    for text in ("x1,x2,label\n", "x1;x2;label\r\n\r\n"):
        with pytest.raises(TableError) as err:
            load_csv(text)
        assert "0 data rows" in str(err.value) and f"at least {MIN_ROWS}" in str(err.value), str(err.value)
    with pytest.raises(TableError, match="1 data row;"):  # one row of numbers is a data row
        load_csv("1,2,3\n")


@pytest.mark.parametrize("cell", ["1e308", "-1.7976931348623157e308", "1e31", "-5e200"])
def test_values_too_large_to_square_and_sum_name_the_cell_and_the_range(cell):
    # Near 1e308, standardising overflowed to NaN: Quick train raised a TypeError and the Playground's
    # grid 'domain needs finite bounds'. Now such a column is not a usable number column at all.
    text = "big,small,y\n" + "".join(f"{cell if i == 2 else i},{i},{i % 2}\n" for i in range(8))
    table = load_csv(text)
    assert table.numeric_columns() == ("small", "y")
    message = table.problem("big")
    assert message.startswith(f"row 4, column 'big': '{cell}' is too large") and "-1e+30 and 1e+30" in message
    with pytest.raises(TableError, match="row 4, column 'big'.*between -1e\\+30 and 1e\\+30"):
        table.to_data(["big", "small"], "y")
    with pytest.raises(TableError, match="row 4, column 'big'.*too large.*regression target"):
        table.to_data(["small"], "big", task="regression")
    assert np.isfinite(table.to_data(["small"], "y").X).all()


def test_largest_allowed_values_standardise_to_finite_numbers():
    from playground.run.realdata import standardized
    text = "a,b,y\n" + "".join(f"{MAX_ABS_VALUE * (-1) ** i:g},{-MAX_ABS_VALUE * (i % 3) / 2:g},{i % 2}\n"
                                for i in range(10_000))
    data = load_csv(text).to_data(["a", "b"], "y")
    z = standardized(data)
    assert np.isfinite(z.X).all() and np.allclose(z.X[:, 0] ** 2, 1) and np.allclose(z.X.std(axis=0), 1)


def test_text_in_a_number_column_names_the_row_column_and_text():
    table = load_csv("a,b,y\n1,2,0\n2,3,1\n3,4,0\nhello,5,1\n6,7,0\n")
    assert table.numeric_columns() == ("b", "y")
    assert table.problem("a") == ("row 5, column 'a': 'hello' is not a number "
                                  "(write numbers like 3.5, -2 or 1e-3)")
    assert table.problem("b") is None
    long_text = "z" * 500
    table = load_csv(f"a,y\n1,0\n{long_text},1\n3,0\n4,1\n")
    assert table.problem("a").startswith(f"row 3, column 'a': '{'z' * 40}…' is not a number")


@pytest.mark.timeout(60)
def test_fast_column_parsing_agrees_with_the_cell_by_cell_rules():
    # Table.values is read a column at a time by NumPy; what counts as a number must not change.
    rng = np.random.default_rng(3)
    pool = ["1", "-2.5", "+.5", "3.", "1e5", "1E-3", "1_000", "0x10", "nan", "-inf", "Infinity", "1e999",
            "3,5", " ", "abc", "١٢", "1e30", "1.0000001e30", "-1e30", "--1", "1e", ".", "", "½", "7"]
    for _ in range(200):
        delim = rng.choice([",", ";"])
        cells = [[str(rng.choice(pool)).strip() for _ in range(3)] for _ in range(6)]
        quote = (lambda c: f'"{c}"') if delim == "," else (lambda c: c)
        text = "a" + delim + "b" + delim + "c\n" + "".join(delim.join(map(quote, r)) + "\n" for r in cells)
        table = load_csv(text, delimiter=delim, header=True)
        for i, row in enumerate(table.rows):
            for j, cell in enumerate(row):
                v = _parse_number(cell, delim != ",")
                usable = v is not None and np.isfinite(v) and abs(v) <= MAX_ABS_VALUE
                got = table.values[i, j]
                assert (usable and got == v) or (not usable and np.isnan(got)), (cell, delim, got)


# --------------------------------------------------------------------- exports: no formulas (CSV injection)

def test_exported_text_cells_cannot_start_a_formula_but_negative_numbers_stay_numbers():
    hostile = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]
    text = "".join(f'"{h.replace(chr(34), chr(34) * 2)}",' for h in hostile) + "label\n"
    text += "".join(",".join(f"{-(i + 1) * (j + 1) / 4}" for j in range(len(hostile))) + f",{i % 2}\n"
                    for i in range(6))
    table = load_csv(text)
    assert table.columns[:len(hostile)] == tuple(h.strip() for h in hostile)
    data = table.to_data(list(table.columns[:len(hostile)]), "label")
    exported = to_csv(data)
    header, first = exported.splitlines()[:2]
    import csv as csv_module
    names = next(csv_module.reader([header]))
    assert all(n.startswith("'") for n in names[:len(hostile)]), names
    assert [n[1:] for n in names[:len(hostile)]] == [h.strip() for h in hostile]
    assert first.split(",")[0] == "-0.25"  # a negative number is written as a number, not as text
    assert csv_text("-0.25") == "'-0.25" and csv_text("x-1") == "x-1" and csv_text("") == ""
    back = load_csv(exported).to_data(names[:len(hostile)], names[-1])
    np.testing.assert_array_equal(back.X, data.X)  # the numbers round-trip exactly


def test_history_csv_has_only_fixed_names_and_numbers():
    from playground.run.config import Config
    from playground.run.modelio import history_csv
    from playground.run.trainer import Trainer
    t = Trainer(Config(dataset="reg-plane", loss="mse", hidden=(2,), lr=0.001))
    t.run(epochs=3)
    lines = history_csv(t).splitlines()
    assert lines[0] == "epoch,train_loss,test_loss,train_metric,test_metric"
    for line in lines[1:]:
        for cell in line.split(","):
            assert cell == "" or np.isfinite(float(cell))  # numbers (a negative R² too), never text
