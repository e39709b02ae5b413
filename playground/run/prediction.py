"""Predict, then reveal: the student commits a prediction before training; afterwards it is scored.

The logic only: the link's keys, the painting grid, scoring and the words; ``viz/predict.py`` draws it.

A prediction has up to three parts:

* ``cells``: which cells of a coarse ``CELLS × CELLS`` grid over the plane the student expects the
  network to call positive (binary data only);
* ``curve``: the expected shape of the training-loss curve, one of ``CURVES``;
* ``accuracy``: the expected final test accuracy, in percent.

After training, `score_cells` compares the painted cells with the network's own decision in each
cell (the majority of ``SUB × SUB`` samples inside it), `curve_shape` classifies the real loss
curve, and `biggest_miss` explains the largest connected patch of wrong cells.  Painting the
network's own cells scores 100 %::

    >>> from playground.run.config import Config
    >>> from playground.run.trainer import Trainer
    >>> t = Trainer(Config(dataset="circle")); _ = t.step(20)
    >>> truth = truth_cells(t)
    >>> score_cells(truth, truth).percent
    100.0

Share links carry the prediction (``pred``: the cells as 16 hex digits, bit ``iy·8 + ix`` with row 0
at the bottom; ``pred_curve``; ``pred_acc``; ``pred_epochs``: how long to train before the reveal).
``parse_prediction`` never raises.

In a room, a student's prediction travels with their status as one short string (`RoomPrediction`,
``to_room``/``from_room``): the painted cells and, once revealed, the network's cells and the agreement,
plus a key naming the setup, so the teacher's page can set each prediction beside the truth and average
the class's (`class_average`)::

    >>> text = RoomPrediction(fill("disc"), fill("disc"), 100, "circle:200:0123abcd").to_room()
    >>> text
    '00003c3c3c3c0000.00003c3c3c3c0000.100.circle:200:0123abcd'
    >>> from_room(text).score, from_room("<b>nonsense</b>")
    (100, None)
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from playground.run.config import query_pairs
from playground.run.views import boundary_values, grid_for, make_grid

__all__ = ["CELLS", "SUB", "CURVES", "EPOCH_CHOICES", "DEFAULT_EPOCHS", "Prediction", "CellScore", "parse_prediction",
           "encode_cells", "decode_cells", "cell_at", "toggle_cell", "fill", "FILLS", "truth_cells", "score_cells",
           "biggest_miss", "curve_shape", "curve_verdict", "accuracy_verdict", "can_paint", "cell_edges",
           "RoomPrediction", "setup_key", "from_room", "class_average", "MAX_ROOM_TEXT"]

CELLS = 8  # cells per side of the painting grid
SUB = 6  # samples per cell side when deciding what the network says in a cell
#: Loss-curve shapes a student can predict: key -> (label, what it looks like).
CURVES = {
    "smooth": ("Falls smoothly", "drops quickly at first, then levels off"),
    "plateau": ("Flat, then falls", "barely moves for a while, then drops"),
    "bumpy": ("Falls, but bumpy", "goes down overall with jumps up and down"),
    "flat": ("Hardly moves", "stays near where it started"),
    "diverges": ("Blows up", "rises or becomes not-a-number"),
}
EPOCH_CHOICES = (50, 100, 200, 300, 500, 1000)
DEFAULT_EPOCHS = 200
_HEX = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class Prediction:
    cells: tuple[bool, ...] | None = None  # CELLS² flags, row-major from the bottom row; None: not painted
    curve: str = ""  # a key of CURVES, "" for none
    accuracy: int | None = None  # percent
    epochs: int = DEFAULT_EPOCHS

    @property
    def made(self) -> bool:
        return self.cells is not None or bool(self.curve) or self.accuracy is not None

    def to_query(self) -> str:
        parts = []
        if self.cells is not None:
            parts.append(f"pred={encode_cells(self.cells)}")
        if self.curve:
            parts.append(f"pred_curve={self.curve}")
        if self.accuracy is not None:
            parts.append(f"pred_acc={self.accuracy}")
        parts.append(f"pred_epochs={self.epochs}")
        return "&".join(parts)


def encode_cells(cells) -> str:
    bits = 0
    for k, on in enumerate(cells):
        if on:
            bits |= 1 << k
    return f"{bits:016x}"


def decode_cells(text) -> tuple[tuple[bool, ...] | None, str]:
    value = str(text).strip().lower()[:40]
    if not _HEX.match(value):
        return None, (f"pred {value[:20]!r} is not a painted grid: it must be 16 hexadecimal digits "
                      f"(0–9, a–f); the prediction starts empty")
    bits = int(value, 16)
    return tuple(bool(bits >> k & 1) for k in range(CELLS * CELLS)), ""


def parse_prediction(query: str | Mapping | None) -> tuple[Prediction, list[str]]:
    """The prediction in a link; never raises (a bad value is dropped with a message saying what is allowed)."""
    pairs, warnings = query_pairs(query)
    got = {k: str(v) for k, v in pairs if k in ("pred", "pred_curve", "pred_acc", "pred_epochs")}
    cells = None
    if "pred" in got:
        cells, msg = decode_cells(got["pred"])
        warnings += [msg] if msg else []
    curve = got.get("pred_curve", "").strip().lower()[:20]
    if curve and curve not in CURVES:
        warnings.append(f"pred_curve {curve!r} is not a curve shape; allowed: {', '.join(CURVES)}")
        curve = ""
    acc = None
    if "pred_acc" in got:
        text = got["pred_acc"].strip()[:8]
        if text.isdigit() and int(text) <= 100:
            acc = int(text)
        else:
            warnings.append(f"pred_acc {text!r} is not a percentage; use a whole number from 0 to 100")
    epochs = DEFAULT_EPOCHS
    if "pred_epochs" in got:
        text = got["pred_epochs"].strip()[:8]
        if text.isdigit() and int(text) in EPOCH_CHOICES:
            epochs = int(text)
        else:
            warnings.append(f"pred_epochs {text!r} is not allowed; use one of "
                            f"{', '.join(map(str, EPOCH_CHOICES))}; using {DEFAULT_EPOCHS}")
    return Prediction(cells, curve, acc, epochs), warnings


# ----- the painting grid ---------------------------------------------------------------------------
def can_paint(trainer) -> str:
    """"" when the data can be painted (binary, two columns), else why not."""
    if trainer.task != "binary":
        return "Painting the positive region needs data with two classes; predict the loss curve and accuracy instead."
    if trainer.train.X.shape[1] != 2:
        return "Painting needs two-dimensional data; predict the loss curve and accuracy instead."
    return ""


def cell_edges(domain) -> tuple[np.ndarray, np.ndarray]:
    x0, x1, y0, y1 = domain
    return np.linspace(x0, x1, CELLS + 1), np.linspace(y0, y1, CELLS + 1)


def cell_at(x, y, domain) -> int | None:
    """The cell under a click at (x, y) in data coordinates; None outside the plane or for a bad value."""
    try:
        x, y = float(x), float(y)
    except (TypeError, ValueError):
        return None
    x0, x1, y0, y1 = domain
    if not (np.isfinite(x) and np.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
        return None
    ix = min(CELLS - 1, int((x - x0) / (x1 - x0) * CELLS))
    iy = min(CELLS - 1, int((y - y0) / (y1 - y0) * CELLS))
    return iy * CELLS + ix


def toggle_cell(cells, k: int | None) -> tuple[bool, ...]:
    cells = list(cells if cells is not None else [False] * CELLS * CELLS)
    if k is not None and 0 <= k < len(cells):
        cells[k] = not cells[k]
    return tuple(cells)


def _centres(n: int = CELLS) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres on [−1, 1]² (ix across, iy up), as (iy, ix) arrays."""
    c = (np.arange(n) + 0.5) / n * 2 - 1
    return np.meshgrid(c, c, indexing="ij")[::-1]  # (u, v): u = x across, v = y up


def _shape(name: str) -> np.ndarray:
    u, v = _centres()
    shapes = {
        "clear": np.zeros_like(u, bool), "all": np.ones_like(u, bool),
        "left": u < 0, "right": u > 0, "top": v > 0, "bottom": v < 0,
        "disc": u ** 2 + v ** 2 < 0.3, "ring": u ** 2 + v ** 2 >= 0.3,
        "diagonal": u * v > 0, "anti-diagonal": u * v < 0,
    }
    return shapes[name]


#: Quick fills (also the keyboard's way to paint): name -> label.
FILLS = {"clear": "Clear", "all": "Everything", "left": "Left half", "right": "Right half", "top": "Top half",
         "bottom": "Bottom half", "disc": "Central disc", "ring": "Outside a disc", "diagonal": "Quadrants ↗↙",
         "anti-diagonal": "Quadrants ↖↘"}


def fill(name: str, cells=None) -> tuple[bool, ...]:
    """A quick fill by name (see FILLS); ``"invert"`` flips ``cells``."""
    if name == "invert":
        return tuple(not c for c in (cells or [False] * CELLS * CELLS))
    return tuple(bool(b) for b in _shape(name).ravel())


# ----- scoring ---------------------------------------------------------------------------------------
def truth_cells(trainer, domain=None) -> tuple[bool, ...]:
    """What the network says in each cell: positive where most of its SUB × SUB samples are ≥ 0."""
    domain = domain or grid_for(trainer, 10).domain
    x0, x1, y0, y1 = domain
    n = CELLS * SUB
    hx, hy = (x1 - x0) / n, (y1 - y0) / n
    grid = make_grid((x0 + hx / 2, x1 - hx / 2, y0 + hy / 2, y1 - hy / 2), n)
    v = boundary_values(trainer, grid) >= 0  # (n, n): [iy, ix]
    frac = v.reshape(CELLS, SUB, CELLS, SUB).mean(axis=(1, 3))
    return tuple(bool(b) for b in (frac >= 0.5).ravel())


@dataclass(frozen=True)
class CellScore:
    agree: int
    total: int
    misses: tuple[bool, ...] = field(repr=False)

    @property
    def percent(self) -> float:
        return 100.0 * self.agree / self.total


def score_cells(predicted, truth) -> CellScore:
    p, t = np.asarray(predicted, bool), np.asarray(truth, bool)
    if p.shape != t.shape:
        raise ValueError(f"prediction has {p.size} cells, the truth {t.size}")
    miss = p != t
    return CellScore(int((~miss).sum()), int(miss.size), tuple(bool(m) for m in miss))


def _components(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    """4-connected patches of True cells, largest first."""
    seen, out = np.zeros_like(mask, bool), []
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        stack, patch = [start], []
        seen[start] = True
        while stack:
            iy, ix = stack.pop()
            patch.append((int(iy), int(ix)))
            for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                ny, nx = iy + dy, ix + dx
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        out.append(patch)
    return sorted(out, key=len, reverse=True)


def _where(patch) -> str:
    iy = np.mean([p[0] for p in patch]) / (CELLS - 1)
    ix = np.mean([p[1] for p in patch]) / (CELLS - 1)
    v = "bottom" if iy < 0.34 else "top" if iy > 0.66 else "middle"
    h = "left" if ix < 0.34 else "right" if ix > 0.66 else "centre"
    return "the centre" if (v, h) == ("middle", "centre") else f"the {v} {h}" if v != "middle" else f"the {h} side"


def biggest_miss(predicted, truth, trainer, domain=None) -> str:
    """One or two sentences on the largest patch of wrongly predicted cells; "" when every cell is right."""
    p = np.asarray(predicted, bool).reshape(CELLS, CELLS)
    t = np.asarray(truth, bool).reshape(CELLS, CELLS)
    patches = _components(p != t)
    if not patches:
        return ""
    patch = patches[0]
    said_pos = sum(p[c] for c in patch)
    you, net = ("positive (blue)", "negative (orange)") if said_pos * 2 >= len(patch) else \
        ("negative (orange)", "positive (blue)")
    n = len(patch)
    text = (f"Biggest miss: {n} cell{'s' if n != 1 else ''} around {_where(patch)}, which you painted {you} "
            f"and the network calls {net}.")
    domain = domain or grid_for(trainer, 10).domain
    xe, ye = cell_edges(domain)
    X, y = np.asarray(trainer.train.X), np.asarray(trainer.train.y)
    inside = np.zeros(len(X), bool)
    for iy, ix in patch:
        inside |= (X[:, 0] >= xe[ix]) & (X[:, 0] < xe[ix + 1]) & (X[:, 1] >= ye[iy]) & (X[:, 1] < ye[iy + 1])
    k = int(inside.sum())
    if k == 0:
        text += (" No training point lies there: the network never saw an example of that region, so its "
                 "answer there is an extrapolation of the shape it learned elsewhere.")
    else:
        pos = int((y[inside] == 1).sum())
        share = pos / k
        agrees = share > 0.65 if net.startswith("positive") else share < 0.35
        student = share > 0.65 if you.startswith("positive") else share < 0.35
        why = ("the data there supports the network's answer." if agrees else
               "the data there supports your answer: the network has not fitted it yet (train longer, or give "
               "it more capacity)." if student else
               "the classes are mixed there: the boundary runs through this patch and a coarse cell cannot follow it.")
        text += f" {k} training point{'s' if k != 1 else ''} lie there, {pos} positive and {k - pos} negative: {why}"
    return text


def curve_shape(history) -> str:
    """The loss curve's shape, one of CURVES, from the training-loss history."""
    y = np.asarray(history.train_loss, np.float64)
    if y.size < 3 or not np.isfinite(y).all():
        return "diverges" if y.size and not np.isfinite(y).all() else "flat"
    first, last = y[0], y[-1]
    if last > 1.5 * first or y.max() > 3 * first:
        return "diverges"
    if last > 0.9 * first:
        return "flat"
    steps = np.diff(y)
    ups = (steps > 0.01 * np.abs(y[:-1])).mean()
    if ups > 0.2:
        return "bumpy"
    early = y[max(1, len(y) // 5)]
    if early > first - 0.25 * (first - last):  # a fifth of the way in, under a quarter of the drop done
        return "plateau"
    return "smooth"


def curve_verdict(predicted: str, actual: str) -> str:
    label, desc = CURVES[actual]
    if not predicted:
        return f"The loss curve: {label.lower()} (it {desc})."
    if predicted == actual:
        return f"Right: the loss curve {desc}."
    return f"You expected “{CURVES[predicted][0].lower()}”; the loss curve {desc} (“{label.lower()}”)."


def accuracy_verdict(predicted: int | None, actual: float) -> str:
    if predicted is None:
        return f"Final test accuracy: {actual:.0%}."
    gap = actual * 100 - predicted
    how = "spot on" if abs(gap) < 3 else "too pessimistic" if gap > 0 else "too optimistic"
    return f"You expected {predicted} %; the network reached {actual:.0%} ({how}, off by {abs(gap):.0f} points)."


# ----- a prediction in a room ------------------------------------------------------------------------
MAX_ROOM_TEXT = 80  # characters of a prediction in a status (16 + 1 + 16 + 1 + 3 + 1 + a setup key ≤ 40)
_SETUP = re.compile(r"^[A-Za-z0-9_\-]{1,24}:[0-9]{1,5}:[0-9a-f]{8}$")


def setup_key(cfg, epochs: int) -> str:
    """``dataset:epochs:hash``: predictions with the same key were scored against the same run (same config
    and seed give the same run), so the class's average is compared with one truth."""
    digest = hashlib.sha256(f"{cfg.to_query()}&pred_epochs={int(epochs)}".encode()).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9_\-]", "_", str(cfg.dataset))[:24] or "data"
    return f"{name}:{int(epochs)}:{digest}"


@dataclass(frozen=True)
class RoomPrediction:
    """What a student's status says of their prediction: the painted cells, and once revealed the network's
    cells (``truth``) and the agreement in whole percent; ``setup`` is a `setup_key`."""

    cells: tuple[bool, ...]
    truth: tuple[bool, ...] | None = None
    score: int | None = None
    setup: str = ""

    def to_room(self) -> str:
        """``cells.truth.score.setup``: 16 hex digits each for the grids (as in links), "" where not known."""
        truth = encode_cells(self.truth) if self.truth is not None else ""
        score = "" if self.score is None else str(int(self.score))
        return f"{encode_cells(self.cells)}.{truth}.{score}.{self.setup}"

    @property
    def dataset(self) -> str:
        return self.setup.split(":")[0]

    @property
    def epochs(self) -> int | None:
        parts = self.setup.split(":")
        return int(parts[1]) if len(parts) == 3 else None


def from_room(text) -> RoomPrediction | None:
    """A status's prediction, checked field by field (it comes from a student's browser session); None when
    anything in it is not as ``to_room`` writes it."""
    if not isinstance(text, str) or not 0 < len(text) <= MAX_ROOM_TEXT:
        return None
    parts = text.split(".")
    if len(parts) != 4:
        return None
    cells_text, truth_text, score_text, setup = parts
    cells, problem = decode_cells(cells_text)
    if problem or len(cells_text) != 16:
        return None
    truth = None
    if truth_text:
        truth, problem = decode_cells(truth_text)
        if problem or len(truth_text) != 16:
            return None
    score = None
    if score_text:
        if not (score_text.isdigit() and len(score_text) <= 3 and int(score_text) <= 100):
            return None
        score = int(score_text)
    if setup and not _SETUP.match(setup):
        return None
    return RoomPrediction(cells, truth, score, setup)


def class_average(predictions) -> tuple[np.ndarray, tuple[bool, ...] | None]:
    """The share of the class painting each cell positive, (CELLS, CELLS) rows from the bottom, and the
    truth most of them were scored against (None when nobody's prediction is revealed yet).

    >>> avg, truth = class_average([RoomPrediction(fill("left")), RoomPrediction(fill("all"), fill("left"), 50)])
    >>> float(avg[0, 0]), float(avg[0, -1]), truth == fill("left")
    (1.0, 0.5, True)
    """
    predictions = list(predictions)
    if not predictions:
        return np.zeros((CELLS, CELLS)), None
    avg = np.mean([np.asarray(p.cells, bool) for p in predictions], axis=0).reshape(CELLS, CELLS)
    truths = Counter(p.truth for p in predictions if p.truth is not None)
    return avg, (truths.most_common(1)[0][0] if truths else None)
