"""Presentation mode's figures (``viz.present``): every text in pixels, whatever Streamlit's chart theme would say.

Streamlit's theme sizes the texts a figure leaves unset (tick labels, axis titles, the legend) in rem of the
page's type, which presentation mode grows with the window: at 1280 px a projector figure that left its tick
labels to the theme drew them at 12 px, and under load a chart drawn before the projector style applied kept
12 px at 1920 px too (seen in CI on the Generalisation and Gradients pages).
"""
import inspect

import numpy as np
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from playground.viz.lab_figures import curves_figure, weight_histograms_figure
from playground.viz.present import MIN_PX, NO_AXES, presentation


def _axes_used(fig: dict) -> set[str]:
    """The layout keys of the axes the figure's traces are drawn on."""
    out = set()
    for tr in fig["data"]:
        tr = tr if isinstance(tr, dict) else tr.to_plotly_json()
        if tr.get("type", "scatter") not in NO_AXES:
            out |= {f"{c}axis{str(tr.get(c + 'axis', c))[1:]}" for c in "xy"}
    return out


def test_no_axes_is_plotlys_list():
    """``NO_AXES`` names exactly the trace types this Plotly draws without x and y axes (the deprecated map
    types, gone from newer Plotly, may stay listed)."""
    classes = [c for c in (getattr(go, n) for n in dir(go) if n[:1].isupper())  # go loads its classes lazily
               if inspect.isclass(c) and issubclass(c, BaseTraceType) and c is not BaseTraceType]
    types = {c().type: "xaxis" in c() for c in classes}
    assert len(types) > 40
    assert {t for t, axes in types.items() if not axes} == NO_AXES & set(types)
    assert NO_AXES - set(types) <= {"choroplethmapbox", "densitymapbox", "scattermapbox"}


def _history(n, seed):
    rng = np.random.default_rng(seed)
    class H:  # what curves_figure reads of a run's history
        epoch = np.arange(1, n + 1)
        train_loss = np.exp(-epoch / 50) + 0.01 * rng.random(n)
        test_loss = train_loss + 0.1
    return H()


def test_every_axis_of_real_figures_gets_pixel_sizes():
    """The Generalisation page's figures (subplots: xaxis2, xaxis3, ...) presented: every axis a trace is drawn on
    has tick labels and a title in pixels ≥ ``MIN_PX``, as have the legend and the title."""
    figs = [weight_histograms_figure({"L1": np.linspace(-1, 1, 50), "L2": np.linspace(-2, 2, 50),
                                      "none": np.zeros(50)}),
            curves_figure({"small": _history(30, 0), "big": _history(30, 1)}, best_epoch=12)]
    for fig in figs:
        out = presentation(fig)
        used = _axes_used(out)
        assert used and used >= {"xaxis", "yaxis"}
        if fig is figs[0]:
            assert {"xaxis2", "xaxis3"} <= used  # one histogram per run
        for name in used:
            axis = out["layout"][name]
            assert axis["tickfont"]["size"] >= MIN_PX, name
            assert axis["title"]["font"]["size"] >= MIN_PX, name
        assert out["layout"]["legend"]["font"]["size"] >= MIN_PX
        assert out["layout"]["title"]["font"]["size"] >= MIN_PX


def test_sizes_are_plotlys_own_and_keep_the_figures():
    """Each text the figure leaves unset gets the size Plotly would give it from the layout's font (ticks and
    legend as the font, axis and legend titles 1.2 and the title 1.4 times it): a chart Streamlit themes looks as
    one it does not (the Playground's live charts); a size the figure sets is scaled, never replaced."""
    fig = {"data": [{"type": "heatmap", "z": [[1]], "xaxis": "x3", "yaxis": "y3"}],
           "layout": {"font": {"size": 14}, "xaxis3": {"tickfont": {"size": 10, "color": "red"}, "title": "epoch"},
                      "legend": {"font": {"size": 30}}, "title": "Loss", "coloraxis": {"cmin": 0}}}
    out = presentation(fig)["layout"]
    assert out["font"] == {"size": 21}  # 14 × 1.5
    assert out["xaxis3"]["tickfont"] == {"size": 16, "color": "red"}  # its own 10 px, scaled (never below 16)
    assert out["xaxis3"]["title"] == {"text": "epoch", "font": {"size": 25}}  # 21 × 1.2
    assert out["yaxis3"] == {"tickfont": {"size": 21}, "title": {"font": {"size": 25}}}
    assert out["legend"] == {"font": {"size": 45}, "title": {"font": {"size": 25}}}
    assert out["hoverlabel"] == {"font": {"size": 21}}
    assert out["title"] == {"text": "Loss", "font": {"size": 29}}  # 21 × 1.4
    assert out["coloraxis"] == {"cmin": 0, "colorbar": {"tickfont": {"size": 21}}}
    assert "xaxis" not in out and "yaxis" not in out  # the trace is drawn on x3/y3 only
    assert fig["layout"]["xaxis3"]["tickfont"]["size"] == 10 and fig["layout"]["title"] == "Loss"  # left alone
    narrow = presentation({"data": [{"x": [1]}], "layout": {}}, scale=1.1)["layout"]
    assert narrow["font"]["size"] == MIN_PX  # 13 × 1.1 = 14.3: never below MIN_PX
    assert narrow["xaxis"]["tickfont"]["size"] == MIN_PX and narrow["title"]["font"]["size"] == 22


def test_a_pie_gets_no_axes():
    out = presentation({"data": [{"type": "pie", "values": [1, 2]}], "layout": {}})["layout"]
    assert not any(k.startswith(("xaxis", "yaxis")) for k in out)
