"""Guided lessons: a short story, a task, and a goal the app checks from the learner's own run.

One registry, ``LESSONS`` (id -> frozen `Lesson`), in the order of the
curriculum: neuron → perceptron → XOR → hidden layers → activations →
learning rate → overfitting → softmax, then features, vanishing gradients and
real digits.  Each lesson opens a page (a route from ``pages.PAGES``) with a
share-link query, and its ``check`` reads what the learner built:

* ``source == "playground"``: the Playground's `Trainer` (config, history, epoch);
* ``source == "perceptron"``: ``{"perceptron": Perceptron}`` from the Perceptron page;
* ``source == "quiz"``: ``{"answer": "<one of lesson.choices>"}``.

``check`` (from ``checks``) never raises; it returns a `GoalResult` whose ``detail`` says what
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

from playground.run.config import Config, from_query, normalize
from playground.teach.checks import (GoalResult, changes_text, field_is, hard_data, hidden_is, layers_between,
                                     perceptron_converges, perceptron_never_converges, raw_inputs, threshold_quiz,
                                     trainer_goal)
from playground.teach.perceptron import make_perceptron

__all__ = [
    "Lesson", "LESSONS", "SOURCES", "reference_state", "start_state", "lesson_state",
    "class_link", "lesson_config", "solution_text", "prediction_gate",
]

#: Where a lesson's check reads its input: source -> the session-state key the page keeps it under.
SOURCES = {"playground": "pg.session", "perceptron": "perc.model", "quiz": None}


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


# ----- the registry ---------------------------------------------------------------------------
def lesson_config(**fields) -> Config:
    """A valid Config from fields (the dataset's usual loss filled in); raises if a field is wrong."""
    cfg, warnings = normalize(fields)
    if warnings:
        raise ValueError(f"lesson config {fields!r} is not valid: {'; '.join(warnings)}")
    return cfg


def _q(**fields) -> str:
    return lesson_config(**fields).to_query()


def _playground(lesson_id: str, title: str, setup: dict, *, target: dict, rules: tuple = (), **fields) -> Lesson:
    """A Playground lesson: its link opens ``setup``, and its goal (``trainer_goal``'s ``target`` and ``rules``)
    is checked on that same data set, named once."""
    return Lesson(lesson_id, title, "play", _q(**setup),
                  check=trainer_goal(setup["dataset"], rules=rules, **target), **fields)


_CIRCLE_42 = dict(dataset="circle", hidden=(4, 2))

LESSONS: dict[str, Lesson] = {lesson.id: lesson for lesson in [
    Lesson(
        "neuron", "1 · A neuron is a logic gate", "perceptron", urlencode({"perc.mp.gate": "OR"}),
        story="A McCulloch–Pitts neuron (1943) adds up its binary inputs, each times a weight, and fires "
              "when the sum reaches a threshold θ. That is already enough for AND, OR and NOT.",
        task="On the Perceptron page, move θ with both weights at 1 and watch the truth table.",
        goal="Pick the threshold θ that turns the neuron into an OR gate.",
        check=threshold_quiz("OR", (1.0, 1.0)), reference={"answer": "1"}, source="quiz",
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
        check=perceptron_converges("AND"), reference={"gate": "AND", "epochs": 20}, source="perceptron",
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
        check=perceptron_never_converges("XOR", 10), reference={"gate": "XOR", "epochs": 10},
        source="perceptron", start_fails_after=0,
        explanation="Every update fixes one corner and breaks another, forever. The fix is a hidden layer "
                    "with a non-linear activation: the next lesson.",
    ),
    _playground(
        "xor-hidden", "4 · A hidden layer solves XOR", dict(dataset="xor", hidden=(4,), activation=("linear",)),
        target=dict(min_accuracy=0.95), rules=(layers_between(1, 1), raw_inputs),
        story="Stack a layer of neurons between input and output. With a linear activation the stack is "
              "still one linear map, X(W₁W₂) + b: still one straight line. A non-linear activation bends it.",
        task="Train the linear network first and watch it fail; then change the activation and train again.",
        goal="Reach ≥ 95 % test accuracy on XOR with one hidden layer.",
        reference={"activation": ("tanh",), "epochs": 150}, start_fails_after=300,
        explanation="Each tanh unit bends the plane along its own line; the output neuron combines those "
                    "bent pieces into the two diagonal regions of XOR.",
    ),
    _playground(
        "hidden-layers", "5 · Hidden layers draw curves", dict(dataset="circle", hidden=()),
        target=dict(min_accuracy=0.95), rules=(layers_between(1, 1), raw_inputs),
        story="With no hidden layer the network is one neuron: its boundary is a straight line, and no line "
              "separates a disc from the ring around it. Hidden neurons each draw a line of their own, and "
              "the output combines them.",
        task="Train as it is (stuck near 50 %), then add one hidden layer of a few neurons.",
        goal="Reach ≥ 95 % test accuracy on the circle with one hidden layer and only X₁, X₂ as inputs.",
        reference={"hidden": (4,), "lr": 0.1, "epochs": 200}, start_fails_after=200, predict=True,
        explanation="Each hidden neuron draws one line; the output adds them up, so 3–4 lines can enclose "
                    "the disc. One hidden layer can approximate any continuous boundary, given enough neurons.",
    ),
    _playground(
        "activations", "6 · Activation functions", dict(**_CIRCLE_42, activation=("linear",)),
        target=dict(min_accuracy=0.95), rules=(hidden_is((4, 2)), raw_inputs),
        story="Two hidden layers, but with the linear activation they collapse into one linear map: "
              "O = X(W₁W₂W₃) + b. Depth without a non-linearity buys nothing.",
        task="Keep the network shape (4, 2); try sigmoid, tanh and ReLU and compare how fast each learns.",
        goal="Reach ≥ 95 % test accuracy on the circle with hidden layers 4, 2 and only X₁, X₂ as inputs.",
        reference={"activation": ("relu",), "epochs": 200}, start_fails_after=100,
        explanation="ReLU and tanh keep a healthy gradient and learn quickly; sigmoid's slope is at most "
                    "0.25 and it is slower. Any of them turns lines into curves.",
    ),
    _playground(
        "learning-rate", "7 · The learning rate", dict(**_CIRCLE_42, lr=0.001),
        target=dict(max_test_loss=0.05, within=30), rules=(
            hidden_is((4, 2)), field_is("optimizer", "sgd"), field_is("batch", 10),
            field_is("activation", ("tanh",)), raw_inputs),
        story="Gradient descent moves every weight by η · ∂L/∂w. Too small a step η and training crawls; "
              "too large and it overshoots, bounces or diverges.",
        task="Train for 30 epochs at η = 0.001; then try larger rates (press Reset between tries).",
        goal="Reach test loss ≤ 0.05 by epoch 30 with plain SGD, batch 10, tanh and layers 4, 2.",
        reference={"lr": 0.1, "epochs": 30}, start_fails_after=100,
        explanation="η = 0.1 gets there by epoch 20 and 0.3 by epoch 10, though it then bounces; 0.03 needs "
                    "about 55 epochs; 0.001 barely moves; at 3 training never settles. The best rate is the "
                    "largest one that still goes down smoothly.",
    ),
    _playground(
        "overfitting", "8 · Overfitting and regularisation",
        dict(dataset="circle", noise=40, train=20, hidden=(16, 16), lr=0.1),
        target=dict(max_test_loss=0.30, min_epochs=500), rules=(hard_data(40, 20),),
        story="A big network, little data and lots of noise: it memorises the training points, noise "
              "included. Training loss keeps falling while test loss climbs back up.",
        task="Train 500 epochs and watch the two curves part; then try L2 (weight decay), L1, dropout or a "
             "smaller network.",
        goal="After ≥ 500 epochs, test loss ≤ 0.30 on the circle with noise ≥ 40 % and training data ≤ 20 %.",
        reference={"reg": "l2", "reg_rate": 0.03, "epochs": 500}, start_fails_after=500,
        explanation="L2 pulls every weight toward zero (w ← w(1 − ηλ) − η∂L/∂w), so the net cannot bend its "
                    "boundary around single noisy points. Too much (λ = 0.1) underfits: watch both curves.",
    ),
    _playground(
        "softmax", "9 · Many classes: softmax", dict(dataset="spiral3", hidden=()),
        target=dict(min_accuracy=0.90), rules=(field_is("loss", "ce"),),
        story="For K classes the output has K neurons, and softmax turns them into probabilities that sum "
              "to 1. Cross-entropy punishes a low probability on the true class.",
        task="Without hidden layers softmax draws K straight-edged regions; add layers (ReLU and Adam help).",
        goal="Reach ≥ 90 % test accuracy on the three-arm spiral.",
        reference={"hidden": (16, 16), "activation": ("relu",), "optimizer": "adam", "lr": 0.01, "epochs": 200},
        start_fails_after=100,
        explanation="Each output neuron scores its class; softmax compares the scores. The hidden layers "
                    "unroll the spiral arms so that those scores can be simple.",
    ),
    _playground(
        "features", "10 · Feature engineering", dict(dataset="circle", hidden=()),
        target=dict(min_accuracy=0.95), rules=(hidden_is(()),),
        story="A hidden layer learns new features; you can also hand them over. The circle is x₁² + x₂² < r²: "
              "a straight line in the space of the squares.",
        task="Keep zero hidden layers; add input features until a single neuron separates the circle.",
        goal="Reach ≥ 95 % test accuracy on the circle with no hidden layer.",
        reference={"features": ("x1", "x2", "x1sq", "x2sq"), "epochs": 100}, start_fails_after=100,
        explanation="With X₁² and X₂² as inputs the boundary w₁x₁² + w₂x₂² + b = 0 is an ellipse: the right "
                    "features make a hard problem linear.",
    ),
    _playground(
        "vanishing", "11 · Vanishing gradients", dict(dataset="circle", hidden=(6,) * 6, activation=("sigmoid",)),
        target=dict(min_accuracy=0.95), rules=(layers_between(6, 99),),
        story="Backprop multiplies one activation slope per layer. Sigmoid's slope is at most 0.25, so six "
              "layers shrink the gradient of the first layer a thousandfold: it hardly learns.",
        task="Train the deep sigmoid net and look at the gradient norms per layer; then change the activation.",
        goal="Reach ≥ 95 % test accuracy on the circle with 6 or more hidden layers.",
        reference={"activation": ("tanh",), "epochs": 60}, start_fails_after=60,
        explanation="tanh (slope up to 1) and ReLU (slope 1 where active) pass gradients back without "
                    "shrinking them, so even the first layers learn.",
    ),
    _playground(
        "digits", "12 · Real data: handwritten digits", dict(dataset="digits", hidden=(4, 2)),
        target=dict(min_accuracy=0.95),
        story="The same ideas on real images: 64 pixel values in, 10 softmax outputs, one per digit. Half "
              "the images train the net; the other half test it on digits it has never seen.",
        task="A 4-2 network is far too narrow for ten classes: widen it (and try ReLU with Adam).",
        goal="Reach ≥ 95 % test accuracy on the digits.",
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
    return f"{changes_text(ref) or 'No change'}; then train {epochs} epochs."


def class_link(lesson: Lesson, base_url: str) -> str:
    """The full URL to hand out: ``<app>/<page>?<query>``."""
    return f"{base_url.rstrip('/')}/{lesson.page}" + (f"?{lesson.query}" if lesson.query else "")
