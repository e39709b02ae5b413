"""The pace of a live run: epochs per second of wall time, whatever the frame rate.  Plain Python.

A link's ``speed`` (a ``Config`` field) is one of:

- ``auto`` (the default): *watchable*.  Slow while the network is young and the picture changes
  most, faster and faster on the long tail: the epoch count grows tenfold every
  ``DECADE_SECONDS`` (``epochs(t) = (OFFSET + 1) · 10^(t / DECADE_SECONDS) − OFFSET``, the first
  epoch at once: ~4 epochs/s at epoch 0, ~50 at epoch 100, ~460 at epoch 1,000, then as fast as the
  frame budget allows).
  The loss curve of most runs is about straight against log-epochs, so every decade of the
  run gets the same few seconds on screen.  TF Playground's default setup (circle, 4-2 tanh)
  reaches 95 % test accuracy at epoch 34, here after ~3.3 s; the spiral reaches the plateau of
  its loss (~2,000 epochs) after ~12 s, as far as the server's frame budget allows.
- a number: that many epochs per second (``MIN_RATE``–``MAX_RATE``).
- ``max``: as fast as possible (as many epochs as fit in the frame's time budget).
- ``N/frame``: N epochs per drawn frame, the app's speeds before paces existed (its labels,
  ``"10 epochs / frame"``, are read too).

``Pacer`` turns a pace into the epochs one frame may train: it integrates the pace over the wall
time since the previous frame (``MAX_GAP`` at most, so a stall or a pause never comes back as a
burst), keeps the fraction of an epoch not yet due, and forgets epochs the frame budget could not
train (the pace is a ceiling, never a debt).  Frames twice as often train half as much each.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Pace", "Pacer", "parse_pace", "pace_text", "pace_label", "speed_choices", "PACES", "DEFAULT_PACE",
           "SPEED_HELP", "DECADE_SECONDS", "OFFSET", "MIN_RATE", "MAX_RATE", "MAX_GAP", "MAX_PER_FRAME"]

DEFAULT_PACE = "auto"
#: Watchable pace: seconds per tenfold growth of the epoch count...
DECADE_SECONDS = 5.0
#: ...counted from this many epochs before epoch 0 (the starting rate is OFFSET · ln 10 / DECADE_SECONDS).
OFFSET = 8.0
MIN_RATE, MAX_RATE = 0.1, 100_000.0  # epochs per second a link may ask for
MAX_PER_FRAME = 1_000  # the old "N epochs / frame" speeds
#: Longest wall-clock gap between two frames that counts as pace time.
MAX_GAP = 0.5
#: The Speed control's choices: link value -> label.  "max" is "As fast as possible", one click away.
PACES = {"auto": "Watchable (speeds up)", "2": "2 epochs a second", "10": "10 epochs a second",
         "100": "100 epochs a second", "1000": "1,000 epochs a second", "max": "As fast as possible"}
SPEED_HELP = ("Epochs per second of wall time. Watchable: slow while the network is young, then ten times more "
              "epochs every 5 seconds; kept in the link.")
_FRAME_RE = re.compile(r"^(\d{1,4})\s*(?:/\s*frame|epochs?\s*/\s*frame)$")
_LEGACY = {"as fast as possible": "max"}  # the old Speed labels that are not "N epochs / frame"


@dataclass(frozen=True)
class Pace:
    """``kind`` "auto", "rate" (``value`` epochs/s), "frame" (``value`` epochs per frame) or "max"."""

    kind: str
    value: float = 0.0

    @property
    def text(self) -> str:
        """The link's value (canonical)."""
        if self.kind == "rate":
            return repr(self.value).removesuffix(".0")
        if self.kind == "frame":
            return f"{int(self.value)}/frame"
        return self.kind

    def due(self, epochs: float, seconds: float) -> float:
        """The epoch count (fractional) this pace reaches ``seconds`` after being at ``epochs``."""
        if self.kind == "auto":
            return (epochs + OFFSET) * 10 ** (seconds / DECADE_SECONDS) - OFFSET
        if self.kind == "rate":
            return epochs + self.value * seconds
        return math.inf


def parse_pace(text: object) -> Pace | None:
    """The pace a link's ``speed`` value asks for, or None when it is not one (see the module doc)."""
    t = str(text).strip().lower()
    t = _LEGACY.get(t, t)
    if t in ("auto", "max"):
        return Pace(t)
    m = _FRAME_RE.match(t)
    if m:
        n = int(m.group(1))
        return Pace("frame", n) if 1 <= n <= MAX_PER_FRAME else None
    if len(t) > 12:
        return None
    try:
        v = float(t)
    except ValueError:
        return None
    if not (math.isfinite(v) and MIN_RATE <= v <= MAX_RATE):
        return None
    return Pace("rate", float(int(v)) if v == int(v) else v)


def pace_text(text: object) -> str:
    """The canonical link value of a ``speed`` value (unchanged when it is not a pace: the rule says why)."""
    p = parse_pace(text)
    return p.text if p is not None else str(text).strip()


def speed_choices(current: str) -> list[str]:
    """The Speed control's options: ``PACES``, and the current value when a link brought another."""
    return [*PACES, *([current] if current not in PACES else [])]


def pace_label(text: str) -> str:
    """How the Speed control shows a link's value."""
    if text in PACES:
        return PACES[text]
    p = parse_pace(text)
    if p is None:
        return str(text)
    if p.kind == "frame":
        return f"{int(p.value)} epoch{'s' if p.value != 1 else ''} / frame"
    return f"{p.value:g} epochs a second" if p.kind == "rate" else PACES[p.kind]


class Pacer:
    """The epochs a run's frames may train under a pace (see the module doc).  One per session or race."""

    def __init__(self) -> None:
        self.last: float | None = None  # clock reading at the previous frame
        self.credit = 1.0  # the due fraction of an epoch not trained yet (one at the start: see restart)

    def restart(self) -> None:
        """Play pressed, a reset, a new pace: the next frame starts the clock again, with one epoch due
        at once (Play answers in the first frame)."""
        self.last, self.credit = None, 1.0

    def allow(self, pace: Pace, epoch: int, now: float) -> int | None:
        """Epochs the frame at clock reading ``now`` may train from ``epoch``; None: no limit but time."""
        if pace.kind == "max":
            self.last = now
            return None
        if pace.kind == "frame":
            self.last = now
            return int(pace.value)
        gap = 0.0 if self.last is None else min(MAX_GAP, max(0.0, now - self.last))
        self.last = now
        due = pace.due(epoch + self.credit, gap) - epoch
        n = int(due + 1e-9)  # 0.1 s at 10 epochs/s is one epoch, whatever the rounding
        self.credit = max(0.0, due - n)
        return n
