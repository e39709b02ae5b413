"""Issue 17's interactive views in a real server and headless Chromium.

Clicking a sized training point removes it (and the link says so); the warped-space page opens from the
Playground with the same run and trains it; a puzzle is checked from the Lessons page after the Playground
opened its broken setup; the NumPy-beside-PyTorch page shows the two losses equal; the GIF downloads.
"""
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import (  # noqa: E402
    BOUNDARY, chromium_fixture, close_clean, metric, open_playground, query_of, streamlit_server_fixture, wait_for,
    wait_for_chart,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()

WARP = "document.querySelector('.st-key-wp_warp .js-plotly-plot')"


def test_click_a_sized_point_to_remove_it(server, browser):
    page = open_playground(browser, f"{server}/play?dataset=xor&hidden=4&seed=3&drive=grad")
    page.locator(".st-key-pg_boundary").scroll_into_view_if_needed()
    time.sleep(1.0)
    # The first training point with a number (customdata), where Plotly draws it.
    px, py, sizes = page.evaluate(f"""() => {{
        const gd = {BOUNDARY}, full = gd._fullLayout, box = gd.getBoundingClientRect();
        const tr = gd._fullData.find(t => t.customdata && t.customdata.length);
        const x = tr.x[0], y = tr.y[0];
        return [box.left + full.xaxis._offset + full.xaxis.d2p(x), box.top + full.yaxis._offset + full.yaxis.d2p(y),
                Array.from(tr.marker.size)];
    }}""")
    assert len(set(round(s, 3) for s in sizes)) > 5  # sized by gradient: not all the same
    page.mouse.move(px, py)
    time.sleep(0.1)
    page.mouse.click(px, py)
    wait_for(lambda: "Bring back the 1 removed point" in page.inner_text("body"), what="the point removed")
    wait_for(lambda: "removed" in query_of(page), what="removed points in the link")
    assert query_of(page)["drive"] == "grad"
    page.get_by_role("button", name="Step").click()
    wait_for(lambda: metric(page, "Epoch") == "1", what="training on without the point")
    close_clean(page)


def test_warp_page_opens_with_the_playgrounds_run(server, browser):
    page = open_playground(browser, f"{server}/play?dataset=circle&hidden=4,3&seed=2", steps=1)
    page.locator("[data-testid=stPageLink]", has_text="Warped space").click()
    wait_for_chart(page, WARP, traces=4)
    wait_for(lambda: "the Playground's own run" in page.inner_text("body") and "Epoch 1" in page.inner_text("body"),
             what="the Playground's run at epoch 1")
    before = page.evaluate(f"() => Array.from({WARP}._fullData[2].x).slice(0, 5)")
    page.get_by_role("button", name="Play").click()
    wait_for(lambda: page.evaluate(f"() => Array.from({WARP}._fullData[2].x).slice(0, 5)") != before,
             timeout=120, what="the warped points to move while training")
    page.get_by_role("button", name="Pause").click()
    time.sleep(1.0)
    page.get_by_role("combobox", name="Horizontal axis: unit").click()
    page.get_by_role("option", name="3", exact=True).click()
    wait_for(lambda: query_of(page).get("units") == "3,2", timeout=60, what="the units in the link")
    close_clean(page)


def test_warp_units_chosen_go_into_the_link(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/warp?dataset=circle&hidden=4,3&seed=2")
    wait_for_chart(page, WARP, traces=4)
    page.get_by_role("combobox", name="Horizontal axis: unit").click()
    page.get_by_role("option", name="3", exact=True).click()
    wait_for(lambda: query_of(page).get("units") == "3,2", timeout=60, what="the units in the link")
    close_clean(page)


def test_puzzle_checked_from_lessons(server, browser):
    page = open_playground(browser, f"{server}/play?dataset=circle&hidden=4,2&init=zeros&lr=0.1")
    # In-app navigation keeps the browser session (and the Playground's run): the top bar's Classroom menu.
    page.get_by_text("Classroom", exact=True).first.click()
    page.get_by_text("Lessons", exact=True).first.click()
    page.get_by_role("radio", name="Debug the network").click()
    diagnosis = page.locator(".st-key-ls-diag-zero-init")
    diagnosis.wait_for(timeout=60_000)
    diagnosis.get_by_text("All weights start equal").click()
    wait_for(lambda: diagnosis.locator("input:checked").count() == 1, what="the diagnosis picked")
    time.sleep(2.0)  # the pick's rerun reaches the server before the check's
    page.locator(".st-key-ls-fix-zero-init").get_by_role("button").click()
    wait_for(lambda: "Not yet. Trained your setup 150 epochs" in page.inner_text("body"), what="the check's verdict")
    wait_for(lambda: "Diagnosis: right." in page.inner_text("body"), what="the diagnosis judged")

    def card():
        body = page.inner_text("body")
        return body[body.find("Every neuron thinks the same"):body.find("Blind in one direction")]
    wait_for(lambda: "100%" in card(), what="the measured table: every hidden unit a copy of another")  # every hidden unit a copy of another
    close_clean(page)


def test_side_by_side_and_gif(server, browser):
    page = open_playground(browser, f"{server}/play?dataset=xor&hidden=3&seed=4", steps=1)
    page.get_by_role("button", name="Export / import").click()
    with page.expect_download(timeout=120_000) as dl:
        page.get_by_role("button", name="Run as an animation (GIF, for slides)").click()
    assert Path(dl.value.path()).read_bytes()[:6] == b"GIF89a"
    page.keyboard.press("Escape")
    page.locator("[data-testid=stPageLink]", has_text="NumPy vs PyTorch").click()
    wait_for(lambda: metric(page, "Loss, NumPy") != "", timeout=120, what="the comparison")
    assert metric(page, "Loss, NumPy") == metric(page, "Loss, PyTorch")
    assert "the Playground's, at epoch 1" in page.inner_text("body")
    close_clean(page)
