"""The Playground: pick data and a network, press Play, watch it learn.

Thin page: the session, the link and the controls' callbacks are ``playground.app.ui.play_state``; the control
panels ``playground.app.ui.play_panels``; the numbers ``playground.run.views`` and the figures
``playground.viz``. Live charts update in place (``playground.app.ui.live_plotly``). The whole config
lives in the URL (``?dataset=…&hidden=…``), so the address bar is always a share link.
"""
import time

import streamlit as st

from playground.app.ui import (entry_guard, live_fragment, live_metrics, live_plotly, room_redirect, room_student,
                               steady_live_views, train_after_drawing, transport_bar, yield_point)
from playground.app.ui import play_panels as panels
from playground.app.ui import play_state as state
from playground.app.ui.play_state import K
from playground.base.text import capped, escape_markdown
from playground.core.activations import ACTIVATIONS
from playground.data import drawn
from playground.data.datasets import MIN_POINTS
from playground.run import drivers, views
from playground.run.pace import SPEED_HELP, pace_label, speed_choices
from playground.teach import classroom
from playground.viz.activation_figure import activation_figure
from playground.viz.boundary import boundary_figure
from playground.viz.curves import grad_norm_figure, loss_figure
from playground.viz.network_figure import gradient_heatmaps, network_figure

entry_guard()
room_redirect()  # /play?room=CODE: choose a nickname on the room page first
steady_live_views()

# While training, the network diagram is redrawn at most this often (less often for big networks,
# views.redraw_seconds): it is the costliest chart for the browser (~40 ms a draw here), and the
# boundary and loss carry the 5-a-second motion.
NETWORK_REDRAW_S = 0.45

s = state.session()
t = s.trainer
room_student(s)  # in a room: report status every ~2 s, apply the teacher's pushes (also while paused)

for w in capped(escape_markdown(m) for m in st.session_state.get(K + "link_warnings", [])):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")
if s.data_name == "uploaded":
    st.info("Training on your uploaded table. It stays in this browser session: a share link carries the settings, "
            "not the data.", icon=":material/table:")
if t.note:
    st.info(escape_markdown(t.note))

view = st.session_state.get(K + "view", classroom.ClassroomView())
show, off = view.visible, (lambda g: not view.editable(g))

with st.sidebar:
    panels.sidebar(s, view)

for w in capped(escape_markdown(m) for m in st.session_state.get(K + "control_warnings", [])):
    st.warning(w)
if st.session_state.get(K + "import_note"):
    st.success(escape_markdown(st.session_state.pop(K + "import_note")))

if show("transport"):
    speed_col, = transport_bar(state.current, epoch=t.epoch, reset=state.reset, key="pg", locked=off("transport"),
                               play_disabled=t.diverged, step_disabled=t.diverged)
    speed_col.selectbox("Speed", speed_choices(s.speed), key=K + "speed", on_change=state.on_change,
                        format_func=pace_label, label_visibility="collapsed", disabled=off("transport"), help=SPEED_HELP)
if not view.present:  # presenting: below the live views, which take the screen
    panels.tools(s, view, __file__)


@live_fragment(s, run_every=0.17)
def live_views(seconds: float):
    """Metrics, network, boundary and loss: drawn, then (while playing) the next frame is trained."""
    t = s.trainer
    h = t.history
    if s.notice:
        st.info(escape_markdown(s.notice))
    if t.message:
        st.error(escape_markdown(t.message), icon=":material/warning:")
    elif t.stop_reason:
        st.success(f"Stopped: {escape_markdown(t.stop_reason)}.")

    def val(values, fmt):
        return format(values[-1], fmt) if values else "—"

    row = [("Epoch", f"{t.epoch:,}"), ("Training loss", val(h.train_loss, ".4f")), ("Test loss", val(h.test_loss, ".4f")),
           *([("Test R²", val(h.test_metric, ".3f")), ("Test RMSE", val(h.test_rmse, ".4f"))] if t.task == "regression"
             else [("Training accuracy", val(h.train_metric, ".1%")), ("Test accuracy", val(h.test_metric, ".1%"))])]
    progress = views.epoch_progress_caption(t.epoch, t.epoch_progress, t.batches_per_epoch)  # a long epoch: how far
    # Playing, the metric row, the mid-epoch caption and the announcer are one element a frame (drawn in place
    # by the browser); paused, st.metric as on every page, beside the same announcer.
    live_metrics(row if s.playing else [], key="pg_announce", caption=progress or "",
                 text=f"Epoch {t.epoch:,}. Training loss {val(h.train_loss, '.3f')}, test loss {val(h.test_loss, '.3f')}.")
    if s.playing:
        st.empty()  # holds the paused row's place: the charts below keep theirs (a moved chart is remounted)
    else:
        # One row container, not st.columns(5): five columns are five more messages a run.
        with st.container(horizontal=True, key="pg_metrics"):  # equal shares, as columns were (live.py's CSS)
            with st.container(gap=None):  # the Epoch and, mid-epoch, how far the next one is
                st.metric(*row[0])
                if progress:
                    st.caption(escape_markdown(progress))
            for label, value in row[1:]:
                st.metric(label, value)

    cached = st.session_state.get(K + "grid")
    if cached is None or cached[0] is not t:  # one grid per trainer: its network inputs are cached inside
        res = views.grid_resolution(t.sizes, 100 if sum(t.sizes[1:-1]) <= 64 else 50)  # big nets: a coarser grid
        cached = (t, views.grid_for(t, res))
        st.session_state[K + "grid"] = cached
    grid = cached[1]
    maps = views.neuron_maps(t, grid)
    # Presenting: network, boundary and loss side by side, each the screen's height (1280×720 shows all three).
    left, right, *third = st.columns([1, 1.25, 0.85] if view.present else [1.35, 1])
    net_height, net_aspect = panels.network_size(t, view)
    with left:
        color_by = st.session_state.get(K + "color_by", "weight")
        drawn_as = (t, color_by, view.present)  # a new run or a changed view redraws at once
        last = st.session_state.get(K + "net_fig")  # (drawn_as, when, figure)
        if not s.playing or last is None or last[0] != drawn_as or \
                time.monotonic() - last[1] >= views.redraw_seconds(t.sizes, NETWORK_REDRAW_S):
            fig = network_figure(**views.network_kwargs(t, grid, maps), color_by=color_by, aspect=net_aspect,
                                 spec=True)
            st.session_state[K + "net_fig"] = (drawn_as, time.monotonic(), fig)
        else:  # the same figure again: the browser has nothing to redraw
            fig = last[2]
        click = live_plotly(fig, key="pg_network", height=net_height, events=True, config={"displayModeBar": False},
                            scale=panels.NETWORK_TYPE_SCALE,
                            label=f"Network diagram: layers of {', '.join(map(str, t.sizes))} neurons; each line is "
                                  "a weight (click one to edit it)")
        if click and click.get("customdata"):
            st.session_state[K + "edit"] = list(click["customdata"])
        panels.weight_editor(t)
    with right:
        canvas = st.session_state.get(K + "canvas") if st.session_state.get(K + "draw") else None
        drive = st.session_state.get(K + "drive") or "off"
        if canvas is not None and len(canvas) < MIN_POINTS:  # too few points to train: show the canvas alone
            task = "regression" if canvas.task == "regression" else t.task
            bfig = boundary_figure(drawn.blank_values(grid, canvas.task, canvas.n_classes), grid,
                                   (canvas.X, canvas.y), None, task=task, n_classes=max(canvas.n_classes, 2),
                                   spec=True)
        else:
            vals = views.boundary_values(t, grid, maps)
            bfig = boundary_figure(vals, grid, (t.train.X, t.train.y),
                                   (t.test.X, t.test.y) if st.session_state.get(K + "show_test") else None,
                                   task=t.task, n_classes=t.n_classes,
                                   discretize=st.session_state.get(K + "discretize", False),
                                   class_names=t.data.class_names, hover=not s.playing, spec=True,
                                   **panels.point_sizes(t, drive))
        click = live_plotly(bfig, key="pg_boundary", height=400,
                            events=canvas is not None or drive != "off",
                            label=f"Decision boundary on {t.data.name} at epoch {t.epoch:,}, the training points on "
                                  "top" if canvas is None else "Drawing canvas: click to add points")
        if click and canvas is not None and click.get("x") is not None:
            state.canvas_click(canvas, click["x"], click["y"])
        elif click and canvas is None and click.get("customdata") is not None:
            state.remove_point(s, click["customdata"])
        if drive != "off" and canvas is None:
            panels.drive_note(t, drive)
    with third[0] if third else right:
        live_plotly(loss_figure(h, log_y=st.session_state.get(K + "log_y", False), task=t.task, spec=True),
                    key="pg_loss", height=260, watch_visibility=True, lines=True)
    # Between slices of the frame Streamlit may stop it when a click (Pause, a slider) asked for a
    # rerun, instead of finishing the frame first.
    train_after_drawing(s, lambda: s.frame(seconds, between=yield_point))


@live_fragment(s, run_every=1.0)
def live_details(_seconds: float):
    """Gradients or activation curves: redrawn in place at a slower rate than the main views."""
    t = s.trainer
    below = st.session_state.get(K + "below")
    if below == "Per-weight gradients":
        st.caption("∂L/∂w for every weight at the current weights (mean over the whole training set), and each "
                   "layer's gradient norm over the epochs.")
        gc1, gc2 = (st.container(), st.container()) if view.present else st.columns([3, 2])  # presenting: stacked
        with gc1:
            live_plotly(gradient_heatmaps(t.last_grads, spec=True), key="pg_gradmaps", height=300)
        with gc2:
            live_plotly(grad_norm_figure(t.history, spec=True), key="pg_gradnorms", height=300, lines=True)
    elif below == "Replay":
        panels.replay(t, view)
    elif below == "Activation function":
        acts = t.cfg.activations()
        if not acts:
            st.info("No hidden layers: the network is a single linear map followed by the output activation.")
            return
        ranges = views.preactivation_ranges(t)
        shown = list(dict.fromkeys(acts))[:3]  # each distinct activation once
        ac = st.columns(len(shown))
        for i, name in enumerate(shown):
            layer = acts.index(name)
            lo, hi, sample = ranges[layer]
            with ac[i]:
                st.latex(ACTIVATIONS[name].latex)
                live_plotly(activation_figure(name, z_range=(lo, hi), z_sample=sample), key=f"pg_act{i}", height=280,
                            lines=True)
                st.caption(f"Shaded band: the pre-activations layer {layer + 1} sees now ({lo:.2f} to {hi:.2f}).")


live_views()
if view.present:
    panels.tools(s, view, __file__)

# View options (outside the fragment: changing one redraws once)
oc = st.columns(5)
if show("test"):
    oc[0].toggle("Show test data", key=K + "show_test", disabled=off("test"))
if show("discretize"):
    oc[1].toggle("Discretize output", key=K + "discretize", disabled=off("discretize"))
oc[2].toggle("Log-scale loss", key=K + "log_y")
oc[3].segmented_control("Colour links by", ["weight", "gradient"], key=K + "color_by", default="weight",
                        format_func=lambda v: {"weight": "Weight", "gradient": "∂L/∂w"}[v])
oc[4].selectbox("Size training points by", list(drivers.KINDS), key=K + "drive", format_func=drivers.KINDS.get,
                on_change=state.drive_changed,
                help="Which points drive learning now: click a point on the plane to leave it out (kept in the link).")

st.segmented_control("Below the network", ["Per-weight gradients", "Activation function", "Replay"],
                     key=K + "below", default="Per-weight gradients")
live_details()
