"""In a real browser, the Playground's share link is the full address the browser used, and opening it works."""
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture, wait_for  # noqa: E402

pytestmark = pytest.mark.browser

server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()


@pytest.mark.timeout(300)
def test_share_link_is_the_full_address_and_opens_the_same_run(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{server}/play?dataset=xor&hidden=4&seed=7")
    page.get_by_role("button", name="Share link").click()
    code = page.locator("[data-testid=stPopoverBody] [data-testid=stCode]").first
    link = wait_for(lambda: code.inner_text().strip() if code.count() else "", timeout=120, what="the share link")
    assert link.startswith(f"{server}/play?dataset=xor&"), link
    query = dict(parse_qsl(urlsplit(link).query))
    assert query["hidden"] == "4" and query["seed"] == "7"
    other = browser.new_page(viewport={"width": 1280, "height": 1000})
    other.goto(link)
    wait_for(lambda: "dataset=xor" in other.url and "seed=7" in other.url, timeout=120, what="the link to open")
    wait_for(lambda: other.locator("[data-testid=stMetric]").count() > 0, timeout=120, what="the Playground")
    assert other.locator("[data-testid=stException]").count() == 0
    page.close()
    other.close()
