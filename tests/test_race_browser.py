"""The Race page in a real server and headless Chromium: it pauses in a background tab like the Playground,
and the server forgets a closed tab (its stats file, PLAYGROUND_STATS_FILE, counts no session after it)."""
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture, wait_for  # noqa: E402

from playground.base.capacity import STATS_FILE_ENV  # noqa: E402

pytestmark = pytest.mark.browser

STATS = Path(tempfile.mkdtemp(prefix="playground-stats-")) / "stats.json"
server = streamlit_server_fixture("streamlit_app.py", env={STATS_FILE_ENV: str(STATS)})
browser = chromium_fixture()

# A finish line nobody reaches in a few seconds, so the headline keeps saying the epoch.
LINK = "race?race=learning-rates&dataset=spiral&seed=3&race_target=loss:0.00001"
HIDE = """() => {
    Object.defineProperty(document, 'hidden', {value: true, configurable: true});
    Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
    document.dispatchEvent(new Event('visibilitychange')); }"""


def race_epoch(page) -> int:
    m = re.search(r"Epoch ([\d,]+): nobody has reached", page.inner_text("body"))
    return int(m.group(1).replace(",", "")) if m else -1


def stats() -> dict:
    try:
        return json.loads(STATS.read_text())
    except (OSError, ValueError):
        return {}


@pytest.mark.timeout(120)
def test_race_pauses_in_a_background_tab_and_a_closed_tab_is_forgotten(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/{LINK}")
    wait_for(lambda: race_epoch(page) == 0, timeout=90, what="the race at epoch 0")
    page.get_by_role("button", name="Play").click()
    wait_for(lambda: race_epoch(page) > 5, timeout=30, what="the race training")
    wait_for(lambda: stats().get("training") == 1 and max(stats()["frames"].values(), default=0) > 2,
             timeout=10, what="the server counting this session's frames")
    page.evaluate(HIDE)
    wait_for(lambda: "Paused while this tab was in the background" in page.inner_text("body"), timeout=30,
             what="the background pause")
    time.sleep(1.5)  # the pause's own page run draws once more, and the stats file is written once a second
    held = race_epoch(page)
    frames = sum(stats()["frames"].values())
    time.sleep(2.5)
    assert race_epoch(page) == held and held > 5
    assert sum(stats()["frames"].values()) == frames  # no frame drawn (nor trained) on the server since
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()
    wait_for(lambda: stats().get("sessions") == 0 and stats().get("training") == 0, timeout=40,
             what="the server forgetting the closed tab")
