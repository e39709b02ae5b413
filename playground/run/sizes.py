"""The size and cost of a run: the hard caps every source of a setup is held to (``CAPS``), the task and
class count of a dataset, the layer sizes of a network, and the work (multiply-adds) of one mini-batch and of
one evaluation, which ``CAPS['work']`` bounds so that no piece of training can hold a frame up for long.

    >>> n_weights([2, 4, 1])
    12
"""
from __future__ import annotations

import math

from playground.core.losses import LOSSES

__all__ = ["CAPS", "task_of", "dataset_info", "class_count", "layer_sizes", "n_weights", "epoch_work", "network_sizes", "data_points", "work_problem", "WORK_FIELDS", "working_bytes"]

#: Hard caps, enforced for every source.
CAPS = {
    "hidden_layers": 8,
    "neurons": 64,
    "points": 10_000,
    "lr": 10.0,
    "reg_rate": 10.0,
    "value_chars": 200,  # longest accepted value of one query field
    "query_chars": 8_000,  # longest accepted query string
    "query_fields": 200,  # most fields a link may have
    "max_epochs": 1_000_000,
    # Multiply-adds of one piece of training that cannot be cut (one mini-batch, or the evaluation after an
    # epoch: ``epoch_work``), data and network together: a frame takes at most one such piece past its budget.
    # Measured (bench/measure_frames.py, CPU time of one BLAS thread, i.e. a quiet core, on the shared 2-core
    # VM): the heaviest allowed pieces take 0.06–0.10 s in float64 (8 × 64 on ~4,900 points of 7 features, or
    # on 4,000 rows × 100 columns), ~0.02 s in float32; the old caps allowed 2.8× this (0.2–0.74 s busy).
    "work": 4.0e8,
}

def task_of(data) -> tuple[str, int]:
    """(task, n_classes) of a dataset spec or ``Data`` (``.task`` "classification" or "regression",
    ``.n_classes``), with task "binary", "multiclass" or "regression" (then n_classes 0).  The one
    place the task of a config is worked out."""
    if data.task == "regression":
        return "regression", 0
    return ("binary" if data.n_classes <= 2 else "multiclass"), data.n_classes


def dataset_info(name: str) -> tuple[str, int]:
    """``task_of`` the built-in dataset ``name``."""
    from playground.data.datasets import DATASETS  # local: datasets is heavier and config must import fast

    return task_of(DATASETS[name])


def class_count(cfg) -> int | None:
    """The class count ``cfg`` asks of its dataset (``datasets.generate``'s ``n_classes``): its
    ``classes`` setting for ``blobs``, the one dataset where that is a choice; None elsewhere (the
    dataset's own)."""
    return cfg.classes if cfg.dataset == "blobs" else None


def layer_sizes(cfg, n_columns: int, n_classes: int) -> list[int]:
    """Units per layer of ``cfg``'s network on data with ``n_columns`` raw columns and ``n_classes``
    classes (0: regression): inputs (2-D points go through ``cfg.features``), hidden…, outputs."""
    n_in = len(cfg.features) if n_columns == 2 else n_columns
    return [n_in, *cfg.hidden, LOSSES[cfg.loss].n_outputs(n_classes)]


def n_weights(sizes) -> int:
    """The weights (links) of a network of ``sizes``: also its multiply-adds per row, forward."""
    return sum(int(fi) * int(fo) for fi, fo in zip(sizes[:-1], sizes[1:]))


def epoch_work(sizes, n_points: int, train_fraction: float, batch: int) -> tuple[float, float]:
    """(multiply-adds of one mini-batch, of one evaluation after an epoch) for a network of ``sizes``.

    A row costs one product per weight forward and two backward; the evaluation runs every
    point forward and the training rows backward (the full-training-set gradient)."""
    per_row = float(n_weights(sizes))
    n_train = round(n_points * train_fraction)
    return 3 * min(batch, n_train) * per_row, (n_points + 2 * n_train) * per_row


def network_sizes(cfg, data=None) -> list[int]:
    """``layer_sizes`` of the network the Trainer builds for ``cfg`` on its dataset, or on ``data``
    (drawn or uploaded) if given.  ``cfg`` may be a Config or anything with its fields."""
    if data is None:
        from playground.data.datasets import DATASETS

        spec = DATASETS[cfg.dataset]
        return layer_sizes(cfg, spec.n_features, class_count(cfg) or task_of(spec)[1])
    return layer_sizes(cfg, data.X.shape[1], task_of(data)[1])


def data_points(cfg, data=None) -> int:
    """How many points a run of ``cfg`` trains and evaluates on: ``data``'s rows, or the dataset's."""
    from playground.data.datasets import DATASETS

    if data is not None:
        return len(data)
    spec = DATASETS[cfg.dataset]
    n = cfg.points or spec.default_size
    return min(n, spec.default_size) if spec.kind == "real" else n


def work_problem(cfg, data=None) -> str | None:
    """Why a run of ``cfg`` (on ``data``, if given) is too much work for one frame, or None.

    The rule behind ``CAPS['work']``: one mini-batch and one evaluation after an epoch (``epoch_work``,
    data size times network size) must each stay within it.  The message names the piece, its figure,
    the data and the network, and what to do."""
    sizes, n = network_sizes(cfg, data), data_points(cfg, data)
    batch_macs, record_macs = epoch_work(sizes, n, cfg.train / 100, cfg.batch)
    cap = CAPS["work"]
    if record_macs <= cap and batch_macs <= cap:
        return None
    net = f"{n_weights(sizes):,} weights ({'-'.join(map(str, sizes))})"
    evaluation = record_macs > cap
    record_macs, batch_macs = (f"{math.ceil(x / 1e6):,} million" for x in (record_macs, batch_macs))
    cap = f"{math.floor(cap / 1e6):,} million"
    if evaluation:
        return (f"{n:,} points on a network of {net} is too much work: one evaluation after an epoch needs "
                f"{record_macs} multiply-adds, at most {cap} allowed; use fewer points or fewer/smaller layers")
    return (f"a mini-batch of {cfg.batch:,} rows on a network of {net} is too much work: it needs {batch_macs} "
            f"multiply-adds, at most {cap} allowed; use a smaller batch or fewer/smaller layers")


#: The fields a run's work depends on (``work_problem``).
WORK_FIELDS = ("dataset", "points", "classes", "train", "batch", "features", "hidden", "loss")


def working_bytes(sizes: list[int], n_train: int, n_test: int, batch: int, itemsize: int) -> int:
    """The most bytes the working buffers a ``NumpyMLP`` keeps while it trains can reach (its ``_bufs`` and
    ``_eval`` in ``core/network.py``; ``release_buffers`` gives them back), for ``n_train`` training and
    ``n_test`` test rows in mini-batches of ``batch`` rows, ``itemsize`` bytes a number: what the server's
    training slots are weighed by (``capacity``; ``tests/test_memory.py`` checks it byte for byte).

    The training rows with a ones column; for each of two mini-batch sizes (a whole batch and an epoch's last,
    shorter one, if any) each layer's input with a ones column, its z and a scratch, the output and its ∂L/∂z;
    for the evaluation after an epoch, both splits' inputs and z of every layer and the targets, a scratch as wide as
    the widest layer and ∂L/∂z for the training rows.

    >>> working_bytes([2, 4, 1], 100, 100, 10, 8)
    30408
    """
    rows = max(1, min(batch, n_train))
    rows += n_train % rows  # the epoch's last mini-batch, if shorter, has buffers of its own
    ins = sum(fi + 1 for fi in sizes[:-1])  # every layer's input with its ones column
    outs, k = sum(sizes[1:]), sizes[-1]
    numbers = (n_train * (sizes[0] + 1) + rows * (ins + 2 * outs + 2 * k)
               + (n_train + n_test) * (ins + outs + k) + n_train * (max(sizes[1:]) + k) + 1)  # + 1: the 1/n
    return int(numbers) * int(itemsize)
