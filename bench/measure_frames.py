"""Per-frame wall time of the heaviest links (no browser); prints figures, asserts nothing.

    PYTHONPATH=. python bench/measure_frames.py [--frames 8]

First the heaviest pieces that cannot be cut (one full-batch mini-batch, one evaluation after an
epoch) of the largest runs the work cap allows (``CAPS['work']``): the heaviest link (all 7 features,
8 × 64 hidden, 90 % training, as many points as fit) and the largest upload (100 columns, 10
classes, as many rows as fit), wall time and CPU time, float64 and float32, and the torch engine
in float64.  The script runs with the app's settings (``runtime.apply_app_settings``: one BLAS and one
torch thread), so the figures are what a session's frame pays.
Then what one live frame costs the server when a link asks for the most work the caps allow
(8 × 64 hidden, as many points as fit, batch 1, float64), in each engine and with Adam + dropout,
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

from playground.run.config import from_query
from playground.run.sizes import epoch_work, n_weights, work_problem
from playground.core.engines import torch_available
from playground.run.race import Race
from playground.run.session import PlaygroundSession
from playground.run.trainer import Trainer

HEAVY = "hidden=64,64,64,64,64,64,64,64&points=4890&train=90&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&batch=1&dtype=float64"
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


def largest_upload():
    """The biggest table the upload caps allow with as many rows as the work cap lets 8 × 64 train on."""
    import numpy as np

    from playground.run.sizes import CAPS
    from playground.data.datasets import Data

    cols, k = 100, 10
    sizes = [cols, *[CAPS["neurons"]] * CAPS["hidden_layers"], k]
    rows = int(CAPS["work"] // (2.8 * n_weights(sizes)))
    rng = np.random.default_rng(0)
    return Data(rng.normal(size=(rows, cols)), rng.integers(0, k, rows), "classification", k,
                tuple(f"c{i}" for i in range(cols)), "upload", tuple(str(i) for i in range(k)))


def pieces() -> None:
    """One full-batch mini-batch and one evaluation of the heaviest allowed runs."""
    upload = largest_upload()
    runs = {"heaviest link": (HEAVY.replace("batch=1", "batch=10000"), None),
            f"largest upload ({len(upload):,} × 100, 10 classes)": (
                "dataset=blobs&loss=ce&hidden=64,64,64,64,64,64,64,64&train=90&batch=10000&standardize=0", upload)}
    for name, (link, data) in runs.items():
        for dtype in ("float64", "float32", "float64 torch"):
            if "torch" in dtype and not torch_available():
                continue
            cfg = cfg_of(link + f"&dtype={dtype.split()[0]}" + ("&engine=torch" if "torch" in dtype else ""))
            assert work_problem(cfg, data) is None, work_problem(cfg, data)
            t = Trainer(cfg, data)
            batch, record = epoch_work(t.sizes, len(t.data), cfg.train / 100, cfg.batch)

            def one_batch(t=t):
                t._train_batches(1)
                t._pos = 0

            for label, fn, macs in (("mini-batch", one_batch, batch), ("evaluation", t._record, record)):
                walls, cpus = [], []
                for _ in range(5):
                    w0, c0 = time.perf_counter(), time.process_time()
                    fn()
                    walls.append(time.perf_counter() - w0)
                    cpus.append(time.process_time() - c0)
                print(f"{name}, {dtype}, one {label} ({macs / 1e6:,.0f} million multiply-adds): wall median "
                      f"{statistics.median(walls) * 1000:.0f} ms, best {min(walls) * 1000:.0f} ms; CPU best "
                      f"{min(cpus) * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=8)
    args = ap.parse_args()
    from playground.base.runtime import apply_app_settings

    apply_app_settings()  # what the app runs with: one BLAS thread, one torch thread
    pieces()
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
    from playground.viz import figures  # drawing: what the Playground page computes each frame
    from playground.run import views
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
