"""Points drawn by hand on the Playground's plane, and their compact encoding in a share link.

A link carries at most ``MAX_LINK_POINTS`` points as ``pts=<base64url>``: per point
two int16 coordinates in hundredths (±6.00 fits easily) and one int16 label
(class index, or a regression value in thousandths).  200 points → ~1.6 kB of
link.  Decoding never raises: a bad value gives ``None`` and a message.
"""
from __future__ import annotations

import base64
import binascii

import numpy as np

from playground.data.datasets import Data

__all__ = ["MAX_POINTS", "MAX_LINK_POINTS", "MAX_CLASSES", "empty", "add_point", "remove_near", "encode", "decode",
           "from_data", "PICK_RADIUS", "blank_values"]

MAX_POINTS = 1_000  # drawn or copied points kept in a session
MAX_LINK_POINTS = 200
MAX_CLASSES = 5
PICK_RADIUS = 0.35  # a click this close to a point removes it
_BOX = 6.0  # the synthetic plane is [-6, 6]²
_VERSION = b"\x01"


def empty(task: str = "classification", n_classes: int = 2) -> Data:
    """No points yet (the trainer needs some: the page asks for at least ``datasets.MIN_POINTS`` before training)."""
    y = np.zeros(0, np.int64 if task == "classification" else np.float64)
    return Data(np.zeros((0, 2)), y, task, n_classes if task == "classification" else 0, ("x1", "x2"), "drawn")


def _with(data: Data, X: np.ndarray, y: np.ndarray) -> Data:
    return Data(X, y, data.task, data.n_classes, ("x1", "x2"), "drawn", data.class_names)


def add_point(data: Data, x: float, y: float, label: float) -> tuple[Data, str]:
    """Add a point (clipped to the plane); returns (data, message).  Full data is returned unchanged."""
    if len(data) >= MAX_POINTS:
        return data, f"at most {MAX_POINTS} points can be drawn; remove some first"
    if not (np.isfinite(x) and np.isfinite(y) and np.isfinite(label)):
        return data, "a point needs finite coordinates and label"
    p = np.clip([x, y], -_BOX, _BOX)
    if data.task == "classification":
        if not 0 <= int(label) < data.n_classes:
            return data, f"class must be 0–{data.n_classes - 1}, got {label!r}"
        lab = np.array([int(label)], np.int64)
    else:
        lab = np.array([float(np.clip(label, -32.0, 32.0))])
    return _with(data, np.vstack([data.X, p[None, :]]), np.concatenate([data.y, lab])), ""


def remove_near(data: Data, x: float, y: float, radius: float = PICK_RADIUS) -> tuple[Data, bool]:
    """Remove the point nearest to (x, y) if it lies within ``radius``; returns (data, removed?)."""
    if not len(data):
        return data, False
    d = np.hypot(data.X[:, 0] - x, data.X[:, 1] - y)
    i = int(d.argmin())
    if d[i] > radius:
        return data, False
    keep = np.arange(len(data)) != i
    return _with(data, data.X[keep], data.y[keep]), True


def from_data(data: Data, limit: int = MAX_POINTS) -> Data:
    """Start drawing from a 2-D dataset (its first ``limit`` points)."""
    if data.X.shape[1] != 2:
        raise ValueError(f"only 2-D data can be drawn on, this has {data.X.shape[1]} columns")
    k = min(len(data), limit)
    task = "classification" if data.task != "regression" else "regression"
    return Data(data.X[:k], data.y[:k], task, data.n_classes, ("x1", "x2"), "drawn", data.class_names)


def encode(data: Data) -> str | None:
    """``pts`` link value, or None when there are too many points for a link."""
    if len(data) > MAX_LINK_POINTS:
        return None
    xy = np.clip(np.round(data.X * 100), -32767, 32767).astype("<i2")
    if data.task == "classification":
        lab = data.y.astype("<i2")
        head = _VERSION + b"c" + bytes([data.n_classes])
    else:
        lab = np.clip(np.round(data.y * 1000), -32767, 32767).astype("<i2")
        head = _VERSION + b"r" + b"\x00"
    body = np.column_stack([xy, lab[:, None]]).astype("<i2").tobytes()
    return base64.urlsafe_b64encode(head + body).decode().rstrip("=")


def decode(text: str) -> tuple[Data | None, str]:
    """Points from a ``pts`` link value; (None, message) for anything malformed."""
    if not isinstance(text, str) or not text:
        return None, "pts is empty"
    if len(text) > 4 * (3 + 6 * MAX_LINK_POINTS) // 3 + 4:
        return None, f"pts holds more than {MAX_LINK_POINTS} points; drawn data was not loaded"
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None, "pts is not valid base64url; drawn data was not loaded"
    if len(raw) < 3 or raw[:1] != _VERSION or raw[1:2] not in (b"c", b"r") or (len(raw) - 3) % 6:
        return None, "pts is not drawn-point data from this app; drawn data was not loaded"
    arr = np.frombuffer(raw[3:], "<i2").reshape(-1, 3).astype(np.float64)
    X = arr[:, :2] / 100
    if np.abs(X).max(initial=0) > _BOX + 1e-9:
        return None, f"pts has points outside the plane ±{_BOX:g}; drawn data was not loaded"
    if raw[1:2] == b"c":
        k = raw[2]
        y = arr[:, 2].astype(np.int64)
        if not 2 <= k <= MAX_CLASSES or (len(y) and (y.min() < 0 or y.max() >= k)):
            return None, f"pts has class labels outside 0–{max(k, 2) - 1} or a class count outside 2–{MAX_CLASSES}"
        return Data(X, y, "classification", k, ("x1", "x2"), "drawn"), ""
    return Data(X, arr[:, 2] / 1000, "regression", 0, ("x1", "x2"), "drawn"), ""


def blank_values(grid, task: str, n_classes: int) -> np.ndarray:
    """A neutral boundary (nothing learned yet) for a canvas with too few points to train."""
    shape = (grid.res, grid.res, n_classes) if task == "classification" and n_classes > 2 else (grid.res, grid.res)
    fill = 1.0 / n_classes if len(shape) == 3 else 0.0
    return np.full(shape, fill, np.float32)
