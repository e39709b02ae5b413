"""Every page at laptop and projector sizes: no truncated text, no overlapping chart titles, legends or ticks.

One server, one browser, one tab: each case opens its page once and is checked at each of its window sizes
(the tab is resized, not reloaded). ``layout_probe.js`` finds the problems (see its header). Every page is
checked at 1280×800 and 1440×900, and in presentation mode (``present=1``, the switch of every page) at
1920×1080 and 1280×720, where its charts' and tables' type must be at least 16 px (Perceptron & XOR, whose first
screen has a table, first at 1280×720: a table drawn at the projector's smallest type); the Playground presenting
with a boundary plot of at least 35 % of the screen's height and the loss chart starting above the fold (no
scrolling to see both), and neuron tiles of at least 16 px with 16 units a layer (they were 12), also at laptop
sizes. The chart type is measured at once, with no second look: a chart that left a text's size to Streamlit's
theme drew it at 12 px now and then (the page's type grows while presenting), which ``viz.present`` now fixes.

The Room page is also checked with a room open and three students joined and playing (the teacher's grid of
their thumbnails), at 1280×800 and presenting at 1920×1080.

Screenshots of every case and size are kept: in ``$PLAYGROUND_SCREENSHOTS`` when set (``.ci/run`` sets
``artifacts/screenshots``), else in a pytest temporary folder (its path is printed).
``PLAYGROUND_LAYOUT_URL=http://…`` checks an app that is already running instead of starting a server.
"""
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import REPO, chromium_fixture, join_room, open_room, streamlit_server_fixture, wait_for  # noqa: E402

from playground.app.pages import PAGES  # noqa: E402

pytestmark = pytest.mark.browser

_own_server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()

PROBE = (Path(__file__).parent / "layout_probe.js").read_text(encoding="utf-8")
LAPTOP = ((1280, 800), (1440, 900))
PROJECTOR = ((1920, 1080), (1280, 720))

TABLE_AT_720 = "perceptron"  # presenting, opened at 1280×720: its truth table is on the first screen
# (name, route, window sizes, presentation mode)
CASES = [(p.url, p.url, LAPTOP, False) for p in PAGES] + [
    (f"{p.url}-present", f"{'' if p.url == 'home' else p.url}?present=1",  # home is "/"
     PROJECTOR[::-1] if p.url == TABLE_AT_720 else PROJECTOR, True)
    for p in PAGES if p.url != "play"] + [
    ("play-present", "play?present=1", PROJECTOR, True),
    ("play-spiral3-16-present", "play?present=1&dataset=spiral3&hidden=16,16", PROJECTOR[::-1], True),
    ("play-regression", "play?dataset=reg-gauss&hidden=16,16,8", LAPTOP, False),
]


@pytest.fixture(scope="module")
def server(request):
    """A server of its own, or the running app at ``$PLAYGROUND_LAYOUT_URL`` (quicker while adjusting a layout)."""
    url = os.environ.get("PLAYGROUND_LAYOUT_URL")
    return url.rstrip("/") if url else request.getfixturevalue("_own_server")


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"layout screenshots in {path}")
    return path


@pytest.fixture(scope="module")
def tab(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    yield page
    page.close()


def settle(page, timeout: float = 60.0) -> None:
    """Until the script has finished and every chart is drawn and the number of charts holds for 1 s."""
    def drawn():
        return page.evaluate("""() => {
            const app = document.querySelector('[data-testid=stApp]');
            if (!app || app.getAttribute('data-test-script-state') === 'running') return -1;
            if (document.querySelector('[data-testid=stSkeleton]')) return -1;
            const plots = [...document.querySelectorAll('.js-plotly-plot')];
            const slots = document.querySelectorAll('[class*=st-key-pg_], [data-testid=stPlotlyChart]');
            return plots.every(p => p._fullLayout) ? plots.length + 1000 * slots.length : -1; }""")

    last, since = None, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = drawn()
        if now != last:
            last, since = now, time.monotonic()
        elif now >= 0 and time.monotonic() - since >= 1.0:
            return
        time.sleep(0.15)
    raise AssertionError("the page did not settle")


def screenshots(page, stem: str, folder: Path, screens: int = 3) -> None:
    """The window, then scrolled down a screen at a time (up to ``screens`` pictures)."""
    scroller = "[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer]')]" \
               ".find(e => e.scrollHeight > e.clientHeight + 4)"
    page.evaluate(f"() => {{ const s = {scroller}; if (s) s.scrollTop = 0; }}")
    for i in range(screens):
        page.screenshot(path=str(folder / f"{stem}-{i + 1}.png"))
        moved = page.evaluate(f"""() => {{ const s = {scroller}; if (!s) return false;
            const before = s.scrollTop; s.scrollTop += s.clientHeight * 0.9; return s.scrollTop > before; }}""")
        if not moved:
            break
        time.sleep(0.3)
    page.evaluate(f"() => {{ const s = {scroller}; if (s) s.scrollTop = 0; }}")


def show_test_data(page) -> None:
    toggle = page.locator("[data-testid=stCheckbox]", has_text="Show test data")
    box = toggle.locator("input")
    if toggle.count() and not box.is_checked():
        toggle.locator("label").click()
        wait_for(lambda: box.is_checked(), timeout=20, what="Show test data on")
        time.sleep(0.5)
        settle(page)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("name, route, sizes, present", CASES, ids=[c[0] for c in CASES])
def test_layout(server, tab, shots, name, route, sizes, present):
    tab.set_viewport_size({"width": sizes[0][0], "height": sizes[0][1]})
    tab.goto(f"{server}/{route}")
    settle(tab)
    if route.startswith("play"):
        show_test_data(tab)  # test points and their legend entry: the busiest boundary chart
    problems = []
    for i, (width, height) in enumerate(sizes):
        if i or route.startswith("play"):  # the page was opened at the first size (the Playground changed since)
            tab.set_viewport_size({"width": width, "height": height})
            time.sleep(0.6)  # charts follow the window's size (settle then waits for a steady page)
            settle(tab)
        assert tab.locator("[data-testid=stException]").count() == 0, f"{name}: an exception is shown"
        if present:  # every page's shared switch, on
            assert tab.locator(".st-key-present_switch input").is_checked(), f"{name}: presentation mode is off"
        found = tab.evaluate(PROBE)
        screenshots(tab, f"{name}-{width}x{height}", shots,  # the Playground scrolled further: its panels below
                    screens=3 if route.startswith("play") else 2 if present else 1)
        problems += [f"{width}×{height}: {p}" for p in found["problems"]]
        if "hidden=16" in route and min(found["tiles"], default=0) < 16:
            problems.append(f"{width}×{height}: neuron tiles of {min(found['tiles'], default=0):.0f} px (they were 12)")
        print(f"{name} {width}×{height}: smallest neuron tile {min(found['tiles'], default=0):.0f} px, charts "
              + ", ".join(f"{c['key']} {c['width']}×{c['height']} (plot {c['plotHeight']}, type ≥ {c['minFont']} px)"
                          for c in found["charts"])
              + "; tables " + ", ".join(f"{t['kind']} {t['px']:g} px" for t in found["tables"]))
        if present:
            charts = {c["key"]: c for c in found["charts"]}
            small = {k: c["minFont"] for k, c in charts.items() if 0 < c["minFont"] < 16}
            if small:
                problems.append(f"{width}×{height}: chart type smaller than 16 px in presentation mode: {small}")
            small = [f"{t['kind']} {t['px']:g} px" for t in found["tables"] if t["px"] < 16]
            if small:
                problems.append(f"{width}×{height}: table type smaller than 16 px in presentation mode: {small}")
            if route.startswith("play"):
                boundary = charts.get("pg_boundary", {}).get("plotHeight", 0)
                if boundary < 0.35 * height:
                    problems.append(f"{width}×{height}: the boundary plot is {boundary} px high, under 35 % of {height}")
                loss_top = charts.get("pg_loss", {}).get("top", height)
                if loss_top >= height - 40:  # its title and first tick at least: visible without scrolling
                    problems.append(f"{width}×{height}: the loss chart starts at {loss_top} px, below the fold")
    assert not problems, f"{name}:\n" + "\n".join(problems)


ROOM_CLASS = (("Ada", "dataset=xor&hidden=4&lr=0.1"), ("Bo", "dataset=spiral&hidden=8,8&activation=relu"),
              ("Cy", "dataset=gauss&hidden=&lr=0.01"))  # a deep, a shallow and a no-hidden-layer network


@pytest.mark.timeout(240)
def test_layout_of_an_open_room(server, browser, shots):
    """The teacher's page with a room open and three students playing: their cards (thumbnail, nickname, setup,
    epoch and loss) are not cut, at a laptop's size and presenting on a projector."""
    teacher, code = open_room(browser, server, 1280, 800)
    students = []
    try:
        for name, setup in ROOM_CLASS:
            students.append(join_room(browser, server, code, name, setup, height=700))
            students[-1].get_by_role("button", name="Play").click(timeout=60_000)
        cards = teacher.locator("[class*=st-key-room_card_]")
        wait_for(lambda: cards.count() == len(ROOM_CLASS) and cards.locator("img").count() == len(ROOM_CLASS)
                 and cards.filter(has_text="playing").count() == len(ROOM_CLASS), timeout=90,
                 what="three playing students' cards with their thumbnails")
        problems = []
        for width, height, present in ((1280, 800, False), (1920, 1080, True)):
            if present:
                teacher.locator(".st-key-present_switch label").click()
                wait_for(lambda: teacher.locator(".st-key-present_switch input").is_checked(), timeout=20,
                         what="presentation mode on")
            teacher.set_viewport_size({"width": width, "height": height})
            time.sleep(0.6)
            settle(teacher)
            assert teacher.locator("[data-testid=stException]").count() == 0, "room-open: an exception is shown"
            cards.first.scroll_into_view_if_needed()
            found = teacher.evaluate(PROBE)
            screenshots(teacher, f"room-open{'-present' if present else ''}-{width}x{height}", shots)
            problems += [f"{width}×{height}: {p}" for p in found["problems"]]
            texts = [t.replace("\u00a0", " ") for t in cards.all_inner_texts()]
            for name, _ in ROOM_CLASS:  # each card names its student and says how far the run is
                card = next((t for t in texts if t.startswith(name)), "")
                if "epoch" not in card or "test loss" not in card:
                    problems.append(f"{width}×{height}: {name}'s card reads {card!r}")
        assert not problems, "room-open:\n" + "\n".join(problems)
    finally:
        for page in (teacher, *students):
            page.context.close()


def test_cases_cover_every_page():
    assert {c[0] for c in CASES} >= {p.url for p in PAGES}
    presenting = {c[0] for c in CASES if c[3] and (1920, 1080) in c[2]}
    assert presenting >= {f"{p.url}-present" for p in PAGES}  # every page presenting on a projector
    assert any(c[3] and c[2][0] == (1280, 720) and c[1].startswith("play") for c in CASES)
    assert any(c[3] and c[2][0] == (1280, 720) and c[1].startswith(TABLE_AT_720) for c in CASES)
    assert all((REPO / p.path).exists() for p in PAGES)
