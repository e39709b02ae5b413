"""Drawn points: editing and the compact link encoding (round trip, garbage never raises)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.data import drawn
from playground.data.datasets import generate


def test_add_remove_and_round_trip_classification():
    d = drawn.empty(n_classes=3)
    for x, y, c in [(1, 1, 0), (-2, 3, 1), (4.004, -5.5, 2), (9, 9, 1)]:
        d, msg = drawn.add_point(d, x, y, c)
        assert msg == ""
    assert len(d) == 4 and d.X[3].tolist() == [6.0, 6.0]  # clipped to the plane
    d, removed = drawn.remove_near(d, -2.1, 3.1)
    assert removed and len(d) == 3
    d2, removed = drawn.remove_near(d, 0, -3)
    assert not removed and len(d2) == 3
    back, msg = drawn.decode(drawn.encode(d))
    assert msg == "" and back.n_classes == 3 and back.y.tolist() == d.y.tolist()
    assert np.allclose(back.X, np.round(d.X, 2))


def test_regression_round_trip_and_bad_class():
    d = drawn.empty("regression")
    d, _ = drawn.add_point(d, 0.5, 0.25, 0.731)
    back, msg = drawn.decode(drawn.encode(d))
    assert msg == "" and back.task == "regression" and back.y[0] == pytest.approx(0.731)
    c = drawn.empty(n_classes=2)
    c2, msg = drawn.add_point(c, 0, 0, 4)
    assert len(c2) == 0 and "class must be 0–1" in msg


def test_link_size_cap():
    data = drawn.from_data(generate("circle", 0, np.random.default_rng(0)), limit=500)
    assert drawn.encode(data) is None
    small = drawn.from_data(generate("xor", 0, np.random.default_rng(0)), limit=200)
    text = drawn.encode(small)
    assert len(text) < 1700
    back, msg = drawn.decode(text)
    assert msg == "" and len(back) == 200


@pytest.mark.parametrize("text", ["", "!!!", "AQ", "AXg", "AWMCAAAA" * 400, "AWMJ" + "A" * 8, "Zm9v"])
def test_garbage_is_reported(text):
    data, msg = drawn.decode(text)
    assert data is None and msg


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_decode_never_raises(text):
    data, msg = drawn.decode(text)
    assert (data is None) == bool(msg)
