"""AppTests of the Predict, What-if and Chain-rule pages, and of the Playground's ways into them."""
import pytest

from apptest_util import assert_no_exception, button, open_page
from playground.run.prediction import encode_cells, fill

pytestmark = pytest.mark.timeout(600)


def _train_until(at, done, runs: int = 40):
    for _ in range(runs):
        at.run()
        assert_no_exception(at)
        if done(at):
            return
    raise AssertionError("the page did not finish training")


def test_predict_page_paints_locks_in_trains_and_reveals_a_score():
    at = open_page("pages/predict.py", {"dataset": "circle", "pred_epochs": "50"})
    lock = button(at, "Lock in my prediction and train")
    assert lock.disabled  # nothing predicted yet
    at.selectbox(key="pr.fill").set_value("disc").run()
    assert at.query_params["pred"] == encode_cells(fill("disc"))
    at.radio(key="pr.curve").set_value("smooth").run()
    at.select_slider(key="pr.acc").set_value(90).run()
    assert at.query_params["pred_curve"] == "smooth" and at.query_params["pred_acc"] == "90"
    button(at, "Lock in my prediction and train").click().run()
    _train_until(at, lambda a: any(m.label == "Agreement with the network" for m in a.metric))
    score = next(m.value for m in at.metric if m.label == "Agreement with the network")
    assert score.endswith(" %") and 0 <= int(score[:-2]) <= 100
    texts = [x.value for x in at.info] + [x.value for x in at.success]
    assert any("Biggest miss" in x or "Every cell right" in x for x in texts), texts
    assert any("You expected" in x or x.startswith("Right") for x in texts), texts
    assert any("You expected 90 \\%" in m.value for m in at.markdown), [m.value for m in at.markdown]
    assert "circle" in at.session_state["predict.revealed"]
    button(at, "Predict again").click().run()
    assert not button(at, "Lock in my prediction and train").disabled  # the prediction is kept


def test_predict_page_link_with_bad_values_says_what_is_allowed():
    at = open_page("pages/predict.py", {"dataset": "blobs", "pred": "nothex", "pred_acc": "150"})
    warnings = " ".join(w.value for w in at.warning)
    assert "16 hexadecimal digits" in warnings and "0 to 100" in warnings
    assert any("two classes" in i.value for i in at.info)  # blobs: no painting, curve and accuracy only


def test_whatif_page_branches_steps_in_lockstep_and_keeps_the_change_in_the_link():
    at = open_page("pages/whatif.py", {"dataset": "xor", "branch_at": "15", "whatif": "lr:0.3"})
    info = at.info[0].value
    assert info.startswith("Epoch 15 \\(0 since the branch\\)")
    button(at, "Step").click().run()
    assert_no_exception(at)
    assert at.info[0].value.startswith("Epoch 16 \\(1 since the branch\\)")
    at.selectbox(key="wi.field").set_value("optimizer").run()
    at.selectbox(key="wi.value").set_value("adam").run()
    assert at.query_params["whatif"] == "optimizer:adam" and at.query_params["branch_at"] == "15"
    assert at.info[0].value.startswith("Epoch 15")  # a new branch from the same point
    assert any("Keyboard" in c.value for c in at.caption)


def test_whatif_from_the_playground_branches_its_run_at_its_epoch():
    at = open_page("pages/play.py", {"dataset": "xor"})
    for _ in range(3):
        button(at, "Step").click().run()
    link = next(p for p in at.get("page_link") if "What if" in p.proto.label)
    assert "branch_at=3" in link.proto.query_string or "branch%5Fat=3" in link.proto.query_string
    at.switch_page("pages/whatif.py")
    for k, v in (("dataset", "xor"), ("branch_at", "3"), ("whatif", "lr:1")):
        at.query_params[k] = v
    at.run()
    assert_no_exception(at)
    assert at.info[0].value.startswith("Epoch 3 \\(0 since the branch\\)")
    assert not any("trained again" in i.value for i in at.info)  # the Playground's own run, not a replay


def test_chain_page_shows_the_product_checks_and_follows_training():
    at = open_page("pages/chain.py", {"dataset": "xor", "weight": "w2.3.1", "point": "5"})
    m = {x.label: x.value for x in at.metric}
    assert m["Chain rule, mean over the points"] == m["Engine's backward pass"].split()[0] or \
        abs(float(m["Chain rule, mean over the points"]) - float(m["Engine's backward pass"])) < 1e-6
    assert abs(float(m["Finite difference"]) - float(m["Chain rule, mean over the points"])) < 1e-6
    assert r"\underbrace{f'(z_j)}_{\text{slope}}" in at.latex[0].value
    button(at, "Train 10 epochs").click().run()
    assert_no_exception(at)
    assert "epoch 10" in at.subheader[0].value
    at.selectbox(key="cr.layer").set_value(3).run()
    assert at.query_params["weight"].startswith("w3.")
    assert r"\delta_j" in at.latex[0].value  # an output weight: δ straight from the loss
    at.selectbox(key="cr.from").set_value("bias").run()
    assert at.query_params["weight"].startswith("b3.")
    at.button_group(key="cr.rows").set_value("train").run()
    assert at.query_params["point"] == "train"


def test_chain_page_bad_link_values_are_reported():
    at = open_page("pages/chain.py", {"dataset": "xor", "weight": "w9.1.1", "point": "99999"})
    text = " ".join(w.value for w in at.warning)
    assert "is not in this 2\\-4\\-2\\-1 network" in text and "from 0 to 249" in text


def test_playground_links_into_the_new_pages_and_shows_its_shortcuts():
    at = open_page("pages/play.py", {"dataset": "circle"})
    labels = [p.proto.label for p in at.get("page_link")]
    assert "Predict, then reveal" in labels and "Chain rule" in labels and "Warped space" in labels
    assert any(label.startswith("What if") for label in labels)
    assert any("Space" in c.value and "reset" in c.value for c in at.caption)


def test_a_lesson_that_asks_for_a_prediction_checks_for_it_first():
    from playground.teach.lessons import LESSONS

    at = open_page("pages/lessons.py")
    labels = [p.proto.label for p in at.get("page_link")]
    assert labels.count("Predict first: paint the boundary you expect, then train") == \
        sum(lesson.predict for lesson in LESSONS.values()) == 1
    next(b for b in at.button if b.key == "ls.check.hidden-layers").click().run()
    assert any("starts with a prediction" in w.value for w in at.warning)
    at.session_state["predict.revealed"] = {"circle"}
    next(b for b in at.button if b.key == "ls.check.hidden-layers").click().run()
    assert any("No Playground run yet" in w.value for w in at.warning)
