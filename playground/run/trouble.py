"""Why a run cannot go on, in words: data no weights can train on, and a loss that became NaN or infinite.

Both read a `Trainer` (its data, its inputs and targets as the network sees them, its history)
and say what happened and what to try; the trainer itself stops and puts its weights back.

    >>> _listed(("a", "b", "c"), np.array([True, False, True]))
    "'a', 'c'"
"""
from __future__ import annotations

import numpy as np

__all__ = ["data_trouble", "divergence_message"]


def data_trouble(trainer) -> str:
    """What in the data makes the loss non-finite whatever the weights, or "" if nothing does:
    NaN/±inf values (e.g. an overflow while standardising values near 1e308), or values the
    network's number type cannot hold (float32 ends at ±3.4e38)."""
    names, dtype = trainer.data.feature_names, trainer.dtype
    for raw, used in ((trainer.train.X, trainer.X_train), (trainer.test.X, trainer.X_test)):
        bad = ~np.isfinite(raw).all(axis=0)
        if bad.any():
            return (f"feature column(s) {_listed(names, bad)} hold NaN or infinite values (an overflow: "
                    f"values too large to square and sum, or missing values); rescale those columns "
                    f"(e.g. other units) or leave them out")
        if not np.isfinite(used).all():
            big = np.abs(raw).max(axis=0) > np.finfo(dtype).max ** 0.5
            return (f"feature column(s) {_listed(names, big)} are too large for the network's "
                    f"{dtype.name} numbers (at most {np.finfo(dtype).max:.3g}, squares included); "
                    f"standardise the data or rescale those columns")
    for T in (trainer.T_train, trainer.T_test):
        if not np.isfinite(T).all():
            return (f"the targets hold NaN or infinite values, or values too large for "
                    f"{dtype.name} (at most {np.finfo(dtype).max:.3g}); standardise or "
                    f"rescale the target")
    return ""


def divergence_message(trainer, loss: float) -> str:
    """What the trainer says when ``loss`` is not finite: the data's trouble or too large starting
    weights (before the first epoch), or the epoch it diverged at and the epoch its weights go back to."""
    what = "NaN" if np.isnan(loss) else "infinite"
    if not trainer.history.epoch:
        trouble = data_trouble(trainer)
        if trouble:
            return f"The data cannot be trained on: {trouble}. The starting weights are not the cause."
        return (
            f"The starting weights already give a{'' if what == 'NaN' else 'n'} {what} loss: the initial scale "
            f"({trainer.cfg.init_scale:g}) is too large for this network. Lower the initial scale or use fewer "
            f"layers, then press Reset."
        )
    return (
        f"Training diverged at epoch {trainer.epoch}: the loss became {what}. The weights were put back "
        f"to epoch {trainer.epoch - 1}. Try a lower learning rate (now {trainer.lr:g}), a smaller initial "
        f"scale, gradient clipping, or a larger batch; then press Reset."
    )


def _listed(names, mask) -> str:
    """The names where ``mask`` is set, quoted (all columns' positions if names are missing)."""
    picked = [names[j] if j < len(names) else f"#{j + 1}" for j in np.flatnonzero(mask)] or list(names)
    shown = ", ".join(map(repr, picked[:5]))
    return shown + (f" and {len(picked) - 5} more" if len(picked) > 5 else "")
