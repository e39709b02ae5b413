"""Links a teacher copies are full addresses (http://host:port/page?…), built from the address the browser used."""
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from apptest_util import open_page as _open

from playground.app import ui
from playground.run.config import from_query
from playground.run.race_setup import parse_race

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def browser(monkeypatch):
    """Pretend the page runs in a browser that sent this address and these headers."""
    def use(url=None, headers=None):
        monkeypatch.setattr(st, "context", SimpleNamespace(url=url, headers=headers or {}))
    return use


@pytest.mark.parametrize("url, want", [
    ("http://10.0.0.5:8501/play", "http://10.0.0.5:8501"),
    ("http://10.0.0.5:8501/play/", "http://10.0.0.5:8501"),
    ("https://school.example/playground/race", "https://school.example/playground"),  # behind a proxy
    ("https://school.example/playground", "https://school.example/playground"),  # its home page
    ("http://localhost:8501/", "http://localhost:8501"),
    ("http://[::1]:8501/lessons", "http://[::1]:8501"),
])
def test_app_url_is_the_browsers_address_without_the_page(browser, url, want):
    browser(url)
    assert ui.app_url() == want


def test_app_url_falls_back_to_the_headers_then_to_localhost(browser):
    browser(None, {"Origin": "http://teacher-pc:8600", "Host": "other:1"})
    assert ui.app_url() == "http://teacher-pc:8600"
    browser(None, {"Host": "teacher-pc:8600"})
    assert ui.app_url() == "http://teacher-pc:8600"
    for url, headers in [("javascript:alert(1)//", {"Host": 'x" onmouseover="alert(1)'}),
                         ("http://user:pw@evil.example/play", {"Origin": "ftp://files"}),
                         ("http://a b/play", {"Host": "x" * 600}), (None, {})]:
        browser(url, headers)
        assert ui.app_url() == "http://localhost:8501", (url, headers)


def test_page_url_is_a_link_that_opens_the_page(browser):
    browser("http://10.0.0.5:8501/race")
    assert ui.page_url(str(ROOT / "pages" / "play.py"), "dataset=xor&hidden=4") == \
        "http://10.0.0.5:8501/play?dataset=xor&hidden=4"
    assert ui.page_url(str(ROOT / "pages" / "lessons.py")) == "http://10.0.0.5:8501/lessons"


# ----- the pages (AppTest: no browser address, so the server's own http://localhost:8501) ----------------
def _links(at: AppTest) -> list[str]:
    """The links shown to be copied: code blocks that are not code."""
    return [c.value for c in at.code if c.language in (None, "", "plaintext")]


@pytest.mark.timeout(600)
def test_playground_share_and_classroom_links_are_full_links():
    at = _open("pages/play.py", {"dataset": "xor", "hidden": "4"})
    s = at.session_state["pg.session"]
    share, classroom = _links(at)
    assert share == f"http://localhost:8501/play?{s.share_query()}"
    u = urlsplit(share)
    assert (u.scheme, u.netloc, u.path) == ("http", "localhost:8501", "/play")
    assert from_query(u.query)[0] == s.cfg  # the copied link opens this run
    assert classroom == share  # nothing hidden or locked yet
    at.multiselect(key="pg.cl_lock").set_value(["lr"]).run()
    classroom = _links(at)[1]
    assert classroom.startswith(share + "&") and "lock=lr" in classroom
    assert any("not security" in c.value for c in at.caption)


@pytest.mark.timeout(600)
def test_race_share_link_is_a_full_link():
    at = _open("pages/race.py", {"race": "learning-rates"})
    setup = at.session_state["race.setup"]
    links = _links(at)
    assert links == [f"http://localhost:8501/race?{setup.to_query()}"]
    assert parse_race(urlsplit(links[0]).query).configs() == setup.configs()  # the copied link opens this race
