"""Race: 2–4 configurations trained side by side on the same data and the same starting weights.

Thin page: ``playground.run.race`` builds the racers, steps them in sync and
writes the summary; this script draws widgets and figures.  The whole race
lives in the URL (base config + ``race=`` overrides + ``race_target=``), so
the address bar is a share link.
"""
import dataclasses

import streamlit as st

from playground.run import race as rc
from playground.run import race_setup as rs
from playground.viz.race_figures import race_losses_figure, racer_boundary_figure
from playground.core.activations import TRAINABLE
from playground.run.config import LEARNING_RATES, REGULARIZERS, normalize
from playground.run.sizes import dataset_info
from playground.data.datasets import DATASETS
from playground.core.losses import losses_for_task
from playground.core.optimizers import OPTIMIZERS
from playground.run.pace import SPEED_HELP, pace_label, speed_choices
from playground.base.text import capped, escape_markdown
from playground.app.ui import (address, data_table, page_params, entry_guard, live_fragment, live_plotly, page_url, stale_address,
                           steady_live_views, train_after_drawing, transport_bar, uninterrupted,
                               wrote_address)

entry_guard()
steady_live_views()

K = "race."  # session-state namespace
ss = st.session_state
BATCHES = (1, 5, 10, 30, 100, rs.FULL_BATCH)
REG_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
CUSTOM = "custom"
_KEY = {"binary": "Background: each network's output, orange (negative) to blue (positive); dots: training points.",
        "multiclass": "Background: the class each network predicts (pale where unsure); dots: training points.",
        "regression": "Background: each network's prediction; dots: training points coloured by target."}


# ----- the race: from the link on first visit or when the link changes; from the widgets otherwise -----
def _start(setup: rs.RaceSetup) -> None:
    """Build the race for a setup, put its values into the widgets, and write its link to the URL."""
    configs = setup.configs()
    ss[K + "setup"] = setup
    ss[K + "race"] = rc.Race(configs, target=setup.target)
    b = setup.base
    ss[K + "preset"] = setup.preset or CUSTOM
    ss[K + "dataset"], ss[K + "noise"], ss[K + "seed"] = b.dataset, b.noise, b.seed
    ss[K + "hidden"] = ",".join(map(str, b.hidden))
    ss[K + "target"] = setup.target.to_text()
    ss[K + "n"] = len(configs)
    ss[K + "speed"] = b.speed
    ss[K + "version"] = ss.get(K + "version", 0) + 1  # a fresh racer table for the new race
    _write_query(setup)


def _write_query(setup: rs.RaceSetup) -> None:
    st.query_params.from_dict(dict(p.split("=", 1) for p in setup.to_query().split("&")))
    ss[K + "query"] = address()
    wrote_address(ss[K + "query"])


@uninterrupted
def _from_widgets() -> None:
    """Any control changed: a new race (paused, epoch 0) from the widgets' values."""
    old = ss[K + "setup"].base
    # A widget that was not drawn (noise for real data, ...) has no state: keep the old value.
    raw = dataclasses.asdict(old)
    raw.update({f: ss[K + f] for f in ("dataset", "noise", "seed", "hidden") if K + f in ss})
    if raw["loss"] not in losses_for_task(*dataset_info(raw["dataset"])):
        del raw["loss"]  # a new kind of data: its usual loss
    base, warnings = normalize(raw, keep=old)
    preset = ss[K + "preset"]
    if preset != CUSTOM:
        overrides = list(rs.PRESETS[preset].overrides)
    else:  # custom racers keep what they race; the shared settings change under them
        overrides = [rs.overrides_of(old, c) for c in ss[K + "race"].configs]
    configs, more = rs.race_configs(base, overrides)
    if preset == CUSTOM:
        overrides = [rs.overrides_of(base, c) for c in configs]
    target = rs.TARGETS.get(ss[K + "target"], ss[K + "setup"].target)
    setup = rs.RaceSetup(base, tuple(overrides), target, tuple(warnings + more),
                         "" if preset == CUSTOM else preset)
    _start(setup)


@uninterrupted
def _speed() -> None:
    """A new pace: the same race goes on, the link says the new pace."""
    ss[K + "setup"] = ss[K + "setup"].with_speed(ss[K + "speed"])
    ss[K + "race"].set_speed(ss[K + "speed"])
    _write_query(ss[K + "setup"])


@uninterrupted
def _edit_preset() -> None:
    """Custom racers that start as the preset's (its values become editable)."""
    setup = ss[K + "setup"]
    _start(rs.RaceSetup(setup.base, tuple(rs.overrides_of(setup.base, c) for c in setup.configs()), setup.target, ()))


@uninterrupted
def _resize() -> None:
    _start(rs.resized(ss[K + "setup"], ss[K + "n"]))


if K + "race" in ss and address() and address() != ss.get(K + "query") and stale_address(address()):
    _write_query(ss[K + "setup"])  # a request sent before the browser saw our newest address: show it that one again
elif K + "race" not in ss or (address() and address() != ss.get(K + "query")):
    _start(rs.parse_race(page_params()))
race: rc.Race = ss[K + "race"]
setup: rs.RaceSetup = ss[K + "setup"]


@uninterrupted
def _reset():
    _start(ss[K + "setup"])


# ----- page -------------------------------------------------------------------------------------------
st.title("Race")
st.caption("Two to four networks learn the same data from the same starting weights (where their shapes "
           "match); only what you race differs. Every frame advances every racer by the same number of epochs.")
for w in capped(escape_markdown(m) for m in setup.warnings):
    st.warning(f"Race setting reset: {w}", icon=":material/link_off:")

with st.sidebar:
    st.header("What to race")
    st.selectbox("Race", [*rs.PRESETS, CUSTOM], key=K + "preset", on_change=_from_widgets,
                 format_func=lambda p: rs.PRESETS[p].label if p in rs.PRESETS else "Custom racers")
    if ss[K + "preset"] in rs.PRESETS:
        st.caption(rs.PRESETS[ss[K + "preset"]].description)
        st.button("Edit these racers", on_click=_edit_preset, help="Custom racers, starting from this preset.")
    targets = {**rs.TARGETS, setup.target.to_text(): setup.target}  # a link may bring its own finish line
    st.selectbox("Finish line", list(targets), key=K + "target", on_change=_from_widgets,
                 format_func=lambda t: targets[t].label(race.task))
    st.header("Shared by all racers")
    st.selectbox("Dataset", list(DATASETS), key=K + "dataset", on_change=_from_widgets)
    st.caption(DATASETS[ss[K + "dataset"]].description)  # whole, under the box (in it, it was cut mid-word)
    if DATASETS[ss[K + "dataset"]].kind == "synthetic":
        st.slider("Noise (%)", 0, 50, key=K + "noise", on_change=_from_widgets)
    st.text_input("Seed", key=K + "seed", on_change=_from_widgets, max_chars=32,
                  help="Same seed ⇒ same data and starting weights.")
    if ss[K + "preset"] != CUSTOM:
        st.text_input("Hidden layers", key=K + "hidden", on_change=_from_widgets,
                      help="Neurons per layer, comma-separated, e.g. 4,2 (empty: none).")

if ss[K + "preset"] == CUSTOM:
    with st.container(border=True):
        c1, c2 = st.columns([1, 6])
        c1.number_input("Racers", rs.MIN_RACERS, rs.MAX_RACERS, key=K + "n", on_change=_resize)
        rows = rs.racer_rows(race.configs)
        edited = c2.data_editor(
            rows, key=K + f"editor{ss[K + 'version']}", hide_index=True, width="stretch", disabled=["racer"],
            column_config={
                "racer": st.column_config.TextColumn("", width=40),
                "optimizer": st.column_config.SelectboxColumn("Optimizer", options=list(OPTIMIZERS), required=True),
                "lr": st.column_config.SelectboxColumn("LR", options=list(LEARNING_RATES), required=True, width="small",
                                                       help="Learning rate"),
                "activation": st.column_config.SelectboxColumn("Activation", options=list(TRAINABLE), required=True),
                "batch": st.column_config.SelectboxColumn("Batch", options=[str(b) for b in BATCHES], required=True,
                                                          width="small"),
                "hidden": st.column_config.TextColumn("Hidden", help="Neurons per layer, e.g. 4,2; empty: none",
                                                      width="small"),
                "reg": st.column_config.SelectboxColumn("Reg.", options=list(REGULARIZERS), required=True, width="small",
                                                        help="Regularisation: none, L1 or L2"),
                "reg_rate": st.column_config.SelectboxColumn("Reg. rate", options=list(REG_RATES), required=True,
                                                             width="small"),
            })
        if edited != rows:  # a cell changed: a new race from the table (paused, epoch 0)
            _start(rs.setup_from_rows(setup.base, edited, setup.target))
            st.rerun()

speed_col, share_col = transport_bar(lambda: ss[K + "race"], epoch=race.epoch, reset=_reset, key="race",
                                     play_disabled=not race.running, step_disabled=not race.running,
                                     step_help="Every racer trains exactly one epoch.",
                                     reset_help="Epoch 0 again: same data, same starting weights.", extra=(1.8, 1.4))
speed_col.selectbox("Speed", speed_choices(race.speed), key=K + "speed", on_change=_speed,
                    format_func=pace_label, label_visibility="collapsed", help=SPEED_HELP)
with share_col.popover("Share race", icon=":material/share:"):
    st.caption("Anyone opening this link gets the same racers, data and starting weights.")
    st.code(page_url(__file__, setup.to_query()), language=None, wrap_lines=True)


@live_fragment(race, run_every=0.25)
def live_race(seconds: float):
    r: rc.Race = ss[K + "race"]
    summary = r.summary()
    if r.notice:
        st.info(escape_markdown(r.notice))
    (st.success if summary["winner"] is not None else st.info)(escape_markdown(summary["headline"]), icon=":material/sports_score:")
    cols = st.columns(len(r.trainers))
    for i, col in enumerate(cols):
        with col:
            live_plotly(racer_boundary_figure(r, i, hover=not r.playing, spec=True), key=f"race_b{i}", height=320,
                        config={"displayModeBar": False})
    st.caption(_KEY.get(r.task, ""))
    live_plotly(race_losses_figure(r, log_y=ss.get(K + "log_y", True), log_x=None if ss.get(K + "log_x", True) else False,
                                   spec=True), key="race_loss", height=320,
                watch_visibility=True)
    data_table(r.rows(summary))
    train_after_drawing(r, lambda: r.tick(seconds))  # one time budget for all racers, at the race's pace


live_race()
lc = st.columns(2)
lc[0].toggle("Log-scale loss", key=K + "log_y", value=True)
lc[1].toggle("Log-scale epochs in long races", key=K + "log_x", value=True,
             help="The first epochs, where a race is usually decided, keep their width however long it runs.")
