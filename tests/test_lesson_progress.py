"""Lesson progress lives in the browser (localStorage): what the Lessons page reads back from it (untrusted) and
what it writes (AppTest stands in for the browser; the real round trip is tests/test_lesson_progress_browser.py)."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import open_page

from playground.run.config import from_query
from playground.run.session import PlaygroundSession
from playground.teach import progress
from playground.teach.lessons import LESSONS
from playground.teach.progress import Progress

STORE_KEY = "ls_progress"  # the page's browser_store element


# ----- the stored value --------------------------------------------------------------------------------------
def test_parse_keeps_only_lesson_ids_and_round_trips():
    ids = list(LESSONS)
    p = progress.parse({"v": 1, "done": [ids[3], ids[0], ids[3], "nope", None, 3, ["x"]], "current": ids[5]})
    assert p == Progress(frozenset({ids[0], ids[3]}), ids[5])
    assert progress.to_json(p) == {"v": 1, "done": [ids[0], ids[3]], "current": ids[5]}  # curriculum order
    assert progress.parse(json.loads(json.dumps(progress.to_json(p)))) == p


@pytest.mark.parametrize("raw", [
    None, "", "junk", 7, [], ["features"], {"done": ["features"]},  # no version
    {"v": 2, "done": ["features"]}, {"v": 1, "done": "features"}, {"v": 1, "done": {"features": 1}},
    {"v": 1, "done": [{"id": "features"}], "current": ["features"]}, {"v": 1, "current": "__proto__"},
    {"v": "1", "done": ["features"]}, {"v": 1, "done": ["FEATURES", "features "]},
])
def test_anything_else_is_no_progress(raw):
    assert progress.parse(raw) == Progress()


def test_a_huge_list_is_read_only_up_to_the_cap():
    ids = list(LESSONS)
    p = progress.parse({"v": 1, "done": ["x"] * 1_000_000 + ids})
    assert p.done == frozenset()  # only the first MAX_ITEMS entries are looked at
    assert progress.parse({"v": 1, "done": ids * 4 + ["x"] * 1_000_000}).done == frozenset(ids)
    assert len(json.dumps(progress.to_json(Progress(frozenset(ids), ids[-1])))) < progress.MAX_CHARS


def test_merge_keeps_everything_done_and_the_sessions_current_lesson():
    a, b = Progress(frozenset({"features"}), "softmax"), Progress(frozenset({"neuron"}), "features")
    assert progress.merge(a, b) == Progress(frozenset({"features", "neuron"}), "softmax")
    assert progress.merge(Progress(), b) == b


# ----- the Lessons page --------------------------------------------------------------------------------------
def _written(at: AppTest):
    """What the page asks the browser to store now (None: nothing)."""
    stack, found = [at._tree], []
    while stack:
        node = stack.pop()
        if getattr(node, "type", None) == "bidi_component" and node.proto.component_name == "playground_browser_store":
            found.append(json.loads(node.proto.json))
        stack.extend(getattr(node, "children", {}).values())
    assert len(found) == 1, found
    assert found[0]["name"] == progress.STORE_NAME and found[0]["max_chars"] == progress.MAX_CHARS
    return found[0]["write"]


def _browser_reports(at: AppTest, value) -> AppTest:
    """The browser element mounted and reported what localStorage held (``value``, any JSON)."""
    at.session_state[STORE_KEY] = {"stored": {"loaded": True, "value": value}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def _current(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Your current lesson:**")]


@pytest.mark.timeout(600)
def test_progress_stored_in_the_browser_comes_back_in_a_new_session():
    at = open_page("pages/lessons.py", timeout=120)
    assert _progress_text(at) == "0 of 12 lessons done" and _current(at) == []
    assert _written(at) is None  # nothing is written before the stored value was read
    _browser_reports(at, {"v": 1, "done": ["xor-hidden", "no-such-lesson"], "current": "softmax"})
    assert _progress_text(at) == "1 of 12 lessons done"
    assert _current(at) == [f"**Your current lesson:** {LESSONS['softmax'].title}"]
    titles = {s.value for s in at.subheader}
    assert f"{LESSONS['xor-hidden'].title} :green-badge[:material/check_circle: Done]" in titles
    assert f"{LESSONS['softmax'].title} :violet-badge[:material/bookmark: Your current lesson]" in titles
    assert _written(at) is None  # it matches what the browser holds: no extra rerun to write it
    at.run()  # any later run keeps the browser up to date, without the unknown id
    assert _written(at) == {"v": 1, "done": ["xor-hidden"], "current": "softmax"}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("junk", [None, "<script>", {"v": 1, "done": ["x" * 10_000], "current": 5}])
def test_nothing_or_junk_in_the_browser_is_no_progress(junk):
    at = _browser_reports(open_page("pages/lessons.py", timeout=120), junk)
    assert _progress_text(at) == "0 of 12 lessons done" and _current(at) == []
    assert _written(at) is None
    at.run()
    assert _written(at) == {"v": 1, "done": [], "current": None}


@pytest.mark.timeout(600)
def test_a_passed_check_is_written_to_the_browser_and_cleared_on_request():
    at = _browser_reports(open_page("pages/lessons.py", timeout=120), {"v": 1, "done": ["neuron"], "current": None})
    lesson = LESSONS["features"]
    session = PlaygroundSession(from_query(lesson.query)[0].replace(features=("x1", "x2", "x1sq", "x2sq")))
    session.trainer.run(epochs=100)
    at.session_state["pg.session"] = session
    next(b for b in at.button if b.key == "ls.check.features").click().run()
    assert not at.exception
    assert _progress_text(at) == "2 of 12 lessons done"
    assert _written(at) == {"v": 1, "done": ["neuron", "features"], "current": "features"}
    next(b for b in at.button if b.label == "Clear my progress").click().run()
    assert _progress_text(at) == "0 of 12 lessons done" and _current(at) == []
    assert _written(at) == {"v": 1, "done": [], "current": None}


@pytest.mark.timeout(600)
def test_a_lesson_link_makes_it_the_current_lesson_over_the_stored_one():
    at = open_page("pages/lessons.py", {"lesson": "activations"}, timeout=120)
    _browser_reports(at, {"v": 1, "done": ["neuron"], "current": "softmax"})
    assert _current(at) == [f"**Your current lesson:** {LESSONS['activations'].title}"]
    assert _written(at) == {"v": 1, "done": ["neuron"], "current": "activations"}
