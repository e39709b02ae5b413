"""The Lessons and Race pages under the entry script's navigation (AppTest: no browser, no ticking)."""
import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import open_page

from playground.run.config import from_query
from playground.teach.lessons import LESSONS
from playground.run.session import PlaygroundSession


def _open(page: str, query: dict | None = None) -> AppTest:
    return open_page(page, query, timeout=90)


def _button(at: AppTest, key: str = None, label: str = None):
    for b in at.button:
        if (key and b.key == key) or (label and b.label == label):
            return b
    raise AssertionError(f"no button {key or label!r}; have {[(b.label, b.key) for b in at.button]}")


# ----- Lessons -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lessons_page() -> AppTest:
    return _open("pages/lessons.py")


def test_every_lesson_card_is_present(lessons_page):
    titles = [s.value for s in lessons_page.subheader]
    assert titles == [lesson.title for lesson in LESSONS.values()]  # no badge: nothing done yet
    for lesson in LESSONS.values():
        _button(lessons_page, key=f"ls.check.{lesson.id}")
    text = " ".join(m.value for m in lessons_page.markdown)
    assert all(lesson.goal in text for lesson in LESSONS.values())


def test_check_with_a_playground_run_that_meets_the_goal_celebrates():
    at = _open("pages/lessons.py")
    lesson = LESSONS["features"]
    session = PlaygroundSession(from_query(lesson.query)[0].replace(features=("x1", "x2", "x1sq", "x2sq")))
    session.trainer.run(epochs=100)
    at.session_state["pg.session"] = session
    _button(at, key="ls.check.features").click().run()
    assert not at.exception
    success = [s.value for s in at.success]
    assert any(s.startswith("Goal reached!") and "Test accuracy" in s for s in success), success
    assert any(lesson.explanation in i.value for i in at.info)
    assert "features" in at.session_state["ls.done"]
    assert "1 of 12 lessons done" in at.get("progress")[0].proto.text
    assert any(s.value == f"{lesson.title} :green-badge[:material/check_circle: Done]" for s in at.subheader)


def test_check_without_or_with_a_missing_goal_says_what_is_missing():
    at = _open("pages/lessons.py")
    _button(at, key="ls.check.xor-hidden").click().run()
    assert any("No Playground run yet" in w.value for w in at.warning)
    at.session_state["pg.session"] = PlaygroundSession(from_query(LESSONS["xor-hidden"].query)[0])
    _button(at, key="ls.check.xor-hidden").click().run()
    assert any("Trained 0 epochs" in w.value for w in at.warning)
    assert not at.success


def test_quiz_answer_is_checked():
    at = _open("pages/lessons.py")
    at.radio(key="ls.quiz.neuron").set_value("2").run()
    _button(at, key="ls.check.neuron").click().run()
    assert any("computes AND" in w.value for w in at.warning)
    at.radio(key="ls.quiz.neuron").set_value("1").run()
    _button(at, key="ls.check.neuron").click().run()
    assert any(s.value.startswith("Goal reached!") for s in at.success)


def test_a_lesson_link_puts_that_lesson_first():
    at = _open("pages/lessons.py", {"lesson": "softmax"})
    assert at.subheader[0].value.startswith(LESSONS["softmax"].title + " :blue-badge[")
    assert len(at.subheader) == len(LESSONS)


# ----- Race --------------------------------------------------------------------------------------
def test_race_step_advances_every_racer_one_epoch():
    at = _open("pages/race.py", {"race": "learning-rates"})
    race = at.session_state["race.race"]
    assert len(race.trainers) == 3 and race.epoch == 0
    _button(at, label="Step").click().run()
    assert not at.exception
    race = at.session_state["race.race"]
    assert [t.epoch for t in race.trainers] == [1, 1, 1] and race.epoch == 1
    table = at.dataframe[0].value
    assert list(table["Epochs"]) == [1, 1, 1]
    assert at.query_params["race"] == "learning-rates"  # the link stays the share link


def test_race_page_reports_a_garbage_link():
    at = _open("pages/race.py", {"race": "lr:banana|dataset:xor|nonsense", "race_target": "??"})
    warnings = " ".join(w.value for w in at.warning)
    assert "lr must be a number" in warnings and "race\\_target" in warnings  # Markdown-escaped
    assert len(at.session_state["race.race"].trainers) == 3


def test_race_page_custom_racers():
    at = _open("pages/race.py", {"race": "optimizers"})
    at.selectbox(key="race.preset").set_value("custom").run()
    assert not at.exception
    assert at.session_state["race.setup"].preset == ""
    assert "race=base|optimizer:adam&" in at.session_state["race.setup"].to_query()
    at.number_input(key="race.n").set_value(3).run()
    assert not at.exception
    race = at.session_state["race.race"]
    assert [c.optimizer for c in race.configs] == ["sgd", "adam", "adam"]
    assert at.query_params["race"] == "base|optimizer:adam|optimizer:adam"
    at.selectbox(key="race.dataset").set_value("xor").run()  # shared setting: the racers keep their optimizers
    race = at.session_state["race.race"]
    assert [c.optimizer for c in race.configs] == ["sgd", "adam", "adam"] and race.configs[0].dataset == "xor"
