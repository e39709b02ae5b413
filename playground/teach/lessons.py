"""Guided lessons: a short story, a task, and a goal the app checks from the learner's own run.

One registry, ``LESSONS`` (id -> frozen `Lesson`), in the order of the
curriculum: neuron → perceptron → XOR → hidden layers → activations →
learning rate → overfitting → softmax, then features, vanishing gradients and
real digits.  Each lesson opens a page (a route from ``pages.PAGES``) with a
share-link query, and its ``check`` reads what the learner built:

* ``source == "playground"``: the Playground's `Trainer` (config, history, epoch);
* ``source == "perceptron"``: ``{"perceptron": Perceptron}`` from the Perceptron page;
* ``source == "quiz"``: ``{"answer": "<one of lesson.choices>"}``.

``check`` never raises; it returns a `GoalResult` whose ``detail`` says what
was measured and, on a miss, what is still missing.  ``reference_state``
builds the reference solution headlessly (the tests run every one)::

    >>> r = LESSONS["features"].check(reference_state(LESSONS["features"]))
    >>> r.passed
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

import numpy as np

from playground.run.config import Config, from_query, normalize
from playground.teach.perceptron import convergence_text, gate_matches, logic_data, make_perceptron

__all__ = [
    "GoalResult", "Lesson", "LESSONS", "SOURCES", "reference_state", "start_state", "lesson_state",
    "class_link", "lesson_config", "solution_text", "trainer_goal", "prediction_gate",
]

#: Where a lesson's check reads its input: source -> the session-state key the page keeps it under.
SOURCES = {"playground": "pg.session", "perceptron": "perc.model", "quiz": None}


@dataclass(frozen=True)
class GoalResult:
    passed: bool
    detail: str  # what was measured; on a miss, what is missing and what to try


@dataclass(frozen=True)
class Lesson:
    """One guided lesson.

    ``reference`` holds what solves it: config changes plus ``epochs`` for a
    Playground lesson, ``gate``/``epochs`` for the perceptron, ``answer`` for a
    quiz.  ``start_fails_after``: the unchanged starting point trained this many
    epochs still misses the goal (the tests hold the lesson to it); None when the
    lesson makes no such claim.
    """

    id: str
    title: str
    page: str  # route, e.g. "play"
    query: str  # share-link query string for that page
    story: str
    task: str
    goal: str
    check: Callable[[Any], GoalResult] = field(repr=False)
    reference: dict = field(default_factory=dict)
    explanation: str = ""
    source: str = "playground"
    question: str = ""
    choices: tuple[str, ...] = ()
    start_fails_after: int | None = None
    #: Predict first: the lesson opens the Predict page (``pages/predict.py``), where the learner paints the
    #: boundary they expect and picks the loss curve and accuracy before training, then sees them scored.
    predict: bool = False


# ----- goal checks on a Playground trainer ------------------------------------------------------
Rule = Callable[[Config], "str | None"]  # a config constraint: the problem, or None


def _hidden_is(sizes: tuple[int, ...]) -> Rule:
    want = ",".join(map(str, sizes)) or "none"
    return lambda c: None if c.hidden == sizes else f"keep the hidden layers at {want} (now {_layers(c)})"


def _layers_between(lo: int, hi: int) -> Rule:
    def rule(c: Config) -> str | None:
        if lo <= len(c.hidden) <= hi:
            return None
        span = f"exactly {lo}" if lo == hi else f"at least {lo}" if hi >= 99 else f"{lo} to {hi}"
        return f"use {span} hidden layer{'s' if hi != 1 else ''} (now {_layers(c)})"
    return rule


def _field_is(name: str, value, why: str = "") -> Rule:
    return lambda c: None if getattr(c, name) == value else (
        f"keep {name} = {_show(value)} (now {_show(getattr(c, name))}){why}")


def _raw_inputs(c: Config) -> str | None:
    return None if c.features == ("x1", "x2") else "use only X₁ and X₂ as inputs (no engineered features)"


def _hard_data(noise: int, train: int) -> Rule:
    return lambda c: None if c.noise >= noise and c.train <= train else (
        f"keep the hard conditions: noise ≥ {noise} % and training data ≤ {train} % "
        f"(now {c.noise} % and {c.train} %)")


def _layers(c: Config) -> str:
    return ",".join(map(str, c.hidden)) if c.hidden else "none"


def _show(v) -> str:
    return ",".join(map(str, v)) if isinstance(v, tuple) else str(v)


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


def _perceptron_converges(gate: str) -> Callable[[Any], GoalResult]:
    def check(state) -> GoalResult:
        p = _perceptron_of(state)
        if p is None:
            return GoalResult(False, "No perceptron yet: press “Open lesson” and train it on the Perceptron page.")
        if not _trained_on(p, gate):
            return GoalResult(False, f"The perceptron is learning another gate; choose {gate} as training data.")
        if not p.converged:
            return GoalResult(False, f"{p.epoch} epochs so far and the last one still made mistakes "
                                     f"({p.errors()} of 4 wrong now): keep stepping or press Play.")
        w = ", ".join(f"{v:.2g}" for v in p.wb)
        return GoalResult(True, f"{convergence_text(p)}, with (w₁, w₂, b) = ({w}).")
    return check


def _perceptron_never_converges(gate: str, epochs: int) -> Callable[[Any], GoalResult]:
    def check(state) -> GoalResult:
        p = _perceptron_of(state)
        if p is None:
            return GoalResult(False, "No perceptron yet: press “Open lesson” and train it on the Perceptron page.")
        if not _trained_on(p, gate):
            return GoalResult(False, f"The perceptron is learning another gate; choose {gate} as training data.")
        if p.epoch < epochs:
            return GoalResult(False, f"{p.epoch} of {epochs} epochs so far: keep going (Play, at 1 epoch per tick).")
        if p.converged:  # impossible for XOR; say so rather than pass
            return GoalResult(False, "The last epoch made no mistake: this is not XOR's truth table.")
        fewest = min(p.mistakes)
        return GoalResult(True, f"{p.epoch} epochs, and even the best one made {fewest} "
                                f"mistake{'s' if fewest != 1 else ''}: the line never stops moving.")
    return check


def _threshold_quiz(gate: str, weights: tuple[float, ...]) -> Callable[[Any], GoalResult]:
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


# ----- the registry ---------------------------------------------------------------------------
def lesson_config(**fields) -> Config:
    """A valid Config from fields (the dataset's usual loss filled in); raises if a field is wrong."""
    cfg, warnings = normalize(fields)
    if warnings:
        raise ValueError(f"lesson config {fields!r} is not valid: {'; '.join(warnings)}")
    return cfg


def _q(**fields) -> str:
    return lesson_config(**fields).to_query()


_CIRCLE_42 = dict(dataset="circle", hidden=(4, 2))

LESSONS: dict[str, Lesson] = {lesson.id: lesson for lesson in [
    Lesson(
        "neuron", "1 · A neuron is a logic gate", "perceptron", urlencode({"perc.mp.gate": "OR"}),
        story="A McCulloch–Pitts neuron (1943) adds up its binary inputs, each times a weight, and fires "
              "when the sum reaches a threshold θ. That is already enough for AND, OR and NOT.",
        task="On the Perceptron page, move θ with both weights at 1 and watch the truth table.",
        goal="Pick the threshold θ that turns the neuron into an OR gate.",
        check=_threshold_quiz("OR", (1.0, 1.0)), reference={"answer": "1"}, source="quiz",
        question="With w₁ = w₂ = 1, the neuron computes OR when θ is…", choices=("0", "1", "2", "3"),
        explanation="OR must fire when at least one input is 1, so a sum of 1 has to be enough (θ ≤ 1), "
                    "and silence must not fire (θ > 0). θ = 2 gives AND; θ = 0 fires on everything.",
    ),
    Lesson(
        "perceptron", "2 · The perceptron learns AND", "perceptron", urlencode({"perc.gate": "AND"}),
        story="Rosenblatt's perceptron (1957) learns the weights itself: it looks at one example at a time "
              "and, when it is wrong, moves the weights by η (y − ŷ) x. The line it draws shifts until "
              "every example is on the right side.",
        task="On the Perceptron page, train on AND with Step, Epoch or Play until an epoch makes no mistake.",
        goal="The perceptron converges on AND: one whole epoch without a mistake.",
        check=_perceptron_converges("AND"), reference={"gate": "AND", "epochs": 20}, source="perceptron",
        start_fails_after=0,
        explanation="AND is linearly separable, and the perceptron convergence theorem guarantees that the "
                    "rule then finds a separating line in a finite number of updates.",
    ),
    Lesson(
        "xor-perceptron", "3 · XOR: the perceptron's famous failure", "perceptron",
        urlencode({"perc.gate": "XOR"}),
        story="XOR fires when exactly one input fires. Minsky and Papert (1969) showed that one perceptron "
              "can only draw a straight line, and no line puts (0, 1) and (1, 0) on one side and (0, 0), "
              "(1, 1) on the other.",
        task="Train the perceptron on XOR for 10 epochs (Play at 1 epoch per tick) and watch the mistakes chart.",
        goal="Train 10 or more epochs on XOR and see that no epoch is ever mistake-free.",
        check=_perceptron_never_converges("XOR", 10), reference={"gate": "XOR", "epochs": 10},
        source="perceptron", start_fails_after=0,
        explanation="Every update fixes one corner and breaks another, forever. The fix is a hidden layer "
                    "with a non-linear activation: the next lesson.",
    ),
    Lesson(
        "xor-hidden", "4 · A hidden layer solves XOR", "play",
        _q(dataset="xor", hidden=(4,), activation=("linear",)),
        story="Stack a layer of neurons between input and output. With a linear activation the stack is "
              "still one linear map, X(W₁W₂) + b: still one straight line. A non-linear activation bends it.",
        task="Train the linear network first and watch it fail; then change the activation and train again.",
        goal="Reach ≥ 95 % test accuracy on XOR with one hidden layer.",
        check=trainer_goal("xor", min_accuracy=0.95, rules=(_layers_between(1, 1), _raw_inputs)),
        reference={"activation": ("tanh",), "epochs": 150}, start_fails_after=300,
        explanation="Each tanh unit bends the plane along its own line; the output neuron combines those "
                    "bent pieces into the two diagonal regions of XOR.",
    ),
    Lesson(
        "hidden-layers", "5 · Hidden layers draw curves", "play", _q(dataset="circle", hidden=()),
        story="With no hidden layer the network is one neuron: its boundary is a straight line, and no line "
              "separates a disc from the ring around it. Hidden neurons each draw a line of their own, and "
              "the output combines them.",
        task="Train as it is (stuck near 50 %), then add one hidden layer of a few neurons.",
        goal="Reach ≥ 95 % test accuracy on the circle with one hidden layer and only X₁, X₂ as inputs.",
        check=trainer_goal("circle", min_accuracy=0.95, rules=(_layers_between(1, 1), _raw_inputs)),
        reference={"hidden": (4,), "lr": 0.1, "epochs": 200}, start_fails_after=200, predict=True,
        explanation="Each hidden neuron draws one line; the output adds them up, so 3–4 lines can enclose "
                    "the disc. One hidden layer can approximate any continuous boundary, given enough neurons.",
    ),
    Lesson(
        "activations", "6 · Activation functions", "play", _q(**_CIRCLE_42, activation=("linear",)),
        story="Two hidden layers, but with the linear activation they collapse into one linear map: "
              "O = X(W₁W₂W₃) + b. Depth without a non-linearity buys nothing.",
        task="Keep the network shape (4, 2); try sigmoid, tanh and ReLU and compare how fast each learns.",
        goal="Reach ≥ 95 % test accuracy on the circle with hidden layers 4, 2 and only X₁, X₂ as inputs.",
        check=trainer_goal("circle", min_accuracy=0.95, rules=(_hidden_is((4, 2)), _raw_inputs)),
        reference={"activation": ("relu",), "epochs": 200}, start_fails_after=100,
        explanation="ReLU and tanh keep a healthy gradient and learn quickly; sigmoid's slope is at most "
                    "0.25 and it is slower. Any of them turns lines into curves.",
    ),
    Lesson(
        "learning-rate", "7 · The learning rate", "play", _q(**_CIRCLE_42, lr=0.001),
        story="Gradient descent moves every weight by η · ∂L/∂w. Too small a step η and training crawls; "
              "too large and it overshoots, bounces or diverges.",
        task="Train for 30 epochs at η = 0.001; then try larger rates (press Reset between tries).",
        goal="Reach test loss ≤ 0.05 by epoch 30 with plain SGD, batch 10, tanh and layers 4, 2.",
        check=trainer_goal("circle", max_test_loss=0.05, within=30, rules=(
            _hidden_is((4, 2)), _field_is("optimizer", "sgd"), _field_is("batch", 10),
            _field_is("activation", ("tanh",)), _raw_inputs)),
        reference={"lr": 0.1, "epochs": 30}, start_fails_after=100,
        explanation="η = 0.1 gets there by epoch 20 and 0.3 by epoch 10, though it then bounces; 0.03 needs "
                    "about 55 epochs; 0.001 barely moves; at 3 training never settles. The best rate is the "
                    "largest one that still goes down smoothly.",
    ),
    Lesson(
        "overfitting", "8 · Overfitting and regularisation", "play",
        _q(dataset="circle", noise=40, train=20, hidden=(16, 16), lr=0.1),
        story="A big network, little data and lots of noise: it memorises the training points, noise "
              "included. Training loss keeps falling while test loss climbs back up.",
        task="Train 500 epochs and watch the two curves part; then try L2 (weight decay), L1, dropout or a "
             "smaller network.",
        goal="After ≥ 500 epochs, test loss ≤ 0.30 on the circle with noise ≥ 40 % and training data ≤ 20 %.",
        check=trainer_goal("circle", max_test_loss=0.30, min_epochs=500, rules=(_hard_data(40, 20),)),
        reference={"reg": "l2", "reg_rate": 0.03, "epochs": 500}, start_fails_after=500,
        explanation="L2 pulls every weight toward zero (w ← w(1 − ηλ) − η∂L/∂w), so the net cannot bend its "
                    "boundary around single noisy points. Too much (λ = 0.1) underfits: watch both curves.",
    ),
    Lesson(
        "softmax", "9 · Many classes: softmax", "play", _q(dataset="spiral3", hidden=()),
        story="For K classes the output has K neurons, and softmax turns them into probabilities that sum "
              "to 1. Cross-entropy punishes a low probability on the true class.",
        task="Without hidden layers softmax draws K straight-edged regions; add layers (ReLU and Adam help).",
        goal="Reach ≥ 90 % test accuracy on the three-arm spiral.",
        check=trainer_goal("spiral3", min_accuracy=0.90, rules=(_field_is("loss", "ce"),)),
        reference={"hidden": (16, 16), "activation": ("relu",), "optimizer": "adam", "lr": 0.01, "epochs": 200},
        start_fails_after=100,
        explanation="Each output neuron scores its class; softmax compares the scores. The hidden layers "
                    "unroll the spiral arms so that those scores can be simple.",
    ),
    Lesson(
        "features", "10 · Feature engineering", "play", _q(dataset="circle", hidden=()),
        story="A hidden layer learns new features; you can also hand them over. The circle is x₁² + x₂² < r²: "
              "a straight line in the space of the squares.",
        task="Keep zero hidden layers; add input features until a single neuron separates the circle.",
        goal="Reach ≥ 95 % test accuracy on the circle with no hidden layer.",
        check=trainer_goal("circle", min_accuracy=0.95, rules=(_hidden_is(()),)),
        reference={"features": ("x1", "x2", "x1sq", "x2sq"), "epochs": 100}, start_fails_after=100,
        explanation="With X₁² and X₂² as inputs the boundary w₁x₁² + w₂x₂² + b = 0 is an ellipse: the right "
                    "features make a hard problem linear.",
    ),
    Lesson(
        "vanishing", "11 · Vanishing gradients", "play",
        _q(dataset="circle", hidden=(6,) * 6, activation=("sigmoid",)),
        story="Backprop multiplies one activation slope per layer. Sigmoid's slope is at most 0.25, so six "
              "layers shrink the gradient of the first layer a thousandfold: it hardly learns.",
        task="Train the deep sigmoid net and look at the gradient norms per layer; then change the activation.",
        goal="Reach ≥ 95 % test accuracy on the circle with 6 or more hidden layers.",
        check=trainer_goal("circle", min_accuracy=0.95, rules=(_layers_between(6, 99),)),
        reference={"activation": ("tanh",), "epochs": 60}, start_fails_after=60,
        explanation="tanh (slope up to 1) and ReLU (slope 1 where active) pass gradients back without "
                    "shrinking them, so even the first layers learn.",
    ),
    Lesson(
        "digits", "12 · Real data: handwritten digits", "play", _q(dataset="digits", hidden=(4, 2)),
        story="The same ideas on real images: 64 pixel values in, 10 softmax outputs, one per digit. Half "
              "the images train the net; the other half test it on digits it has never seen.",
        task="A 4-2 network is far too narrow for ten classes: widen it (and try ReLU with Adam).",
        goal="Reach ≥ 95 % test accuracy on the digits.",
        check=trainer_goal("digits", min_accuracy=0.95),
        reference={"hidden": (64,), "activation": ("relu",), "optimizer": "adam", "lr": 0.01, "batch": 32,
                   "epochs": 10},
        start_fails_after=10,
        explanation="A layer of 2 neurons squeezes every image into 2 numbers: too little to keep ten "
                    "digits apart. 32–64 neurons keep enough of each image to read it.",
    ),
]}


# ----- states: the reference, the start, and what the page has in session -------------------------
def _playground_trainer(lesson: Lesson, changes: dict, epochs: int):
    from playground.run.trainer import Trainer  # local: the trainer pulls in the engines

    cfg, _ = from_query(lesson.query)
    if changes:
        cfg = cfg.replace(**changes)
    t = Trainer(cfg)
    if epochs:
        t.run(epochs=epochs)
    return t


def reference_state(lesson: Lesson):
    """What the lesson's ``check`` receives once the reference solution has been carried out."""
    ref = dict(lesson.reference)
    if lesson.source == "quiz":
        return {"answer": ref["answer"]}
    if lesson.source == "perceptron":
        p = make_perceptron(ref["gate"])
        p.train(ref["epochs"])  # stops early once an epoch is mistake-free (never, on XOR)
        return {"perceptron": p}
    epochs = ref.pop("epochs")
    return _playground_trainer(lesson, ref, epochs)


def start_state(lesson: Lesson, epochs: int | None = None):
    """The unchanged starting point trained ``epochs`` (default ``start_fails_after``) epochs."""
    epochs = lesson.start_fails_after if epochs is None else epochs
    if lesson.source == "quiz":
        return {"answer": None}
    if lesson.source == "perceptron":
        gate = lesson.reference["gate"]
        p = make_perceptron(gate)
        for _ in range(epochs or 0):
            p.run_epoch()
        return {"perceptron": p}
    return _playground_trainer(lesson, {}, epochs or 0)


def lesson_state(lesson: Lesson, session: Mapping, answer: str | None = None):
    """The check's input from a page's session state (or ``answer`` for a quiz); None if absent."""
    if lesson.source == "quiz":
        return {"answer": answer}
    obj = session.get(SOURCES[lesson.source])
    if obj is None:
        return None
    if lesson.source == "perceptron":
        return {"perceptron": obj}
    return getattr(obj, "trainer", obj)  # a PlaygroundSession, or a Trainer as it is


def prediction_gate(lesson: Lesson, revealed) -> GoalResult | None:
    """For a lesson that asks for a prediction first: a miss until the learner has predicted and seen the
    reveal on the Predict page for the lesson's data (``revealed``: the data names predicted so far); else None."""
    if not lesson.predict:
        return None
    dataset = from_query(lesson.query)[0].dataset
    if dataset in set(revealed or ()):
        return None
    return GoalResult(False, "This lesson starts with a prediction: press “Predict first”, paint the boundary you "
                             "expect and pick the loss curve, train, and see how close you were. Then do the task.")


def solution_text(lesson: Lesson) -> str:
    """The reference solution in words, for the teacher's notes: "activation tanh, then train 150 epochs"."""
    ref = dict(lesson.reference)
    if lesson.source == "quiz":
        return f"Answer {ref['answer']}."
    epochs = ref.pop("epochs", None)
    if lesson.source == "perceptron":
        return f"Training data {ref['gate']}; run {epochs} epochs."
    changes = ", ".join(f"{k.replace('_', ' ')} {_show(v)}" for k, v in ref.items())
    return f"{changes or 'No change'}; then train {epochs} epochs."


def class_link(lesson: Lesson, base_url: str) -> str:
    """The full URL to hand out: ``<app>/<page>?<query>``."""
    return f"{base_url.rstrip('/')}/{lesson.page}" + (f"?{lesson.query}" if lesson.query else "")
