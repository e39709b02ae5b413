"""The Backprop, Gradients and Generalisation pages, run through the app's navigation with AppTest.

AppTest does not tick ``run_every`` fragments, so the live views are checked through Step and the presets;
the browser test (test_backprop_browser.py) looks at a real page.
"""
import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import assert_no_exception as _ok
from apptest_util import metrics as _metrics
from apptest_util import open_page


def _page(path: str) -> AppTest:
    return open_page(path, timeout=90)


# ----- Backprop step by step ---------------------------------------------------------------------------------
@pytest.fixture
def backprop():
    return _page("pages/backprop.py")


def test_backprop_example_a_shows_the_textbook_values(backprop):
    m = _metrics(backprop)
    assert m["Output ŷ"] == "1.233212" and m["Loss C"] == "1.520812" and m["∂C/∂w11"] == "0.145479"
    assert any(r"\mathbf{0.145479}" in x.value and r"-2(y - \hat y)" in x.value for x in backprop.latex)
    assert any("rounds every intermediate value to 2" in c.value for c in backprop.caption)
    assert any("Gradient check passed" in s.value for s in backprop.success)


def test_backprop_chosen_weight_changes_the_chain_rule(backprop):
    backprop.selectbox(key="bp.param.A").select("w32").run()
    _ok(backprop)
    assert _metrics(backprop)["∂C/∂w32"] == "1.938202"
    assert any(r"\frac{\partial C}{\partial w_{32}}" in x.value for x in backprop.latex)


def test_backprop_example_b_steps_and_trains_both_ways(backprop):
    backprop.segmented_control(key="bp.example").set_value("B").run()
    _ok(backprop)
    assert _metrics(backprop)["Output ŷ"] == "-0.578403"
    assert _metrics(backprop)["Prediction for (1, 1), backprop"] == "-0.017436"
    assert _metrics(backprop)["Prediction for (1, 1), finite differences"] == "-0.017478"
    before = _metrics(backprop)["Loss after the update"]
    backprop.button(key="bp.step").click().run()
    _ok(backprop)
    state = backprop.session_state["bp.state.B"]
    assert state["epoch"] == 1 and _metrics(backprop)["Loss C"] == before
    assert backprop.session_state["bp.B.w11"] == state["values"]["w11"] != -0.0053  # the editor follows
    assert any(h.value == "1 · Forward pass (epoch 1)" for h in backprop.header)
    backprop.button(key="bp.reset").click().run()
    assert backprop.session_state["bp.state.B"]["epoch"] == 0 and _metrics(backprop)["Output ŷ"] == "-0.578403"


def test_backprop_example_c_flags_the_broadcast_bug(backprop):
    backprop.segmented_control(key="bp.example").set_value("C").run()
    _ok(backprop)
    assert any("Gradient check passed" in s.value for s in backprop.success)
    assert any("W0 -= lr * delta_hidden * x" in c.value for c in backprop.code)
    backprop.toggle(key="bp.bug").set_value(True).run()
    _ok(backprop)
    assert any("Gradient check failed for W0[1,2], W0[2,1]" in e.value for e in backprop.error)


def test_backprop_bad_weight_shows_an_error_and_keeps_the_old_value(backprop):
    backprop.number_input(key="bp.A.w11").set_value(1e9).run()
    _ok(backprop)
    assert any("w11 must be a finite number between \\-100 and 100; got 1e\\+09" in e.value  # Markdown-escaped
               and "Kept the previous value 0\\.8" in e.value for e in backprop.error)
    assert backprop.session_state["bp.A.w11"] == 0.8 and _metrics(backprop)["Output ŷ"] == "1.233212"
    backprop.number_input(key="bp.A.w11").set_value(0.5).run()  # a good value is used and clears the error
    _ok(backprop)
    assert not backprop.error and _metrics(backprop)["Output ŷ"] != "1.233212"
    backprop.number_input(key="bp.A.eta").set_value(0.0).run()
    assert any("learning rate η must be \\> 0" in e.value for e in backprop.error)


# ----- Gradients ---------------------------------------------------------------------------------------------
@pytest.fixture
def gradients():
    return _page("pages/gradients.py")


def test_gradients_page_starts_vanishing_and_presets_switch_scenarios(gradients):
    s = gradients.session_state["gr.session"]
    assert s.trainer.sizes == [2, 8, 8, 8, 8, 8, 8, 1] and s.trainer.epoch >= 1
    assert any("vanishing" in m.value for m in gradients.markdown if m.value.startswith("Gradients now"))
    expected = {"healthy": ("relu", "he", 0.0, "healthy"), "exploding": ("tanh", "normal", 2.0, "exploding"),
                "vanishing": ("sigmoid", "xavier", 0.0, "vanishing")}
    for name, (act, init, scale, regime) in expected.items():
        gradients.button(key=f"gr.preset.{name}").click().run()
        _ok(gradients)
        s = gradients.session_state["gr.session"]
        assert s.cfg.activation == (act,) and s.cfg.init == init and s.cfg.init_scale == scale
        assert gradients.session_state["gr.act"] == act and s.trainer.epoch >= 1
        now, start = _regime_lines(gradients)
        # The starting weights show the preset's regime; after 20 epochs of steps an exploding net's ratio
        # jumps between ~1 and ~50 from epoch to epoch (chaotic: the last bits of the BLAS decide it).
        assert regime in start, (name, start)
        if name != "exploding":
            assert regime in now, (name, now)


def _regime_lines(at) -> tuple[str, str]:
    """The Gradients page's "Gradients now: … At the start (epoch 0): …" line, split in two."""
    line = next(m.value for m in at.markdown if m.value.startswith("Gradients now"))
    now, _, start = line.partition("At the start (epoch 0):")
    assert start, line
    return now, start


def test_gradients_step_reset_and_snapshot_slider(gradients):
    s = gradients.session_state["gr.session"]
    epoch = s.trainer.epoch
    gradients.button(key="gr.step").click().run()
    _ok(gradients)
    assert s.trainer.epoch == epoch + 1 and _metrics(gradients)["Epoch"] == str(epoch + 1)
    assert gradients.select_slider(key="gr.snap").value == epoch + 1  # follows the newest snapshot
    gradients.select_slider(key="gr.snap").set_value(0).run()
    _ok(gradients)
    assert any(sh.value == "Every weight's gradient at epoch 0" for sh in gradients.subheader)
    gradients.button(key="gr.reset").click().run()
    assert gradients.session_state["gr.session"].trainer.epoch == 0 and not gradients.exception


def test_gradients_controls_rebuild_the_network(gradients):
    gradients.number_input(key="gr.depth").set_value(3).run()
    gradients.selectbox(key="gr.act").select("relu").run()
    _ok(gradients)
    s = gradients.session_state["gr.session"]
    assert s.trainer.sizes == [2, 8, 8, 8, 1] and s.cfg.activation == ("relu",)


def test_gradients_zero_init_stays_symmetric(gradients):
    runs = gradients.session_state["gr.sym"]
    assert runs["zeros"].gaps == [0.0, 0.0] and min(runs["uniform"].gaps) > 0
    assert any("**0, 0**" in m.value for m in gradients.markdown)
    gradients.segmented_control(key="gr.sym_act").set_value("tanh").run()
    _ok(gradients)
    assert any("nothing moves at all" in c.value for c in gradients.caption)


# ----- Generalisation ------------------------------------------------------------------------------------------
def test_generalisation_page_runs_every_comparison():
    at = _page("pages/generalisation.py")
    captions = [c.value for c in at.caption]
    assert captions[0].startswith("Underfitting") and captions[2].startswith("Overfitting")
    m = _metrics(at)
    assert int(m["Best epoch"]) < int(m["Stopped at epoch"])
    assert float(m["Test loss, best checkpoint restored"]) < float(m["Test loss at the last epoch"])
    rows = at.table[0].value
    l1, l2 = (int(v.split(" of ")[0]) for v in rows["|w| < 0.001"].iloc[1:3])
    assert l1 > 10 * max(l2, 1)
    at.select_slider(key="gen.patience").set_value(10).run()
    _ok(at)
    assert int(_metrics(at)["Stopped at epoch"]) == int(_metrics(at)["Best epoch"]) + 10
