"""The room page (pages/room.py) and a student's Playground in a room, as AppTest sessions, on SQLite
and on PostgreSQL (PLAYGROUND_DATABASE_URL pointing at the throwaway cluster of conftest ``pg_url``)."""
from __future__ import annotations

import pytest
from apptest_util import assert_no_exception, button, open_page

from playground.teach import rooms
from playground.viz import roomviews

pytestmark = pytest.mark.timeout(300)
ROOM = "pages/room.py"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, monkeypatch, tmp_path):
    monkeypatch.delenv(rooms.DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(rooms.DATA_DIR_ENV, str(tmp_path))
    if request.param == "postgresql":
        monkeypatch.setenv(rooms.DATABASE_URL_ENV, request.getfixturevalue("pg_url"))
    return rooms.open_store()


def texts(at) -> str:
    """Every text on the page, with escape_markdown's backslashes taken out (what a reader sees)."""
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
                     + [s.value for s in at.subheader] + [t.value for t in at.title] + [i.value for i in at.info]
                     + [w.value for w in at.warning]
                     ).replace("\\", "").replace("\u200b", "")


def join(code: str, nickname: str, setup: dict | None = None):
    """A student opens the student link (with ``setup``'s settings, if any), types a nickname and joins: their
    Playground opens.

    (AppTest keeps running the page it was told to, whatever page a script switched to, as a browser
    would not: so the test follows each switch with ``at.switch_page``.)"""
    at = open_page("pages/play.py", {"room": code, **(setup or {})})
    assert [t.value for t in at.title] == ["Room"]  # sent to the room page to choose a nickname first
    assert at.text_input(key="room.code").value == code
    at.switch_page(ROOM)
    at.text_input(key="room.nick").input(nickname)
    button(at, "Join").click().run()
    assert_no_exception(at)
    at.switch_page("pages/play.py")
    return at


def test_a_teacher_opens_a_room_and_the_key_leaves_the_address_bar(store):
    at = open_page(ROOM)
    button(at, "Open a room").click().run()
    assert_no_exception(at)
    code = at.title[0].value.removeprefix("Room ")
    key = at.session_state["room.key"]
    assert store.room_for_key(key).code == code
    assert f"/play?room={code}" in at.code[0].value
    assert not any(key in c.value for c in at.code)  # shown only when the teacher asks for it
    at.toggle(key="room.show_key").set_value(True).run()
    assert any(f"/room?key={key}" in c.value for c in at.code)

    again = open_page(ROOM, {"key": key})  # the teacher link on another device
    assert again.title[0].value == f"Room {code}" and "key" not in again.query_params
    button(again, "Rotate the key").click().run()
    assert store.room_for_key(key) is None and store.room_for_key(again.session_state["room.key"]).code == code
    stale = open_page(ROOM, {"key": key})
    assert "does not open a room" in texts(stale) and "key" not in stale.query_params


def test_students_join_report_receive_pushes_and_answer_the_projector(store):
    room, key = store.create_room()
    ada = join(room.code, "Ada")
    assert ada.session_state["pg.session"] is not None  # on the Playground now
    assert f"Room {room.code} as Ada" in texts(ada)
    [row] = store.students(key)
    status = roomviews.parse_status(row.status)
    assert row.nickname == "Ada" and status["epoch"] == 0 and status["dataset"] == "circle"

    bad = open_page(ROOM, {"join": room.code})
    bad.text_input(key="room.nick").input("<b>Ada</b>")
    button(bad, "Join").click().run()
    assert "are not allowed" in texts(bad) and len(store.students(key)) == 1

    # The teacher pushes a setup: the student's page (paused) picks it up at its next poll.
    teacher = open_page(ROOM, {"key": key})
    teacher.text_input(key="room.link").input("http://school:8501/play?dataset=xor&hidden=3&lr=0.1")
    button(teacher, "Send to every student").click().run()
    assert_no_exception(teacher)
    ada.run()
    cfg = ada.session_state["pg.session"].cfg
    assert (cfg.dataset, cfg.hidden, cfg.lr) == ("xor", (3,), 0.1)
    assert ada.query_params["dataset"] == "xor"

    # The grid shows her; a challenge and its leaderboard; a bad goal gets a clear message.
    teacher.run()
    assert "**Ada**" in texts(teacher)
    teacher.text_input(key="room.goal").input("test loss < 0.1 with lots of neurons")
    button(teacher, "Set the challenge").click().run()
    assert "'lots of neurons' is not a goal part" in texts(teacher)
    teacher.text_input(key="room.goal").input("Test loss < 5 with at most 4 neurons")
    button(teacher, "Set the challenge").click().run()
    assert store.room(room.code).challenge == "test loss < 5 with at most 4 neurons"
    ada.run()  # her status now meets the goal (an untrained xor net's loss is under 5)
    teacher.run()
    assert "1. **Ada** — reached by epoch 0" in texts(teacher)

    # The projector: the student's page sends its model; the teacher's page draws her run.
    button(teacher, "Project").click().run()
    assert "Ada's Playground is sending its run" in texts(teacher)
    ada.run()
    teacher.run()
    assert "Ada's run at epoch 0" in texts(teacher)
    assert_no_exception(teacher)


def test_the_setup_in_a_student_link_survives_the_nickname_step_unless_the_teacher_pushed_one(store):
    room, key = store.create_room()
    ada = join(room.code, "Ada", {"dataset": "xor", "hidden": "4", "lr": "0.1"})
    cfg = ada.session_state["pg.session"].cfg
    assert (cfg.dataset, cfg.hidden, cfg.lr) == ("xor", (4,), 0.1)  # it was the default circle, (4, 2), 0.03
    assert ada.query_params["dataset"] == "xor" and "room" not in ada.query_params
    [row] = store.students(key)
    assert roomviews.parse_status(row.status)["dataset"] == "xor"

    store.push(key, "dataset=spiral&hidden=8,8")  # the teacher's setup comes first once there is one
    bo = join(room.code, "Bo", {"dataset": "xor", "hidden": "4"})
    cfg = bo.session_state["pg.session"].cfg
    assert (cfg.dataset, cfg.hidden) == ("spiral", (8, 8))

    long = open_page(ROOM, {"join": room.code, "dataset": "xor" * 2000})  # too long for a setup: said, left out
    assert "The link's setup was left out: a setup link has at most 4,000 characters" in texts(long)


def test_a_pushed_lesson_shows_its_task_on_the_students_playground(store):
    from playground.teach.lessons import LESSONS

    room, key = store.create_room()
    ada = join(room.code, "Ada")
    teacher = open_page(ROOM, {"key": key})
    lesson = next(ls for ls in LESSONS.values() if ls.page == "play")
    teacher.selectbox(key="room.lesson").set_value(lesson.id)
    button(teacher, "Send the lesson").click().run()
    ada.run()
    assert f"Lesson from your teacher: {lesson.title}" in texts(ada)


def test_a_wrong_code_or_a_full_room_is_explained(store):
    at = open_page(ROOM, {"join": "QQQQQ"})
    at.text_input(key="room.nick").input("Ada")
    button(at, "Join").click().run()
    assert "there is no open room QQQQQ" in texts(at)
