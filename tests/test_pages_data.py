"""The Digits and Data pages, run through the app's navigation with AppTest.

Pages run via the entry script: run on its own, a script in pages/ would see
pages/playground.py shadow the ``playground`` package. AppTest cannot upload a
file, so the upload path is unit-tested in test_realdata.py (load_upload,
store_user_data) and here only the page's no-upload state is run.
"""
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground import realdata
from playground.datasets import DATASETS, generate

ROOT = Path(__file__).resolve().parent.parent


def _page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def digits():
    return _page("pages/digits.py")


def test_digits_page_starts_at_epoch_0(digits):
    m = _metrics(digits)
    assert m["Epoch"] == "0" and m["Test accuracy"].endswith(" %") and "Test loss" in m
    assert float(m["Test accuracy"].removesuffix(" %")) < 30  # untrained: about chance (10 %)
    assert digits.session_state["digits_session"].trainer.sizes == [64, 32, 10]
    assert [b.disabled for b in digits.button] == [False, True, False, False]  # Play, Pause, Step, Reset


def test_digits_step_trains_one_epoch(digits):
    digits.button(key="digits_step").click().run()
    assert not digits.exception
    m = _metrics(digits)
    assert m["Epoch"] == "1" and float(m["Test accuracy"].removesuffix(" %")) > 50
    assert any(s.value.startswith("Mistakes:") for s in digits.subheader)


def test_digits_play_pause_reset(digits):
    session = digits.session_state["digits_session"]
    digits.button(key="digits_play").click().run()
    assert session.playing is True and digits.button(key="digits_play").disabled
    assert digits.button(key="digits_pause").disabled is False
    digits.button(key="digits_pause").click().run()
    assert session.playing is False
    digits.button(key="digits_step").click().run()
    epoch = session.trainer.epoch
    assert epoch >= 1 and _metrics(digits)["Epoch"] == str(epoch)
    digits.button(key="digits_reset").click().run()
    assert _metrics(digits)["Epoch"] == "0" and not digits.exception and session.playing is False


def test_digits_epoch_limit_changes_live(digits):
    digits.button(key="digits_step").click().run()
    digits.number_input(key="digits_epochs").set_value(1).run()
    trainer = digits.session_state["digits_session"].trainer
    assert trainer.epoch == 1 and trainer.cfg.max_epochs == 1  # same net, new limit
    digits.button(key="digits_play").click().run()
    assert any("Stopped: reached max epochs \\(1\\)" in s.value for s in digits.success)  # Markdown-escaped


def test_digits_settings_build_a_new_net(digits):
    digits.text_input(key="digits_hidden").set_value("16,8").run()
    assert digits.session_state["digits_session"].trainer.sizes == [64, 16, 8, 10]
    digits.text_input(key="digits_hidden").set_value("").run()  # softmax regression: 10 weight images
    assert digits.session_state["digits_session"].trainer.sizes == [64, 10] and not digits.exception
    assert any("output neuron" in s.value for s in digits.subheader)
    digits.text_input(key="digits_hidden").set_value("lots").run()
    assert any("hidden" in w.value for w in digits.warning) and not digits.exception
    assert digits.session_state["digits_session"].trainer.sizes == [64, 10]  # kept


@pytest.fixture
def data_page():
    return _page("pages/data.py")


def test_data_page_without_upload(data_page):
    assert len(data_page.get("file_uploader")) == 1
    assert any("No file yet" in i.value for i in data_page.info)
    link = data_page.get("page_link")[0].proto
    assert link.label == "Train on it in the Playground" and "dataset=circle" in link.query_string


def test_data_page_browses_every_dataset(data_page):
    for name in DATASETS:
        data_page.selectbox(key="data_dataset").set_value(name).run()
        assert not data_page.exception, (name, [e.value for e in data_page.exception])
        link = data_page.get("page_link")[0].proto
        assert f"dataset={name}&" in link.query_string
        assert len(data_page.get("plotly_chart")) == 1
    assert list(DATASETS)[-1] == "diabetes" and "loss=mse" in link.query_string


def test_data_page_preview_columns(data_page):
    data_page.selectbox(key="data_dataset").set_value("wine").run()
    data_page.radio(key="data_builtin_wine_mode").set_value("columns").run()
    data_page.selectbox(key="data_builtin_wine_y").set_value(5).run()
    assert not data_page.exception
    names = generate("wine").feature_names
    chart = data_page.get("plotly_chart")[0].proto.spec
    assert names[5] in chart and names[0] in chart


def test_data_page_keeps_accepted_data(data_page):
    accepted = generate("iris")
    data_page.session_state[realdata.USER_DATA_KEY] = accepted
    data_page.session_state[realdata.USER_DATA_NAME_KEY] = "*my* flowers"
    data_page.run()
    data_page.selectbox(key="data_dataset").set_value("xor").run()
    assert not data_page.exception
    assert data_page.session_state[realdata.USER_DATA_KEY] is accepted
    in_use = [m.value for m in data_page.markdown if m.value.startswith("**In use:**")]
    assert in_use == ["**In use:** Uploaded: \\*my\\* flowers · 150 rows, 4 features, classification"]


# ----- a real browser: live training and the upload path AppTest cannot drive -------------------------
sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture  # noqa: E402

server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()


def _wait_for(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.browser
def test_browser_digits_play_and_pause(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server}/digits")
        values = page.locator("[data-testid=stMetricValue]")
        _wait_for(lambda: values.count() == 4, what="the metrics")
        assert values.first.inner_text() == "0"
        # No epoch limit: an epoch of digits takes milliseconds, so the default limit of 100 can be
        # reached before the test sees epoch 3, and a stopped run has no Pause to press.
        limit = page.get_by_label("Epochs (0 = no limit)")
        limit.fill("0")
        limit.press("Enter")
        _wait_for(lambda: limit.input_value() == "0", what="no epoch limit")
        page.wait_for_timeout(1500)  # the rerun that applies the limit
        page.get_by_role("button", name="Play").click()
        _wait_for(lambda: int(values.first.inner_text().replace(",", "")) >= 3, what="epoch 3")
        page.get_by_role("button", name="Pause").click()
        _wait_for(lambda: page.get_by_role("button", name="Step").is_enabled(), what="paused")
        time.sleep(1.0)  # a last tick in flight may still land
        paused_at = values.first.inner_text()
        time.sleep(1.5)
        assert values.first.inner_text() == paused_at  # paused means paused
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()


@pytest.mark.browser
def test_browser_upload_good_then_bad_keeps_the_data(server, browser, tmp_path):
    good, bad = tmp_path / "my [table].csv", tmp_path / "broken.csv"
    good.write_bytes(b"x1,x2,label\n" + b"".join(b"%d,%d,%s\n" % (i, i % 7, b"ab"[i % 2:i % 2 + 1])
                                                  for i in range(40)))
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    try:
        page.goto(f"{server}/data")
        page.get_by_role("tab", name="Upload a table").click()
        uploader = page.locator("[data-testid=stFileUploaderDropzoneInput]")
        uploader.set_input_files(str(good))
        page.get_by_role("button", name="Use this data").click()
        in_use = page.get_by_text("Uploaded: my [table] · 40 rows, 2 features, classification")
        in_use.wait_for(timeout=60_000)
        uploader.set_input_files(str(bad))
        page.get_by_text("contains a NUL byte").wait_for(timeout=60_000)
        assert in_use.is_visible()  # the rejected file left the accepted data in place
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()
