"""What-if branches: the figure of where the two copies disagree (``run/branches.py`` forks and races them)."""
from __future__ import annotations

import numpy as np

from playground.run.branches import disagreement
from playground.run.race import Race
from playground.viz.boundary import boundary_figure
from playground.viz.plotly_dicts import figure

__all__ = ["disagreement_figure"]


def disagreement_figure(race: Race, grid, *, spec: bool = False):
    """The plane with the cells where the two decisions differ in red, the training points on top."""
    diff, share = disagreement(race, grid)
    t = race.trainers[0]
    if race.task == "multiclass":  # a neutral background: every class equally likely (pale grey)
        values = np.full((*diff.shape, t.n_classes), 1.0 / t.n_classes, np.float32)
    else:
        values = np.zeros(diff.shape, np.float32)
    fig = boundary_figure(values, grid, (t.train.X, t.train.y), task=race.task, n_classes=t.n_classes,
                          class_names=t.data.class_names, hover=False, spec=True)
    z = np.where(diff, np.float32(1.0), np.float32(np.nan))
    fig["data"].insert(0, {"type": "heatmap", "x": grid.xs.astype(np.float32), "y": grid.ys.astype(np.float32),
                           "z": z.astype(np.float32), "showscale": False, "hoverinfo": "skip",
                           "colorscale": [[0, "rgba(214,39,40,0.75)"], [1, "rgba(214,39,40,0.75)"]]})
    fig["layout"].update(showlegend=False, margin={"l": 45, "r": 5, "t": 64, "b": 40},
                         title={"text": f"<b>Where they disagree</b><br><span style='font-size:12px'>"
                                        f"{share:.0%} of the plane (red)</span>", "x": 0.02, "font": {"size": 15}})
    return figure(fig["data"], fig["layout"], spec)
