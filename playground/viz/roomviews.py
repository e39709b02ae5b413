"""What a student's Playground tells its room, and what the teacher's page makes of it.

* `Status`: a student's run in under ``rooms.MAX_STATUS_BYTES`` (2 KB): epoch, losses and
  accuracies, a one-line setup summary, network size, and a tiny PNG of the decision boundary
  (``thumbnail``: 24×24 pixels, a few hundred bytes);
* `StatusWriter`: decides when to write (every ``rooms.STATUS_SECONDS`` while the run changes,
  a heartbeat every ``HEARTBEAT_SECONDS`` when it does not), so a class of 30 writes at most
  15 small rows a second, never one per frame;
* `projector_trainer`: the teacher's copy of a student's run from the snapshot the student's
  page uploaded on request (``modelio.to_json``: the same weights, epoch, optimizer and shuffling
  state) and its link (the same data, drawn points included).  Exact, not re-trained.
"""
from __future__ import annotations

import base64
import json
import math
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from playground.run.config import format_value
from playground.run.prediction import MAX_ROOM_TEXT
from playground.viz.palette import CLASS_COLORS
from playground.viz.palette import colorize
from playground.viz.palette import hex_to_rgb
from playground.viz.png import encode_png
from playground.teach.rooms import MAX_LINK
from playground.teach.rooms import MAX_STATUS_BYTES
from playground.teach.rooms import STATUS_SECONDS

__all__ = ["Status", "status_of", "thumbnail", "StatusWriter", "parse_status", "snapshot_of", "projector_trainer",
           "HEARTBEAT_SECONDS", "THUMB_PIXELS"]

THUMB_PIXELS = 24
HEARTBEAT_SECONDS = 10.0  # an unchanged run (paused) still says "I am here" this often
MAX_SUMMARY = 90


@dataclass(frozen=True)
class Status:
    epoch: int
    train_loss: float | None
    test_loss: float | None
    train_metric: float | None  # accuracy, or R² for regression
    test_metric: float | None
    task: str  # "binary" | "multiclass" | "regression"
    dataset: str  # the config's dataset
    custom: bool  # drawn or uploaded data instead of the dataset
    summary: str  # "spiral · 8,8 tanh · adam lr 0.03"
    neurons: int  # hidden neurons
    layers: int  # hidden layers
    weights: int
    playing: bool
    thumb: str  # base64 PNG, "" if none
    link: str  # the run's share query, "" when too long to carry (drawn points)
    pred: str = ""  # the student's last prediction on the Predict page (``prediction.RoomPrediction.to_room``)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), allow_nan=False)

    def progress_key(self) -> tuple:
        """What changes when the run moves on (a status equal in this needs no new write yet)."""
        return (self.epoch, self.summary, self.playing, self.custom, self.link)


def _last(values) -> float | None:
    if not len(values):
        return None
    v = float(values[-1])
    return v if math.isfinite(v) else None


def thumbnail(trainer, res: int = THUMB_PIXELS) -> bytes:
    """A res×res PNG of the decision boundary (no points): the Playground's colours, top row = top of the plane."""
    from playground.run import views

    grid = views.grid_for(trainer, res)
    v = views.boundary_values(trainer, grid)
    if trainer.task == "multiclass":
        rgb = np.array([hex_to_rgb(c) for c in CLASS_COLORS], np.float32)
        k = v.shape[-1]
        img = np.clip(v @ rgb[np.arange(k) % len(rgb)] / 16, 0, 15.9).astype(np.uint8) * 16  # 16 levels each
    else:
        if trainer.task == "regression":
            y = np.asarray(trainer.train.y, np.float64).ravel()
            lo, hi = (float(y.min()), float(y.max())) if y.size else (-1.0, 1.0)
            lo, hi = (lo - 1.0, hi + 1.0) if not hi > lo else (lo, hi)
            v = 2 * (v - (lo + hi) / 2) / (hi - lo)
        img = colorize(np.round(np.clip(v, -1, 1) * 8) / 8, -1.0, 1.0)  # 17 shades: a third of the bytes
    return encode_png(np.ascontiguousarray(img[::-1]), level=9)


def status_of(trainer, *, playing: bool, custom: bool, link: str, res: int = THUMB_PIXELS, pred: str = "") -> Status:
    """A student's status: at most ``MAX_STATUS_BYTES`` as JSON (the link is left out, then the picture
    made coarser, when it would not fit; ``pred``, at most ``prediction.MAX_ROOM_TEXT`` characters, always stays)."""
    cfg, h = trainer.cfg, trainer.history
    hidden = ",".join(map(str, cfg.hidden)) or "no hidden layers"
    acts = "/".join(dict.fromkeys(cfg.activations())) if cfg.hidden else ""
    summary = f"{cfg.dataset}{' (own data)' if custom else ''} · {hidden} {acts} · {cfg.optimizer} lr " \
              f"{format_value(cfg.lr)}"
    sizes = list(trainer.sizes)
    status = Status(
        epoch=int(trainer.epoch), train_loss=_last(h.train_loss), test_loss=_last(h.test_loss),
        train_metric=_last(h.train_metric), test_metric=_last(h.test_metric), task=trainer.task,
        dataset=cfg.dataset, custom=bool(custom), summary=" ".join(summary.split())[:MAX_SUMMARY],
        neurons=int(sum(cfg.hidden)), layers=len(cfg.hidden),
        weights=int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))), playing=bool(playing),
        thumb=base64.b64encode(thumbnail(trainer, res)).decode(), link=link if len(link) <= 500 else "",
        pred=pred[:MAX_ROOM_TEXT])
    while len(status.to_json().encode()) > MAX_STATUS_BYTES:
        if status.link:
            status = Status(**{**asdict(status), "link": ""})
        elif res > 8:
            res -= 4
            status = Status(**{**asdict(status), "thumb": base64.b64encode(thumbnail(trainer, res)).decode()})
        else:
            status = Status(**{**asdict(status), "thumb": ""})
    return status


_FIELDS = {"epoch": int, "train_loss": float, "test_loss": float, "train_metric": float, "test_metric": float,
           "task": str, "dataset": str, "custom": bool, "summary": str, "neurons": int, "layers": int,
           "weights": int, "playing": bool, "thumb": str, "link": str, "pred": str}


def parse_status(text: str) -> dict[str, Any]:
    """A stored status as a dict of checked values (a missing or odd field is left out); {} if unreadable."""
    if not isinstance(text, str) or not text or len(text) > MAX_STATUS_BYTES * 2:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Any] = {}
    for name, kind in _FIELDS.items():
        v = raw.get(name)
        if kind is float and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out[name] = float(v)
        elif kind is int and isinstance(v, int) and not isinstance(v, bool):
            out[name] = v
        elif kind is bool and isinstance(v, bool):
            out[name] = v
        elif kind is str and isinstance(v, str):
            out[name] = v[:MAX_LINK]
    if "thumb" in out:
        try:
            out["thumb_png"] = base64.b64decode(out.pop("thumb"), validate=True)
        except ValueError:
            pass
    return out


class StatusWriter:
    """When a student's page writes: the run moved on and ``STATUS_SECONDS`` passed, or nothing moved for
    ``HEARTBEAT_SECONDS``.  Kept in the student's session; the status itself goes to the store."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.last_at = -math.inf
        self.last_key: tuple | None = None

    def due(self, key: tuple) -> bool:
        since = self.clock() - self.last_at
        return since >= HEARTBEAT_SECONDS or (key != self.last_key and since >= STATUS_SECONDS * 0.95)

    def wrote(self, key: tuple) -> None:
        self.last_at, self.last_key = self.clock(), key


def snapshot_of(trainer, link: str, data=None) -> tuple[int, str, bytes]:
    """(epoch, link, snapshot) for the teacher's projector: the app's own model file (``modelio.to_json``),
    plus the exact points when the student trains on points they drew (a link rounds them)."""
    from playground.run import modelio

    doc: dict[str, Any] = {"model": json.loads(modelio.to_json(trainer))}
    if data is not None and data.name == "drawn":
        doc["drawn"] = {"X": data.X.tolist(), "y": data.y.tolist(), "task": data.task, "n_classes": data.n_classes}
    return int(trainer.epoch), link, json.dumps(doc, separators=(",", ":"), allow_nan=False).encode()


def _drawn_points(raw: Any):
    """The drawn points of a snapshot as ``Data``, checked like a link's (``drawn.decode``); None if odd."""
    from playground.data import drawn
    from playground.data.datasets import Data

    try:
        X = np.asarray(raw["X"], np.float64)
        y = np.asarray(raw["y"], np.float64)
        task, k = raw["task"], int(raw["n_classes"])
    except (KeyError, TypeError, ValueError):
        return None
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),) or len(X) > drawn.MAX_POINTS \
            or not np.isfinite(X).all() or not np.isfinite(y).all() or task not in ("classification", "regression"):
        return None
    if task == "classification":
        if not 2 <= k <= drawn.MAX_CLASSES or (len(y) and (y.min() < 0 or y.max() >= k or (y % 1).any())):
            return None
        return Data(X, y.astype(np.int64), task, k, ("x1", "x2"), "drawn")
    return Data(X, y, task, 0, ("x1", "x2"), "drawn")


def projector_trainer(link: str, snapshot: bytes):
    """The student's run rebuilt from a snapshot: (trainer, "") or (None, why not)."""
    from playground.run import modelio

    try:
        doc = json.loads(snapshot)
        model = json.dumps(doc["model"]).encode()
    except (ValueError, KeyError, TypeError):
        return None, "the student's snapshot could not be read"
    data = None
    if "drawn" in doc:
        data = _drawn_points(doc["drawn"])
        if data is None:
            return None, "the student's drawn points could not be read"
    try:
        loaded = modelio.load_model("snapshot.json", model)
        if data is None and loaded.data_name is not None:
            return None, "this student trains on uploaded data, which stays in their browser session"
        return modelio.trainer_from_model(loaded, data), ""
    except modelio.ModelFileError as e:
        return None, str(e)


def pushable_link(text: object) -> tuple[str, list[str]]:
    """A teacher's Playground link (the whole address or its query) as the normalised query to push, and
    what in it was repaired or dropped (``config.from_query``'s warnings; drawn points are kept when valid)."""
    from urllib.parse import parse_qsl
    from urllib.parse import urlsplit

    from playground.data import drawn
    from playground.run.config import from_query

    raw = str(text).strip()
    if len(raw) > MAX_LINK:
        return "", [f"a link has at most {MAX_LINK:,} characters; this one has {len(raw):,}"]
    query = urlsplit(raw).query if "?" in raw or raw.startswith("http") else raw
    pairs = parse_qsl(query, keep_blank_values=True)
    pts = next((v for k, v in pairs if k == "pts"), None)
    cfg, warnings = from_query({k: v for k, v in pairs if k != "pts"})
    out = cfg.to_query()
    if pts is not None:
        points, msg = drawn.decode(pts)
        if msg:
            warnings.append(f"drawn points left out: {msg}")
        elif drawn.encode(points):
            out += "&pts=" + drawn.encode(points)
    return out, warnings
