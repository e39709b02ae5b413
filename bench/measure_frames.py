"""Per-frame wall time of the heaviest links (no browser); prints figures, asserts nothing.

    PYTHONPATH=. python bench/measure_frames.py [--frames 8]

What one live frame costs the server when a link asks for the most work the caps allow
(8 × 64 hidden, 10,000 points, batch 1, float64), in each engine and with Adam + dropout,
and one frame of a Race of four such nets; then one Pause and one Step of that link
(the click's own training time), the evaluation after an epoch (``Trainer._record``) and
the drawing of the heaviest net (every neuron on the grid, the network diagram as JSON).
Runs against whatever ``playground`` is first on the path, so the same script measures
the code before and after a change.
"""
from __future__ import annotations

import argparse
import statistics
import time

from playground.config import from_query
from playground.engines import torch_available
from playground.race import Race
from playground.session import PlaygroundSession
from playground.trainer import Trainer

HEAVY = "hidden=64,64,64,64,64,64,64,64&points=10000&batch=1&dtype=float64"
LINKS = {"numpy": HEAVY, "torch": HEAVY + "&engine=torch", "numpy adam + dropout": HEAVY + "&optimizer=adam&dropout=0.2"}


def cfg_of(link: str):
    return from_query(dict(p.split("=", 1) for p in link.split("&")))[0]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def frames(label: str, fn, n: int) -> None:
    walls = [timed(fn) for _ in range(n)]
    print(f"{label:44s} median {statistics.median(walls) * 1000:8.1f} ms   worst {max(walls) * 1000:8.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=8)
    args = ap.parse_args()
    for name, link in LINKS.items():
        if "torch" in name and not torch_available():
            print(f"{name}: torch not installed, skipped")
            continue
        s = PlaygroundSession(cfg_of(link))
        s.play()
        frames(f"Playground frame, {name}", s.frame, args.frames)
        s.pause()
        e = s.trainer.epoch
        print(f"{'  Step click, ' + name:44s} {timed(lambda: s.step_from(e)) * 1000:8.1f} ms (training in the click's run)")  # noqa: B023 (called before the loop moves on)
        frames(f"  _record (evaluation after an epoch), {name}", s.trainer._record, 3)
    r = Race([cfg_of(HEAVY)] * 4)
    r.play()
    frames("Race of 4 such nets, one frame (tick)", r.tick, max(2, args.frames // 4))
    t = Trainer(cfg_of(HEAVY))
    from playground import figures, views  # drawing: what the Playground page computes each frame
    grid = views.grid_for(t, 50)
    frames("drawing: every neuron on the 50×50 grid", lambda: views.neuron_maps(t, grid), 5)
    res = getattr(views, "grid_resolution", lambda sizes, r: r)(t.sizes, 50)  # the page's grid (older code: 50)
    small = views.grid_for(t, res)
    frames(f"drawing: every neuron on the page's {res}×{res} grid", lambda: views.neuron_maps(t, small), 5)
    try:
        from plotly.io.json import to_json_plotly

        def diagram():
            fig = figures.network_figure(**views.network_kwargs(t, small), color_by="weight", aspect=0.6, spec=True)
            return to_json_plotly(fig)
        diagram()  # the first call imports the JSON encoder
        frames("drawing: network diagram + JSON", diagram, 5)
    except ImportError:
        pass


if __name__ == "__main__":
    main()
