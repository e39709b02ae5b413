"""Teacher tools (the Playground's Classroom-link builder, the Lessons page's class links and teacher's notes)
are hidden from students: who is a teacher follows ``classroom.teacher_tools`` (AppTest, no browser)."""
import re

import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import open_page

from playground.base import capacity
from playground.teach.classroom import teacher_tools
from playground.teach.lessons import LESSONS

KEY = "s3cret-key"


def _labels(at: AppTest, kind: str) -> list[str]:
    """Labels of the popovers or expanders on the page, in order."""
    found, stack = [], [at._tree]
    while stack:
        node = stack.pop(0)
        if getattr(node, "type", None) == kind:
            found.append(getattr(node, "label", None) or getattr(getattr(node.proto, kind, None), "label", ""))
        stack[:0] = list(getattr(node, "children", {}).values())
    return found


def _sees_teacher_tools(at: AppTest, page: str) -> bool:
    if page == "play":
        return "Classroom link" in _labels(at, "popover")
    notes = _labels(at, "expander").count("Teacher's notes: one solution")
    links = _labels(at, "popover").count("Class link")
    assert notes == links and notes in (0, len(LESSONS)), (notes, links)  # all cards alike
    return notes == len(LESSONS)


def test_the_rule():
    # (teacher key given, key set on the server, opened from a classroom link) -> shown
    assert teacher_tools(True, True, False) and teacher_tools(True, True, True)
    assert not teacher_tools(False, True, False) and not teacher_tools(False, True, True)
    assert teacher_tools(False, False, False)  # own laptop, no key: a self-learner sees the notes
    assert not teacher_tools(False, False, True)  # a student's classroom link, even without a key


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", ["play", "lessons"])
def test_without_a_teacher_key_everyone_sees_them_and_reads_how_to_hide_them(page, monkeypatch):
    monkeypatch.delenv(capacity.TEACHER_KEY_ENV, raising=False)
    at = open_page(f"pages/{page}.py", timeout=120)
    assert _sees_teacher_tools(at, page)
    note = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption  # as it reads: escapes dropped
            if c.value.startswith("No teacher key is set on this server")]
    assert len(note) == 1 and capacity.TEACHER_KEY_ENV in note[0] and "?teacher=" in note[0], note


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", ["play", "lessons"])
def test_with_a_teacher_key_students_do_not_see_them_and_the_teacher_does(page, monkeypatch):
    monkeypatch.setenv(capacity.TEACHER_KEY_ENV, KEY)
    student = open_page(f"pages/{page}.py", timeout=120)
    assert not _sees_teacher_tools(student, page)
    wrong = open_page(f"pages/{page}.py", {"teacher": "guess"}, timeout=120)
    assert not _sees_teacher_tools(wrong, page)
    teacher = open_page(f"pages/{page}.py", {"teacher": KEY}, timeout=120)
    assert _sees_teacher_tools(teacher, page)
    assert "teacher" not in teacher.query_params  # the key leaves the address bar at once
    assert not any(c.value.startswith("No teacher key") for c in teacher.caption)
    if page == "play":  # the links the teacher builds never carry the key
        codes = " ".join(c.value for c in teacher.code)
        assert "/play?" in codes and KEY not in codes and "teacher=" not in codes


@pytest.mark.timeout(600)
def test_a_classroom_link_is_a_student_view_even_without_a_key(monkeypatch):
    monkeypatch.delenv(capacity.TEACHER_KEY_ENV, raising=False)
    at = open_page("pages/play.py", {"dataset": "xor", "lock": "lr"}, timeout=120)
    assert not _sees_teacher_tools(at, "play")
    at.switch_page("pages/lessons.py").run()  # the rest of this browser session too
    assert not at.exception
    assert not _sees_teacher_tools(at, "lessons")


@pytest.mark.timeout(600)
def test_the_builder_says_locks_are_not_security(monkeypatch):
    monkeypatch.delenv(capacity.TEACHER_KEY_ENV, raising=False)
    at = open_page("pages/play.py", timeout=120)
    said = [c.value for c in at.caption if "not security" in c.value]
    assert len(said) == 1 and "plain link" in said[0], said
