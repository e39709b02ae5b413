"""The Playground page's state: the session made from the link, the widgets kept in step with its config,
the address bar kept in step with both, and the callbacks of its controls.

Every key lives under ``K`` in ``st.session_state``. The whole config is in the link, so the address bar is
always a share link (``write_query``); a changed link builds the session again (``session``).
"""
from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl

import streamlit as st

from playground.app.ui.links import address, stale_address, wrote_address
from playground.app.ui.live import uninterrupted
from playground.app.ui.present import keep_values, presenting
from playground.core.features import FEATURES
from playground.core.losses import losses_for_task
from playground.data import drawn, sources
from playground.data.uploads import clean_name
from playground.run import drivers
from playground.run import modelio
from playground.run.config import from_query
from playground.run.sizes import dataset_info
from playground.run.realdata import USER_DATA_KEY
from playground.run.session import PlaygroundSession
from playground.teach import classroom
from playground.viz.data_figures import dataset_preview

K = "pg."  # session-state namespace


def current() -> PlaygroundSession:
    """The session this page drew (callbacks run before the page, with the session of the last run)."""
    return st.session_state[K + "session"]


@uninterrupted
def reset() -> None:
    s = current()
    s.playing = False
    s.reset()


# ----- session: created from the link on first visit, or when the link changes under us --------------
def session() -> PlaygroundSession:
    q = address()
    s = st.session_state.get(K + "session")
    if s is not None and q and q != st.session_state.get(K + "query") and stale_address(q):
        write_query(s)  # a request sent before the browser saw our newest address: show it that one again
    elif s is None or (q and q != st.session_state.get(K + "query")):
        params = {k: v for k, v in st.query_params.items()
                  if k not in ("pts", *classroom.CLASSROOM_KEYS, *drivers.LINK_KEYS)}
        cfg, warnings = from_query(params)
        view, view_warnings = classroom.parse({k: v for k, v in st.query_params.items() if k != "present"})
        warnings += view_warnings
        st.session_state[K + "view"] = view
        if s is not None and "pts" not in st.query_params and s.data is not None \
                and st.session_state.get(K + "query") is not None:
            s.use_data(None)  # a new link describes its own data: leave drawn or uploaded points (before its
            st.session_state.pop(K + "canvas", None)  # settings are applied: they are checked with its data)
            st.session_state[K + "draw"] = False
            st.session_state[K + "uploaded"] = False
        if s is None:
            s = PlaygroundSession(cfg)
        else:
            s.apply(dataclasses.asdict(cfg))
        if "pts" in st.query_params:
            points, msg = drawn.decode(st.query_params["pts"])
            msg = msg or (points is not None and s.use_data(points, "drawn"))
            if msg:
                warnings.append(f"drawn points not loaded: {msg}")
            else:
                st.session_state[K + "canvas"] = points
                st.session_state[K + "draw"] = True
        kind, removed, drive_warnings = drivers.parse_link(st.query_params,
                                                           len(s.trainer.X_train) + len(s.trainer.removed))
        st.session_state[K + "drive"], warnings = kind, warnings + drive_warnings
        if removed != s.trainer.removed:
            s.trainer.set_removed(removed)
        st.session_state[K + "session"] = s
        st.session_state[K + "link_warnings"] = warnings
        sync_widgets(s)
        write_query(s)  # the address bar always shows the full, normalised link
    else:
        if K + "optimizer" not in st.session_state:  # back from another page: Streamlit dropped the widgets' state
            sync_widgets(s)
        if q == st.session_state.get(K + "query"):
            write_query(s)  # again: the browser may never have received it (see write_query)
    keep_controls()
    view = st.session_state.get(K + "view", classroom.ClassroomView())
    if view.present != presenting():  # the shared switch (``present_switch``, read from any link) decides;
        st.session_state[K + "view"] = dataclasses.replace(view, present=presenting())  # this page's link says it
        write_query(s)
    return s


# The settings' controls (``sync_widgets`` fills them from the config), besides "h0", "a0", … of each layer.
CONTROLS = ("dataset", "noise", "train", "batch", "seed", "features", "layers", "act", "per_layer", "loss",
            "optimizer", "lr", "reg", "reg_rate", "dropout", "init", "engine", "device", "max_epochs", "target_loss",
            "patience", "speed")


def keep_controls() -> None:
    """Send every settings control's value with each run of the page, not only with the run that set it
    (``present.keep_values``). For these controls the browser's default is their minimum (a number box's lowest
    value, a step slider's first step): a student who joined a room while the server was busy pressed Play before
    the browser had drawn the first run's sidebar, the sidebar came up with no hidden layers and learning rate
    1e-05, the Play click sent those back, and the run was reset to them and stopped at epoch 0 (a room of three
    playing students: the third, in 1 of 4 tries). The features pills and the seed box are left out: their
    defaults are not a minimum (all features; an empty seed is refused with a message), and re-sending them on
    every run broke drawing points (tests/test_playground_browser.py::test_draw_your_own_points: the boundary
    chart was gone under a click)."""
    n_layers = st.session_state.get(K + "layers") or 0
    keep_values([K + c for c in CONTROLS if c not in ("features", "seed")] +
                [K + f"{p}{i}" for p in "ha" for i in range(n_layers)])


def sync_widgets(s: PlaygroundSession) -> None:
    """Put the config's values into the widgets' state (first visit, link change, reset)."""
    c = s.cfg
    st.session_state[K + "dataset"] = c.dataset
    st.session_state[K + "noise"] = c.noise
    st.session_state[K + "train"] = c.train
    st.session_state[K + "batch"] = c.batch
    st.session_state[K + "seed"] = c.seed
    st.session_state[K + "features"] = list(c.features)
    st.session_state[K + "layers"] = len(c.hidden)
    for i, h in enumerate(c.hidden):
        st.session_state[K + f"h{i}"] = h
    acts = c.activations()
    st.session_state[K + "act"] = acts[0] if acts else c.activation[0]
    st.session_state[K + "per_layer"] = len(set(acts)) > 1
    for i, a in enumerate(acts):
        st.session_state[K + f"a{i}"] = a
    for name in CONTROLS[CONTROLS.index("loss"):]:
        st.session_state[K + name] = getattr(c, name)


def steps(options, value):
    """The slider's steps, plus a link's value that is not one of them (shown exactly, never rounded)."""
    return tuple(sorted({*options, value}))


def widget_config(s: PlaygroundSession) -> dict:
    """The config fields as the widgets show them now (hidden widgets keep the config's value)."""
    ss, c = st.session_state, s.cfg

    def get(name, default):
        return ss.get(K + name, default)

    n_layers = get("layers", len(c.hidden))
    hidden = tuple(get(f"h{i}", c.hidden[i] if i < len(c.hidden) else 4) for i in range(n_layers))
    act0 = get("act", c.activations()[0] if c.hidden else c.activation[0])
    if get("per_layer", False):
        act = tuple(get(f"a{i}", act0) for i in range(n_layers)) or (act0,)
    else:
        act = (act0,)
    feats = tuple(f for f in FEATURES if f in (get("features", c.features) or ())) or c.features
    raw = dict(features=feats, hidden=hidden, activation=act)
    for name in ("dataset", "noise", "train", "batch", "seed", "optimizer", "lr", "reg", "reg_rate", "dropout", "init",
                 "engine", "device", "max_epochs", "target_loss", "patience", "speed"):
        raw[name] = get(name, getattr(c, name))
    if get("loss", c.loss) in losses_for_task(*dataset_info(raw["dataset"])):
        raw["loss"] = get("loss", c.loss)
    return raw


@uninterrupted
def on_change() -> None:
    s = current()
    kind, warnings = s.apply(widget_config(s))
    st.session_state[K + "control_warnings"] = warnings
    if kind == "reset":
        s.playing = False
        sync_widgets(s)
    write_query(s)


def write_query(s: PlaygroundSession) -> None:
    """Put the session's full link into the address bar (``st.query_params``).

    ``session`` writes it again on every page run whose address is already this one: a callback that
    runs in a live fragment's tick (the tick carried the changed control) writes the link there, and
    Streamlit then reruns the whole page with that link as the run's address; the tick's own message to
    the browser was lost (the address bar kept the old link while the control and the run had the new
    one: 3 of 50 slider changes while playing, ``bench/stress_controls.py``-style, and a CI failure).
    The browser does nothing when the address it receives is the one it shows.
    """
    q = s.share_query()
    drive = drivers.link_query(st.session_state.get(K + "drive"), s.trainer.removed)
    q = q + "&" + drive if drive else q
    extra = classroom.to_query(st.session_state.get(K + "view", classroom.ClassroomView()))
    q = q + "&" + extra if extra else q
    st.query_params.from_dict(dict(parse_qsl(q, keep_blank_values=True)))
    st.session_state[K + "query"] = address()
    wrote_address(st.session_state[K + "query"])


@uninterrupted
def new_seed(drawn_seed: str):
    s = current()
    s.new_seed_from(drawn_seed)
    st.session_state[K + "seed"] = s.cfg.seed
    write_query(s)


@st.cache_data(max_entries=64, show_spinner=False)
def preview(name: str, noise: int, seed: str) -> str:
    """A small picture of the dataset (cached: the same for everyone)."""
    return dataset_preview(_build_data(name, noise, seed), size=96)


def _build_data(name, noise, seed):
    from playground.run.config import Config
    from playground.run.trainer import build_data

    return build_data(Config(dataset=name, noise=noise, seed=seed, loss=_default_loss(name)))[0]


def _default_loss(name):
    from playground.core.losses import default_loss

    return default_loss(*dataset_info(name))


# ----- drawing your own points -------------------------------------------------------------------------
@uninterrupted
def toggle_draw():
    s = current()
    if st.session_state[K + "draw"]:
        t = s.trainer
        if t.train.X.shape[1] != 2:
            st.session_state[K + "draw"] = False
            st.session_state[K + "control_warnings"] = ["drawing needs 2-D data: pick a built-in 2-D dataset first"]
            return
        set_canvas(drawn.from_data(t.train, drawn.MAX_LINK_POINTS))
    else:
        st.session_state.pop(K + "canvas", None)
        s.use_data(None)
        sync_widgets(s)
        write_query(s)


def set_canvas(canvas):
    s = current()
    st.session_state[K + "canvas"] = canvas
    if len(canvas) >= 4:
        s.use_data(canvas, "drawn")
        s.playing = False
        sync_widgets(s)
    write_query(s)


@uninterrupted
def toggle_uploaded():
    s = current()
    st.session_state[K + "draw"] = False
    st.session_state.pop(K + "canvas", None)
    if st.session_state[K + "uploaded"]:
        msg = s.use_data(st.session_state[USER_DATA_KEY], "uploaded")
        if msg:
            st.session_state[K + "uploaded"] = False
            st.session_state[K + "control_warnings"] = [f"uploaded data not used: {msg}"]
    else:
        s.use_data(None)
    s.playing = False
    sync_widgets(s)
    write_query(s)


@uninterrupted
def on_source():
    """The Dataset selector: a built-in dataset, the uploaded table or drawing (``sources.choices``)."""
    ss, s = st.session_state, current()
    choice = ss[K + "source"]
    if choice == sources.DRAWN:
        ss[K + "uploaded"], ss[K + "draw"] = False, True
        toggle_draw()  # a canvas from the data in use
    elif choice == sources.UPLOADED:
        ss[K + "uploaded"] = True
        toggle_uploaded()
    else:
        if ss.get(K + "draw") or ss.get(K + "uploaded"):  # back from user data to the config's datasets
            ss[K + "draw"] = ss[K + "uploaded"] = False
            ss.pop(K + "canvas", None)
            s.use_data(None)
        ss[K + "dataset"] = choice
        on_change()


@uninterrupted
def import_model():
    s = current()
    up = st.session_state.get(K + "import")
    if up is None:
        return
    try:
        loaded = modelio.load_untrusted_model(up.name, up.getvalue())  # parsed in a sandbox worker
        data = st.session_state.get(USER_DATA_KEY) if loaded.data_name is not None else None
        s.adopt(modelio.trainer_from_model(loaded, data))
    except modelio.ModelFileError as e:
        st.session_state[K + "control_warnings"] = [f"model file not loaded (your current model is unchanged): {e}"]
        return
    st.session_state[K + "control_warnings"] = [f"imported {clean_name(up.name)}: {w}" for w in loaded.warnings]
    st.session_state[K + "import_note"] = f"Imported {clean_name(up.name)} at epoch {loaded.epoch}."
    sync_widgets(s)
    write_query(s)


@uninterrupted
def clear_canvas():
    kind = st.session_state.get(K + "draw_kind", 2)
    set_canvas(drawn.empty("regression") if kind == "regression" else drawn.empty(n_classes=kind))



def canvas_click(canvas, x, y):
    """A click on the plane: remove the point under it, or add one of the chosen class/value."""
    canvas, removed = drawn.remove_near(canvas, x, y)
    if not removed:
        label = (st.session_state.get(K + "draw_class") or 0) if canvas.task == "classification" \
            else st.session_state.get(K + "draw_value", 0.5)
        canvas, msg = drawn.add_point(canvas, x, y, label)
        if msg:
            st.session_state[K + "control_warnings"] = [msg]
    set_canvas(canvas)


def remove_point(s: PlaygroundSession, index) -> None:
    """A click on a training point while points are sized by what drives learning: train on without it."""
    msg = drivers.remove_point(s.trainer, index)
    st.session_state[K + "control_warnings"] = [msg] if msg else []
    write_query(s)


@uninterrupted
def network_click(click: dict) -> None:
    """A click on the network diagram (``live_plotly``'s ``on_click``): a link or a neuron opens its editor."""
    if click.get("customdata"):
        st.session_state[K + "edit"] = list(click["customdata"])


@uninterrupted
def boundary_click(click: dict) -> None:
    """A click on the plane (``live_plotly``'s ``on_click``, before the page runs, so the controls it changes can
    still be set): on the drawing canvas it adds or removes a point; on a training point sized by what drives
    learning, it leaves that point out."""
    canvas = st.session_state.get(K + "canvas") if st.session_state.get(K + "draw") else None
    if canvas is not None and click.get("x") is not None:
        canvas_click(canvas, click["x"], click["y"])
    elif canvas is None and click.get("customdata") is not None and (st.session_state.get(K + "drive") or "off") != "off":
        remove_point(current(), click["customdata"])


@uninterrupted
def bring_back() -> None:
    s = current()
    s.trainer.set_removed(())
    write_query(s)


@uninterrupted
def drive_changed() -> None:
    write_query(current())
