"""How the layers warp the plane: the input grid and the data in the coordinates of two units of a layer.

Thin page: the numbers and the figure come from ``playground.viz.warp``.  Opened from
the Playground with its share link, it shows (and trains) the Playground's own run
(``playground.app.carry``); ``layer`` and ``units`` in the link pick the view.
"""
from urllib.parse import parse_qsl

import streamlit as st

from playground.app import carry
from playground.viz.boundary import boundary_figure
from playground.run import views
from playground.viz import warp
from playground.base.text import capped, escape_markdown
from playground.app.ui import (claim_training, entry_guard, live_fragment, live_plotly, steady_live_views,
                           train_after_drawing, uninterrupted, yield_point)

entry_guard()
steady_live_views()

K = "wp."
ss = st.session_state
PAGE_KEYS = ("layer", "units")

s, link_warnings = carry.session_for_link(ss, st.query_params, K + "session", PAGE_KEYS)
t = s.trainer
choices = warp.layer_choices(t)
if ss.get(K + "run") is not t:  # a new run (or first visit): the view comes from the link
    layer, units, more = warp.parse_link(st.query_params, t)
    link_warnings += more
    ss[K + "run"], ss[K + "layer"], ss[K + "u0"], ss[K + "u1"] = t, layer, units[0], units[1]
    ss[K + "warnings"] = link_warnings


def _write_query() -> None:
    q = s.share_query() + "&" + warp.link_query(ss[K + "layer"], (ss[K + "u0"], ss[K + "u1"]))
    st.query_params.from_dict(dict(parse_qsl(q, keep_blank_values=True)))


@uninterrupted
def _layer_changed() -> None:
    ss[K + "u0"], ss[K + "u1"] = 0, 1
    _write_query()


@uninterrupted
def _units_changed() -> None:
    if ss[K + "u0"] == ss[K + "u1"]:  # two different units: move the other one along
        n = dict((c[0], c[2]) for c in choices)[ss[K + "layer"]]
        ss[K + "u1"] = (ss[K + "u0"] + 1) % n
    _write_query()


@uninterrupted
def _play():
    if claim_training(s):
        s.play()


@uninterrupted
def _pause():
    s.pause()


st.title("How the layers warp the plane")
for w in capped(escape_markdown(m) for m in ss.get(K + "warnings", [])):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")
st.caption(f"Run: {escape_markdown(t.data.name)}, network {escape_markdown('-'.join(map(str, t.sizes)))}"
           + (" — the Playground's own run: training here goes on there too." if s is ss.get(carry.PLAYGROUND_KEY)
              else " — a run of its own, built from the link."))
if not choices:
    st.info("This network has no layer with two or more units to plot against each other: add a hidden layer of "
            "two or more neurons on the Playground.", icon=":material/info:")
    st.page_link("pages/play.py", label="Back to the Playground", icon=":material/hub:",
                 query_params=dict(parse_qsl(s.share_query())))
    st.stop()

labels = {c[0]: c[1] for c in choices}
n_units = {c[0]: c[2] for c in choices}
c = st.columns([2.1, 1, 1, 1, 1.05, 1.8], vertical_alignment="bottom")
c[0].selectbox("Layer", list(labels), key=K + "layer", format_func=labels.get, on_change=_layer_changed)
n = n_units[ss[K + "layer"]]
ss[K + "u0"], ss[K + "u1"] = min(ss[K + "u0"], n - 1), min(ss[K + "u1"], n - 1)
c[1].selectbox("Horizontal axis: unit", list(range(n)), key=K + "u0", format_func=lambda u: str(u + 1),
               on_change=_units_changed)
c[2].selectbox("Vertical axis: unit", list(range(n)), key=K + "u1", format_func=lambda u: str(u + 1),
               on_change=_units_changed)
c[3].button("Play", icon=":material/play_arrow:", on_click=_play, type="primary", width="stretch",
            disabled=t.diverged)
c[4].button("Pause", icon=":material/pause:", on_click=_pause, width="stretch")
c[5].page_link("pages/play.py", label="Back to the Playground", icon=":material/hub:",
               query_params=dict(parse_qsl(s.share_query())))


@live_fragment(s, run_every=0.25)
def live_warp(seconds: float):
    tr = s.trainer
    h = tr.history
    if s.notice:  # paused: the tab went to the background, or nobody touched a control for a while
        st.info(escape_markdown(s.notice))
    metric = "R²" if tr.task == "regression" else "accuracy"
    st.markdown(f"**Epoch {tr.epoch:,}** · test loss {h.test_loss[-1]:.4f} · test {metric} "
                + (f"{h.test_metric[-1]:.3f}" if tr.task == "regression" else f"{h.test_metric[-1]:.1%}")
                if h.epoch else f"**Epoch {tr.epoch:,}**")
    left, right = st.columns(2)
    with left:
        st.markdown("**The input plane** (the network's output as colour)")
        grid = views.grid_for(tr, 60)
        live_plotly(boundary_figure(views.boundary_values(tr, grid), grid, (tr.train.X, tr.train.y), None,
                                    task=tr.task, n_classes=tr.n_classes, hover=False, spec=True),
                    key="wp_plane", height=430, config={"displayModeBar": False})
    with right:
        layer = ss[K + "layer"] if ss[K + "layer"] in n_units else choices[-1][0]
        st.markdown(f"**The same grid and points in {escape_markdown(labels[layer])}**")
        view = warp.warped(tr, layer, (ss[K + "u0"], ss[K + "u1"]))
        live_plotly(warp.figure(view, tr.task, tr.n_classes), key="wp_warp", height=430,
                    config={"displayModeBar": False}, watch_visibility=True)
    train_after_drawing(s, lambda: s.frame(seconds, between=yield_point))


live_warp()
acts = t.cfg.activations()
st.info(warp.explanation(acts[0] if acts else "linear"), icon=":material/lightbulb:")
