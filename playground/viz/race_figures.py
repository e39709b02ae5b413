"""The Race page's figures: each racer's decision boundary and every racer's losses on one chart."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.run.race import Race
from playground.run.race_setup import LETTERS, COLORS
from playground.run.views import boundary_values, grid_for, grid_resolution
from playground.viz.boundary import boundary_figure
from playground.viz.curves import MAX_CURVE_POINTS, decimate, series
from playground.viz.plotly_dicts import figure

__all__ = ["racer_boundary_figure", "race_losses_figure", "race_loss_figure", "LOG_EPOCHS_FROM"]


def racer_boundary_figure(race: Race, i: int, res: int = 50, hover: bool = True, spec: bool = False) -> go.Figure | dict:
    """Racer ``i``'s decision boundary (the Playground's figure), titled with its name and numbers.

    ``hover=False`` while racing: the frame-to-frame update is then only the picture and title.
    ``spec``: the plain figure dict, as ``boundary.boundary_figure`` gives it.
    """
    t = race.trainers[i]
    res = grid_resolution(t.sizes, res)  # a heavy racer is drawn on a coarser grid
    grid = race.grids.get((i, res))
    if grid is None:  # one grid per racer: its features decide the cached network inputs
        grid = race.grids[(i, res)] = grid_for(t, res)
    h = t.history
    score = f"R² {h.test_metric[-1]:.3f}" if t.task == "regression" else f"accuracy {h.test_metric[-1]:.0%}"
    title = (f"<b>{LETTERS[i]} · {race.names[i]}</b><br>"
             f"<span style='font-size:12px'>test loss {h.test_loss[-1]:.3f} · {score}</span>")
    fig = boundary_figure(boundary_values(t, grid), grid, (t.train.X, t.train.y), task=t.task,
                          n_classes=t.n_classes, class_names=t.data.class_names, title=title, hover=hover,
                          spec=True)
    # Small multiples: one shared colour key on the page instead of a legend under each plot.
    # Two title lines need 64 px above the plot: at 50 the second met the top tick label.
    fig["layout"].update(showlegend=False, margin={"l": 45, "r": 5, "t": 64, "b": 40})
    return figure(fig["data"], fig["layout"], spec)


#: With ``log_x=None`` the epoch axis turns logarithmic once the race is this many epochs long.
LOG_EPOCHS_FROM = 50


def race_losses_figure(race: Race, *, log_y: bool = True, log_x: bool | None = None,
                       spec: bool = False) -> go.Figure | dict:
    """Every racer's losses, named "A · optimizer adam", with a star where each reached the target."""
    names = [f"{LETTERS[i]} · {n}" for i, n in enumerate(race.names)]
    return race_loss_figure([t.history for t in race.trainers], names, race.reached, log_y=log_y, log_x=log_x,
                            spec=spec)


def race_loss_figure(histories, names, reached=(), *, log_y: bool = True, log_x: bool | None = None,
                     spec: bool = False) -> go.Figure | dict:
    """Every racer's test loss (solid) and training loss (dotted) against epoch, on one chart.

    ``log_x``: a logarithmic epoch axis (from epoch 1), so the first tens of epochs, where most races
    are decided, keep their width however long the race runs on; None: once the race is
    ``LOG_EPOCHS_FROM`` epochs long.

    A star marks the epoch at which a racer first reached the target
    (``reached[i]``, None if not).  Curves are decimated to ≤ MAX_CURVE_POINTS.  Built from plain
    dicts (a validated ``go.Scatter`` per curve cost ~30 ms a frame with four racers); ``spec``
    returns the dict itself.
    """
    data, all_losses = [], []
    for i, (h, name) in enumerate(zip(histories, names)):
        color = COLORS[i % len(COLORS)]
        epochs = series(h, "epoch")
        curves = (("test", series(h, "test_loss"), "solid", 2.5), ("train", series(h, "train_loss"), "dot", 1.5))
        for kind, y, dash, width in curves:
            all_losses.append(y)
            idx = decimate(y, MAX_CURVE_POINTS)
            data.append({"type": "scatter", "x": epochs[idx].astype(np.float32), "y": y[idx].astype(np.float32),
                         "name": f"{name} ({kind})", "legendgroup": name, "showlegend": kind == "test",
                         "mode": "lines" if len(idx) > 1 else "markers",
                         "line": {"color": color, "dash": dash, "width": width}, "marker": {"color": color},
                         "hovertemplate": f"{name} {kind} loss: %{{y:.4g}}<extra></extra>"})
        at = reached[i] if i < len(reached) else None
        if at is not None and len(h.epoch):
            j = int(np.searchsorted(epochs, at))
            j = min(j, len(h.epoch) - 1)
            data.append({"type": "scatter", "x": [float(h.epoch[j])], "y": [float(h.test_loss[j])], "mode": "markers",
                         "marker": {"symbol": "star", "size": 14, "color": color,
                                    "line": {"color": "white", "width": 1}},
                         "name": f"{name} reached the target", "showlegend": False,
                         "hovertemplate": f"{name} reached the target at epoch %{{x}}<extra></extra>"})
    last = max((h.epoch[-1] for h in histories if len(h.epoch)), default=0)
    losses = np.concatenate(all_losses or [np.ones(1)])
    losses = losses[np.isfinite(losses) & (losses > 0)]
    # Whole decades only once the curves span several (else Plotly's 2/5 minor labels crowd the axis);
    # within one decade, Plotly's own ticks (0.36, 0.38, …) are the readable ones.
    decades = np.log10(losses.max() / losses.min()) if losses.size else 0.0
    log_axis = {"type": "log", **({"dtick": 1, "exponentformat": "power"} if decades >= 2 else {})}
    layout = {
        "uirevision": "race-loss", "hovermode": "x unified", "margin": {"l": 55, "r": 10, "t": 10, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": ({"title": {"text": "epoch (log scale)"}, "type": "log", "range": [0, np.log10(max(last, 2))]}
                  if (last >= LOG_EPOCHS_FROM if log_x is None else log_x) else
                  {"title": {"text": "epoch"}, "rangemode": "tozero", **({"dtick": 1} if last < 10 else {})}),
        "yaxis": {"title": {"text": "loss (solid: test · dotted: training)"},
                  **(log_axis if log_y else {"rangemode": "tozero"})},
    }
    return figure(data, layout, spec)
