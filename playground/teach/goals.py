"""A room's challenge: a small goal language the app checks, and the leaderboard's order.

A goal is clauses joined by ``with``, ``and`` or commas::

    test loss < 0.1 with at most 4 neurons
    test accuracy >= 95% on spiral, at most 2 layers
    training loss <= 0.05 and at most 300 epochs

* a **metric**: ``[test|training] loss|accuracy|r2`` then ``<``, ``<=``, ``>``, ``>=`` (or ≤ ≥)
  and a number (``95%`` = 0.95); without ``test``/``training`` it means the test set;
* a **limit**: ``at most N neurons|layers|weights|epochs`` (hidden neurons and hidden layers;
  epochs: reached by that epoch);
* a **dataset**: ``on <name>`` (a built-in dataset: drawn or uploaded data do not count).

At least one metric; the first metric ranks students who have not reached the goal yet.
Parsing never raises anything but `GoalError`, whose message names the part that is wrong
and what is allowed.

    >>> g = parse_goal("Test loss < 0.1 with at most 4 neurons")
    >>> g.text
    'test loss < 0.1 with at most 4 neurons'
    >>> g.check({"test_loss": 0.08, "neurons": 4, "layers": 1, "epoch": 90, "dataset": "circle"})
    (True, 'test loss 0.08 < 0.1; 4 neurons ≤ 4')
    >>> parse_goal("tset loss < 0.1")
    Traceback (most recent call last):
    ...
    playground.teach.goals.GoalError: 'tset loss < 0.1' is not a goal part: write a metric like 'test loss < 0.1' or 'test accuracy >= 95%', a limit like 'at most 4 neurons' (neurons, layers, weights, epochs) or a dataset like 'on spiral'
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["GoalError", "Clause", "Goal", "parse_goal", "leaderboard", "METRICS", "LIMITS", "EXAMPLES"]

#: metric name -> (status field, higher is better)
METRICS: dict[str, tuple[str, bool]] = {
    "test loss": ("test_loss", False), "training loss": ("train_loss", False),
    "test accuracy": ("test_metric", True), "training accuracy": ("train_metric", True),
    "test r2": ("test_metric", True), "training r2": ("train_metric", True),
}
#: limit unit -> (status field, largest N)
LIMITS: dict[str, tuple[str, int]] = {"neurons": ("neurons", 10_000), "layers": ("layers", 100),
                                      "weights": ("weights", 10_000_000), "epochs": ("epoch", 10_000_000)}
EXAMPLES = ("test loss < 0.1 with at most 4 neurons", "test accuracy >= 95% on spiral",
            "test loss <= 0.05 with at most 2 layers and at most 500 epochs")
MAX_TEXT = 200
MAX_CLAUSES = 8

_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bwith\b)\s*|\s+(?=on\s)")
_METRIC = re.compile(r"(?:(test|training|train)\s+)?(loss|accuracy|acc|r2|r²)\s*(<=|>=|=<|=>|<|>)\s*"
                     r"([0-9]{1,12}(?:\.[0-9]{1,12})?(?:e-?[0-9]{1,3})?|\.[0-9]{1,12})\s*(%?)")
_LIMIT = re.compile(r"at\s+most\s+([0-9]{1,9})\s+(neurons?|layers?|weights?|epochs?)")
_DATASET = re.compile(r"on\s+([a-z0-9_\-]{1,40})")
_HELP = ("write a metric like 'test loss < 0.1' or 'test accuracy >= 95%', a limit like 'at most 4 neurons' "
         "(neurons, layers, weights, epochs) or a dataset like 'on spiral'")


class GoalError(ValueError):
    """A goal that cannot be checked; the message names the part and what is allowed."""


@dataclass(frozen=True)
class Clause:
    kind: str  # "metric" | "limit" | "dataset"
    name: str  # "test loss", "neurons", dataset name
    op: str = ""  # "<", "<=", ">", ">=" (metrics)
    value: float = 0.0

    @property
    def threshold(self) -> str:
        return f"{self.value * 100:g}%" if "accuracy" in self.name else f"{self.value:g}"

    @property
    def text(self) -> str:
        if self.kind == "metric":
            return f"{self.name} {self.op} {self.threshold}"
        if self.kind == "limit":
            return f"at most {int(self.value)} {self.name}"
        return f"on {self.name}"


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _fmt(v: float) -> str:
    return f"{v:.4g}"


@dataclass(frozen=True)
class Goal:
    clauses: tuple[Clause, ...]

    @property
    def text(self) -> str:
        """The goal normalised: metrics, the dataset, then the limits after 'with'."""
        out = " and ".join(c.text for c in self.clauses if c.kind == "metric")
        out += "".join(" " + c.text for c in self.clauses if c.kind == "dataset")
        limits = [c.text for c in self.clauses if c.kind == "limit"]
        return out + (" with " + " and ".join(limits) if limits else "")

    @property
    def primary(self) -> Clause:
        return next(c for c in self.clauses if c.kind == "metric")

    def check(self, status: Mapping[str, Any]) -> tuple[bool, str]:
        """(met, detail) for a student's status dict (``roomviews.Status`` fields)."""
        met, notes = True, []
        for c in self.clauses:
            if c.kind == "metric":
                field, _ = METRICS[c.name]
                v = _num(status.get(field))
                task = status.get("task")
                wrong_task = ("accuracy" in c.name and task == "regression") or \
                    ("r2" in c.name and task is not None and task != "regression")
                if v is None or wrong_task:
                    met = False
                    notes.append(f"no {c.name} yet" if not wrong_task else f"{c.name} does not apply to this data")
                    continue
                ok = {"<": v < c.value, "<=": v <= c.value, ">": v > c.value, ">=": v >= c.value}[c.op]
                met &= ok
                shown = f"{v:.1%}" if "accuracy" in c.name else _fmt(v)
                notes.append(f"{c.name} {shown} {c.op if ok else _NOT[c.op]} {c.threshold}")
            elif c.kind == "limit":
                field, _ = LIMITS[c.name]
                v = _num(status.get(field))
                ok = v is not None and v <= c.value
                met &= ok
                shown = "?" if v is None else f"{int(v):,}"
                notes.append(f"{shown} {c.name} {'≤' if ok else '>'} {int(c.value):,}")
            else:
                ok = status.get("dataset") == c.name and not status.get("custom")
                met &= ok
                notes.append(f"on {c.name}" if ok else f"not on {c.name}")
        return met, "; ".join(n.replace(" <= ", " ≤ ").replace(" >= ", " ≥ ") for n in notes)

    def score(self, status: Mapping[str, Any]) -> float:
        """How close the primary metric is, smaller is better (inf when unknown): for the leaderboard."""
        c = self.primary
        field, higher = METRICS[c.name]
        v = _num(status.get(field))
        if v is None:
            return math.inf
        return -v if higher else v


_NOT = {"<": "≥", "<=": ">", ">": "≤", ">=": "<"}
_OPS = {"=<": "<=", "=>": ">=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def parse_goal(text: object) -> Goal:
    """Parse and check a goal; raises `GoalError` with a clear message."""
    from playground.data.datasets import DATASETS

    raw = str(text)
    if len(raw) > MAX_TEXT:
        raise GoalError(f"a goal has at most {MAX_TEXT} characters; this one has {len(raw)}")
    s = " ".join(raw.lower().replace("≤", "<=").replace("≥", ">=").split())
    if not s:
        raise GoalError(f"type a goal, e.g. '{EXAMPLES[0]}'")
    parts = [p for p in _SPLIT.split(s) if p]
    if len(parts) > MAX_CLAUSES:
        raise GoalError(f"a goal has at most {MAX_CLAUSES} parts; this one has {len(parts)}")
    clauses: list[Clause] = []
    for p in parts:
        m = _METRIC.fullmatch(p)
        if m:
            which, name, op, number, pct = m.groups()
            name = {"acc": "accuracy", "r²": "r2"}.get(name, name)
            full = f"{'training' if which in ('training', 'train') else 'test'} {name}"
            value = float(number) / (100 if pct else 1)
            if pct and name != "accuracy":
                raise GoalError(f"'{p}': only accuracy takes a percentage")
            if name == "accuracy" and not 0 <= value <= 1:
                raise GoalError(f"'{p}': accuracy is between 0 and 100% (or 0 and 1)")
            if name == "loss" and op in (">", ">="):
                raise GoalError(f"'{p}': a loss goal asks for a low loss: use < or <=")
            if name in ("accuracy", "r2") and op in ("<", "<="):
                raise GoalError(f"'{p}': an {name} goal asks for a high {name}: use > or >=")
            if name == "loss" and value <= 0:
                raise GoalError(f"'{p}': a loss is never below 0: give a number above 0")
            clauses.append(Clause("metric", full, _OPS[op], value))
            continue
        m = _LIMIT.fullmatch(p)
        if m:
            n, unit = int(m.group(1)), m.group(2).rstrip("s") + "s"
            top = LIMITS[unit][1]
            if not 1 <= n <= top and not (unit == "layers" and n == 0):
                raise GoalError(f"'{p}': the number of {unit} must be between 1 and {top:,}")
            clauses.append(Clause("limit", unit, "", float(n)))
            continue
        m = _DATASET.fullmatch(p)
        if m:
            if m.group(1) not in DATASETS:
                raise GoalError(f"'{p}': there is no dataset '{m.group(1)}'; choose one of {', '.join(DATASETS)}")
            clauses.append(Clause("dataset", m.group(1)))
            continue
        raise GoalError(f"'{p[:60]}' is not a goal part: {_HELP}")
    if not any(c.kind == "metric" for c in clauses):
        raise GoalError(f"a goal needs a metric to reach, e.g. 'test loss < 0.1'; {_HELP}")
    names = [(c.kind, c.name) for c in clauses]
    dup = next((n for n in names if names.count(n) > 1 and n[0] != "metric"), None)
    if dup:
        raise GoalError(f"'{dup[1]}' is given twice: keep one")
    return Goal(tuple(clauses))


@dataclass(frozen=True)
class Standing:
    rank: int
    nickname: str
    met: bool
    detail: str
    solved_epoch: int | None
    solved_seconds: float | None  # after the challenge was set


def leaderboard(students: Sequence[Mapping[str, Any]], goal: Goal, challenge_version: int,
                challenge_set: float) -> list[Standing]:
    """Students in leaderboard order: those who reached the goal first (earliest, then at the lower epoch),
    then the rest by their primary metric (best first), then by nickname.

    Each student is a mapping with ``nickname``, ``status`` (a status dict, maybe empty),
    ``solved_version``, ``solved_at`` and ``solved_epoch`` (what the store recorded).
    """
    rows = []
    for s in students:
        solved = s.get("solved_version") == challenge_version and s.get("solved_at") is not None
        met_now, detail = goal.check(s.get("status") or {})
        if solved:
            key = (0, float(s["solved_at"]), int(s.get("solved_epoch") or 0), 0.0, s["nickname"].casefold())
        else:
            key = (1, 0.0, 0, goal.score(s.get("status") or {}), s["nickname"].casefold())
        rows.append((key, s, solved, detail))
    rows.sort(key=lambda r: r[0])
    return [Standing(i + 1, s["nickname"], solved, detail, s.get("solved_epoch") if solved else None,
                     max(0.0, float(s["solved_at"]) - challenge_set) if solved else None)
            for i, (_, s, solved, detail) in enumerate(rows)]
