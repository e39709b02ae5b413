"""Warped space: the grid lines and points in two units' coordinates, the link keys, the page."""
import numpy as np
import pytest

from apptest_util import assert_no_exception, open_page
from playground.viz import warp
from playground.run.config import Config
from playground.run.trainer import Trainer


def test_first_layer_coordinates_are_the_units_outputs():
    t = Trainer(Config(dataset="circle", hidden=(3, 2), activation=("tanh",)))
    t.run(epochs=3)
    w = warp.warped(t, 1, (0, 2))
    W, b = t.params[0]
    X = t.train.X
    assert np.allclose(w.points, np.tanh(X @ W + b)[:, [0, 2]], atol=1e-12)
    # The first horizontal line runs along the bottom of the plane (y = −6), left to right.
    x = np.linspace(-6, 6, warp.SAMPLES)
    line = np.column_stack([x, np.full_like(x, -6.0)])
    assert np.allclose(w.lines[0], np.tanh(line @ W + b)[:, [0, 2]], atol=1e-12)
    assert len(w.lines) == 2 * warp.LINES and np.abs(np.concatenate(w.lines)).max() <= 1.0  # tanh squashes


def test_a_linear_layer_keeps_grid_lines_straight_and_tanh_bends_them():
    def bend(act):
        t = Trainer(Config(dataset="circle", hidden=(2,), activation=(act,), init_scale=1.0))
        pts = warp.warped(t, 1, (0, 1)).lines[3]
        d = pts - pts[0]
        cross = d[:, 0] * d[-1, 1] - d[:, 1] * d[-1, 0]  # 0 for points on the line from the first to the last
        return float(np.abs(cross).max() / (np.linalg.norm(d[-1]) ** 2 + 1e-12))
    assert bend("linear") < 1e-9
    assert bend("tanh") > 1e-3


def test_layer_choices_and_link_keys():
    t = Trainer(Config(dataset="spiral3", loss="ce", hidden=(4, 1, 3)))
    assert [c[0] for c in warp.layer_choices(t)] == [1, 3, 4]  # the one-unit layer cannot be plotted
    assert warp.parse_link({}, t)[:2] == (3, (0, 1))  # the last hidden layer with two units
    assert warp.parse_link({"layer": "4", "units": "3,1"}, t) == (4, (2, 0), [])
    layer, units, w = warp.parse_link({"layer": "2", "units": "1,1"}, t)
    assert (layer, units) == (3, (0, 1)) and len(w) == 2
    assert warp.parse_link({"units": "9" * 50 + ",1"}, t)[2]
    assert warp.link_query(2, (0, 3)) == "layer=2&units=1,4"
    with pytest.raises(ValueError):
        warp.warped(t, 2, (0, 1))


def test_real_data_and_figure():
    t = Trainer(Config(dataset="iris", loss="ce", hidden=(4,)))
    w = warp.warped(t, 1, (1, 3))
    assert w.points.shape == (len(t.train.X), 2)
    fig = warp.figure(w, t.task, t.n_classes)
    assert [d["mode"] for d in fig["data"]] == ["lines", "lines", "markers", "markers", "markers"]
    assert fig["layout"]["xaxis"]["title"]["text"] == "layer 1, unit 2"


def test_page_shows_the_playgrounds_run_and_writes_the_view_into_the_link():
    q = {"dataset": "xor", "hidden": "4,3", "seed": "5"}
    at = open_page("pages/play.py", q)
    pg = at.session_state["pg.session"]
    pg.trainer.run(epochs=4)
    at.query_params.update({"layer": "2", "units": "1,3"})
    at.switch_page("pages/warp.py").run()
    assert_no_exception(at)
    assert any("the Playground's own run" in c.value for c in at.caption)
    assert any("Epoch 4" in m.value for m in at.markdown)
    assert at.selectbox(key="wp.layer").value == 2 and at.selectbox(key="wp.u1").value == 2
    at.selectbox(key="wp.u1").set_value(0).run()  # the same unit on both axes: the other one moves along
    assert (at.session_state["wp.u0"], at.session_state["wp.u1"]) == (0, 1)
    assert str(at.query_params["units"]).strip("[]'") == "1,2"
    at.selectbox(key="wp.u0").set_value(2).run()
    assert str(at.query_params["units"]).strip("[]'") == "3,2" and str(at.query_params["layer"]).strip("[]'") == "2"
    next(b for b in at.button if b.label == "Play").click().run()
    assert pg.playing  # Play here trains the Playground's run


def test_page_opened_cold_and_with_a_bad_view():
    at = open_page("pages/warp.py", {"dataset": "circle", "hidden": "3", "layer": "7", "units": "a,b"})
    texts = " ".join(w.value for w in at.warning)
    assert "layer" in texts and "units" in texts
    assert any("a run of its own" in c.value for c in at.caption)
