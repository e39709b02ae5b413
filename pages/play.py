"""The Playground: pick data and a network, press Play, watch it learn.

Thin page: the session, the link and the controls' callbacks are ``playground.app.ui.play_state``; the control
panels ``playground.app.ui.play_panels``; the numbers ``playground.run.views`` and the figures
``playground.viz``. Live charts update in place (``playground.app.ui.live_plotly``). The whole config
lives in the URL (``?dataset=…&hidden=…``), so the address bar is always a share link.
"""
import time

import streamlit as st

from playground.app.ui import (chart_patch, chart_update, entry_guard, fragment_rerun, live_feed, live_fragment, live_metrics,
                               live_plotly, metrics_update, room_redirect, room_student, steady_live_views,
                               train_after_drawing, transport_bar, yield_point)
from playground.app.ui import play_panels as panels
from playground.app.ui import play_state as state
from playground.app.ui.play_state import K
from playground.base.text import capped, escape_markdown
from playground.core.activations import ACTIVATIONS
from playground.data import drawn
from playground.data.datasets import MIN_POINTS
from playground.run import drivers, views
from playground.run.pace import SPEED_HELP, pace_label, speed_choices
from playground.run.session import LIVE_GATE
from playground.teach import classroom
from playground.viz.activation_figure import activation_figure
from playground.viz.boundary import boundary_figure, boundary_picture
from playground.viz.curves import grad_norm_figure, loss_figure, loss_patch
from playground.viz.network_figure import gradient_heatmaps, network_figure
from playground.viz.plotly_dicts import describe

entry_guard()
room_redirect()  # /play?room=CODE: choose a nickname on the room page first
steady_live_views()

# While training, the network diagram is redrawn at most this often (less often for big networks and on a busy
# server, views.redraw_seconds): it is the costliest chart for the browser (~40 ms a draw here), and the
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


def live_figures(frame: bool = False) -> dict:
    """The live views' figures as the trainer stands now: chart key -> (figure, ``live_plotly``'s options).
    While playing, the network diagram is redrawn at most every ``views.redraw_seconds``, else the same figure
    object is given again (the feed then leaves it out).  ``frame``: for the feed, where the boundary's points
    stay as the page run drew them, the boundary is ``(None, chart_patch's arguments)``: its new picture; the loss
    chart's likewise its curves' points."""
    t = s.trainer
    cached = st.session_state.get(K + "grid")
    if cached is None or cached[0] is not t:  # one grid per trainer: its network inputs are cached inside
        res = views.grid_resolution(t.sizes, 100 if sum(t.sizes[1:-1]) <= 64 else 50)  # big nets: a coarser grid
        cached = (t, views.grid_for(t, res))
        st.session_state[K + "grid"] = cached
    grid = cached[1]
    maps = views.neuron_maps(t, grid)
    net_height, net_aspect = panels.network_size(t, view)
    color_by = st.session_state.get(K + "color_by", "weight")
    drawn_as = (t, color_by, view.present)  # a new run or a changed view redraws at once
    last = st.session_state.get(K + "net_fig")  # (drawn_as, when, figure)
    if not s.playing or last is None or last[0] != drawn_as or \
            time.monotonic() - last[1] >= views.redraw_seconds(t.sizes, NETWORK_REDRAW_S, LIVE_GATE.sessions_training):
        fig = network_figure(**views.network_kwargs(t, grid, maps), color_by=color_by, aspect=net_aspect, spec=True,
                             pixels=True)  # its thumbnails painted by the browser
        st.session_state[K + "net_fig"] = (drawn_as, time.monotonic(), fig)
    else:  # the same figure again: the browser has nothing to redraw
        fig = last[2]
    charts = {"pg_network": (fig, dict(
        height=net_height, events=True, config={"displayModeBar": False}, scale=panels.NETWORK_TYPE_SCALE,
        label=f"Network diagram: layers of {', '.join(map(str, t.sizes))} neurons; each line is a weight (click one "
              "to edit it)"))}
    canvas = st.session_state.get(K + "canvas") if st.session_state.get(K + "draw") else None
    drive = st.session_state.get(K + "drive") or "off"
    if canvas is not None and len(canvas) < MIN_POINTS:  # too few points to train: show the canvas alone
        task = "regression" if canvas.task == "regression" else t.task
        bfig = boundary_figure(drawn.blank_values(grid, canvas.task, canvas.n_classes), grid, (canvas.X, canvas.y),
                               None, task=task, n_classes=max(canvas.n_classes, 2), spec=True)
    elif frame and drive == "off" and s.playing:  # only the picture changed (no hover, no point sizes)
        return {**charts, "pg_boundary": (None, dict(
            layout={"images": [boundary_picture(views.boundary_values(t, grid, maps), grid, (t.train.X, t.train.y),
                                                shown_test(t), task=t.task, pixels=True,
                                                discretize=st.session_state.get(K + "discretize", False))]},
            label=boundary_label(t))), "pg_loss": loss_chart(t, frame=True)}
    else:
        vals = views.boundary_values(t, grid, maps)
        bfig = boundary_figure(vals, grid, (t.train.X, t.train.y), shown_test(t),
                               task=t.task, n_classes=t.n_classes,
                               discretize=st.session_state.get(K + "discretize", False),
                               class_names=t.data.class_names, hover=not s.playing, spec=True, pixels=True,
                               **panels.point_sizes(t, drive))
    charts["pg_boundary"] = (bfig, dict(height=400, events=canvas is not None or drive != "off",
                                        label=boundary_label(t) if canvas is None else "Drawing canvas: click to add points"))
    return {**charts, "pg_loss": loss_chart(t, frame)}


def shown_test(t):
    """The test points the boundary shows (they set a regression plane's colour range with the training points)."""
    return (t.test.X, t.test.y) if st.session_state.get(K + "show_test") else None


def boundary_label(t) -> str:
    return f"Decision boundary on {t.data.name} at epoch {t.epoch:,}, the training points on top"


def loss_chart(t, frame: bool = False) -> tuple:
    """The loss chart's figure and options; for the feed (``frame``), ``(None, chart_patch's arguments)``: the
    curves' points and the axes that follow them, laid over the figure the page run drew."""
    fig = loss_figure(t.history, log_y=st.session_state.get(K + "log_y", False), task=t.task, spec=True)
    if frame:
        return None, dict(**loss_patch(fig), label=describe(fig["data"], fig["layout"]))
    return fig, dict(height=260, lines=True, watch_visibility=True)


def live_numbers() -> tuple[list, str, str]:
    """The metric row ``(label, value)``, the mid-epoch caption and what the screen reader announces."""
    t = s.trainer
    h = t.history

    def val(values, fmt):
        return format(values[-1], fmt) if values else "—"

    row = [("Epoch", f"{t.epoch:,}"), ("Training loss", val(h.train_loss, ".4f")), ("Test loss", val(h.test_loss, ".4f")),
           *([("Test R²", val(h.test_metric, ".3f")), ("Test RMSE", val(h.test_rmse, ".4f"))] if t.task == "regression"
             else [("Training accuracy", val(h.train_metric, ".1%")), ("Test accuracy", val(h.test_metric, ".1%"))])]
    progress = views.epoch_progress_caption(t.epoch, t.epoch_progress, t.batches_per_epoch)  # a long epoch: how far
    text = f"Epoch {t.epoch:,}. Training loss {val(h.train_loss, '.3f')}, test loss {val(h.test_loss, '.3f')}."
    return row, progress or "", text


def gradient_figures() -> dict:
    """The views below the network that show gradients: chart key -> (figure, ``live_plotly``'s options)."""
    t = s.trainer
    return {"pg_gradmaps": (gradient_heatmaps(t.last_grads, spec=True), dict(height=300)),
            "pg_gradnorms": (grad_norm_figure(t.history, spec=True), dict(height=300, lines=True))}


def live_views():
    """Notices, metrics, network, boundary and loss, as the page run finds them (the feed keeps them moving)."""
    t = s.trainer
    if s.notice:  # every notice comes with a page run: the frame that set it (pausing, stopping) asked for one
        st.info(escape_markdown(s.notice))
    if t.message:
        st.error(escape_markdown(t.message), icon=":material/warning:")
    elif t.stop_reason:
        st.success(f"Stopped: {escape_markdown(t.stop_reason)}.")
    row, progress, text = live_numbers()
    # Playing, the metric row, the mid-epoch caption and the announcer are one element that the feed updates in
    # place; paused, st.metric as on every page, beside the same announcer.
    live_metrics(row if s.playing else [], key="pg_announce", caption=progress, text=text)
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

    charts = live_figures()
    # Presenting: network, boundary and loss side by side, each the screen's height (1280×720 shows all three).
    left, right, *third = st.columns([1, 1.25, 0.85] if view.present else [1.35, 1])
    with left:  # a click is handled before the next run (it may change the controls drawn above)
        fig, opts = charts["pg_network"]
        live_plotly(fig, key="pg_network", on_click=state.network_click, **opts)
        panels.weight_editor(t)
    with right:
        fig, opts = charts["pg_boundary"]
        live_plotly(fig, key="pg_boundary", on_click=state.boundary_click, **opts)
        drive = st.session_state.get(K + "drive") or "off"
        if drive != "off" and not st.session_state.get(K + "draw"):
            panels.drive_note(t, drive)
    with third[0] if third else right:
        fig, opts = charts["pg_loss"]
        live_plotly(fig, key="pg_loss", **opts)


# Seconds between the gradient views' updates while playing (they change slowly; the main views 5 times a second).
DETAILS_EVERY_S = 1.0


# While playing, one run of the live frame draws a frame every 0.17 s for up to a second (live_fragment's burst):
# Streamlit's own work per fragment run is then paid once a second, not once a frame.
@live_fragment(s, run_every=0.17, burst=1.0)
def live_frame(seconds: float):
    """One frame while playing: the views' new figures and numbers in one element (the feed), then the next
    frame is trained.  In the page's own run the views were just drawn: the feed brings nothing."""
    views_now: dict = {}
    if fragment_rerun():
        row, progress, text = live_numbers()
        views_now["pg_announce"] = metrics_update(row, "pg_announce", caption=progress, text=text)
        for key, (fig, opts) in live_figures(frame=True).items():
            views_now[key] = chart_patch(key, **opts) if fig is None else \
                chart_update(fig, key=key, changed_only=key == "pg_network", **opts)
        shown_at = st.session_state.get(K + "details_at", 0.0)
        if st.session_state.get(K + "below") == "Per-weight gradients" and time.monotonic() - shown_at >= DETAILS_EVERY_S:
            st.session_state[K + "details_at"] = time.monotonic()
            for key, (fig, opts) in gradient_figures().items():
                views_now[key] = chart_update(fig, key=key, **opts)
    live_feed(views_now, key="pg_livefeed")
    # Between slices of the frame Streamlit may stop it when a click (Pause, a slider) asked for a
    # rerun, instead of finishing the frame first.
    train_after_drawing(s, lambda: s.frame(seconds, between=yield_point))


def gradient_views():
    """∂L/∂w heatmaps and the gradient norms: drawn by the page run, updated by the feed every ``DETAILS_EVERY_S``."""
    st.caption("∂L/∂w for every weight at the current weights (mean over the whole training set), and each "
               "layer's gradient norm over the epochs.")
    charts = gradient_figures()
    st.session_state[K + "details_at"] = time.monotonic()
    gc1, gc2 = (st.container(), st.container()) if view.present else st.columns([3, 2])  # presenting: stacked
    for col, key in ((gc1, "pg_gradmaps"), (gc2, "pg_gradnorms")):
        with col:
            fig, opts = charts[key]
            live_plotly(fig, key=key, **opts)


@live_fragment(s, run_every=1.0)
def live_details(_seconds: float):
    """Activation curves or the replay: redrawn in place at a slower rate than the main views."""
    t = s.trainer
    below = st.session_state.get(K + "below")
    if below == "Replay":
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
live_frame()
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
if st.session_state.get(K + "below") == "Per-weight gradients":
    gradient_views()
else:
    live_details()
