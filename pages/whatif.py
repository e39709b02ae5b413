"""What-if branches: from the current epoch, the same run twice with one setting changed.

Thin page: ``playground.run.branches`` forks the run and ``playground.run.race`` trains both copies in lockstep.
Opened from the Playground, it branches the Playground's own run at its current epoch; a shared link
(the Playground's keys plus ``branch_at`` and ``whatif``) trains the same run again up to that epoch.
"""
from urllib.parse import parse_qsl

import streamlit as st

from playground.run import branches as wi
from playground.viz.whatif import disagreement_figure
from playground.core.activations import TRAINABLE
from playground.run.config import LEARNING_RATES, REGULARIZERS, format_value
from playground.core.optimizers import OPTIMIZERS
from playground.base.text import capped, escape_markdown
from playground.app.ui import (address, announce, entry_guard, live_fragment, live_plotly, page_url,
                           stale_address, steady_live_views, train_after_drawing, transport_bar, uninterrupted,
                           wrote_address)
from playground.run.views import grid_for, grid_resolution
from playground.viz.race_figures import race_losses_figure, racer_boundary_figure

entry_guard()
steady_live_views()

K = "wi."
ss = st.session_state
#: The values offered for each field a branch may change.
CHOICES = {"lr": LEARNING_RATES, "activation": tuple((a,) for a in TRAINABLE), "optimizer": tuple(OPTIMIZERS),
           "batch": (1, 5, 10, 30, 100, 10_000), "reg": REGULARIZERS,
           "reg_rate": (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0), "dropout": (0.0, 0.1, 0.2, 0.3, 0.5)}
LABELS = {"lr": "Learning rate", "activation": "Activation", "optimizer": "Optimizer", "batch": "Batch size",
          "reg": "Regularisation", "reg_rate": "Regularisation rate", "dropout": "Dropout"}


def _show(field: str, v) -> str:
    return "full batch" if field == "batch" and v == 10_000 else format_value(v)


def _parent():
    """The Playground's own run when the link describes it at its current epoch; else the link's run again."""
    current: wi.WhatIf = ss[K + "setup"]
    pg = ss.get("pg.session")
    if pg is not None and pg.trainer.cfg == current.base and pg.data is None and not pg.trainer.diverged \
            and (pg.trainer.epoch == current.branch_at or pg.playing):  # playing: the link's epoch was already behind
        return pg.trainer, ""
    return wi.replay_parent(current.base, current.branch_at)


def _start(setup: wi.WhatIf, parent=None) -> None:
    """Branch ``parent`` (a frozen copy of the run at the branch epoch; from the link when None)."""
    ss[K + "setup"] = setup
    if parent is None:
        found, ss[K + "note"] = _parent()
        parent = ss[K + "parent"] = wi.fork(found)  # a copy: the Playground's run goes on untouched
    ss[K + "race"] = wi.branch(parent, setup.change)
    ss[K + "at"] = parent.epoch
    field = next(iter(setup.change), ss.get(K + "field", "lr"))
    ss[K + "field"] = field
    ss[K + "value"] = setup.change.get(field, getattr(setup.base, field))
    _write_query()


def _options(field: str, base) -> tuple:
    """The offered values of ``field``, with the run's own value among them."""
    return tuple(dict.fromkeys((*CHOICES[field], getattr(base, field))))


def _write_query() -> None:
    current = ss[K + "setup"]
    q = wi.whatif_query(current.base, current.change, ss[K + "at"])
    st.query_params.from_dict(dict(parse_qsl(q, keep_blank_values=True)))
    ss[K + "query"] = address()
    wrote_address(ss[K + "query"])


@uninterrupted
def _rebranch() -> None:
    """A new change (or Reset): branch the same parent again at the same epoch."""
    current: wi.WhatIf = ss[K + "setup"]
    field = ss[K + "field"]
    if field not in CHOICES:
        return
    if ss.get(K + "value") not in _options(field, current.base):
        ss[K + "value"] = getattr(current.base, field)
    change = {} if ss[K + "value"] == getattr(current.base, field) else {field: ss[K + "value"]}
    _start(wi.WhatIf(current.base, change, ss[K + "at"]), ss[K + "parent"])




if K + "race" in ss and address() and address() != ss.get(K + "query") and stale_address(address()):
    _write_query()
elif K + "race" not in ss or (address() and address() != ss.get(K + "query")):
    _start(wi.parse_whatif(dict(st.query_params)))
race = ss[K + "race"]
setup: wi.WhatIf = ss[K + "setup"]

st.title("What-if branches")
st.caption("The run is copied at one epoch; the copy gets one setting changed. Both go on from the same weights "
           "and see the same mini-batches in the same order, epoch by epoch, so any difference comes from that "
           "one setting. With nothing changed, the two stay identical to the last bit.")
for w in capped(escape_markdown(m) for m in setup.warnings):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")
if ss.get(K + "note"):
    st.info(escape_markdown(ss[K + "note"]), icon=":material/history:")

c = st.columns([1.2, 1.2, 2], vertical_alignment="bottom")
c[0].selectbox("Change", list(CHOICES), key=K + "field", format_func=LABELS.get, on_change=_rebranch)
field = ss[K + "field"]
if ss.get(K + "value") not in _options(field, setup.base):
    ss[K + "value"] = getattr(setup.base, field)
c[1].selectbox(escape_markdown(f"to ({LABELS[field].lower()} now {_show(field, getattr(setup.base, field))})"),
               _options(field, setup.base),
               key=K + "value", format_func=lambda v: _show(field, v), on_change=_rebranch)
c[2].markdown(f"Branched at **epoch {ss[K + 'at']:,}** · what if: **{escape_markdown(wi.change_text(setup.change))}**")

share_col, = transport_bar(lambda: ss[K + "race"], epoch=ss[K + "race"].epoch, reset=_rebranch, key="wi",
                         play_disabled=not ss[K + "race"].running, step_disabled=not ss[K + "race"].running,
                         step_help="Both branches train exactly one epoch.",
                         reset_help="Back to the branch point: both copies start again from the same weights.")
with share_col.popover("Share this what-if", icon=":material/share:"):
    st.caption("The link trains the same run again up to the branch epoch, then branches it the same way.")
    st.code(page_url(__file__, wi.whatif_query(setup.base, setup.change, ss[K + "at"])), language=None,
            wrap_lines=True)


@live_fragment(race, run_every=0.3)
def live_branches(seconds: float):
    r = ss[K + "race"]
    rows = r.rows()
    metric = [k for k in rows[0] if k.startswith("Test ") and k != "Test loss"][0]
    text = (f"Epoch {r.epoch:,} ({r.epoch - ss[K + 'at']:,} since the branch). "
            + " · ".join(f"{n}: test loss {row['Test loss']:.4f}, {metric.lower()} {row[metric]}"
                         for n, row in zip(r.names, rows)))
    st.info(escape_markdown(text), icon=":material/fork_right:")
    announce(text, key="wi_announce")
    res = grid_resolution(r.trainers[0].sizes, 60)
    grid = ss.get(K + "grid")
    if grid is None or grid[0] is not r:
        grid = ss[K + "grid"] = (r, grid_for(r.trainers[0], res))
    cols = st.columns(3)
    for i in range(2):
        with cols[i]:
            live_plotly(racer_boundary_figure(r, i, res=res, hover=not r.playing, spec=True), key=f"wi_b{i}", height=330,
                        config={"displayModeBar": False})
    with cols[2]:
        live_plotly(disagreement_figure(r, grid[1], spec=True), key="wi_diff", height=330,
                    config={"displayModeBar": False})
    fig = race_losses_figure(r, spec=True)
    fig["layout"]["shapes"] = [{"type": "line", "x0": ss[K + "at"], "x1": ss[K + "at"], "yref": "paper", "y0": 0,
                                "y1": 1, "line": {"dash": "dot", "color": "grey", "width": 1.5}}]
    live_plotly(fig, key="wi_loss", height=300, watch_visibility=True)
    st.caption(f"Dotted line: the branch at epoch {ss[K + 'at']:,}. Before it the two curves are one run.")
    train_after_drawing(r, lambda: r.tick(seconds))


live_branches()
