"""Lessons: every reference solution passes its goal, starting points fail where the lesson says so,
links decode cleanly, pages exist, and checks never raise."""
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest

from playground.run.config import Config, from_query, to_query
from playground.teach.lessons import (
    LESSONS, SOURCES, class_link, lesson_state, reference_state, solution_text, start_state,
)
from playground.teach.checks import GoalResult
from playground.app.pages import PAGES
from playground.teach.perceptron import GATES, make_perceptron
from playground.run.trainer import Trainer

ALL = list(LESSONS.values())
ids = [lesson.id for lesson in ALL]
CURRICULUM = ["neuron", "perceptron", "xor-perceptron", "xor-hidden", "hidden-layers", "activations",
              "learning-rate", "overfitting", "softmax"]
PERCEPTRON_KEYS = {"perc.mp.gate": set(GATES), "perc.gate": set(GATES) - {"NOT"}}


def test_registry_follows_the_curriculum():
    assert len(ALL) >= 8
    assert len(set(ids)) == len(ids)
    positions = [ids.index(i) for i in CURRICULUM]
    assert positions == sorted(positions), "lessons must follow the curriculum's order (CURRICULUM above)"
    for n, lesson in enumerate(ALL, 1):
        assert lesson.title.startswith(f"{n} · "), lesson.title
        assert lesson.source in SOURCES
        assert 2 <= lesson.story.count(". ") + 1 <= 5, lesson.id  # a short story: 2–4 sentences
        assert lesson.task and lesson.goal and lesson.explanation


@pytest.mark.parametrize("lesson", ALL, ids=ids)
def test_reference_solution_passes(lesson):
    result = lesson.check(reference_state(lesson))
    assert isinstance(result, GoalResult)
    assert result.passed, f"{lesson.id}: {result.detail}"
    assert result.detail


@pytest.mark.parametrize("lesson", [x for x in ALL if x.start_fails_after is not None],
                         ids=[x.id for x in ALL if x.start_fails_after is not None])
def test_unchanged_start_does_not_pass(lesson):
    result = lesson.check(start_state(lesson))
    assert not result.passed, f"{lesson.id} passes without any change: {result.detail}"
    assert result.detail


def test_xor_with_linear_units_fails_on_accuracy_not_on_a_rule():
    t = start_state(LESSONS["xor-hidden"], 100)
    assert t.cfg.activation == ("linear",) and t.history.test_metric[-1] < 0.8
    assert "Test accuracy" in LESSONS["xor-hidden"].check(t).detail


@pytest.mark.parametrize("lesson", ALL, ids=ids)
def test_query_decodes_without_warnings(lesson):
    assert lesson.query
    if lesson.page == "perceptron":
        for key, value in parse_qsl(lesson.query, strict_parsing=True):
            assert value in PERCEPTRON_KEYS[key], (key, value)
    else:
        cfg, warnings = from_query(lesson.query)
        assert warnings == []
        assert to_query(cfg) == lesson.query  # already normalised: the link shows what runs


@pytest.mark.parametrize("lesson", ALL, ids=ids)
def test_page_exists_in_registry(lesson):
    assert lesson.page in {p.url for p in PAGES}


@pytest.mark.parametrize("lesson", ALL, ids=ids)
@pytest.mark.parametrize("state", [None, {}, {"answer": "banana"}, {"perceptron": None}, 42, "x"])
def test_check_never_raises_and_says_what_is_missing(lesson, state):
    result = lesson.check(state)
    assert not result.passed and len(result.detail) > 10


def test_playground_check_rejects_another_dataset_and_broken_rules():
    gauss = Trainer(Config(dataset="gauss"))
    gauss.run(epochs=5)
    r = LESSONS["xor-hidden"].check(gauss)
    assert not r.passed and "gauss" in r.detail and "xor" in r.detail
    # The features lesson: a hidden layer breaks its rule, whatever the accuracy.
    t = Trainer(Config(dataset="circle", hidden=(4,)))
    r = LESSONS["features"].check(t)
    assert not r.passed and "hidden layers" in r.detail
    # Untrained: asks for training.
    r = LESSONS["activations"].check(Trainer(Config(dataset="circle", hidden=(4, 2), activation=("relu",))))
    assert not r.passed and "Trained 0 epochs" in r.detail


def test_learning_rate_goal_counts_the_first_epoch_it_was_reached():
    lesson = LESSONS["learning-rate"]
    t = Trainer(from_query(lesson.query)[0].replace(lr=0.03))
    t.run(epochs=80)  # reaches 0.05 around epoch 55: too late
    r = lesson.check(t)
    assert not r.passed and "first reached at epoch" in r.detail and "by epoch 30" in r.detail
    adam = Trainer(from_query(lesson.query)[0].replace(lr=0.1, optimizer="adam"))
    assert "optimizer" in lesson.check(adam).detail


def test_overfitting_too_much_l2_underfits():
    lesson = LESSONS["overfitting"]
    t = Trainer(from_query(lesson.query)[0].replace(reg="l2", reg_rate=0.1))
    t.run(epochs=500)
    r = lesson.check(t)
    assert not r.passed and "Test loss" in r.detail


def test_quiz_answers():
    lesson = LESSONS["neuron"]
    verdicts = {c: lesson.check({"answer": c}).passed for c in lesson.choices}
    assert verdicts == {"0": False, "1": True, "2": False, "3": False}
    assert "AND" in lesson.check({"answer": "2"}).detail


def test_perceptron_checks_read_the_perceptron():
    conv, never = LESSONS["perceptron"], LESSONS["xor-perceptron"]
    p = make_perceptron("OR")
    p.train(20)
    assert not conv.check({"perceptron": p}).passed  # converged, but on another gate
    a = make_perceptron("AND", seed=0)
    for _ in range(15):  # mistakes per epoch [3, 2, 1, 1, 0, 0, …]: the last one in epoch 4
        a.run_epoch()
    result = conv.check({"perceptron": a})
    assert result.passed and "Converged after 5 epochs: the last mistake was in epoch 4" in result.detail
    assert "trained for 15 epochs" in result.detail
    x = make_perceptron("XOR")
    for _ in range(9):
        x.run_epoch()
    assert "9 of 10" in never.check({"perceptron": x}).detail
    x.run_epoch()
    assert never.check({"perceptron": x}).passed and min(x.mistakes) >= 1


def test_lesson_state_reads_the_pages_session_keys():
    t = Trainer(Config(dataset="xor", hidden=(4,)))
    session = {"pg.session": SimpleNamespace(trainer=t), "perc.model": make_perceptron("AND")}
    assert lesson_state(LESSONS["xor-hidden"], session) is t
    assert lesson_state(LESSONS["perceptron"], session)["perceptron"] is session["perc.model"]
    assert lesson_state(LESSONS["neuron"], session, "1") == {"answer": "1"}
    assert lesson_state(LESSONS["xor-hidden"], {}) is None
    assert "No Playground run" in LESSONS["xor-hidden"].check(lesson_state(LESSONS["xor-hidden"], {})).detail


def test_class_link_and_solution_text():
    lesson = LESSONS["features"]
    url = class_link(lesson, "https://school.example/app/")
    assert url == f"https://school.example/app/play?{lesson.query}"
    assert from_query(url)[1] == []
    assert solution_text(lesson) == "features x1,x2,x1sq,x2sq; then train 100 epochs."
    assert solution_text(LESSONS["neuron"]) == "Answer 1."
