"""Measure what one browser session's training state weighs at its worst; prints figures, asserts nothing.

    python bench/measure_memory.py [--epochs 40] [--json]

For the heaviest link the caps allow (full-batch training, float64, all 7 input features; the work cap,
``CAPS['work']``, bounds points × weights, while the working buffers grow with points × neurons, so the
most memory goes to 8 × 44 neurons on 10,000 points; ``--wide`` measures 8 × 64 on the 4,873 points
it may train on), with tracemalloc (Python and NumPy allocations):

- a Playground session (``PlaygroundSession``) that trained ``--epochs`` epochs (enough for its replay
  snapshots to reach their byte budget and be thinned), with the page's boundary grid and neuron maps,
  its history then filled to its cap with points of the same shape (20,000 epochs of the real net
  would take hours here);
- a four-racer Race of the same networks, trained the same way, its racers' histories filled to their
  shared cap;
- for each: what it holds while training, what it holds once paused (the page then gives back the
  networks' working buffers, ``memory.release_buffers``), and how much of it is records (snapshots,
  histories; the rest is data, weights, the page's grid and maps, and while training the buffers).

Training time is not measured here (it depends on the machine and its load).
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from playground.base import memory  # noqa: E402
from playground.run import race as rc  # noqa: E402
from playground.run import race_setup as rs  # noqa: E402
from playground.run import views  # noqa: E402
from playground.run.config import from_query  # noqa: E402
from playground.run.session import PlaygroundSession  # noqa: E402

LINK = ("dataset=spiral3&loss=ce&hidden={h}&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"
        "&points={n}&batch=10000&train=90&dtype=float64&seed=1")
HEAVY = LINK.format(h=",".join(["44"] * 8), n=10_000)  # the most points × neurons within the work cap
WIDE = LINK.format(h=",".join(["64"] * 8), n=4_873)  # the widest network, on the most points it may have
RACE = "&race=lr:0.003|lr:0.01|lr:0.03|lr:0.1"
MB = 2**20


def _query(q: str) -> dict:
    return dict(p.split("=", 1) for p in q.split("&"))


def _fill_history(trainer) -> None:
    """Append copies of the last point until the history is at its cap (its size then stays there)."""
    h = trainer.history
    last = {k: getattr(h, k)[-1] for k in h.__dataclass_fields__}
    while len(h) < h.cap:
        last["epoch"] += 1
        h.append(**{**last, "train_loss": last["train_loss"] + len(h) * 1e-12,
                    "grad_norms": list(last["grad_norms"])})


def _records(trainer) -> int:
    snaps = sum(a.nbytes for _, params, grads in trainer.snapshots for pairs in (params, grads)
                for W, b in pairs for a in (W, b))
    h = trainer.history
    n = len(h)
    per_point = (6 * 32 + 56 + len(h.grad_norms[-1]) * 32 + 8 * 6)  # 6 floats + a list of norms (+ list slots)
    return snaps + n * per_point


def _traced(build, owner) -> tuple[object, float, float]:
    """(what ``build`` returns, MiB it holds while training, MiB once paused and drawn)."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    obj = build()
    gc.collect()
    training = (tracemalloc.get_traced_memory()[0] - before) / MB
    memory.release_buffers(owner(obj))  # what the page does once the owner stops training
    gc.collect()
    return obj, training, (tracemalloc.get_traced_memory()[0] - before) / MB


def measure(epochs: int, link: str = HEAVY) -> dict:
    cfg, warnings = from_query(_query(link))
    assert not warnings, warnings  # within every cap, the work cap included
    tracemalloc.start()
    out = {}

    def playground():
        s = PlaygroundSession(cfg)
        s.trainer.step(epochs)
        grid = views.grid_for(s.trainer, 50)  # the page's grid for nets this big (res 50)
        maps = views.neuron_maps(s.trainer, grid)
        _fill_history(s.trainer)
        return s, grid, maps

    (s, _, _), total, paused = _traced(playground, lambda built: built[0])
    t = s.trainer
    out["playground"] = {"total_mb": round(total, 1), "paused_mb": round(paused, 1),
                         "records_mb": round(_records(t) / MB, 1), "snapshots": len(t.snapshots), "history_points": len(t.history), "epochs": t.epoch}
    del s, t
    gc.collect()

    def race():
        r = rc.Race(rs.parse_race(_query(link + RACE)).configs())
        r.step(epochs)
        for tr in r.trainers:
            _fill_history(tr)
        return r

    r, total, paused = _traced(race, lambda built: built)
    out["race_4"] = {"total_mb": round(total, 1), "paused_mb": round(paused, 1),
                     "records_mb": round(sum(_records(tr) for tr in r.trainers) / MB, 1),
                     "snapshots": [len(tr.snapshots) for tr in r.trainers],
                     "history_points": [len(tr.history) for tr in r.trainers], "epochs": r.epoch}
    tracemalloc.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--wide", action="store_true", help="8 × 64 on 4,873 points instead of 8 × 44 on 10,000")
    a = ap.parse_args()
    res = measure(a.epochs, WIDE if a.wide else HEAVY)
    if a.json:
        print(json.dumps(res))
        return
    for name, r in res.items():
        print(f"{name}: {r['total_mb']} MiB while training ({r['paused_mb']} MiB once paused), of which "
              f"{r['records_mb']} MiB records "
              f"(snapshots {r['snapshots']}, history points {r['history_points']}, epoch {r['epochs']})")


if __name__ == "__main__":
    main()
