"""The checks of a learner's work: the rules a setup is held to, and the goals of the guided lessons.

* **Rules** (`Rule`): a constraint on a Playground `Config`, the problem in words or None:
  ``hidden_is``, ``layers_between``, ``field_is``, ``raw_inputs``, ``hard_data``.  Lessons
  and the debug-the-network puzzles hold the learner's setup to them.
* **Goals**, each a check that reads what the learner built and returns a `GoalResult`
  (never raises): ``trainer_goal`` on the Playground's `Trainer`, ``perceptron_converges`` and
  ``perceptron_never_converges`` on the Perceptron page's perceptron, ``threshold_quiz`` on an answer.

    >>> raw_inputs(Config(features=("x1", "x2", "x1sq")))
    'use only X₁ and X₂ as inputs (no engineered features)'
    >>> changes_text({"reg_rate": 0.01, "hidden": (4, 2)})
    'reg rate 0.01, hidden 4,2'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from playground.run.config import Config
from playground.teach.perceptron import convergence_text, gate_matches, logic_data

__all__ = [
    "GoalResult", "Rule", "hidden_is", "layers_between", "field_is", "raw_inputs", "hard_data", "changes_text",
    "trainer_goal", "perceptron_converges", "perceptron_never_converges", "threshold_quiz",
]


@dataclass(frozen=True)
class GoalResult:
    passed: bool
    detail: str  # what was measured; on a miss, what is missing and what to try


# ----- rules: constraints on a Playground setup ----------------------------------------------------
Rule = Callable[[Config], "str | None"]  # a config constraint: the problem, or None


def hidden_is(sizes: tuple[int, ...]) -> Rule:
    """The hidden layers must be exactly ``sizes``."""
    want = ",".join(map(str, sizes)) or "none"
    return lambda c: None if c.hidden == sizes else f"keep the hidden layers at {want} (now {_layers(c)})"


def layers_between(lo: int, hi: int) -> Rule:
    """``lo`` to ``hi`` hidden layers (``hi`` ≥ 99: no upper limit)."""
    def rule(c: Config) -> str | None:
        if lo <= len(c.hidden) <= hi:
            return None
        span = f"exactly {lo}" if lo == hi else f"at least {lo}" if hi >= 99 else f"{lo} to {hi}"
        return f"use {span} hidden layer{'s' if hi != 1 else ''} (now {_layers(c)})"
    return rule


def field_is(name: str, value, why: str = "") -> Rule:
    """The config's field ``name`` must keep ``value``; ``why`` is added to the message."""
    return lambda c: None if getattr(c, name) == value else (
        f"keep {name} = {_show(value)} (now {_show(getattr(c, name))}){why}")


def raw_inputs(c: Config) -> str | None:
    """A rule: the inputs are X₁ and X₂ alone, no engineered features."""
    return None if c.features == ("x1", "x2") else "use only X₁ and X₂ as inputs (no engineered features)"


def hard_data(noise: int, train: int) -> Rule:
    """At least ``noise`` % noise and at most ``train`` % of the points for training."""
    return lambda c: None if c.noise >= noise and c.train <= train else (
        f"keep the hard conditions: noise ≥ {noise} % and training data ≤ {train} % "
        f"(now {c.noise} % and {c.train} %)")


def _layers(c: Config) -> str:
    return ",".join(map(str, c.hidden)) if c.hidden else "none"


def _show(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, tuple) else str(v)


def changes_text(changes: Mapping) -> str:
    """Config changes in words, for the teacher's notes: "reg rate 0.01, hidden 4,2"."""
    return ", ".join(f"{k.replace('_', ' ')} {_show(v)}" for k, v in changes.items())


# ----- goals on a Playground trainer -------------------------------------------------------------
def _first_epoch(epochs, values, ok) -> int | None:
    return next((e for e, v in zip(epochs, values) if ok(v)), None)


def trainer_goal(dataset: str, *, min_accuracy: float | None = None, max_test_loss: float | None = None,
                 within: int | None = None, min_epochs: int = 1, rules: tuple[Rule, ...] = ()
                 ) -> Callable[[Any], GoalResult]:
    """A check on a Playground `Trainer`: dataset, config rules, then accuracy / test loss.

    ``within``: the target must first be met at an epoch ≤ this (read from the
    history, so a run that got there late does not count).
    """
    def check(t) -> GoalResult:
        if t is None or not hasattr(t, "history") or not hasattr(t, "cfg"):
            return GoalResult(False, "No Playground run yet: press “Open lesson”, train, then check again.")
        c = t.cfg
        if t.data.name != dataset:
            return GoalResult(False, f"The Playground has data “{t.data.name}”; this lesson uses “{dataset}”. "
                                     "Press “Open lesson” to load its settings.")
        problems = [p for p in (r(c) for r in rules) if p]
        if problems:
            return GoalResult(False, "Not within the lesson's rules: " + "; ".join(problems) + ".")
        if t.epoch < min_epochs:
            return GoalResult(False, f"Trained {t.epoch} epochs; train at least {min_epochs:,} (press Play).")
        h = t.history
        note = " (training diverged: lower the learning rate and press Reset)" if t.diverged else ""
        if min_accuracy is not None:
            now, what, want = h.test_metric[-1], "test accuracy", f"≥ {min_accuracy:.0%}"
            first = _first_epoch(h.epoch, h.test_metric, lambda v: v >= min_accuracy)
            shown = f"{now:.1%}"
        else:
            now, what, want = h.test_loss[-1], "test loss", f"≤ {max_test_loss:g}"
            first = _first_epoch(h.epoch, h.test_loss, lambda v: v <= max_test_loss)
            shown = f"{now:.3f}"
        if within is not None:  # "reach it by epoch N": the first time counts, later wobbles do not
            if first is not None and first <= within:
                return GoalResult(True, f"{what.capitalize()} {want} first reached at epoch {first} "
                                        f"(learning rate {t.lr:g}).")
            when = f"first reached at epoch {first:,}" if first is not None else "not reached yet"
            return GoalResult(False, f"{what.capitalize()} {want}: {when}; the goal is by epoch {within}{note}. "
                                     "Change the setting, press Reset and train again from epoch 0.")
        if first is None or (now < min_accuracy if min_accuracy is not None else now > max_test_loss):
            gap = (f" Training accuracy {h.train_metric[-1]:.0%} vs test {h.test_metric[-1]:.0%}."
                   if t.task != "regression" and min_accuracy is None else "")
            return GoalResult(False, f"{what.capitalize()} {shown} after {t.epoch:,} epochs; "
                                     f"the goal is {want}{note}.{gap}")
        net = f"hidden layers {_layers(c)}, {c.activations()[0]}" if c.hidden else "no hidden layer"
        return GoalResult(True, f"{what.capitalize()} {shown} after {t.epoch:,} epochs "
                                f"({net}, learning rate {t.lr:g}).")
    return check


# ----- goal checks on the Perceptron page and quizzes --------------------------------------------
def _perceptron_of(state) -> Any:
    return state.get("perceptron") if isinstance(state, Mapping) else None


def _trained_on(p, gate: str) -> bool:
    X, y = logic_data(gate)
    return p.X.shape == X.shape and np.array_equal(p.X, X) and np.array_equal(p.y, y)


def _perceptron_goal(gate: str, judge: Callable[[Any], GoalResult]) -> Callable[[Any], GoalResult]:
    """A check on the Perceptron page's perceptron: a miss until there is one trained on ``gate``, then ``judge(p)``."""
    def check(state) -> GoalResult:
        p = _perceptron_of(state)
        if p is None:
            return GoalResult(False, "No perceptron yet: press “Open lesson” and train it on the Perceptron page.")
        if not _trained_on(p, gate):
            return GoalResult(False, f"The perceptron is learning another gate; choose {gate} as training data.")
        return judge(p)
    return check


def perceptron_converges(gate: str) -> Callable[[Any], GoalResult]:
    """Passes once an epoch on ``gate`` made no mistake."""
    def judge(p) -> GoalResult:
        if not p.converged:
            return GoalResult(False, f"{p.epoch} epochs so far and the last one still made mistakes "
                                     f"({p.errors()} of 4 wrong now): keep stepping or press Play.")
        w = ", ".join(f"{v:.2g}" for v in p.wb)
        return GoalResult(True, f"{convergence_text(p)}, with (w₁, w₂, b) = ({w}).")
    return _perceptron_goal(gate, judge)


def perceptron_never_converges(gate: str, epochs: int) -> Callable[[Any], GoalResult]:
    """Passes after ``epochs`` epochs on ``gate`` of which none was mistake-free."""
    def judge(p) -> GoalResult:
        if p.epoch < epochs:
            return GoalResult(False, f"{p.epoch} of {epochs} epochs so far: keep going (Play, at 1 epoch per tick).")
        if p.converged:  # impossible for XOR; say so rather than pass
            return GoalResult(False, "The last epoch made no mistake: this is not XOR's truth table.")
        fewest = min(p.mistakes)
        return GoalResult(True, f"{p.epoch} epochs, and even the best one made {fewest} "
                                f"mistake{'s' if fewest != 1 else ''}: the line never stops moving.")
    return _perceptron_goal(gate, judge)


def threshold_quiz(gate: str, weights: tuple[float, ...]) -> Callable[[Any], GoalResult]:
    def check(state) -> GoalResult:
        answer = state.get("answer") if isinstance(state, Mapping) else None
        try:
            theta = float(answer)
        except (TypeError, ValueError):
            return GoalResult(False, "Pick an answer first.")
        if gate_matches(gate, weights, theta):
            return GoalResult(True, f"θ = {theta:g}: the neuron fires exactly when {gate} is 1.")
        fires = [g for g in ("AND", "OR", "NAND", "NOR") if gate_matches(g, weights, theta)]
        also = f" With θ = {theta:g} it computes {fires[0]}." if fires else ""
        return GoalResult(False, f"Not {gate}: check the row x = (0, 1) and the row x = (0, 0).{also}")
    return check
