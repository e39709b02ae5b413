"""The Playground's live feed (docs/live-updates.md): what a frame sends besides the views a page run draws.

The browser half (the views' registry, stamps, patches, painted pictures) is exercised by the browser tests
(test_playground_browser.py, test_layout_browser.py); these check the server half's values.
"""
import json

import numpy as np
import pytest

from apptest_util import assert_no_exception, button, open_page
from playground.app.ui import live_common
from playground.app.ui.charts import live_feed
from playground.run import views
from playground.run.config import Config
from playground.run.trainer import Trainer
from playground.viz.boundary import boundary_figure, boundary_picture
from playground.viz.palette import PALETTES, colorize, colour_indices
from playground.viz.png import picture_source


@pytest.mark.parametrize("link, test_shown", [
    ({"dataset": "circle"}, False), ({"dataset": "spiral3", "loss": "ce"}, False),
    ({"dataset": "reg-plane", "loss": "mse"}, False), ({"dataset": "reg-plane", "loss": "mse"}, True)])
def test_a_frames_boundary_picture_is_the_figures_own(link, test_shown):
    """The patch a frame sends (boundary_picture) is the picture the whole figure draws from the same values:
    a regression plane's colour range comes from the targets shown, test points included."""
    t = Trainer(Config(**link))
    t.step(2)
    grid = views.grid_for(t, 40)
    values = views.boundary_values(t, grid)
    test = (t.test.X, t.test.y) if test_shown else None
    for pixels in (False, True):
        fig = boundary_figure(values, grid, (t.train.X, t.train.y), test, task=t.task, n_classes=t.n_classes,
                              hover=False, spec=True, pixels=pixels)
        picture = boundary_picture(values, grid, (t.train.X, t.train.y), test, task=t.task, pixels=pixels)
        a, b = fig["layout"]["images"][0], picture
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
        if isinstance(a["source"], dict):
            assert np.array_equal(a["source"]["pixels"]["index"], b["source"]["pixels"]["index"])
        else:
            assert a["source"] == b["source"] and a["source"].startswith("data:image/png;base64,")


def test_a_painted_picture_has_the_colours_of_the_png():
    """Colour indices and their table (painted by the browser) give colorize's colours, but for the 257th
    table entry, shown as the 256th (1/256 of the scale apart)."""
    values = np.linspace(-1.2, 1.2, 600, dtype=np.float32).reshape(20, 30)
    values[0, 0] = np.nan
    src = picture_source(values, -1.0, 1.0, "boundary", pixels=True)["pixels"]
    assert src["index"].dtype == np.uint8 and src["index"].shape == (20, 30) and src["lut"].shape == (256, 3)
    painted = src["lut"][src["index"]]
    exact = colorize(values, -1.0, 1.0, "boundary")
    top = colour_indices(values, -1.0, 1.0, 257) == 256  # the end of the scale (and past it)
    assert top.any() and not top.all()
    assert np.array_equal(painted[~top], exact[~top])
    assert np.all(painted[top] == PALETTES["boundary"][255])
    assert np.array_equal(painted[0, 0], exact[0, 0])  # NaN: the middle colour, as colorize gives it


def test_stamps_grow_and_keep_the_payload():
    a = json.loads(live_common.stamp(b'{"view": "pg_loss", "x": [1, 2]}'))
    b = json.loads(live_common.stamp(b"{}"))
    assert a["view"] == "pg_loss" and a["x"] == [1, 2]
    assert b["seq"] > a["seq"] and a["sid"] == b["sid"] and set(b) == {"sid", "seq"}


def test_modules_go_without_comment_lines():
    js = live_common.module_js("live_feed.js")
    lines = js.splitlines()
    assert not any(line.lstrip().startswith("//") or not line.strip() for line in lines)
    assert "function registerView" in js and "export default function" in js  # live_common.js, then the module
    assert js.index("function registerView") < js.index("export default function")


def test_a_feed_key_must_say_it_is_one():
    with pytest.raises(ValueError, match="_livefeed"):
        live_feed({}, key="pg_feed")


def _feed(at):
    for el in at.get("bidi_component"):
        msg = json.loads(el.proto.bytes or b"null")
        if isinstance(msg, dict) and "views" in msg:
            return msg
    return None


def test_a_page_run_draws_the_views_and_an_empty_feed():
    """A page run (AppTest runs only whole pages) draws every view itself, the row of metrics and the charts with
    their figures, and the feed brings them nothing; all stamped, the views after the feed's data was made."""
    at = open_page("pages/play.py", {"dataset": "xor"})
    button(at, "Play").click().run()
    assert_no_exception(at)
    feed = _feed(at)
    assert feed is not None and feed["views"] == {}
    charts = {}
    for el in at.get("bidi_component"):
        msg = json.loads(el.proto.bytes or b"null")
        if isinstance(msg, dict) and msg.get("view"):
            charts[msg["view"]] = msg
    assert {"pg_network", "pg_boundary", "pg_loss", "pg_announce", "pg_gradmaps", "pg_gradnorms"} <= set(charts)
    assert all(m["sid"] == feed["sid"] for m in charts.values())
    assert charts["pg_boundary"]["figure"]["layout"]["images"][0]["source"]["pixels"]["lut"]  # painted by the browser
    assert charts["pg_loss"]["watch_visibility"] is True  # the chart that watches the tab


def test_a_frames_loss_patch_is_the_figures_own():
    """The patch a frame sends for the loss chart (loss_patch) carries the whole figure's points and the axis
    settings that follow them: whole epoch ticks while the run is short, removed once it is not."""
    from playground.viz.curves import loss_figure, loss_patch

    t = Trainer(Config(dataset="xor"))
    for epochs, dtick in ((3, 1), (40, None)):
        t.step(epochs - t.epoch)
        fig = loss_figure(t.history, task=t.task, spec=True)
        patch = loss_patch(fig)
        assert len(patch["data"]) == len(fig["data"]) == 4
        for part, trace in zip(patch["data"], fig["data"]):
            assert set(part) == {"x", "y", "mode"} and part["mode"] == trace["mode"]
            assert np.array_equal(part["x"], trace["x"]) and np.array_equal(part["y"], trace["y"])
        assert len(patch["data"][0]["y"]) == epochs + 1  # epoch 0 is recorded too
        assert patch["layout"] == {"xaxis": {"dtick": dtick},
                                   "yaxis2": {"range": fig["layout"]["yaxis2"]["range"],
                                              "tickvals": fig["layout"]["yaxis2"]["tickvals"]}}


def test_frames_of_one_run_replace_each_other_in_one_slot():
    """In a run that draws several frames (a Playground burst), each frame's feed replaces the one before it:
    the page holds one feed, the last frame's; outside such a run a feed key may be used once a run."""
    from streamlit.testing.v1 import AppTest

    def burst():
        from playground.app.ui.charts import live_feed
        from playground.app.ui.live_common import frames_in_one_run

        with frames_in_one_run():
            for n in range(3):
                live_feed({"v": b'{"n": %d}' % n}, key="t_livefeed")
        live_feed({"v": b'{"n": 9}'}, key="u_livefeed")  # one frame: keyed as given

    at = AppTest.from_function(burst, default_timeout=30).run()
    assert_no_exception(at)
    feeds = [json.loads(el.proto.bytes) for el in at.get("bidi_component")]
    assert [f["views"]["v"]["n"] for f in feeds] == [2, 9]
    ids = [el.proto.id for el in at.get("bidi_component")]
    assert ids[0].endswith("t_livefeed_2") and ids[1].endswith("u_livefeed")
    assert live_common.feed_slots() is None  # the run's registry is gone with the run

    def twice():
        from playground.app.ui.charts import live_feed

        live_feed({}, key="t_livefeed")
        live_feed({}, key="t_livefeed")

    at = AppTest.from_function(twice, default_timeout=30).run()
    assert at.exception  # Streamlit's duplicate key error (its text is hidden by the app's showErrorDetails)


def test_a_burst_ends_when_another_fragment_waits(monkeypatch):
    """A Playground burst gives way to the page's other fragments (a room's status, the Activation panel): it
    reads Streamlit's request queue, and only another fragment's pending run counts."""
    import types

    import streamlit.runtime.scriptrunner as runner
    from playground.app.ui import live

    def ctx(state, queue, mine=("frame",)):
        requests = types.SimpleNamespace(_state=types.SimpleNamespace(name=state),
                                         _rerun_data=types.SimpleNamespace(fragment_id_queue=list(queue)))
        return types.SimpleNamespace(script_requests=requests, fragment_ids_this_run=list(mine))

    for made, waiting in ((ctx("RERUN", ["details"]), True), (ctx("RERUN", ["frame"]), False),
                          (ctx("CONTINUE", ["details"]), False), (ctx("RERUN", []), False),
                          (types.SimpleNamespace(), False), (None, False)):
        monkeypatch.setattr(runner, "get_script_run_ctx", lambda made=made: made)
        assert live.another_fragment_waiting() is waiting
    # A run that ran the Activation panel's fragment and then the burst's: the panel asking again is "another".
    from streamlit.runtime.scriptrunner_utils import script_run_context

    monkeypatch.setattr(runner, "get_script_run_ctx", lambda: ctx("RERUN", ["details"], mine=("details", "frame")))
    monkeypatch.setattr(script_run_context.ThreadState, "get",
                        staticmethod(lambda: types.SimpleNamespace(fragment_id="frame")))
    assert live.another_fragment_waiting() is True
