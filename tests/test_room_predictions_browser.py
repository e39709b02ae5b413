"""Predictions in a room, in a real server (#16): a teacher and two students, each in their own browser
context.  The students open Predict from their Playground (the same browser session: still in the room),
paint, lock in and see the reveal; the teacher's Predictions view shows both, sorted by agreement."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import choose, chromium_fixture, join_room, open_room, streamlit_server_fixture, wait_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(360)]

_DATA = Path(os.environ.get("TMPDIR", "/tmp")) / f"playground-room-predictions-{os.getpid()}"
server = streamlit_server_fixture("streamlit_app.py", env={"PLAYGROUND_DATA_DIR": str(_DATA)})
browser = chromium_fixture()

FILLS = {"Ada": "Central disc", "Bo": "Left half"}  # on the circle data: a disc agrees far more


def test_the_teacher_sees_two_students_predictions_beside_the_truth(server, browser):
    teacher, code = open_room(browser, server)
    for name, shape in FILLS.items():
        page = join_room(browser, server, code, name, "dataset=circle")
        page.get_by_role("link", name="Predict, then reveal").first.click()
        wait_for(lambda p=page: "/predict" in p.evaluate("location.pathname"), timeout=60, what="the Predict page")
        choose(page, "Train for", "50 epochs", timeout=60_000)
        choose(page, "Quick fill", shape, timeout=60_000)
        def revealed(p=page):  # a click that lands during a rerun is lost: press again until it trains
            if p.get_by_text("Agreement with the network").count():
                return True
            lock = p.get_by_role("button", name="Lock in my prediction and train")
            if lock.count() and lock.is_enabled():
                lock.click(timeout=5_000)
            return False

        wait_for(revealed, timeout=150, poll=2, what=f"{name}'s reveal")
        assert page.locator("[data-testid=stException]").count() == 0
    teacher.get_by_text("Predictions", exact=True).click()

    def cards():
        text = teacher.locator("[data-testid=stMain]").inner_text()
        return re.findall(r"(Ada|Bo)\s+(\d+) % agree", text)

    found = wait_for(lambda: len(cards()) == 2 and cards(), timeout=60, what="both predictions on the teacher's page")
    assert [n for n, _ in found] == ["Ada", "Bo"] and int(found[0][1]) > int(found[1][1]), found
    assert teacher.get_by_text("circle, 50 epochs: 2 predictions, 2 revealed").count() == 1
    named = teacher.evaluate("[...document.querySelectorAll('[data-testid=stImage] img')].length")
    assert named >= 4  # two painted grids, two of the network's
    assert teacher.locator("[data-testid=stException]").count() == 0
