"""The app shell: every page in the registry runs under AppTest without an exception."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.pages import PAGES, available

ROOT = Path(__file__).resolve().parent.parent


def test_entry_script_runs():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    assert any("Neural Playground" in t.value for t in at.title)


@pytest.mark.parametrize("spec", available(ROOT), ids=lambda s: s.url)
def test_page_runs_via_navigation(spec):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90).run()
    at.switch_page(spec.path).run()
    assert not at.exception, [e.value for e in at.exception]


def test_registry_is_consistent():
    assert len({p.url for p in PAGES}) == len(PAGES) and len({p.path for p in PAGES}) == len(PAGES)
