"""What every live page shares (ui.train_after_drawing, ui.claim_training, ui.server_session), under AppTest.

Each live page (Playground, Race, Digits, Gradients) pauses with the same notice when its tab goes to
the background; AppTest plays the browser's part by setting the watching chart's state to
``{"hidden": True}``, which is what the chart reports from a real browser (test_race_browser.py
checks one page there). A full class server refuses a student's Play and Step with a message naming
the limit (of students, or of the memory their networks hold), and the rest of the page keeps working; a teacher's key opens a reserved slot and is never
shown back.
"""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import assert_no_exception as _ok
from apptest_util import button as _button
from playground.base import capacity
from playground.base.capacity import Registry
from playground.run.session import HIDDEN_NOTICE
from playground.base.text import escape_markdown

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240  # seconds per script run: the machine is shared

# page -> (its owner in session state, the chart that watches the tab, the Play and Step buttons' keys or labels)
PAGES = {
    "pages/play.py": ("pg.session", "pg_loss"),
    "pages/race.py": ("race.race", "race_loss"),
    "pages/digits.py": ("digits_session", "digits-loss"),
    "pages/gradients.py": ("gr.session", "gr_norms"),
    "pages/warp.py": ("wp.session", "wp_warp"),  # opened on its own: a run of its own
}


def _open(page: str, query: dict | None = None, first_run=None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.run()
    if first_run:
        first_run(at)
    at.switch_page(page).run()
    _ok(at)
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in (at.info, at.warning, at.markdown, at.caption, at.error, at.success)
                     for e in kind)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_live_page_pauses_in_a_hidden_tab(page):
    owner_key, chart = PAGES[page]
    at = _open(page, {"dataset": "xor"} if page == "pages/play.py" else None)
    _button(at, "Play").click().run()
    _ok(at)
    owner = at.session_state[owner_key]
    assert owner.playing and capacity.REGISTRY.stats()["training"] == 1
    frames = sum(capacity.REGISTRY.stats()["frames"].values())
    at.session_state[chart] = {"hidden": True}  # what the chart reports when the tab goes to the background
    at.run()
    _ok(at)
    owner = at.session_state[owner_key]
    assert not owner.playing and owner.notice == HIDDEN_NOTICE
    assert any(escape_markdown(HIDDEN_NOTICE) in i.value for i in at.info)
    assert sum(capacity.REGISTRY.stats()["frames"].values()) > frames  # the frames drawn are counted


def test_a_full_server_refuses_training_but_not_the_page(monkeypatch):
    reg = Registry(max_training=1, teacher_slots=1)
    monkeypatch.setattr(capacity, "REGISTRY", reg)
    assert reg.admit("another student") == ""
    at = _open("pages/race.py", {"race": "learning-rates"})
    _button(at, "Play").click().run()
    _ok(at)
    race = at.session_state["race.race"]
    assert not race.playing and race.epoch == 0
    full = capacity.full_message(1)
    assert any(escape_markdown(full) in i.value for i in at.info)
    assert "1 student is already training" in full and "12 students are" in capacity.full_message(12)
    assert "Try Play again in a minute" in full and "teacher" in full
    _button(at, "Step").click().run()  # Step trains too: refused the same way
    _ok(at)
    assert at.session_state["race.race"].epoch == 0
    at.toggle(key="race.log_y").set_value(False).run()  # what does not train still works
    _ok(at)
    assert at.session_state["race.log_y"] is False and len(at.dataframe) >= 1
    reg.release("another student")  # a slot came free: Play now trains, and the refusal is gone
    _button(at, "Play").click().run()
    _ok(at)
    assert at.session_state["race.race"].playing and not any(escape_markdown(full) in i.value for i in at.info)
    assert reg.stats()["training"] == 1


def test_a_setup_that_does_not_fit_in_the_training_memory_is_refused_and_one_that_grows_is_paused(monkeypatch):
    MB = 2**20
    reg = Registry(max_training=30, teacher_slots=0, memory_mb=4)
    monkeypatch.setattr(capacity, "REGISTRY", reg)
    assert reg.admit("another student", nbytes=2 * MB) == ""
    heavy = {"dataset": "spiral", "hidden": "32,32,32", "points": "4000", "batch": "100"}  # ~4 MB of buffers
    at = _open("pages/play.py", heavy)
    _button(at, "Play").click().run()
    _ok(at)
    s = at.session_state["pg.session"]
    assert not s.playing and s.trainer.epoch == 0 and capacity.is_full_message(s.notice)
    assert "hold 2.0 MB of the 4 MB" in s.notice and any(escape_markdown(s.notice) in i.value for i in at.info)
    light = _open("pages/play.py", {"dataset": "xor"})  # the default network: tens of KB, fits
    _button(light, "Play").click().run()
    _ok(light)
    s = light.session_state["pg.session"]
    assert s.playing and not s.notice and reg.stats()["training"] == 2
    s.apply({"hidden": (32, 32, 32), "points": 4000})  # grows while playing (as a control would): weighed again
    light.run()
    _ok(light)
    s = light.session_state["pg.session"]
    assert not s.playing and capacity.is_full_message(s.notice) and reg.stats()["training"] == 1


def test_the_teacher_key_opens_the_reserved_slot_and_is_never_shown(monkeypatch):
    secret = "teach-42-xyz"
    monkeypatch.setenv(capacity.TEACHER_KEY_ENV, secret)
    reg = Registry(max_training=0, teacher_slots=1)  # no student slot left
    monkeypatch.setattr(capacity, "REGISTRY", reg)
    def refused_key(at):
        assert any("not this server's" in w.value for w in at.warning)
        assert "wr0ng-k3y" not in _texts(at)

    student = _open("pages/play.py", {"dataset": "xor", capacity.TEACHER_PARAM: "wr0ng-k3y"}, refused_key)
    _button(student, "Play").click().run()
    assert not student.session_state["pg.session"].playing
    assert "wr0ng-k3y" not in _texts(student) and capacity.TEACHER_PARAM not in student.query_params
    teacher = _open("pages/play.py", {"dataset": "xor", capacity.TEACHER_PARAM: secret})
    _button(teacher, "Play").click().run()
    _ok(teacher)
    assert teacher.session_state["pg.session"].playing and reg.stats()["training"] == 1
    assert capacity.TEACHER_PARAM not in teacher.query_params  # gone from the address bar at once
    assert secret not in _texts(teacher) and not any("not this server's" in w.value for w in teacher.warning)
    assert all(secret not in str(v) for v in teacher.query_params.values())
