"""Lesson progress survives a reload and a restarted server in a real browser: it lives in the browser's
localStorage (ui.browser_store), not in the server's memory, so a reload that reaches another server process
finds it too. The same browser context (its storage) throughout; the server is stopped and a new one started
on the same address in between."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import REPO, chromium_fixture, free_port, start_streamlit, stop_streamlit, wait_for  # noqa: E402

from playground.teach import progress  # noqa: E402
from playground.teach.lessons import LESSONS  # noqa: E402

pytestmark = pytest.mark.browser

browser = chromium_fixture()
LESSON = LESSONS["neuron"]  # a quiz: marked done with two clicks, no training


def _body(page) -> str:
    return page.inner_text("body")


def _sees_progress(page, n_done: int, what: str) -> None:
    wait_for(lambda: f"{n_done} of {len(LESSONS)} lessons done" in _body(page), timeout=120, what=what)
    assert f"Your current lesson: {LESSON.title}" in _body(page)
    assert page.locator("[data-testid=stException]").count() == 0


@pytest.mark.timeout(600)
def test_a_lesson_done_survives_reload_and_a_new_server_process(browser):
    port = free_port()
    server = start_streamlit(REPO / "streamlit_app.py", port)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/lessons")
        wait_for(lambda: f"0 of {len(LESSONS)} lessons done" in _body(page), timeout=120, what="the Lessons page")
        radio = page.locator("[data-testid=stRadio]").filter(has_text=LESSON.question)
        radio.get_by_text(LESSON.reference["answer"], exact=True).click()
        page.get_by_role("button", name="Check my answer").first.click()
        _sees_progress(page, 1, "the quiz lesson done")
        stored = wait_for(lambda: page.evaluate(f"() => localStorage.getItem({json.dumps(progress.STORE_NAME)})"),
                          timeout=60, what="progress in localStorage")
        assert json.loads(stored) == {"v": 1, "done": [LESSON.id], "current": LESSON.id}

        page.reload()  # a new server session in the same process
        _sees_progress(page, 1, "progress after a reload")

        stop_streamlit(server)  # a new server process: nothing of the old one's memory is left
        server = start_streamlit(REPO / "streamlit_app.py", port)
        page.goto(f"http://127.0.0.1:{port}/lessons")
        _sees_progress(page, 1, "progress from the browser in a new server process")
        page.close()
    finally:
        context.close()
        stop_streamlit(server)
