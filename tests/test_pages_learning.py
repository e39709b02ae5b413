"""The Learning pages (Perceptron & XOR, Activations, Losses) run, react to their widgets, and read their URL."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.app.pages import PAGES

PAGE_DIR = Path(__file__).resolve().parents[1] / "pages"


def run(page: str, **query) -> AppTest:
    at = AppTest.from_file(str(PAGE_DIR / page), default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


def again(at: AppTest) -> AppTest:
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", ["perceptron.py", "activations.py", "losses.py"])
def test_page_runs_on_defaults(page):
    at = run(page)
    assert at.title and not at.error


# ----- Perceptron & XOR -----------------------------------------------------------------------------


def test_perceptron_on_xor_never_reaches_zero_mistakes():
    at = run("perceptron.py")
    at.selectbox(key="perc.gate").select("XOR")
    again(at)
    for _ in range(6):
        at.button(key="perc.epoch").click()
        again(at)
    model = at.session_state["perc.model"]
    assert model.epoch == 6 and min(model.mistakes) >= 1
    assert any("never reaches 0" in w.value for w in at.warning)


def test_perceptron_learns_and_and_reports_convergence():
    at = run("perceptron.py")
    for _ in range(15):
        at.button(key="perc.epoch").click()
        again(at)
        if at.session_state["perc.model"].converged:
            break
    model = at.session_state["perc.model"]
    assert model.converged
    at.button(key="perc.epoch").click()  # one more epoch: trained longer, converged no later
    again(at)
    assert model.epoch == model.converged_epoch + 1
    wanted = (f"Converged after {model.converged_epoch} epochs: the last mistake was in epoch "
              f"{model.last_mistake_epoch}, and epoch {model.converged_epoch} made none "
              f"(trained for {model.epoch} epochs)")
    assert any(wanted in s.value for s in at.success), [s.value for s in at.success]


def test_step_shows_the_update_and_reset_starts_over():
    at = run("perceptron.py")
    at.button(key="perc.step").click()
    again(at)
    assert any("Δw = η (y − ŷ) x" in m.value for m in at.markdown)
    assert at.session_state["perc.model"].position == 1
    at.button(key="perc.reset").click()
    again(at)
    assert at.session_state["perc.model"].last is None


def test_play_and_pause_set_the_flag():
    at = run("perceptron.py")
    at.button(key="perc.play").click()
    again(at)  # the fragment runs with the page: one step while playing
    assert at.session_state["perc.playing"] and at.session_state["perc.model"].position == 1
    assert at.button(key="perc.step").disabled and not at.button(key="perc.pause").disabled
    at.button(key="perc.pause").click()
    again(at)
    assert not at.session_state["perc.playing"] and not at.button(key="perc.step").disabled


def test_mp_textbook_values_make_the_gate():
    at = run("perceptron.py")
    at.selectbox(key="perc.mp.gate").select("NAND")
    again(at)
    assert not any("computes NAND" in s.value for s in at.success)
    at.button(key="perc.mp.textbook").click()
    again(at)
    assert at.slider(key="perc.mp.w1").value == -1.0 and at.slider(key="perc.mp.theta").value == -1.0
    assert any("computes NAND" in s.value for s in at.success)
    at.selectbox(key="perc.mp.gate").select("XOR")
    again(at)
    assert at.button(key="perc.mp.textbook").disabled
    assert any("none works" in w.value for w in at.warning)


def test_xor_mlp_linear_fails_then_tanh_solves():
    at = run("perceptron.py")
    at.radio(key="perc.xor.act").set_value("linear")
    again(at)
    at.button(key="perc.xor.train").click()
    again(at)
    linear = at.session_state["perc.xor.trainer"].summary()
    assert (linear["train_accuracy"], linear["test_accuracy"]) == (0.56, 0.44)  # the page's defaults: seed 1
    said = next(i.value for i in at.info if "one straight line" in i.value)
    assert "about half of the points right (here 56% of the training and 44% of the test points)" in said
    assert not any("75 %" in m.value for m in at.markdown)  # a linear net gets no 3 of 4 corners here
    at.radio(key="perc.xor.act").set_value("tanh")
    again(at)
    at.button(key="perc.xor.train").click()
    again(at)
    summary = at.session_state["perc.xor.trainer"].summary()
    assert summary["epochs"] == 300 and summary["test_accuracy"] >= 0.95
    assert [m.value for m in at.metric if m.label == "Test accuracy"] == [f"{summary['test_accuracy']:.0%}"]
    assert any(s.value.startswith("Solved") for s in at.success)


def test_xor_mlp_with_more_units_uses_pca_and_links_to_the_playground():
    at = run("perceptron.py")
    at.slider(key="perc.xor.hidden").set_value(4)
    again(at)
    assert any("PCA" in c.value for c in at.caption)
    link = at.get("link_button")[0].proto.url
    route = next(p.url for p in PAGES if p.title == "Playground")
    assert link.startswith(f"/{route}?") and "dataset=xor" in link and "hidden=4" in link


def test_perceptron_page_reads_its_setup_from_the_url():
    at = run("perceptron.py", **{"perc.gate": "XOR", "perc.xor.act": "relu", "perc.xor.hidden": "3",
                                 "perc.mp.gate": "OR", "perc.mp.theta": "1"})
    assert at.selectbox(key="perc.gate").value == "XOR"
    assert at.radio(key="perc.xor.act").value == "relu" and at.slider(key="perc.xor.hidden").value == 3
    assert any("computes OR" in s.value for s in at.success)


# ----- Activations ----------------------------------------------------------------------------------


def test_activations_overlay_and_demos():
    at = run("activations.py")
    at.multiselect(key="act.names").select("gelu").select("softplus").select("step")
    again(at)
    assert len(at.multiselect(key="act.names").value) == 6
    assert any("9.5e-07" in m.value for m in at.markdown)  # 0.25^10 for the sigmoid
    assert any("exactly one plane" in s.value for s in at.success)
    at.selectbox(key="act.between").select("tanh")
    again(at)
    assert any("bends" in w.value for w in at.warning)
    at.slider(key="act.rise").set_value((1.0, 1.0))
    again(at)
    assert any("two different ends" in w.value for w in at.warning)
    at.slider(key="act.units").set_value(40)
    at.selectbox(key="act.target").select("abs")
    again(at)
    at.multiselect(key="act.names").set_value([])
    again(at)
    assert any("Pick at least one" in i.value for i in at.info)


def test_activations_page_reads_the_url():
    at = run("activations.py", **{"act.names": ["relu", "gelu"], "act.depth": "20", "act.between": "relu"})
    assert at.multiselect(key="act.names").value == ["relu", "gelu"]
    assert at.slider(key="act.depth").value == 20 and at.selectbox(key="act.between").value == "relu"


# ----- Losses ---------------------------------------------------------------------------------------


def test_bad_softmax_scores_show_an_error_and_keep_the_last_values():
    at = run("losses.py")
    before = [m.value for m in at.metric]
    at.text_input(key="loss.scores").input("2, x")
    again(at)
    assert any("item 2 \\'x\\' is not a number" in e.value for e in at.error)  # Markdown-escaped
    assert [m.value for m in at.metric] == before  # still the last valid scores
    at.text_input(key="loss.scores").input("3, 1, 0")
    again(at)
    assert not at.error and [m.value for m in at.metric] != before


def test_softmax_target_must_match_the_scores_and_temperature_sharpens():
    at = run("losses.py")
    at.text_input(key="loss.target").input("1, 0")
    again(at)
    assert any("exactly 3" in e.value for e in at.error)
    at.text_input(key="loss.target").input("1, 0, 0")
    at.select_slider(key="loss.T").set_value(0.05)
    again(at)
    assert not at.error
    assert at.metric[0].value == "0.000 nats"  # T → 0: one-hot, zero entropy


def test_losses_other_tabs_react():
    at = run("losses.py", **{"loss.out_size": "25"})
    assert at.slider(key="loss.out_size").value == 25.0
    slopes = next(m.value for m in at.markdown if "Fitted slopes" in m.value)
    assert "MSE: **1." in slopes or "MSE: **2." in slopes  # pulled far from the true 0.5
    at.radio(key="loss.cls").set_value(0)
    at.slider(key="loss.delta").set_value(2.5)
    at.slider(key="loss.out_n").set_value(0)
    again(at)
    slopes = next(m.value for m in at.markdown if "Fitted slopes" in m.value)
    assert "MSE: **0.4" in slopes or "MSE: **0.5" in slopes
