"""Build time of every Playground view: run ``python bench/bench_figures.py``.

Not collected by pytest (no ``test_`` prefix): timings belong in a benchmark,
not in assertions.  For the default network (2-4-2-1 on the circle) and a deep
one (8 hidden layers of 64) it prints, per view, the server time to compute
the numbers (views.py) and build the figure (viz/), and separately the
time to serialise it as the live chart does (``to_plotly_json`` + JSON).
Each number is the best of ``--repeat`` runs (the machine is shared, so the
minimum is the stable statistic) with the median beside it.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from plotly.io.json import to_json_plotly

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.run.config import Config  # noqa: E402
from playground.viz.activation_figure import activation_figure  # noqa: E402
from playground.viz.boundary import boundary_figure  # noqa: E402
from playground.viz.curves import grad_norm_figure, loss_figure  # noqa: E402
from playground.viz.network_figure import gradient_heatmaps, network_figure  # noqa: E402
from playground.base.runtime import apply_app_settings  # noqa: E402
from playground.run.trainer import Trainer  # noqa: E402
from playground.run.views import (boundary_values, grid_for, network_kwargs, neuron_maps,  # noqa: E402
                              preactivation_ranges)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """(best ms, median ms, last result) of ``repeat`` calls after one warm-up."""
    out = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return min(times), statistics.median(times), out


def long_history(n: int = 20_000, layers: int = 3) -> SimpleNamespace:
    e = np.arange(n)
    loss = 1 / (1 + e / 100)
    return SimpleNamespace(epoch=e.tolist(), train_loss=loss.tolist(), test_loss=(1.1 * loss).tolist(),
                           train_metric=np.linspace(0.5, 1, n).tolist(), test_metric=np.linspace(0.5, 1, n).tolist(),
                           grad_norms=np.outer(loss, np.ones(layers)).tolist())


def bench(title: str, cfg: Config, epochs: int, repeat: int, res: int) -> None:
    t = Trainer(cfg)
    t.run(epochs=epochs)
    grid = grid_for(t, res=res)
    grid.inputs(t)  # the page builds the grid once; its inputs are cached from then on
    print(f"\n{title}: {t!r}, {len(t.history)} history points, grid {res}×{res}")
    rows: list[tuple[str, float, float, float]] = []

    def row(name, fn, serialise=True):
        best, med, fig = timed(fn, repeat)
        ser = timed(lambda: to_json_plotly(fig.to_plotly_json()), repeat)[0] if serialise else float("nan")
        rows.append((name, best, med, ser))
        return fig

    maps = row("views: neuron_maps (1 forward pass)", lambda: neuron_maps(t, grid), serialise=False)
    values = row("views: boundary_values (from maps)", lambda: boundary_values(t, grid, maps), serialise=False)
    ranges = row("views: preactivation_ranges", lambda: preactivation_ranges(t), serialise=False)
    train, test = (t.train.X, t.train.y), (t.test.X, t.test.y)
    row("boundary_figure", lambda: boundary_figure(values, grid, train, test, task=t.task, n_classes=t.n_classes,
                                                   class_names=t.data.class_names))
    row("network_figure (thumbnails)", lambda: network_figure(**network_kwargs(t, grid, maps)))
    row("loss_figure", lambda: loss_figure(t.history, task=t.task))
    row("grad_norm_figure", lambda: grad_norm_figure(t.history))
    row("gradient_heatmaps", lambda: gradient_heatmaps(t.last_grads))
    lo, hi, sample = ranges[0]
    row("activation_figure (+ band, rug)", lambda: activation_figure(cfg.activations()[0], z_range=(lo, hi),
                                                                      z_sample=sample))
    total_build = sum(r[1] for r in rows)
    total_ser = sum(r[3] for r in rows if r[3] == r[3])
    hist = long_history(layers=len(t.sizes) - 1)
    row("loss_figure, 20k-point history", lambda: loss_figure(hist, task=t.task))
    row("grad_norm_figure, 20k-point history", lambda: grad_norm_figure(hist))

    print(f"  {'view':42s} {'build best':>10s} {'median':>8s} {'+ JSON':>8s}  (ms)")
    for name, best, med, ser in rows:
        print(f"  {name:42s} {best:10.2f} {med:8.2f} {ser:8.2f}")
    print(f"  {'all views of one frame (first 9 rows)':42s} {total_build:10.2f} {'':8s} {total_ser:8.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--res", type=int, default=100)
    args = ap.parse_args()
    apply_app_settings()  # time the figures as the app builds them (one BLAS thread)
    bench("default", Config(), 200, args.repeat, args.res)
    bench("deep (8 × 64, tanh)", Config(dataset="spiral", hidden=(64,) * 8, lr=0.01), 2,
          max(3, args.repeat // 3), args.res)


if __name__ == "__main__":
    main()
