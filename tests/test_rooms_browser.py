"""A room in a real `streamlit run` server: a teacher and three students, each in their own browser context.

The grid shows all three; a setup the teacher pushes reaches all three (their Playgrounds paused:
the room's light poll applies it); a challenge's leaderboard orders them by when they reached it.
Screenshots of the teacher's page go to $PLAYGROUND_SCREENSHOTS when that is set.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, join_room, open_room, streamlit_server_fixture, wait_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

_DATA = Path(os.environ.get("TMPDIR", "/tmp")) / f"playground-rooms-browser-{os.getpid()}"
server = streamlit_server_fixture("streamlit_app.py", env={"PLAYGROUND_DATA_DIR": str(_DATA)})
browser = chromium_fixture()

NAMES = ("Ada", "Bo", "Cy")
SETUP = "dataset=xor&hidden=4&lr=0.1"
GOAL = "test loss < 0.2 with at most 4 neurons"


def address(page) -> str:
    """The address bar (``page.url`` can lag behind the history API that Streamlit writes it with)."""
    return page.evaluate("location.href")


def standings(teacher) -> list[str]:
    """The leaderboard's lines, in order ("Ada — reached by epoch 6, 3 s after the start")."""
    return [t.strip() for t in teacher.locator("[data-testid=stMarkdownContainer] ol > li").all_inner_texts()]


def test_a_teacher_and_three_students(server, browser):
    teacher, code = open_room(browser, server)
    assert "key=" not in teacher.url

    students = {name: join_room(browser, server, code, name) for name in NAMES}

    # The grid shows all three (it refreshes every 2 s).
    wait_for(lambda: all(teacher.locator("strong").filter(has_text=n).count() for n in NAMES), timeout=60,
             what="all three students in the teacher's grid")

    # A pushed setup reaches every (paused) Playground.
    box = teacher.get_by_role("textbox", name="A Playground link (or its query)")
    box.fill(SETUP)
    box.press("Enter")
    teacher.get_by_role("button", name="Send to every student").click()
    for name, page in students.items():
        wait_for(lambda p=page: all(f"{kv}&" in address(p) for kv in SETUP.split("&")), timeout=60,
                 what=f"the pushed setup on {name}'s Playground")

    # A challenge: Ada reaches it first, then Bo; Cy does not play.
    goal = teacher.get_by_role("textbox", name="Goal")
    goal.fill(GOAL)
    goal.press("Enter")
    teacher.get_by_role("button", name="Set the challenge").click()
    wait_for(lambda: len(standings(teacher)) == 3, timeout=60, what="a leaderboard of three")
    for rank, name in enumerate(NAMES[:2]):
        page = students[name]
        page.get_by_role("button", name="Play").click()
        wait_for(lambda r=rank, n=name: len(standings(teacher)) == 3 and standings(teacher)[r].startswith(n)
                 and "reached by epoch" in standings(teacher)[r], timeout=90, what=f"{name} at rank {rank + 1}")
        page.get_by_role("button", name="Pause").click()
    board = standings(teacher)
    assert [line.split(" —")[0] for line in board] == list(NAMES), board
    assert "reached" not in board[2]
    shots = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if shots:
        teacher.screenshot(path=str(Path(shots) / "room-teacher.png"), full_page=True)
