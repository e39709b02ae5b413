"""The Backprop page in a real browser: example A's numbers are on the page, no exception, Step works.

Run with ``pytest -m browser``; needs Debian's Chromium (skipped without it).
"""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture  # noqa: E402

pytestmark = pytest.mark.browser

server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()

SLOW = 120_000  # ms: the test machine is shared and slow


def _text_appears(page, pattern: str) -> None:
    page.wait_for_function("p => new RegExp(p).test(document.body.innerText)", arg=pattern, timeout=SLOW)


def test_backprop_page_shows_example_a(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{server}/backprop", timeout=SLOW)
        _text_appears(page, r"Backward pass")
        # ŷ, ∂C/∂w11, C to six places: waited for, since the page's tables can arrive after its text.
        for value in (r"1\.233212", r"0\.145479", r"1\.520812"):
            _text_appears(page, value)
        body = page.inner_text("body")
        assert re.search(r"0\.73\b", body)  # the textbook's rounded a11
        page.locator(".js-plotly-plot").first.wait_for(timeout=SLOW)  # the network diagram drew
        assert page.locator("[data-testid=stException]").count() == 0

        page.get_by_role("button", name=re.compile("Step: epoch 0")).click()
        _text_appears(page, r"Forward pass \(epoch 1\)")
        assert "0.662150" in page.inner_text("body")  # the loss after the first update is now the loss shown
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()
