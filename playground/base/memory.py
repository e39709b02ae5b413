"""What one browser session may keep of a training run's records, in bytes, and what a session weighs.

A trainer records every epoch: a history point (losses, metrics, one gradient norm per layer) and, for
replay and the Gradients page's histograms, a snapshot of all weights and gradients.  Unbounded by
bytes, a snapshot of the largest network a link allows (8 × 64 neurons, float64: 477 KB) times the old
200-snapshot count held ~95 MB per Playground session, and a race of four such racers ~380 MB.  Now the
records of a session are split out of one budget:

* replay snapshots: ``SNAPSHOT_BYTES`` per Playground, Digits or Gradients run; when a new snapshot
  would pass it, the older ones are thinned (epoch 0 and every second one kept, and the run records
  half as often from then on), so the replay always spans the whole run, evenly.  The largest network
  keeps ≥ 33 snapshots (float64; ≥ 47 in float32), small ones the full ``trainer.SNAPSHOT_CAP``.
* histories: ``history.HISTORY_CAP`` points for one run (≤ 7.7 MB measured for 9 layers' gradient
  norms); a race's racers share it (``racer_history_cap``), and keep only ``MIN_SNAPSHOTS`` snapshots
  each (the Race page shows no replay).

What one browser session weighs in all, measured with ``python bench/measure_memory.py`` (tracemalloc,
the heaviest link the caps allow: 8 × 64 neurons, all 7 input features, 10,000 points, full-batch
training, float64; 2026-12-04): ``SESSION_WORST_CASE_MB``.

====================  ==============  ===========  =====================================
what                  while training  once paused  of which records (snapshots, history)
====================  ==============  ===========  =====================================
Playground            209 MiB         23 MiB       21 MiB (21 snapshots, 20,000 points)
Race, four racers     766 MiB         20 MiB       15 MiB (2 snapshots, 5,000 points each)
====================  ==============  ===========  =====================================

(Before the byte budget the Playground's 200 snapshots alone held 91 MiB, a race's ~365 MiB.)  While
training, most of it is the networks' working buffers (a row per training and test point per layer,
kept between epochs for speed: ~185 MiB per racer here), which scale with points × layers × neurons;
a page gives them back as soon as its run stops training (``release_buffers``), so only sessions that
hold a training slot (``capacity``) weigh more than the paused figure.  What those buffers reach for a given
run, ``training_bytes`` (each trainer's ``working_bytes``, from its layer sizes, points and mini-batch), is
what its training slot weighs against ``PLAYGROUND_TRAINING_MEMORY_MB``.  A session that visited both
pages holds both; Digits and Gradients runs are far smaller (64 inputs, ≤ 8 × 16 neurons).
"""
from __future__ import annotations

__all__ = ["SNAPSHOT_BYTES", "MIN_SNAPSHOTS", "snapshots_to_keep", "racer_history_cap",
           "SESSION_WORST_CASE_MB", "release_buffers", "training_bytes"]

#: Replay snapshots one run may hold (bytes of weights + gradients).
SNAPSHOT_BYTES = 16 * 2**20
#: Snapshots every run keeps whatever its budget: epoch 0 and a recent one.
MIN_SNAPSHOTS = 2
#: Measured worst case per browser session, MiB (bench/measure_memory.py, 2026-12-04, this 2-core
#: machine): the Playground on the heaviest link while training, and a four-racer Race of the same
#: networks; a session holding both (one tab, both pages visited) holds their sum.
SESSION_WORST_CASE_MB = {"playground": 209, "race_4": 766, "playground_paused": 23, "race_4_paused": 20}


def snapshots_to_keep(snapshot_bytes: int, budget: int, cap: int) -> int:
    """How many snapshots of ``snapshot_bytes`` each fit in ``budget``: between MIN_SNAPSHOTS and ``cap``."""
    return max(MIN_SNAPSHOTS, min(cap, budget // max(1, snapshot_bytes)))


def racer_history_cap(history_cap: int, racers: int) -> int:
    """History points per racer: the racers of one race share one run's ``history_cap``."""
    return max(1_000, history_cap // max(1, racers))


def release_buffers(owner) -> None:
    """Give back the working buffers of every network ``owner`` (a session or a race) trains; for an
    owner that is not training (the next epoch rebuilds them). Engines without such buffers are skipped."""
    trainers = getattr(owner, "trainers", None) or [owner.trainer]
    for trainer in trainers:
        release = getattr(trainer.net, "release_buffers", None)
        if release is not None:
            release()


def training_bytes(owner) -> int:
    """What the networks ``owner`` (a session or a race) trains hold in working buffers at most while they
    train (each trainer's ``working_bytes``): the weight of its training slot (``capacity``)."""
    trainers = getattr(owner, "trainers", None) or [getattr(owner, "trainer", None)]
    return sum(int(getattr(t, "working_bytes", lambda: 0)()) for t in trainers if t is not None)
