"""Debug-the-network puzzles: each broken setup fails its goals, a fix passes, and the check measures the run."""
import dataclasses

import pytest

from apptest_util import assert_no_exception, open_page
from playground.teach.puzzles import (DIAGNOSES, PUZZLES, broken_config, check_fix, fixed_config, goal_text, measure,
                                puzzle_trainer)


@pytest.mark.parametrize("pid", list(PUZZLES))
def test_broken_setup_fails_and_the_reference_fix_passes(pid):
    p = PUZZLES[pid]
    assert p.diagnosis in DIAGNOSES
    broken = check_fix(p, broken_config(p), p.diagnosis)
    assert not broken.passed and broken.rows and not all(r[3] for r in broken.rows)
    fixed = check_fix(p, fixed_config(p), p.diagnosis)
    assert fixed.passed, fixed.detail
    assert all(r[3] for r in fixed.rows) and fixed.diagnosis_ok


def test_the_check_measures_the_effect_not_the_setting():
    # Another fix than the reference one passes: a smaller Adam step also keeps the ReLUs alive.
    p = PUZZLES["dead-relus"]
    assert check_fix(p, broken_config(p).replace(lr=0.03), p.diagnosis).passed
    # Changing the right setting by too little does not: λ = 0.1 still crushes every weight.
    p = PUZZLES["too-much-reg"]
    r = check_fix(p, broken_config(p).replace(reg_rate=0.1), p.diagnosis)
    assert not r.passed and r.rows[0][1] == "46.0%"
    # Zero initialisation: He's random start breaks the symmetry as well as Xavier's.
    p = PUZZLES["zero-init"]
    assert check_fix(p, broken_config(p).replace(init="he"), p.diagnosis).passed


def test_measures_of_the_broken_runs():
    m = measure(puzzle_trainer(broken_config(PUZZLES["zero-init"]), 150))
    assert m["duplicate_fraction"] == 1.0 and m["dead_fraction"] == 1.0 and m["test_metric"] == pytest.approx(0.46)
    m = measure(puzzle_trainer(broken_config(PUZZLES["dead-relus"]), 150))
    assert m["dead_fraction"] == 0.5 and m["duplicate_fraction"] < 1.0
    m = measure(puzzle_trainer(broken_config(PUZZLES["diverges"]), 150))
    assert m["diverged"] and m["epochs"] == 0


def test_rules_diagnosis_and_data():
    p = PUZZLES["capacity"]
    fixed = fixed_config(p)
    assert "keep the puzzle's data" in check_fix(p, fixed.replace(dataset="xor"), p.diagnosis).detail
    assert "X₁ and X₂" in check_fix(p, fixed.replace(features=("x1", "x2", "x1sq")), p.diagnosis).detail
    wrong = check_fix(p, fixed, "zero-init")
    assert not wrong.passed and wrong.diagnosis_ok is False and "diagnosis" in wrong.detail
    unsure = check_fix(p, fixed, None)
    assert not unsure.passed and "pick a diagnosis" in unsure.detail
    assert "drawn or uploaded" in check_fix(p, fixed, p.diagnosis, user_data=True).detail
    assert "No Playground run" in check_fix(p, None, p.diagnosis).detail
    slow = check_fix(p, fixed, p.diagnosis, seconds=0.0)
    assert not slow.passed and "make it smaller" in slow.detail
    assert goal_text(PUZZLES["diverges"]) == "test R² ≥ 0.950 and test loss ≤ 0.0100"


def test_same_setup_same_verdict():
    p = PUZZLES["missing-feature"]
    a, b = (check_fix(p, fixed_config(p), p.diagnosis) for _ in range(2))
    assert a == b


def test_lessons_page_checks_the_playgrounds_setup():
    p = PUZZLES["zero-init"]
    at = open_page("pages/play.py", dict(dataclasses.asdict(broken_config(p)), hidden="4,2",
                                         features="x1,x2", activation="tanh"))
    at.query_params.clear()
    at.query_params["puzzle"] = p.id
    at.switch_page("pages/lessons.py").run()
    assert_no_exception(at)
    assert p.title in at.subheader[0].value  # the puzzle of the link comes first
    at.radio(key=f"ls.diag.{p.id}").set_value(p.diagnosis).run()
    next(b for b in at.button if b.key == f"ls.fix.{p.id}").click().run()
    assert_no_exception(at)
    assert any("Not yet" in w.value and "duplicated hidden units" in w.value for w in at.warning)
    at.session_state["pg.session"].apply({"init": "xavier"})  # the learner fixes it on the Playground
    next(b for b in at.button if b.key == f"ls.fix.{p.id}").click().run()
    assert any("Fixed!" in s.value for s in at.success)
    assert p.id in at.session_state["ls.solved"]


def test_playground_controls_show_the_run_after_a_visit_to_lessons():
    """Checking a fix means leaving the Playground; back there, the controls must show the run, not defaults
    (Streamlit drops the state of widgets a page run did not draw)."""
    at = open_page("pages/play.py", {"dataset": "circle", "hidden": "8,8", "activation": "relu",
                                     "optimizer": "adam", "lr": "0.3"})
    at.query_params.clear()
    at.switch_page("pages/lessons.py").run()
    at.switch_page("pages/play.py").run()
    assert_no_exception(at)
    assert at.selectbox(key="pg.optimizer").value == "adam" and at.selectbox(key="pg.act").value == "relu"
    assert at.session_state["pg.session"].cfg.optimizer == "adam"
