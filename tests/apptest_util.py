"""Helpers shared by the AppTest tests: open a page of the app as a fresh browser session, find a button,
read the metrics, and fail on any error box."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
TIMEOUT = 240  # seconds per script run: the test machine is shared and often busy


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def open_page(page: str, query: dict | None = None, timeout: float = TIMEOUT) -> AppTest:
    """The entry script, then ``page`` with ``query`` as its link (a fresh browser session); no error box."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if query:
        at.query_params.update(query)
    at.switch_page(page).run()
    assert_no_exception(at)
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}
