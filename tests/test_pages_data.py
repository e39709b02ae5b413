"""The Digits and Data pages, run through the app's navigation with AppTest.

Pages run via the entry script: run on its own, a script in pages/ would see
pages/playground.py shadow the ``playground`` package. AppTest cannot upload a
file: tests/upload_stub.py stands in for ``st.file_uploader`` so the page's upload
path runs here too (and the real upload once in a browser, at the end).
"""
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import metrics as _metrics
from apptest_util import open_page
from playground.run import realdata
from playground.data import uploads
from playground.data.datasets import DATASETS, generate


def _page(path: str) -> AppTest:
    return open_page(path, timeout=60)


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


# ----- uploads (st.file_uploader stood in for) ---------------------------------------------------------
sys.path.insert(0, str(Path(__file__).parent))
from upload_stub import fake_upload, run_data_page  # noqa: E402


def _table(rows: int, cell=lambda i, j: f"{(i * 7 + j * 3) % 11 - 5}", cols=("a", "b"), label=lambda i: "ab"[i % 2]):
    lines = [",".join([*cols, "label"])]
    lines += [",".join([*(cell(i, j) for j in range(len(cols))), label(i)]) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _plain(text: str) -> str:
    """Markdown-escaped text (text.escape_markdown) as it reads on the page."""
    return re.sub(r"\\(.)", r"\1", text)


def _texts(at) -> str:
    return "\n".join(_plain(e.value) for e in [*at.error, *at.caption, *at.markdown, *at.success])


def _quick_until_done(at, runs=300):
    at.button(key="data_quick").click().run()
    for _ in range(runs):
        session = at.session_state["data_quick_run"][1]
        if not session.playing:
            return session
        at.run()
    raise AssertionError("Quick train did not finish")


@pytest.mark.timeout(120)
def test_a_field_over_128_kb_gets_a_message_not_an_error_box():
    raw = b"a,b,label\n" + b"x" * 140_000 + b",1,0\n" + b"1,2,1\n" * 5
    with fake_upload("long.csv", raw):
        at = run_data_page()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "row 2, field 1" in errors[0] and "131,072 characters" in errors[0], errors


@pytest.mark.timeout(120)
def test_a_header_only_file_says_0_data_rows():
    with fake_upload("header.csv", b"x1,x2,label\n"):
        at = run_data_page()
    assert not at.exception
    assert any("0 data rows" in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.timeout(120)
def test_text_in_the_only_number_column_is_named_not_an_empty_picker():
    raw = _table(12, cols=("a",), cell=lambda i, j: "hello" if i == 6 else str(i))
    with fake_upload("text.csv", raw):
        at = run_data_page()
    assert not at.exception
    errors = [_plain(e.value) for e in at.error]
    assert len(errors) == 1 and "row 8, column 'a': 'hello' is not a number" in errors[0], errors
    assert "choose at least one feature" not in errors[0]


@pytest.mark.timeout(180)
def test_presenting_shows_the_tables_as_projector_tables_with_the_text_as_typed():
    """#14: while presenting, the page's tables are st.tables (the projector's type; a dataframe's canvas grid
    stays at 14 px), whose cells are Markdown: a CSV's headers and cells are escaped, and read as typed."""
    hostile = ["**bold**", "[link](http://example.com)", ":red[x]", "<b>tag</b>"]
    raw = (f"{hostile[0]},b,label\n" + "".join(f"{i % 5},{i % 3},{hostile[i % 4]}\n" for i in range(12))).encode()
    with fake_upload("hostile.csv", raw):
        at = run_data_page()
        assert at.dataframe and not at.table  # on a laptop: interactive dataframes
        at.toggle(key="present").set_value(True).run()
        assert not at.exception, [e.value for e in at.exception]
    assert not at.dataframe and at.table
    head = next(t.value for t in at.table if len(t.value) == 10)  # the file's first 10 rows
    assert [_plain(c) for c in head.columns] == hostile[:1] + ["b", "label"]
    shown = [_plain(c).replace("\u200b", "") for c in head.iloc[:4, 2]]  # a zero-width space stops autolinks
    assert shown == hostile and head.iloc[0, 2] != hostile[0]
    stats = next(t.value for t in at.table if "mean" in t.value.columns)
    assert len(stats) == 2  # the features' statistics: numbers


@pytest.mark.timeout(300)
def test_values_near_1e308_are_named_and_quick_train_and_the_playground_still_work():
    huge = lambda i, j: ("1.5e308" if i % 2 else "-1.7e308") if j == 0 else str((i * 3 + j) % 7)  # noqa: E731
    raw = _table(40, cell=huge, cols=("big", "small"))
    with fake_upload("huge.csv", raw):
        at = run_data_page()
        assert not at.exception, [e.value for e in at.exception]
        text = _texts(at)
        assert "row 2, column 'big': '-1.7e308' is too large" in text, text
        assert "between -1e+30 and 1e+30" in text
        assert at.multiselect(key=next(w.key for w in at.multiselect)).value == ["small"]
        session = _quick_until_done(at)
        assert not at.exception, [e.value for e in at.exception]
        summary = session.trainer.summary()
        assert summary["epochs"] == 300 and not summary["message"]
        assert {m.label for m in at.metric} == {"Epochs", "Test accuracy", "Train accuracy"}
        at.button(key="data_use").click().run()
        stored = at.session_state[realdata.USER_DATA_KEY]
        assert np.isfinite(stored.X).all() and stored.feature_names == ("small",)
    at.switch_page("pages/play.py").run()
    at.selectbox(key="pg.source").set_value("@uploaded").run()  # the Playground draws its grid over this data
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["pg.session"].trainer.data is stored


@pytest.mark.timeout(300)
def test_quick_train_runs_one_frame_at_a_time_in_the_live_turns(monkeypatch):
    from playground.run.session import FRAME_SECONDS, LIVE_GATE, PlaygroundSession
    frames = []
    original = PlaygroundSession.frame

    def frame(self, seconds=FRAME_SECONDS, **kwargs):
        frames.append((seconds, 0))
        return original(self, seconds, **kwargs)

    def train_for(self, *args, **kwargs):  # the training takes its turn in the gate (drawing does not)
        frames[-1] = (frames[-1][0], LIVE_GATE.sessions_waiting)
        return original_train_for(self, *args, **kwargs)

    from playground.run.trainer import Trainer
    original_train_for = Trainer.train_for
    monkeypatch.setattr(PlaygroundSession, "frame", frame)
    monkeypatch.setattr(Trainer, "train_for", train_for)
    with fake_upload("t.csv", _table(400, cols=("a", "b", "c"))):
        at = run_data_page()
        at.button(key="data_quick").click().run()
        session = at.session_state["data_quick_run"][1]
        assert len(frames) == 1 and session.trainer.epoch >= 1  # one frame in the run that pressed it
        if session.playing:
            assert any(b.key == "data_quick_stop" for b in at.button)
        _quick_until_done(at)
    assert all(seconds <= FRAME_SECONDS and waiting >= 1 for seconds, waiting in frames), frames
    assert at.session_state["data_quick_run"][1].trainer.epoch == 300


@pytest.mark.timeout(300)
def test_the_column_choice_is_computed_once_per_upload_and_choice(monkeypatch):
    calls = {"read_upload": 0, "choose_columns": 0}
    for name in calls:
        original = getattr(uploads, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(uploads, name, counted)
    raw = _table(200, cols=("a", "b", "c"))
    with fake_upload("t.csv", raw) as upload:
        at = run_data_page()
        first = dict(calls)
        assert first == {"read_upload": 1, "choose_columns": 2}  # the suggestion, and the choice shown
        for _ in range(3):
            at.run()
        assert calls == first  # reruns recompute nothing
        upload.set("same-content-again.csv", raw)  # the same bytes uploaded again: not parsed again
        at.run()
        assert calls == first and not at.exception


# ----- a real browser: live training and the upload path AppTest cannot drive -------------------------
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


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_browser_hostile_upload_gets_messages_and_a_safe_download(server, browser, tmp_path):
    rows = ['"=HYPERLINK(""http://evil.example"",""x"")",big,note,label']
    rows += [f"{i % 13 - 6},{'1.5e308' if i % 2 else '-1.7e308'},{'hello' if i == 5 else i},{'ab'[i % 13 > 6]}"
             for i in range(60)]
    hostile = tmp_path / "hostile.csv"
    hostile.write_text("\n".join(rows) + "\n")
    page = browser.new_page(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
    try:
        page.goto(f"{server}/data")
        page.get_by_role("tab", name="Upload a table").click()
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(hostile))
        caption = page.get_by_text("Not offered as features")
        caption.wait_for(timeout=60_000)
        text = caption.inner_text()
        assert "row 2, column 'big': '-1.7e308' is too large" in text and "-1e+30 and 1e+30" in text, text
        assert "row 7, column 'note': 'hello' is not a number" in text, text
        page.get_by_role("button", name="Use this data").click()
        page.get_by_text("In use:").wait_for(timeout=60_000)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download as CSV").last.click()
        header = Path(download.value.path()).read_text().splitlines()[0]
        assert header.startswith("\"'=HYPERLINK(") and header.endswith(",label"), header
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()
