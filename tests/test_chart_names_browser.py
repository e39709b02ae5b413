"""Every chart has an accessible name (#16): ``role="img"`` and a non-empty ``aria-label`` on its container
saying what it shows: the Playground's live charts, kept up to date as the run moves on, and the static charts
of a learning page (``ui.plotly_chart``, named by ``keys.name_chart``; every page's names: test_chart_names)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture, wait_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()

NAMES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(p => {
  const named = p.closest('[aria-label]');
  return named ? [named.getAttribute('role'), named.getAttribute('aria-label')] : [null, ''];
})"""


def test_every_playground_chart_has_an_accessible_name(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server}/play?dataset=xor&hidden=4&seed=7")
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=90_000)
        names = wait_for(lambda: (n := page.evaluate(NAMES)) and all(label for _, label in n) and n,
                         what="every chart named")
        assert len(names) >= 3 and all(role == "img" for role, _ in names), names
        labels = [label for _, label in names]
        assert any(label.startswith("loss against epoch: training loss") and "at epoch 0" in label
                   for label in labels), labels
        assert "Decision boundary on xor at epoch 0, the training points on top" in labels
        assert any(label.startswith("Network diagram: layers of 2, 4, 1 neurons") for label in labels), labels
        page.get_by_role("button", name="Step").click()
        wait_for(lambda: any("at epoch 1" in label for _, label in page.evaluate(NAMES)), what="name at epoch 1")
        assert page.locator("[data-testid=stException]").count() == 0
        page.goto(f"{server}/activations")  # static charts: st.plotly_chart, named from the page
        page.wait_for_function("document.querySelectorAll('[data-testid=stPlotlyChart]').length >= 6", timeout=90_000)
        static = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map(p => {
          const named = p.closest('[aria-label]');
          return named ? [named.getAttribute('role'), named.getAttribute('aria-label')] : [null, ''];
        })"""
        names = wait_for(lambda: (n := page.evaluate(static)) and all(label for _, label in n) and n,
                         what="every static chart named")
        assert len(names) == 6 and all(role == "img" for role, _ in names), names
        assert ["img", "Sigmoid, Tanh, ReLU (left) and their derivatives (right), for z from −6 to 6"] in names
        assert any(label.startswith("Two shifted ReLUs → a step: ") for _, label in names), names
    finally:
        page.close()
