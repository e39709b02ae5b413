"""The Perceptron & XOR page in a real browser: toggling the hidden activation from linear to tanh
makes XOR solvable (test accuracy ≤ 75 % linear, ≥ 95 % tanh), with no exception."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, metric, streamlit_server_fixture, wait_for  # noqa: E402

pytestmark = pytest.mark.browser

server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()


def train_and_read(page) -> float:
    page.get_by_role("button", name="Train 300 epochs").click()
    wait_for(lambda: metric(page, "Epochs trained") == "300", timeout=120, what="300 epochs trained")
    return float(metric(page, "Test accuracy").rstrip("%")) / 100


def test_xor_toggle_linear_then_tanh(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{server}/perceptron?perc.xor.act=linear&perc.xor.hidden=2&perc.xor.seed=1")
    wait_for(lambda: metric(page, "Epochs trained") == "0", timeout=120, what="the XOR network")
    linear = train_and_read(page)
    assert linear <= 0.75
    assert "XOR stays unsolved" in page.inner_text("body")

    radio = page.locator("[data-testid=stRadio]").filter(has_text="Hidden activation")
    radio.get_by_text("tanh", exact=True).click()
    wait_for(lambda: metric(page, "Epochs trained") == "0", timeout=120, what="a fresh tanh network")
    tanh = train_and_read(page)
    assert tanh >= 0.95
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()
