"""Classroom links: which Playground controls students see or may change, and presentation mode.

A teacher's link adds ``hide=<groups>`` (controls not shown: the link's values
hold), ``lock=<groups>`` (shown, not changeable) and ``present=1`` (large type,
thick lines) to the config's query.  Parsing never raises: unknown names are
reported and ignored, so a tampered link falls back to "everything visible".

    >>> view, warnings = parse({"hide": "noise,features", "lock": "lr", "present": "1"})
    >>> view.visible("noise"), view.editable("lr"), view.present
    (False, False, True)

Teacher tools (the Playground's "Classroom link" builder, the Lessons page's class links and
"Teacher's notes") are shown by ``teacher_tools``'s rule; hiding them keeps a class focused, it
secures nothing (a student can always open a plain link).
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

__all__ = ["CONTROLS", "ClassroomView", "parse", "to_query", "CLASSROOM_KEYS", "teacher_tools"]

#: Control groups a teacher can hide or lock: name -> label.
CONTROLS: dict[str, str] = {
    "dataset": "Dataset and drawing",
    "noise": "Noise",
    "train": "Training share",
    "batch": "Batch size",
    "seed": "Seed / new data",
    "features": "Input features",
    "layers": "Hidden layers and neurons",
    "activation": "Activation",
    "loss": "Output + loss",
    "init": "Initialisation",
    "optimizer": "Optimizer",
    "lr": "Learning rate",
    "reg": "Regularisation",
    "dropout": "Dropout",
    "engine": "Engine",
    "stop": "Stop conditions",
    "transport": "Play / Pause / Step / Reset",
    "test": "Show-test-data toggle",
    "discretize": "Discretize toggle",
    "export": "Export / import / code",
}
CLASSROOM_KEYS = ("hide", "lock", "present")


@dataclass(frozen=True)
class ClassroomView:
    hidden: frozenset[str] = frozenset()
    locked: frozenset[str] = frozenset()
    present: bool = False

    def visible(self, group: str) -> bool:
        return group not in self.hidden

    def editable(self, group: str) -> bool:
        return group not in self.hidden and group not in self.locked

    @property
    def is_classroom(self) -> bool:
        return bool(self.hidden or self.locked)


def _groups(value, key: str, warnings: list[str]) -> frozenset[str]:
    text = str(value or "")[:500]
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in CONTROLS]
    if bad:
        shown = ", ".join(repr(b[:30]) for b in bad[:5])
        warnings.append(f"{key}: unknown control {shown} ignored; known: {', '.join(CONTROLS)}")
    return frozenset(n for n in names if n in CONTROLS)


def parse(params: dict) -> tuple[ClassroomView, list[str]]:
    """The classroom view from link parameters (other keys are ignored); never raises."""
    warnings: list[str] = []
    hidden = _groups(params.get("hide"), "hide", warnings)
    locked = _groups(params.get("lock"), "lock", warnings)
    present_raw = str(params.get("present", "0")).strip().lower()
    if present_raw not in ("0", "1", "true", "false", ""):
        warnings.append(f"present must be 0 or 1, got {present_raw[:20]!r}; presentation mode off")
    return ClassroomView(hidden, locked - hidden, present_raw in ("1", "true")), warnings


def to_query(view: ClassroomView) -> str:
    """The link suffix for a view ("" when nothing is restricted and presentation is off)."""
    items = []
    if view.hidden:
        items.append(("hide", ",".join(c for c in CONTROLS if c in view.hidden)))
    if view.locked:
        items.append(("lock", ",".join(c for c in CONTROLS if c in view.locked)))
    if view.present:
        items.append(("present", "1"))
    return urlencode(items, safe=",")


def teacher_tools(is_teacher: bool, key_configured: bool, student_link: bool) -> bool:
    """Whether a browser session sees the teacher tools.

    * ``is_teacher``: the session opened a link with the server's teacher key (``?teacher=<key>``): shown.
    * ``key_configured``: the server has a teacher key (``PLAYGROUND_TEACHER_KEY``), so it serves a class:
      everybody else is a student: hidden.
    * No key (someone's own laptop, a self-learner): shown, unless the session was opened from a classroom
      link (``hide=`` or ``lock=``): such a link was made for students. A new tab with a plain link shows them
      again: the rule keeps a class focused, it is not security.

    >>> teacher_tools(False, True, False), teacher_tools(True, True, True), teacher_tools(False, False, False)
    (False, True, True)
    """
    if is_teacher:
        return True
    return not key_configured and not student_link
