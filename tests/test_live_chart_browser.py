"""live_plotly in a real server + headless Chromium (bench/demo_live_chart.py).

Checks what AppTest cannot: the chart node survives live updates while its data
changes, and a click on empty plot area reaches Python once, in data coordinates.
"""

import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture, wait_for  # noqa: E402

pytestmark = pytest.mark.browser

server = streamlit_server_fixture("bench/demo_live_chart.py")
browser = chromium_fixture()

CHARTS = ".playground-live-plotly"
HEAT = f"document.querySelectorAll('{CHARTS}')[0]"
PLANE = f"document.querySelectorAll('{CHARTS}')[2]"


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1100})
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(server)
    page.wait_for_function(
        f"document.querySelectorAll('{CHARTS}').length === 3 && {PLANE}._fullLayout", timeout=60_000
    )
    yield page
    page.close()


def click_data_point(page, x, y, hover=0.1):
    """Click the plane at data coordinates (x, y), converted with Plotly's own axes."""
    px, py = page.evaluate(
        f"""([x, y]) => {{
            const gd = {PLANE}, full = gd._fullLayout, box = gd.getBoundingClientRect();
            return [box.left + full.xaxis._offset + full.xaxis.d2p(x),
                    box.top + full.yaxis._offset + full.yaxis.d2p(y)];
        }}""",
        [x, y],
    )
    page.mouse.move(px, py)  # like a person: hover first, so Plotly knows the point
    time.sleep(hover)
    page.mouse.click(px, py)


def click_lines(page):
    text = page.inner_text("body")
    return re.findall(r"click n=(\d+) x=(\S+) y=(\S+) curve=(\S+) point=(\S+) customdata=(\S+)", text)


def no_exception(page):
    assert page.locator("[data-testid=stException]").count() == 0, page.inner_text("body")


def test_chart_node_survives_updates_while_data_changes(page):
    page.evaluate(f"window.__heat = {HEAT}; window.__heat.__tag = 'original'")

    def renders():
        return int(page.evaluate(f"{HEAT}.dataset.renders"))

    seen = []
    for _ in range(6):
        last = renders()
        wait_for(lambda: renders() > last, what="a chart update")  # noqa: B023 (called before the loop moves on)
        same, z = page.evaluate(
            f"[{HEAT} === window.__heat && window.__heat.__tag === 'original'"
            f" && window.__heat.isConnected, {HEAT}.data[0].z.bdata]"
        )
        assert same, "the chart's DOM node was replaced"
        seen.append(z)
    assert len(set(seen)) >= 5, "the heatmap data did not change between updates"
    no_exception(page)


def test_plotly_js_loaded_once_from_this_server(page, server):
    assert page.evaluate("document.querySelectorAll('script[src*=\"plotly.min.js\"]').length") == 1
    assert [url for url in page.requests if not url.startswith((server, "blob:", "data:"))] == []


def test_chart_follows_container_width(page):
    width = f"[{PLANE}._fullLayout.width, {PLANE}.clientWidth]"
    before, _ = page.evaluate(width)
    page.set_viewport_size({"width": 500, "height": 1100})
    try:
        drawn, box = wait_for(lambda: (w := page.evaluate(width))[0] < before - 100 and w, what="resize")
        assert drawn == box
    finally:
        page.set_viewport_size({"width": 1200, "height": 1100})
        wait_for(lambda: page.evaluate(width) == [before, before], what="resize back")


def test_click_on_empty_area_reaches_python_once(page):
    click_data_point(page, 3.0, 4.0)  # the plane's points are at (-2, 2) and (2, -2)
    lines = wait_for(lambda: click_lines(page), what="the click in the page text")
    n, x, y, curve, point, _ = lines[0]
    assert (n, curve, point) == ("1", "None", "None")
    assert abs(float(x) - 3.0) < 0.1 and abs(float(y) - 4.0) < 0.1
    # The demo adds a point there; the rerun and later fragment ticks must not
    # deliver the same click again.
    wait_for(lambda: page.evaluate(f"{PLANE}.data[0].x.length") == 3, what="the added point")
    time.sleep(1.5)
    assert len(click_lines(page)) == 1
    assert "clicks received: 1" in page.inner_text("body")
    no_exception(page)


def test_click_on_a_point_names_it(page):
    click_data_point(page, -2.0, 2.0)
    lines = wait_for(lambda: len(click_lines(page)) >= 2 and click_lines(page), what="second click")
    n, _, _, curve, point, customdata = lines[1]
    assert (n, curve, point, customdata) == ("2", "0", "0", "0")
    time.sleep(1.0)
    assert len(click_lines(page)) == 2
    no_exception(page)


def test_quick_clicks_each_arrive_once(page):
    """Clicks faster than reruns are batched, not dropped or repeated."""
    # The whole plane in view and its last redraw done, so every click lands on it.
    page.evaluate(f"{PLANE}.scrollIntoView({{block: 'center'}})")
    settled = page.evaluate(f"{PLANE}.dataset.renders")
    time.sleep(0.5)
    assert page.evaluate(f"{PLANE}.dataset.renders") == settled
    for x in (-4.0, -3.0, -1.0):
        click_data_point(page, x, -5.0, hover=0.05)  # a rerun takes longer than one of these
    try:
        lines = wait_for(lambda: len(click_lines(page)) >= 5 and click_lines(page), what="3 quick clicks")
    except AssertionError as err:
        raise AssertionError(f"{err}; the page shows {click_lines(page)}") from None
    assert [line[0] for line in lines] == ["1", "2", "3", "4", "5"]
    assert [round(float(line[1])) for line in lines[2:]] == [-4, -3, -1]
    wait_for(lambda: page.evaluate(f"{PLANE}.data[0].x.length") == 6, what="the added points")
    time.sleep(1.0)
    assert len(click_lines(page)) == 5
    no_exception(page)
