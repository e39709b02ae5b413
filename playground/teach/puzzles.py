"""Debug-the-network puzzles: a broken setup, a symptom, and a fix the app checks by its effect.

One registry, ``PUZZLES`` (id -> frozen `Puzzle`).  Each puzzle opens the
Playground with a setup that trains badly for one reason (dead ReLUs, a learning
rate that diverges, zero initialisation's symmetry, a missing input feature, too
little capacity, too much regularisation).  The student says what is wrong (one
of ``DIAGNOSES``) and changes the setup on the Playground.  ``check_fix`` never
compares settings with an answer: it trains the student's setup from epoch 0
with its seed, deterministically, for ``puzzle.epochs`` epochs, measures the
run (``measure``: test accuracy or R², test loss, divergence, dead units,
duplicated units, the first layer's gradient) and compares the measures with
the puzzle's goals.  Any setup that trains well passes, however it was fixed::

    >>> p = PUZZLES["zero-init"]
    >>> check_fix(p, fixed_config(p), p.diagnosis).passed
    True
    >>> check_fix(p, broken_config(p), p.diagnosis).passed
    False
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from playground.run.config import Config
from playground.run.config import from_query
from playground.teach.checks import Rule, changes_text, raw_inputs

__all__ = ["Goal", "ACCURATE", "Puzzle", "PuzzleResult", "PUZZLES", "DIAGNOSES", "MEASURES", "CHECK_SECONDS",
           "measure", "check_fix", "broken_config", "fixed_config", "puzzle_trainer", "fix_text", "goal_text"]

#: Longest a check may train (seconds); a setup slower than that is told to shrink, not checked at length.
CHECK_SECONDS = 8.0
#: A unit whose output varies less than this over all training points is counted as dead (constant).
DEAD_SPREAD = 1e-6
#: Two units of a layer whose incoming weights and bias agree to this are counted as duplicates.
SAME_UNIT = 1e-7

#: What the student can say is wrong: diagnosis id -> how the page words it.
DIAGNOSES = {
    "dead-relu": "ReLU units have died (they output 0 for every point)",
    "lr-diverges": "The learning rate is so large that training blows up",
    "zero-init": "All weights start equal, so the units stay identical",
    "missing-feature": "The network cannot see something it needs",
    "capacity": "The network is too small for the shape of the boundary",
    "too-much-reg": "The weight penalty is so strong that it crushes every weight",
}

#: The measures a check reports: name -> (label, format). ``test_metric`` is accuracy, or R² for regression.
MEASURES = {
    "test_metric": ("test accuracy", ".1%"),
    "test_loss": ("test loss", ".4f"),
    "dead_fraction": ("dead (constant) hidden units", ".0%"),
    "duplicate_fraction": ("duplicated hidden units (symmetry)", ".0%"),
    "first_grad": ("first layer's gradient norm", ".2e"),
}


@dataclass(frozen=True)
class Goal:
    """One measured condition: ``measure`` at least (``"min"``) or at most (``"max"``) ``value``."""

    kind: str  # "min" | "max"
    measure: str  # a key of MEASURES
    value: float

    def ok(self, measured: dict) -> bool:
        v = measured[self.measure]
        return bool(np.isfinite(v)) and (v >= self.value if self.kind == "min" else v <= self.value)

    def text(self, task: str = "binary") -> str:
        label, fmt = _label(self.measure, task), _fmt(self.measure, task)
        return f"{label} {'≥' if self.kind == 'min' else '≤'} {format(self.value, fmt)}"


@dataclass(frozen=True)
class Puzzle:
    id: str
    title: str
    query: str  # the broken setup, as a Playground link
    symptom: str  # what the student sees when training it
    diagnosis: str  # the right key of DIAGNOSES
    goals: tuple[Goal, ...]
    fix: dict  # one fix (config changes), for the teacher's notes and the tests
    explanation: str
    hint: str
    rules: tuple[Rule, ...] = ()
    epochs: int = 150


@dataclass(frozen=True)
class PuzzleResult:
    passed: bool
    detail: str  # what is still missing, or what was reached
    rows: tuple[tuple[str, str, str, bool], ...] = ()  # (measure, value, goal, met) for the page's table
    diagnosis_ok: bool | None = None  # None: no diagnosis picked


def _keep_data(puzzle_cfg: Config) -> Rule:
    def rule(c: Config) -> str | None:
        same = all(getattr(c, f) == getattr(puzzle_cfg, f) for f in ("dataset", "noise", "train", "points", "seed"))
        return None if same else ("keep the puzzle's data (dataset, noise, training share, points, seed): "
                                  "press “Open the broken setup” to get it back")
    return rule


#: Every fixed setup must reach 95 % test accuracy (R² for regression); some puzzles add a goal of their own.
ACCURATE = Goal("min", "test_metric", 0.95)

PUZZLES: dict[str, Puzzle] = {p.id: p for p in [
    Puzzle(
        "dead-relus", "Half the network is silent",
        "dataset=circle&hidden=8,8&activation=relu&optimizer=adam&lr=0.3",
        symptom="Eight ReLU units in each layer, Adam, and the test accuracy sits at 46 %: the network "
                "answers the same everywhere. Hover the neurons: many thumbnails are flat.",
        diagnosis="dead-relu",
        goals=(ACCURATE, Goal("max", "dead_fraction", 0.25)),
        fix={"lr": 0.01}, hint="Look at the neuron thumbnails and at the learning rate Adam is given.",
        explanation="A too-large step pushed the units' biases and weights so far that their input is negative "
                    "for every point. ReLU's slope is 0 there, so no gradient ever reaches them again: they are "
                    "dead for good. A smaller learning rate keeps them alive; Leaky ReLU would let a little "
                    "gradient through even when they are off.",
    ),
    Puzzle(
        "diverges", "The loss explodes",
        "dataset=reg-plane&hidden=4,2&lr=1",
        symptom="A simple regression, but after one epoch training stops: the loss became infinite.",
        diagnosis="lr-diverges",
        goals=(ACCURATE, Goal("max", "test_loss", 0.01)),
        fix={"lr": 0.1}, hint="Each update moves the weights by η times the gradient. What if that overshoots?",
        explanation="With a linear output the loss is unbounded: a step that overshoots the valley lands higher "
                    "up the other side, where the gradient is larger, so the next step overshoots further. "
                    "Every step multiplies the error, and in a few steps it is infinite. A rate 10× smaller "
                    "goes down smoothly.",
    ),
    Puzzle(
        "zero-init", "Every neuron thinks the same",
        "dataset=circle&hidden=4,2&init=zeros&lr=0.1",
        symptom="The boundary never appears: the whole plane stays one colour and the test accuracy is 46 %. "
                "Click a few links: every weight is the same.",
        diagnosis="zero-init",
        goals=(ACCURATE, Goal("max", "duplicate_fraction", 0.0)),
        fix={"init": "xavier"}, hint="What makes neuron 1 of a layer different from neuron 2 at the start?",
        explanation="Units that start with the same weights get the same gradient and stay the same forever: "
                    "a layer of four is a layer of one. With tanh and zeros the hidden outputs and their "
                    "gradients are even exactly 0. Random starting weights break the symmetry.",
    ),
    Puzzle(
        "missing-feature", "Blind in one direction",
        "dataset=circle&hidden=4,2&features=x1&lr=0.1",
        symptom="A fine network, yet the boundary is made of vertical stripes only and accuracy stalls "
                "below 80 %.",
        diagnosis="missing-feature", goals=(ACCURATE,),
        fix={"features": ("x1", "x2")}, hint="Look at the input column of the network diagram.",
        explanation="The network only sees X₁, so two points above each other look identical to it: it can only "
                    "draw vertical stripes. A disc needs both coordinates (or X₂²).",
    ),
    Puzzle(
        "capacity", "Too few lines for a circle",
        "dataset=circle&hidden=2&lr=0.1",
        symptom="The boundary is a bent band, never a closed curve, and test accuracy stays near 80 %.",
        diagnosis="capacity", goals=(ACCURATE,), rules=(raw_inputs,),
        fix={"hidden": (4,)}, hint="Each hidden tanh unit draws one line. How many lines enclose a disc?",
        explanation="Two units draw two lines, and two lines cannot enclose a region: the best they can do is a "
                    "band. Three or more units (or a second layer) can fence the disc in.",
    ),
    Puzzle(
        "too-much-reg", "Flattened by the penalty",
        "dataset=circle&hidden=4,2&reg=l2&reg_rate=0.3&lr=0.1",
        symptom="The plane stays grey, the network diagram's links are all hair-thin, and accuracy is 46 %.",
        diagnosis="too-much-reg", goals=(ACCURATE,),
        fix={"reg_rate": 0.01}, hint="Compare the size of the weights with the regularisation rate.",
        explanation="L2 shrinks every weight by ηλ each step. At λ = 0.3 that pull beats what the data can "
                    "push back, so every weight decays to about 0 and the network outputs 0 everywhere. A small "
                    "λ (0.001–0.01) only trims the weights.",
    ),
]}


# ----- measuring a run ----------------------------------------------------------------------------
def _label(name: str, task: str) -> str:
    return "test R²" if name == "test_metric" and task == "regression" else MEASURES[name][0]


def _fmt(name: str, task: str) -> str:
    return ".3f" if name == "test_metric" and task == "regression" else MEASURES[name][1]


def _duplicates(W: np.ndarray, b: np.ndarray) -> int:
    """Units of a layer whose incoming weights and bias equal another unit's."""
    cols = np.vstack([W, b[None, :]]).T  # one row per unit
    scale = max(1.0, float(np.abs(cols).max()))
    dup = 0
    for j in range(len(cols)):
        others = np.delete(cols, j, axis=0)
        if len(others) and (np.abs(others - cols[j]).max(axis=1) <= SAME_UNIT * scale).any():
            dup += 1
    return dup


def measure(trainer) -> dict:
    """The numbers a check compares with a puzzle's goals, from a trained `Trainer`."""
    h = trainer.history
    hidden = trainer.sizes[1:-1]
    n_hidden = sum(hidden) or 1
    outs = trainer.net.layer_outputs(trainer.X_train)[:-1]
    with np.errstate(all="ignore"):
        dead = sum(int((np.ptp(np.asarray(o, np.float64), axis=0) < DEAD_SPREAD).sum()) for o in outs)
    dups = sum(_duplicates(W, b) for W, b in trainer.params[:-1])
    return {
        "epochs": trainer.epoch,
        "diverged": bool(trainer.diverged),
        "test_metric": float(h.test_metric[-1]) if h.test_metric else float("nan"),
        "test_loss": float(h.test_loss[-1]) if h.test_loss else float("nan"),
        "dead_fraction": dead / n_hidden if hidden else 0.0,
        "duplicate_fraction": dups / n_hidden if hidden else 0.0,
        "first_grad": float(h.grad_norms[-1][0]) if h.grad_norms else float("nan"),
    }


def puzzle_trainer(cfg: Config, epochs: int, seconds: float = CHECK_SECONDS):
    """A fresh `Trainer` for ``cfg`` trained ``epochs`` epochs (from its seed), or fewer if ``seconds`` ran out."""
    from playground.run.trainer import Trainer  # local: the trainer pulls in the engines

    t = Trainer(dataclasses.replace(cfg, max_epochs=0, target_loss=0.0, patience=0))
    t0 = time.perf_counter()
    while t.epoch < epochs and not t.stopped and time.perf_counter() - t0 < seconds:
        t.step(1)
    return t


def broken_config(puzzle: Puzzle) -> Config:
    return from_query(puzzle.query)[0]


def fixed_config(puzzle: Puzzle) -> Config:
    return broken_config(puzzle).replace(**puzzle.fix)


def goal_text(puzzle: Puzzle) -> str:
    """The puzzle's goals in words: "test accuracy ≥ 95.0% and dead (constant) hidden units ≤ 25%"."""
    task = broken_config(puzzle).task
    return " and ".join(g.text(task) for g in puzzle.goals)


def fix_text(puzzle: Puzzle) -> str:
    """One fix in words, for the teacher's notes."""
    return changes_text(puzzle.fix)


def check_fix(puzzle: Puzzle, cfg: Config | None, diagnosis: str | None = None, *,
              user_data: bool = False, seconds: float = CHECK_SECONDS) -> PuzzleResult:
    """Train ``cfg`` (the student's Playground setup) and judge the fix by its effect; never raises."""
    diag_ok = None if diagnosis is None else diagnosis == puzzle.diagnosis
    if cfg is None:
        return PuzzleResult(False, "No Playground run yet: press “Open the broken setup”, fix it there, then check.",
                            diagnosis_ok=diag_ok)
    if user_data:
        return PuzzleResult(False, "The Playground is training on drawn or uploaded points; this puzzle uses its own "
                                   "data. Press “Open the broken setup”.", diagnosis_ok=diag_ok)
    problems = [p for p in (r(cfg) for r in (_keep_data(broken_config(puzzle)), *puzzle.rules)) if p]
    if problems:
        return PuzzleResult(False, "Not within the puzzle's rules: " + "; ".join(problems) + ".", diagnosis_ok=diag_ok)
    t = puzzle_trainer(cfg, puzzle.epochs, seconds)
    m = measure(t)
    task = t.task
    rows = tuple((_label(g.measure, task), format(m[g.measure], _fmt(g.measure, task)), g.text(task), g.ok(m))
                 for g in puzzle.goals)
    if m["diverged"]:
        return PuzzleResult(False, f"Your setup diverged at epoch {m['epochs'] + 1}: the loss became infinite.",
                            rows, diag_ok)
    if m["epochs"] < puzzle.epochs and not t.stopped:
        return PuzzleResult(False, f"Your setup trained only {m['epochs']} of {puzzle.epochs} epochs in "
                                   f"{seconds:g} s: make it smaller (fewer neurons, a larger batch) to check it.",
                            rows, diag_ok)
    missed = [g.text(task) for g in puzzle.goals if not g.ok(m)]
    run = f"Trained your setup {m['epochs']} epochs from its seed"
    if missed:
        return PuzzleResult(False, f"{run}: still missing {'; '.join(missed)}.", rows, diag_ok)
    if diag_ok is None:
        return PuzzleResult(False, f"{run}: the fix works! Now say what was wrong (pick a diagnosis).", rows, None)
    if not diag_ok:
        return PuzzleResult(False, f"{run}: the fix works, but the diagnosis is not the cause. Think again about "
                                   "why the broken setup failed.", rows, False)
    return PuzzleResult(True, f"{run}: every goal met.", rows, True)
