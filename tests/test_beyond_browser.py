"""Predict, What-if, Chain rule and the keyboard in a real server driven by headless Chromium.

Painting a prediction by clicks, clicking a weight in the network diagram, and the transport shortcuts
(Space, →, R; ignored while typing) with the polite screen-reader announcer.
"""
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import REPO, chromium_fixture, metric, start_streamlit, stop_streamlit, wait_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
PORT = 8811  # this suite's own port (free ones are picked elsewhere; this one is reserved for it)

browser = chromium_fixture()


@pytest.fixture(scope="module")
def server():
    proc = start_streamlit(REPO / "streamlit_app.py", PORT)
    try:
        yield f"http://127.0.0.1:{PORT}"
    finally:
        stop_streamlit(proc)


def chart(key: str) -> str:
    return f"document.querySelector('.st-key-{key} .js-plotly-plot')"


def open_page(browser, url: str, key: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_function(f"{chart(key)} && {chart(key)}.data && {chart(key)}.data.length > 0", timeout=90_000)
    return page


def click_data(page, key: str, x: float, y: float) -> None:
    """Click chart ``key`` at data coordinates (x, y), converted with Plotly's own axes."""
    px, py = page.evaluate(f"""([x, y]) => {{
        const gd = {chart(key)}, full = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + full.xaxis._offset + full.xaxis.d2p(x), box.top + full.yaxis._offset + full.yaxis.d2p(y)];
    }}""", [x, y])
    page.mouse.move(px, py)
    time.sleep(0.1)
    page.mouse.click(px, py)


def query(page) -> dict:
    """The address bar's query (Playwright's page.url does not follow history.replaceState)."""
    return {k: v[0] for k, v in parse_qs(page.evaluate("location.search").lstrip("?")).items()}


def unfocus(page) -> None:
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def epoch(page) -> int:
    value = metric(page, "Epoch").replace(",", "")
    return int(value) if value.isdigit() else -1


def test_painting_a_prediction_by_clicks_then_the_reveal(server, browser):
    page = open_page(browser, f"{server}/predict?dataset=circle&pred_epochs=50", "pr_paint")
    page.locator(".st-key-pr_paint").scroll_into_view_if_needed()
    time.sleep(0.5)
    # Cells are 1.5 wide on [−6, 6]²: (−0.75, −0.75) is cell (3, 3) → bit 27; (0.75, 0.75) is cell (4, 4) → bit 36.
    click_data(page, "pr_paint", -0.75, -0.75)
    wait_for(lambda: query(page).get("pred") == f"{1 << 27:016x}", what="the first painted cell in the link")
    click_data(page, "pr_paint", 0.75, 0.75)
    wait_for(lambda: query(page).get("pred") == f"{(1 << 27) | (1 << 36):016x}", what="the second painted cell")
    painted = f"() => Array.from({chart('pr_paint')}._fullData[0].z).flatMap(r => Array.from(r)).filter(v => v === 1).length"
    wait_for(lambda: page.evaluate(painted) == 2, what="two blue cells drawn")
    click_data(page, "pr_paint", 0.75, 0.75)  # a second click clears it
    wait_for(lambda: query(page).get("pred") == f"{1 << 27:016x}", what="the cell cleared")
    page.get_by_role("button", name="Lock in my prediction and train").click()
    wait_for(lambda: "of 64 cells agree" in page.inner_text("body"), timeout=120, what="the reveal")
    assert "Biggest miss" in page.inner_text("body") or "Every cell right" in page.inner_text("body")
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()


def test_clicking_a_weight_in_the_diagram_shows_its_chain_rule(server, browser):
    page = open_page(browser, f"{server}/chain?dataset=xor", "cr_network")
    assert query(page)["weight"] == "w1.1.1"
    # The link markers' trace names each weight in its customdata; click the one for layer 2, unit 3 → unit 1.
    x, y = page.evaluate(f"""() => {{
        const gd = {chart('cr_network')};
        const tr = gd.data.find(t => t.name === 'links');
        const k = tr.customdata.findIndex(c => c[0] === 'w' && c[1] === 1 && c[2] === 2 && c[3] === 0);
        const at = (a, i) => (a.bdata === undefined ? a[i] : gd._fullData[gd.data.indexOf(tr)][a === tr.x ? 'x' : 'y'][i]);
        return [at(tr.x, k), at(tr.y, k)];
    }}""")
    click_data(page, "cr_network", x, y)
    wait_for(lambda: query(page).get("weight") == "w2.3.1", what="the clicked weight in the link")
    wait_for(lambda: "weight w[2] from unit 3 to unit 1" in page.inner_text("body"), what="its chain rule")
    chain = float(metric(page, "Chain rule, mean over the points"))
    engine = float(metric(page, "Engine's backward pass").split()[0])
    assert abs(chain - engine) < 1e-6
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()


def test_keyboard_shortcuts_and_the_polite_announcer(server, browser):
    page = open_page(browser, f"{server}/play?dataset=xor&hidden=4", "pg_boundary")
    wait_for(lambda: epoch(page) == 0, what="epoch 0")
    unfocus(page)  # the page itself has the focus, not a control
    page.keyboard.press("ArrowRight")
    wait_for(lambda: epoch(page) == 1, what="→ steps one epoch")
    page.keyboard.press(" ")
    wait_for(lambda: epoch(page) > 20, what="Space plays")
    unfocus(page)
    page.keyboard.press(" ")
    time.sleep(1.5)
    held = epoch(page)
    time.sleep(1.5)
    assert epoch(page) == held, "Space pauses"
    # The announcer: role=status, aria-live=polite, plain text naming the epoch and losses.
    region = page.locator(".playground-announcer").first
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") == "status"
    wait_for(lambda: "Epoch" in region.inner_text(), what="an announcement")
    assert "test loss" in region.inner_text()
    # Typing in a text box never triggers a shortcut: "r" and a space go into the seed.
    seed = page.get_by_role("textbox", name="Seed")
    seed.click()
    seed.press("End")
    seed.type(" r")
    time.sleep(1.5)
    assert epoch(page) == held and seed.input_value().endswith(" r")
    seed.fill("1")
    unfocus(page)
    page.keyboard.press("r")
    wait_for(lambda: epoch(page) == 0, what="R resets")
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()
