"""The Playground: pick data and a network, press Play, watch it learn.

Thin page: widgets call ``playground.run.session.PlaygroundSession``; figures come
from ``playground.viz.figures``; live charts update in place via ``playground.app.ui``.
The whole config lives in the URL (``?dataset=…&hidden=…``), so the address bar
is always a share link.
"""
import dataclasses
import time
from urllib.parse import parse_qsl

import streamlit as st

from playground.teach import classroom
from playground.run import codegen
from playground.data import drawn
from playground.viz import figures
from playground.viz.present import presentation
from playground.run import modelio
from playground.run import replay
from playground.run import views
from playground.core.activations import ACTIVATIONS, TRAINABLE
from playground.run.config import CAPS, LEARNING_RATES, REGULARIZERS, config_json, dataset_info, from_query
from playground.data.datasets import DATASETS, MIN_POINTS
from playground.core.engines import ENGINE_SPECS, available_engines, cuda_available, torch_available
from playground.core.features import FEATURES
from playground.core.initializers import INITIALIZERS
from playground.core.losses import LOSSES, losses_for_task
from playground.core.optimizers import OPTIMIZERS
from playground.run.realdata import USER_DATA_KEY, USER_DATA_NAME_KEY, clean_name
from playground.base.text import capped, escape_markdown
from playground.run.session import SPEEDS, PlaygroundSession
from playground.data.tables import to_csv
from playground.app.ui import (address, claim_training, entry_guard, live_fragment, live_plotly, presentation_style,
                           stale_address, steady_live_views, train_after_drawing, uninterrupted, wrote_address,
                           yield_point)
from playground.app.ui import page_url

entry_guard()
steady_live_views()

K = "pg."  # session-state namespace
# While training, the network diagram is redrawn at most this often (less often for big networks,
# views.redraw_seconds): it is the costliest chart for the browser (~40 ms a draw here), and the
# boundary and loss carry the 5-a-second motion.
NETWORK_REDRAW_S = 0.45
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


# ----- session: created from the link on first visit, or when the link changes under us --------------
def _session() -> PlaygroundSession:
    q = address()
    s = st.session_state.get(K + "session")
    if s is not None and q and q != st.session_state.get(K + "query") and stale_address(q):
        _write_query(s)  # a request sent before the browser saw our newest address: show it that one again
    elif s is None or (q and q != st.session_state.get(K + "query")):
        params = {k: v for k, v in st.query_params.items() if k not in ("pts", *classroom.CLASSROOM_KEYS)}
        cfg, warnings = from_query(params)
        view, view_warnings = classroom.parse(dict(st.query_params))
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
        st.session_state[K + "session"] = s
        st.session_state[K + "link_warnings"] = warnings
        _sync_widgets(s)
        _write_query(s)  # the address bar always shows the full, normalised link
    return s


def _sync_widgets(s: PlaygroundSession) -> None:
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
    st.session_state[K + "loss"] = c.loss
    st.session_state[K + "optimizer"] = c.optimizer
    st.session_state[K + "lr"] = c.lr
    st.session_state[K + "reg"] = c.reg
    st.session_state[K + "reg_rate"] = c.reg_rate
    st.session_state[K + "dropout"] = c.dropout
    st.session_state[K + "init"] = c.init
    st.session_state[K + "engine"] = c.engine
    st.session_state[K + "device"] = c.device
    st.session_state[K + "max_epochs"] = c.max_epochs
    st.session_state[K + "target_loss"] = c.target_loss
    st.session_state[K + "patience"] = c.patience


def _steps(options, value):
    """The slider's steps, plus a link's value that is not one of them (shown exactly, never rounded)."""
    return tuple(sorted({*options, value}))


def _widget_config(s: PlaygroundSession) -> dict:
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
                 "engine", "device", "max_epochs", "target_loss", "patience"):
        raw[name] = get(name, getattr(c, name))
    if get("loss", c.loss) in losses_for_task(*dataset_info(raw["dataset"])):
        raw["loss"] = get("loss", c.loss)
    return raw


@uninterrupted
def _on_change() -> None:
    s = st.session_state[K + "session"]
    kind, warnings = s.apply(_widget_config(s))
    st.session_state[K + "control_warnings"] = warnings
    if kind == "reset":
        s.playing = False
        _sync_widgets(s)
    _write_query(s)


def _write_query(s: PlaygroundSession) -> None:
    q = s.share_query()
    extra = classroom.to_query(st.session_state.get(K + "view", classroom.ClassroomView()))
    q = q + "&" + extra if extra else q
    st.query_params.from_dict(dict(parse_qsl(q, keep_blank_values=True)))
    st.session_state[K + "query"] = address()
    wrote_address(st.session_state[K + "query"])


# ----- transport callbacks: each SETS state for the epoch it was drawn with (idempotent) -----------------
@uninterrupted
def _play():
    s = st.session_state[K + "session"]
    if claim_training(s):
        s.play()


@uninterrupted
def _pause():
    st.session_state[K + "session"].pause()


@uninterrupted
def _step(drawn_epoch: int):
    s = st.session_state[K + "session"]
    if claim_training(s):
        s.step_from(drawn_epoch)


@uninterrupted
def _reset():
    s = st.session_state[K + "session"]
    s.playing = False
    s.reset()


@uninterrupted
def _new_seed(drawn_seed: str):
    s = st.session_state[K + "session"]
    s.new_seed_from(drawn_seed)
    st.session_state[K + "seed"] = s.cfg.seed
    _write_query(s)


@st.cache_data(max_entries=64, show_spinner=False)
def _preview(name: str, noise: int, seed: str) -> str:
    """A small picture of the dataset (cached: the same for everyone)."""
    return figures.dataset_preview(_build_data(name, noise, seed), size=96)


def _build_data(name, noise, seed):
    from playground.run.config import Config
    from playground.run.trainer import build_data

    return build_data(Config(dataset=name, noise=noise, seed=seed, loss=_default_loss(name)))[0]


def _default_loss(name):
    from playground.core.losses import default_loss

    return default_loss(*dataset_info(name))


# ----- drawing your own points -------------------------------------------------------------------------
@uninterrupted
def _toggle_draw():
    s = st.session_state[K + "session"]
    if st.session_state[K + "draw"]:
        t = s.trainer
        if t.train.X.shape[1] != 2:
            st.session_state[K + "draw"] = False
            st.session_state[K + "control_warnings"] = ["drawing needs 2-D data: pick a built-in 2-D dataset first"]
            return
        _set_canvas(drawn.from_data(t.train, drawn.MAX_LINK_POINTS))
    else:
        st.session_state.pop(K + "canvas", None)
        s.use_data(None)
        _sync_widgets(s)
        _write_query(s)


def _set_canvas(canvas):
    s = st.session_state[K + "session"]
    st.session_state[K + "canvas"] = canvas
    if len(canvas) >= 4:
        s.use_data(canvas, "drawn")
        s.playing = False
        _sync_widgets(s)
    _write_query(s)


@uninterrupted
def _toggle_uploaded():
    s = st.session_state[K + "session"]
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
    _sync_widgets(s)
    _write_query(s)


@uninterrupted
def _import_model():
    s = st.session_state[K + "session"]
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
    _sync_widgets(s)
    _write_query(s)


@uninterrupted
def _toggle_present():
    old = st.session_state.get(K + "view", classroom.ClassroomView())
    st.session_state[K + "view"] = classroom.ClassroomView(old.hidden, old.locked, st.session_state[K + "present"])
    _write_query(st.session_state[K + "session"])


@uninterrupted
def _clear_canvas():
    kind = st.session_state.get(K + "draw_kind", 2)
    _set_canvas(drawn.empty("regression") if kind == "regression" else drawn.empty(n_classes=kind))


# ----- page -------------------------------------------------------------------------------------------
s = _session()
t = s.trainer

for w in capped(escape_markdown(m) for m in st.session_state.get(K + "link_warnings", [])):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")
if s.data_name == "uploaded":
    st.info("Training on your uploaded table. It stays in this browser session: a share link carries the settings, "
            "not the data.", icon=":material/table:")
if t.note:
    st.info(escape_markdown(t.note))

view = st.session_state.get(K + "view", classroom.ClassroomView())
show, off = view.visible, (lambda g: not view.editable(g))
if view.present:
    presentation_style()


def _pres(fig, lines: bool = False):
    """Presentation mode: bigger text, and thicker curves where asked (see ``viz.present``)."""
    return presentation(fig, lines=lines) if view.present else fig


# The network fills its chart: taller for wide layers (16 units: tiles of ~22 px at 1280 px, not ~12 px).
# In presentation mode the page's style sizes the charts to the screen (ui.presentation_style).
_WIDE = max(t.sizes[1:-1], default=0) > 8
NET_HEIGHT, NET_ASPECT = (560, 0.9) if _WIDE else (430, 0.6)
PRESENTING = view.present
if PRESENTING:
    NET_ASPECT = 1.05


with st.sidebar:
    if view.is_classroom:
        st.caption(":material/school: Classroom link: some settings are fixed by your teacher.")
    st.header("Data")
    if show("dataset"):
        st.selectbox("Dataset", list(DATASETS), key=K + "dataset", on_change=_on_change, disabled=off("dataset"))
        st.caption(DATASETS[st.session_state.get(K + "dataset", s.cfg.dataset)].description)
        if t.data.X.shape[1] == 2 and s.data is None:
            st.image(_preview(s.cfg.dataset, s.cfg.noise, s.cfg.seed), width=96)
    if show("noise") and DATASETS[st.session_state.get(K + "dataset", s.cfg.dataset)].kind == "synthetic":
        st.slider("Noise (%)", 0, 50, key=K + "noise", on_change=_on_change, disabled=off("noise"))
    if show("train"):
        st.slider("Training data (%)", 10, 90, step=10, key=K + "train", on_change=_on_change, disabled=off("train"))
    if show("batch"):
        st.number_input("Batch size", 1, CAPS["points"], key=K + "batch", on_change=_on_change, disabled=off("batch"),
                        help="Examples averaged in one update (1 = stochastic).")
    if show("seed"):
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.text_input("Seed", key=K + "seed", on_change=_on_change, max_chars=32, disabled=off("seed"),
                      help="Same seed ⇒ same data and starting weights, for everyone who opens the link.")
        c2.button("New data", on_click=_new_seed, args=(s.cfg.seed,), width="stretch", disabled=off("seed"))
    if show("features") and t.data.X.shape[1] == 2:
        st.pills("Input features", list(FEATURES), selection_mode="multi", key=K + "features",
                 on_change=_on_change, format_func=lambda f: FEATURES[f].label, disabled=off("features"),
                 help="What the network sees of each point. At least one stays selected.")

    if show("dataset") and not off("dataset"):
        if st.session_state.get(USER_DATA_KEY) is not None:
            st.toggle(f"Use uploaded data: {escape_markdown(st.session_state.get(USER_DATA_NAME_KEY, 'table'))}",
                      key=K + "uploaded", on_change=_toggle_uploaded,
                      help="From the 'Your data' page. It stays in this browser session; it is not in the link.")
        st.toggle("Draw your own points", key=K + "draw", on_change=_toggle_draw,
                  help="Click the plane to add a point, click a point to remove it.")
    canvas = st.session_state.get(K + "canvas")
    if st.session_state.get(K + "draw") and canvas is not None and not off("dataset"):
        if canvas.task == "classification":
            st.pills("Class to add", list(range(canvas.n_classes)), key=K + "draw_class", default=0,
                     format_func=lambda c: escape_markdown(canvas.class_names[c] if c < len(canvas.class_names) else
                                            ("negative", "positive")[c] if canvas.n_classes == 2 else f"class {c}"))
        else:
            st.slider("Value to add", -1.0, 1.0, 0.5, 0.05, key=K + "draw_value")
        dc1, dc2 = st.columns([3, 2], vertical_alignment="bottom")
        dc1.selectbox("New canvas", [2, 3, 4, 5, "regression"], key=K + "draw_kind",
                      format_func=lambda k: "regression values" if k == "regression" else f"{k} classes")
        dc2.button("Clear", on_click=_clear_canvas, width="stretch")
        st.caption(f"{len(canvas)} points" + (" (in the share link)" if len(canvas) <= drawn.MAX_LINK_POINTS
                                              else " — too many for a link: download them") +
                   ("" if len(canvas) >= MIN_POINTS else f". Add at least {MIN_POINTS} to train."))
        st.download_button("Download points (CSV)", to_csv(canvas), "drawn-points.csv", "text/csv",
                           width="stretch", disabled=not len(canvas))

    st.header("Network")
    if show("layers"):
        st.number_input("Hidden layers", 0, CAPS["hidden_layers"], key=K + "layers", on_change=_on_change,
                        disabled=off("layers"))
    n_layers = st.session_state.get(K + "layers", len(s.cfg.hidden))
    if n_layers and show("layers"):
        hc = st.columns(min(n_layers, 4))
        for i in range(n_layers):
            st.session_state.setdefault(K + f"h{i}", 4)
            hc[i % len(hc)].number_input(f"Layer {i + 1}", 1, CAPS["neurons"], key=K + f"h{i}", on_change=_on_change,
                                         disabled=off("layers"))
    if n_layers and show("activation"):
        st.selectbox("Activation", TRAINABLE, key=K + "act", on_change=_on_change, disabled=off("activation"),
                     format_func=lambda a: ACTIVATIONS[a].label)
        st.toggle("Per-layer activations", key=K + "per_layer", on_change=_on_change, disabled=off("activation"))
        if st.session_state.get(K + "per_layer"):
            ac = st.columns(min(n_layers, 4))
            for i in range(n_layers):
                st.session_state.setdefault(K + f"a{i}", st.session_state[K + "act"])
                ac[i % len(ac)].selectbox(f"Layer {i + 1}", TRAINABLE, key=K + f"a{i}", on_change=_on_change,
                                          disabled=off("activation"))
    if show("loss"):
        valid_losses = losses_for_task(*dataset_info(s.cfg.dataset))
        st.session_state[K + "loss"] = s.cfg.loss
        st.selectbox("Output + loss", valid_losses, key=K + "loss", on_change=_on_change, disabled=off("loss"),
                     format_func=lambda n: LOSSES[n].short_label, help=LOSSES[st.session_state[K + "loss"]].label)
    if show("init"):
        st.selectbox("Initialisation", list(INITIALIZERS), key=K + "init", on_change=_on_change, disabled=off("init"),
                     format_func=lambda n: INITIALIZERS[n].label)

    st.header("Training")
    if show("optimizer"):
        st.selectbox("Optimizer", list(OPTIMIZERS), key=K + "optimizer", on_change=_on_change,
                     disabled=off("optimizer"), format_func=lambda n: OPTIMIZERS[n].label)
    if show("lr"):
        st.select_slider("Learning rate", _steps(LEARNING_RATES, s.cfg.lr), key=K + "lr", on_change=_on_change, disabled=off("lr"),
                         help="Changes take effect immediately, without a reset.")
    if show("reg"):
        rc1, rc2 = st.columns(2)
        rc1.selectbox("Regularisation", REGULARIZERS, key=K + "reg", on_change=_on_change, disabled=off("reg"))
        rc2.select_slider("Rate", _steps(REG_RATES, s.cfg.reg_rate), key=K + "reg_rate", on_change=_on_change, disabled=off("reg"))
    if show("dropout"):
        st.slider("Dropout", 0.0, 0.9, step=0.05, key=K + "dropout", on_change=_on_change, disabled=off("dropout"))
    if show("engine"):
        engines = available_engines()
        if st.session_state.get(K + "engine", "numpy") not in engines:
            engines.append(st.session_state[K + "engine"])
        st.radio("Engine", engines, key=K + "engine", on_change=_on_change, horizontal=True, disabled=off("engine"),
                 format_func=lambda e: ENGINE_SPECS[e].label)
        if st.session_state.get(K + "engine") == "torch" and torch_available():
            st.radio("Device", ["cpu", "cuda"], key=K + "device", on_change=_on_change, horizontal=True,
                     disabled=off("engine") or not cuda_available(), format_func=str.upper,
                     help="CUDA needs an NVIDIA GPU; without one the engine runs on the CPU.")
            st.caption(f"PyTorch is running on {escape_markdown(str(getattr(s.trainer.net, 'device', 'cpu')).upper())}"
                       + ("" if cuda_available() else " — no CUDA GPU on this server"))
    if show("stop"):
        with st.expander("Stop conditions"):
            st.number_input("Max epochs (0 = no limit)", 0, CAPS["max_epochs"], key=K + "max_epochs",
                            on_change=_on_change, disabled=off("stop"))
            st.number_input("Target test loss (0 = none)", 0.0, 10.0, key=K + "target_loss", step=0.01,
                            format="%.3f", on_change=_on_change, disabled=off("stop"))
            st.number_input("Early stopping patience (epochs, 0 = off)", 0, 100_000, key=K + "patience",
                            on_change=_on_change, disabled=off("stop"))

for w in capped(escape_markdown(m) for m in st.session_state.get(K + "control_warnings", [])):
    st.warning(w)
if st.session_state.get(K + "import_note"):
    st.success(escape_markdown(st.session_state.pop(K + "import_note")))

# Transport bar
if show("transport"):
    tb = st.columns([1.1, 1.1, 1.1, 1.1, 2.2], vertical_alignment="center")
    lock_t = off("transport")
    tb[0].button("Play", icon=":material/play_arrow:", on_click=_play, type="primary", width="stretch",
                 disabled=t.diverged or lock_t)
    tb[1].button("Pause", icon=":material/pause:", on_click=_pause, width="stretch", disabled=lock_t)
    tb[2].button("Step", icon=":material/skip_next:", on_click=_step, args=(t.epoch,), width="stretch",
                 disabled=t.diverged or lock_t, help="Train exactly one epoch.")
    tb[3].button("Reset", icon=":material/restart_alt:", on_click=_reset, width="stretch", disabled=lock_t,
                 help="Same seed: same data, same starting weights.")
    s.speed = tb[4].selectbox("Speed", list(SPEEDS), index=list(SPEEDS).index(s.speed),
                              label_visibility="collapsed", disabled=lock_t)

tools = st.columns([1, 1, 1, 1, 1.15], vertical_alignment="center")
with tools[0].popover("Share link", icon=":material/share:", width="stretch"):
    st.caption("Anyone opening this link gets the same data, network and starting weights. "
               "The address bar always holds the same link.")
    st.code(page_url(__file__, s.share_query()), language=None, wrap_lines=True)
with tools[3].popover("Classroom link", icon=":material/school:", width="stretch"):
    st.caption("Choose what students see and may change; the link opens exactly this setup.")
    hide = st.multiselect("Hide these controls", list(classroom.CONTROLS), key=K + "cl_hide",
                          format_func=classroom.CONTROLS.get)
    lock = st.multiselect("Show but lock these", [c for c in classroom.CONTROLS if c not in hide], key=K + "cl_lock",
                          format_func=classroom.CONTROLS.get)
    present = st.toggle("Open in presentation mode", key=K + "cl_present")
    suffix = classroom.to_query(classroom.ClassroomView(frozenset(hide), frozenset(lock), present))
    st.code(page_url(__file__, s.share_query() + ("&" + suffix if suffix else "")), language=None, wrap_lines=True)
    st.caption("Hiding and locking keep a class focused on one idea; they are not security: a student can "
               "always open a plain link and change everything in their own browser.")
tools[4].toggle("Presentation mode", key=K + "present", value=view.present, on_change=_toggle_present,
                help="Large type and thick lines for a projector; kept in the link.")


def _export_panel():
    st.caption("Downloads are made when you click, from the model as it is at that moment.")
    st.download_button("Model: weights + config (JSON)", lambda: modelio.to_json(s.trainer), "model.json",
                       "application/json", width="stretch")
    st.download_button("Model: NumPy arrays (.npz)", lambda: modelio.to_npz(s.trainer), "model.npz",
                       "application/octet-stream", width="stretch")
    if torch_available():
        st.download_button("Model: PyTorch state_dict (.pt)", lambda: modelio.to_state_dict(s.trainer), "model.pt",
                           "application/octet-stream", width="stretch")
    st.download_button("Loss history (CSV)", lambda: modelio.history_csv(s.trainer), "loss-history.csv", "text/csv",
                       width="stretch")
    st.download_button("Config (JSON)", lambda: config_json(s.cfg), "config.json", "application/json",
                       width="stretch")
    st.file_uploader("Import a model file to inspect it or continue training", type=["json", "npz", "pt"],
                     key=K + "import", on_change=_import_model)


def _code_panel():
    st.caption("Standalone scripts that train this network on the same data (packed inside the script), from the "
               "same starting weights, and print the same final losses as the app. Save one and run it in any "
               "folder: `python train_numpy.py` needs only NumPy; the PyTorch script also needs torch.")
    epochs = st.number_input("Epochs", 1, 100_000, max(s.trainer.epoch, 100), key=K + "code_epochs")
    scripts = (("NumPy", codegen.numpy_script, "train_numpy.py"), ("PyTorch", codegen.torch_script, "train_torch.py"))
    for tab, (_, make, fname) in zip(st.tabs([name for name, _, _ in scripts]), scripts):
        with tab:
            try:
                script = make(s.cfg, int(epochs))
            except codegen.CodegenError as e:
                st.info(escape_markdown(e))
                continue
            st.download_button(f"Download {fname}", script, fname, "text/x-python")
            st.code(script, language="python", line_numbers=True, height=420)


if show("export"):
    with tools[1].popover("Export / import", icon=":material/save:", width="stretch"):
        _export_panel()
    with tools[2].popover("Show the code", icon=":material/code:", width="stretch"):
        _code_panel()


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
    m = st.columns(5)
    m[0].metric("Epoch", f"{t.epoch:,}")
    if t.epoch_progress:  # a long epoch trains over several frames: show how far the next one is
        nb = t.batches_per_epoch
        m[0].caption(f"Epoch {t.epoch + 1:,}: {round(t.epoch_progress * nb):,} of {nb:,} mini-batches")

    def val(values, fmt):
        return format(values[-1], fmt) if values else "—"

    m[1].metric("Training loss", val(h.train_loss, ".4f"))
    m[2].metric("Test loss", val(h.test_loss, ".4f"))
    if t.task == "regression":
        m[3].metric("Test R²", val(h.test_metric, ".3f"))
        m[4].metric("Test RMSE", val(h.test_rmse, ".4f"))
    else:
        m[3].metric("Training accuracy", val(h.train_metric, ".1%"))
        m[4].metric("Test accuracy", val(h.test_metric, ".1%"))

    cached = st.session_state.get(K + "grid")
    if cached is None or cached[0] is not t:  # one grid per trainer: its network inputs are cached inside
        res = views.grid_resolution(t.sizes, 100 if sum(t.sizes[1:-1]) <= 64 else 50)  # big nets: a coarser grid
        cached = (t, views.grid_for(t, res))
        st.session_state[K + "grid"] = cached
    grid = cached[1]
    maps = views.neuron_maps(t, grid)
    left, right = st.columns([1, 1] if view.present else [1.35, 1])  # presenting: a larger boundary
    with left:
        color_by = st.session_state.get(K + "color_by", "weight")
        drawn_as = (t, color_by, view.present)  # a new run or a changed view redraws at once
        last = st.session_state.get(K + "net_fig")  # (drawn_as, when, figure)
        if not s.playing or last is None or last[0] != drawn_as or \
                time.monotonic() - last[1] >= views.redraw_seconds(t.sizes, NETWORK_REDRAW_S):
            fig = _pres(figures.network_figure(**views.network_kwargs(t, grid, maps), color_by=color_by,
                                               aspect=NET_ASPECT, spec=True))
            st.session_state[K + "net_fig"] = (drawn_as, time.monotonic(), fig)
        else:  # the same figure again: the browser has nothing to redraw
            fig = last[2]
        click = live_plotly(fig, key="pg_network", height=NET_HEIGHT, events=True,
                            config={"displayModeBar": False})
        if click and click.get("customdata"):
            st.session_state[K + "edit"] = list(click["customdata"])
        _weight_editor(t)
    with right:
        canvas = st.session_state.get(K + "canvas") if st.session_state.get(K + "draw") else None
        if canvas is not None and len(canvas) < MIN_POINTS:  # too few points to train: show the canvas alone
            task = "regression" if canvas.task == "regression" else t.task
            bfig = figures.boundary_figure(drawn.blank_values(grid, canvas.task, canvas.n_classes), grid,
                                           (canvas.X, canvas.y), None, task=task, n_classes=max(canvas.n_classes, 2),
                                           spec=True)
        else:
            vals = views.boundary_values(t, grid, maps)
            bfig = figures.boundary_figure(vals, grid, (t.train.X, t.train.y),
                                           (t.test.X, t.test.y) if st.session_state.get(K + "show_test") else None,
                                           task=t.task, n_classes=t.n_classes,
                                           discretize=st.session_state.get(K + "discretize", False),
                                           class_names=t.data.class_names, hover=not s.playing, spec=True)
        click = live_plotly(_pres(bfig), key="pg_boundary", height=400, events=canvas is not None)
        if click and canvas is not None and click.get("x") is not None:
            _canvas_click(canvas, click["x"], click["y"])
        live_plotly(_pres(figures.loss_figure(h, log_y=st.session_state.get(K + "log_y", False), task=t.task,
                                              spec=True), True),
                    key="pg_loss", height=260, watch_visibility=True)
    # Between slices of the frame Streamlit may stop it when a click (Pause, a slider) asked for a
    # rerun, instead of finishing the frame first.
    train_after_drawing(s, lambda: s.frame(seconds, between=yield_point))


def _canvas_click(canvas, x, y):
    """A click on the plane: remove the point under it, or add one of the chosen class/value."""
    canvas, removed = drawn.remove_near(canvas, x, y)
    if not removed:
        label = (st.session_state.get(K + "draw_class") or 0) if canvas.task == "classification" \
            else st.session_state.get(K + "draw_value", 0.5)
        canvas, msg = drawn.add_point(canvas, x, y, label)
        if msg:
            st.session_state[K + "control_warnings"] = [msg]
    _set_canvas(canvas)
    st.rerun()


def _weight_editor(t):
    edit = st.session_state.get(K + "edit")
    if not edit:
        st.caption("Click a link or a neuron to set its weight or bias by hand.")
        return
    kind, layer = edit[0], int(edit[1])
    if kind == "w":
        i, j = index = int(edit[2]), int(edit[3])
        label, value = f"Weight, layer {layer + 1}: unit {i + 1} → unit {j + 1}", float(t.params[layer][0][i, j])
    else:
        j, = index = (int(edit[2]),)
        label, value = f"Bias of unit {j + 1} in layer {layer + 1}", float(t.params[layer][1][j])
    with st.form(K + "edit_form", border=True):
        new = st.number_input(label, value=value, format="%.4f", step=0.1)
        if st.form_submit_button("Set"):
            refused = t.edit_param(kind, layer, index, new)
            if refused:
                st.error(escape_markdown(refused))
            else:
                st.session_state[K + "edit"] = None
                st.rerun(scope="fragment")


@live_fragment(s, run_every=1.0)
def live_details(_seconds: float):
    """Gradients or activation curves: redrawn in place at a slower rate than the main views."""
    t = s.trainer
    view = st.session_state.get(K + "below")
    if view == "Per-weight gradients":
        st.caption("∂L/∂w for every weight at the current weights (mean over the whole training set), and each "
                   "layer's gradient norm over the epochs.")
        gc1, gc2 = (st.container(), st.container()) if PRESENTING else st.columns([3, 2])  # presenting: stacked
        with gc1:
            live_plotly(_pres(figures.gradient_heatmaps(t.last_grads)), key="pg_gradmaps", height=300)
        with gc2:
            live_plotly(_pres(figures.grad_norm_figure(t.history, spec=True), True), key="pg_gradnorms", height=300)
    elif view == "Replay":
        _replay(t)
    elif view == "Activation function":
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
                live_plotly(_pres(figures.activation_figure(name, z_range=(lo, hi), z_sample=sample), True),
                            key=f"pg_act{i}", height=280)
                st.caption(f"Shaded band: the pre-activations layer {layer + 1} sees now ({lo:.2f} to {hi:.2f}).")


def _replay(t):
    """Scrub back through recorded epochs: boundary, network and gradients as they were."""
    last = t.epoch
    if last < 1:
        st.info("Train a few epochs first: every epoch is recorded (thinned evenly over long runs).")
        return
    st.session_state[K + "replay_epoch"] = min(st.session_state.get(K + "replay_epoch", last), last)
    epoch = st.slider("Epoch to replay", 0, last, key=K + "replay_epoch",
                      help="Shows the nearest recorded epoch at or before the one chosen.")
    grid = st.session_state[K + "grid"][1]
    f = replay.frame_at(t, grid, epoch)
    losses = "" if f.train_loss is None else f" — training loss {f.train_loss:.4f}, test loss {f.test_loss:.4f}"
    st.caption(f"Recorded epoch {f.epoch}{losses}")
    rc1, rc2 = st.columns([1.35, 1])
    kw = {**views.network_kwargs(t, grid, f.maps), "params": f.params, "grads": f.grads}
    with rc1:
        live_plotly(_pres(figures.network_figure(**kw, color_by=st.session_state.get(K + "color_by") or "weight",
                                                 aspect=NET_ASPECT, spec=True)), key="pg_replay_net",
                    height=380)
    with rc2:
        live_plotly(_pres(figures.boundary_figure(f.boundary, grid, (t.train.X, t.train.y), None, task=t.task,
                                                  n_classes=t.n_classes, class_names=t.data.class_names,
                                                  spec=True)),
                    key="pg_replay_boundary", height=380)
    live_plotly(_pres(figures.gradient_heatmaps(f.grads)), key="pg_replay_grads", height=260)


live_views()

# View options (outside the fragment: changing one redraws once)
oc = st.columns(5)
if show("test"):
    oc[0].toggle("Show test data", key=K + "show_test", disabled=off("test"))
if show("discretize"):
    oc[1].toggle("Discretize output", key=K + "discretize", disabled=off("discretize"))
oc[2].toggle("Log-scale loss", key=K + "log_y")
oc[3].segmented_control("Colour links by", ["weight", "gradient"], key=K + "color_by", default="weight",
                        format_func=lambda v: {"weight": "Weight", "gradient": "∂L/∂w"}[v])

st.segmented_control("Below the network", ["Per-weight gradients", "Activation function", "Replay"],
                     key=K + "below", default="Per-weight gradients")
live_details()
