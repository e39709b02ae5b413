"""A run's per-epoch records: losses, metrics and gradient norms, thinned beyond a cap.

    >>> h = History()
    >>> h.append(epoch=0, train_loss=0.5, test_loss=0.6, train_metric=0.5, test_metric=0.4, test_rmse=float("nan"),
    ...          grad_norms=[1.0])
    >>> len(h), h.array("train_loss").tolist()
    (1, [0.5])
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["History", "HISTORY_CAP"]

HISTORY_CAP = 20_000  # points per curve; beyond it the history is thinned (every other point)


@dataclass
class History:
    """Per-epoch records.  ``metric`` is accuracy (classification) or R² (regression)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)
    test_rmse: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # one norm per layer

    def __post_init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}  # float64 copies of the lists, see array()
        self.cap = HISTORY_CAP  # points per curve before thinning (a race's racers share one cap)

    def append(self, **values) -> None:
        for k, v in values.items():
            getattr(self, k).append(v)
        if len(self.epoch) > self.cap:
            for k in self.__dataclass_fields__:
                lst = getattr(self, k)
                del lst[1:-1:2]  # keep first and last, drop every other in between
            self._arrays.clear()

    def array(self, name: str) -> np.ndarray:
        """One curve (``"train_loss"``, ``"epoch"``, ...) as a float64 array: do not modify it.

        Live charts ask for every curve several times a second; converting a 20,000-item list
        each time cost ~0.4 ms a curve, so the array is kept and only new points are converted.
        """
        values, arr = getattr(self, name), self._arrays.get(name)
        k = 0 if arr is None else len(arr)
        if k > len(values) or (k and (values[0] != arr[0] or values[k - 1] != arr[k - 1])):
            k = 0  # the list was changed other than by append: convert it all again
        if k == 0:
            arr = np.asarray(values, np.float64)
        elif k < len(values):
            arr = np.concatenate([arr, np.asarray(values[k:], np.float64)])
        self._arrays[name] = arr
        return arr

    def __len__(self) -> int:
        return len(self.epoch)
