"""Classroom links: hide/lock/present parse and round-trip; tampering falls back safely."""
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.teach.classroom import CONTROLS, ClassroomView, parse, to_query


def test_parse_and_round_trip():
    view, w = parse({"hide": "noise,features", "lock": "lr,noise", "present": "1"})
    assert w == [] and view.hidden == {"noise", "features"} and view.locked == {"lr"} and view.present
    assert not view.visible("noise") and view.visible("lr") and not view.editable("lr") and view.editable("batch")
    q = to_query(view)
    assert q == "hide=noise,features&lock=lr&present=1"
    from urllib.parse import parse_qsl

    assert parse(dict(parse_qsl(q))) == (view, [])


def test_tampered_links_fall_back_with_a_note():
    view, w = parse({"hide": "noise,<script>alert(1)</script>,everything", "present": "yes please"})
    assert view.hidden == {"noise"} and not view.present
    assert any("unknown control" in x and "<script>" in x for x in w) and any("present" in x for x in w)
    assert parse({}) == (ClassroomView(), [])
    assert to_query(ClassroomView()) == ""


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["hide", "lock", "present", "x"]), st.text(max_size=2000)))
def test_parse_never_raises(params):
    view, warnings = parse(params)
    assert view.hidden <= set(CONTROLS) and view.locked <= set(CONTROLS) and not (view.hidden & view.locked)
