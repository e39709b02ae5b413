"""The Playground page's control panels: the sidebar of settings, the row of tools (share, classroom link,
export, code), the weight editor and the replay. Each draws widgets whose callbacks live in
``play_state``; the numbers and figures come from the library."""
from __future__ import annotations

from urllib.parse import parse_qsl

import streamlit as st

from playground.app.ui import play_state as state
from playground.app.ui.charts import live_plotly
from playground.app.ui.links import page_url
from playground.app.ui.play_state import K
from playground.app.ui.server import teacher_tools_note, teacher_view
from playground.base.text import escape_markdown
from playground.core.activations import ACTIVATIONS, TRAINABLE
from playground.core.engines import ENGINE_SPECS, available_engines, cuda_available, torch_available
from playground.core.features import FEATURES
from playground.core.initializers import INITIALIZERS
from playground.core.losses import LOSSES, losses_for_task
from playground.core.optimizers import OPTIMIZERS
from playground.data import drawn, sources
from playground.data.datasets import MIN_POINTS
from playground.data.datasets import DATASETS
from playground.data.tables import to_csv
from playground.run import codegen, codegen_parts, drivers, modelio, replay as replays, views
from playground.run.config import LEARNING_RATES, REGULARIZERS, config_json
from playground.run.sizes import CAPS, dataset_info
from playground.run.realdata import USER_DATA_KEY, USER_DATA_NAME_KEY
from playground.run.session import PlaygroundSession
from playground.teach import classroom
from playground.viz import animate
from playground.viz.boundary import boundary_figure
from playground.viz.network_figure import gradient_heatmaps, network_figure

REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


NETWORK_TYPE_SCALE = 1.25  # presenting: 16 px titles, side by side over layers ~70 px apart at 1280 px

def network_size(t, view: classroom.ClassroomView) -> tuple[int, float]:
    """The network chart's height (px) and aspect: taller for layers wider than 8 units (16 units: tiles of
    ~21 px at 1280 px, not ~12 px); in presentation mode the page's style sizes it to the screen and
    ``NETWORK_TYPE_SCALE`` keeps its layer titles apart."""
    wide = max(t.sizes[1:-1], default=0) > 8
    height, aspect = (560, 0.9) if wide else (430, 0.6)
    return height, (1.45 if view.present else aspect)  # presenting: a tall column, a third of the width



def sidebar(s: PlaygroundSession, view: classroom.ClassroomView) -> None:
    """Data, network and training settings, as the classroom ``view`` shows and locks them."""
    t = s.trainer
    show, off = view.visible, (lambda g: not view.editable(g))
    with st.sidebar:
        if view.is_classroom:
            st.caption(":material/school: Classroom link: some settings are fixed by your teacher.")
        st.header("Data")
        source = current_source(s)
        if show("dataset"):
            st.session_state[K + "source"] = source
            canvas = st.session_state.get(K + "canvas")
            n_drawn = len(canvas) if source == sources.DRAWN and canvas is not None else None
            options = sources.choices(st.session_state.get(USER_DATA_KEY) is not None)
            upload_name = st.session_state.get(USER_DATA_NAME_KEY, "table")
            st.selectbox("Dataset", options if source in options else [*options, source], key=K + "source",
                         on_change=state.on_source, disabled=off("dataset"),
                         format_func=lambda c: sources.label(c, upload_name, n_drawn),
                         help="A built-in dataset; your uploaded table (from the Your data page: it stays in this "
                              "browser session and no link can carry it); or draw your own points: click the "
                              "plane to add a point, click a point to remove it.")
            if source in DATASETS:
                st.caption(DATASETS[source].description)  # whole, not cut
            if t.data.X.shape[1] == 2 and s.data is None:
                st.image(state.preview(s.cfg.dataset, s.cfg.noise, s.cfg.seed), width=96)
        if show("noise") and sources.applies("noise", source):
            st.slider("Noise (%)", 0, 50, key=K + "noise", on_change=state.on_change, disabled=off("noise"))
        if show("train"):
            st.slider("Training data (%)", 10, 90, step=10, key=K + "train", on_change=state.on_change, disabled=off("train"))
        if show("batch"):
            st.number_input("Batch size", 1, CAPS["points"], key=K + "batch", on_change=state.on_change, disabled=off("batch"),
                            help="Examples averaged in one update (1 = stochastic).")
        if show("seed"):
            c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
            c1.text_input("Seed", key=K + "seed", on_change=state.on_change, max_chars=32, disabled=off("seed"),
                          help="Same seed ⇒ same data and starting weights, for everyone who opens the link.")
            if sources.applies("new_data", source):
                c2.button("New data", on_click=state.new_seed, args=(s.cfg.seed,), width="stretch",
                          disabled=off("seed"))
        if show("features") and t.data.X.shape[1] == 2:
            st.pills("Input features", list(FEATURES), selection_mode="multi", key=K + "features",
                     on_change=state.on_change, format_func=lambda f: FEATURES[f].label, disabled=off("features"),
                     help="What the network sees of each point. At least one stays selected.")

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
            dc2.button("Clear", on_click=state.clear_canvas, width="stretch")
            st.caption(f"{len(canvas)} points" + (" (in the share link)" if len(canvas) <= drawn.MAX_LINK_POINTS
                                                  else " — too many for a link: download them") +
                       ("" if len(canvas) >= MIN_POINTS else f". Add at least {MIN_POINTS} to train."))
            st.download_button("Download points (CSV)", to_csv(canvas), "drawn-points.csv", "text/csv",
                               width="stretch", disabled=not len(canvas))

        st.header("Network")
        if show("layers"):
            st.number_input("Hidden layers", 0, CAPS["hidden_layers"], key=K + "layers", on_change=state.on_change,
                            disabled=off("layers"))
        n_layers = st.session_state.get(K + "layers", len(s.cfg.hidden))
        if n_layers and show("layers"):
            hc = st.columns(min(n_layers, 4))
            for i in range(n_layers):
                st.session_state.setdefault(K + f"h{i}", 4)
                hc[i % len(hc)].number_input(f"Layer {i + 1}", 1, CAPS["neurons"], key=K + f"h{i}", on_change=state.on_change,
                                             disabled=off("layers"))
        if n_layers and show("activation"):
            st.selectbox("Activation", TRAINABLE, key=K + "act", on_change=state.on_change, disabled=off("activation"),
                         format_func=lambda a: ACTIVATIONS[a].label)
            st.toggle("Per-layer activations", key=K + "per_layer", on_change=state.on_change, disabled=off("activation"))
            if st.session_state.get(K + "per_layer"):
                ac = st.columns(min(n_layers, 4))
                for i in range(n_layers):
                    st.session_state.setdefault(K + f"a{i}", st.session_state[K + "act"])
                    ac[i % len(ac)].selectbox(f"Layer {i + 1}", TRAINABLE, key=K + f"a{i}", on_change=state.on_change,
                                              disabled=off("activation"))
        if show("loss"):
            valid_losses = losses_for_task(*dataset_info(s.cfg.dataset))
            st.session_state[K + "loss"] = s.cfg.loss
            st.selectbox("Output + loss", valid_losses, key=K + "loss", on_change=state.on_change, disabled=off("loss"),
                         format_func=lambda n: LOSSES[n].short_label, help=LOSSES[st.session_state[K + "loss"]].label)
        if show("init"):
            st.selectbox("Initialisation", list(INITIALIZERS), key=K + "init", on_change=state.on_change, disabled=off("init"),
                         format_func=lambda n: INITIALIZERS[n].label)

        st.header("Training")
        if show("optimizer"):
            st.selectbox("Optimizer", list(OPTIMIZERS), key=K + "optimizer", on_change=state.on_change,
                         disabled=off("optimizer"), format_func=lambda n: OPTIMIZERS[n].label)
        if show("lr"):
            st.select_slider("Learning rate", state.steps(LEARNING_RATES, s.cfg.lr), key=K + "lr", on_change=state.on_change, disabled=off("lr"),
                             help="Changes take effect immediately, without a reset.")
        if show("reg"):
            rc1, rc2 = st.columns(2)
            rc1.selectbox("Regularisation", REGULARIZERS, key=K + "reg", on_change=state.on_change, disabled=off("reg"))
            rc2.select_slider("Rate", state.steps(REG_RATES, s.cfg.reg_rate), key=K + "reg_rate", on_change=state.on_change, disabled=off("reg"))
        if show("dropout"):
            st.slider("Dropout", 0.0, 0.9, step=0.05, key=K + "dropout", on_change=state.on_change, disabled=off("dropout"))
        if show("engine"):
            engines = available_engines()
            if st.session_state.get(K + "engine", "numpy") not in engines:
                engines.append(st.session_state[K + "engine"])
            st.radio("Engine", engines, key=K + "engine", on_change=state.on_change, horizontal=True, disabled=off("engine"),
                     format_func=lambda e: ENGINE_SPECS[e].label)
            if st.session_state.get(K + "engine") == "torch" and torch_available():
                st.radio("Device", ["cpu", "cuda"], key=K + "device", on_change=state.on_change, horizontal=True,
                         disabled=off("engine") or not cuda_available(), format_func=str.upper,
                         help="CUDA needs an NVIDIA GPU; without one the engine runs on the CPU.")
                st.caption(f"PyTorch is running on {escape_markdown(str(getattr(s.trainer.net, 'device', 'cpu')).upper())}"
                           + ("" if cuda_available() else " — no CUDA GPU on this server"))
        if show("stop"):
            with st.expander("Stop conditions"):
                st.number_input("Max epochs (0 = no limit)", 0, CAPS["max_epochs"], key=K + "max_epochs",
                                on_change=state.on_change, disabled=off("stop"))
                st.number_input("Target test loss (0 = none)", 0.0, 10.0, key=K + "target_loss", step=0.01,
                                format="%.3f", on_change=state.on_change, disabled=off("stop"))
                st.number_input("Early stopping patience (epochs, 0 = off)", 0, 100_000, key=K + "patience",
                                on_change=state.on_change, disabled=off("stop"))



def tools(s: PlaygroundSession, view: classroom.ClassroomView, page_file: str) -> None:
    """Share link, export and import, the code and the classroom link, in one row (presentation mode is
    every page's switch: ``present.present_switch``)."""
    show = view.visible
    row = st.columns([1, 1, 1, 1, 1.15], vertical_alignment="center")
    with row[0].popover("Share link", icon=":material/share:", width="stretch"):
        st.caption(escape_markdown(sources.link_note(current_source(s), len(s.data) if s.data is not None else 0,
                                                     st.session_state.get(USER_DATA_NAME_KEY, "table"), s.cfg.dataset)))
        st.code(page_url(page_file, s.share_query()), language=None, wrap_lines=True)
    if teacher_view():  # a teacher tool: students do not see it
        with row[3].popover("Classroom link", icon=":material/school:", width="stretch"):
            classroom_link_panel(s, page_file)
    companion_links(s)
    if show("export"):
        with row[1].popover("Export / import", icon=":material/save:", width="stretch"):
            export_panel(s)
        with row[2].popover("Show the code", icon=":material/code:", width="stretch"):
            code_panel(s)


def classroom_link_panel(s: PlaygroundSession, page_file: str) -> None:
    """The teacher's link builder: what students see and may change, and that this is not security."""
    st.caption("Choose what students see and may change; the link opens exactly this setup.")
    hide = st.multiselect("Hide these controls", list(classroom.CONTROLS), key=K + "cl_hide",
                          format_func=classroom.CONTROLS.get)
    lock = st.multiselect("Show but lock these", [c for c in classroom.CONTROLS if c not in hide], key=K + "cl_lock",
                          format_func=classroom.CONTROLS.get)
    present = st.toggle("Open in presentation mode", key=K + "cl_present")
    suffix = classroom.to_query(classroom.ClassroomView(frozenset(hide), frozenset(lock), present))
    st.code(page_url(page_file, s.share_query() + ("&" + suffix if suffix else "")), language=None, wrap_lines=True)
    st.caption("Hiding and locking keep a class focused on one idea; they are not security: a student can "
               "always open a plain link and change everything in their own browser.")
    teacher_tools_note()


def current_source(s: PlaygroundSession) -> str:
    """The Dataset selector's choice for the data in use: a built-in dataset, the uploaded table or drawing."""
    ss = st.session_state
    return sources.selected(ss.get(K + "draw", False), ss.get(K + "uploaded", False), s.cfg.dataset)


def export_panel(s: PlaygroundSession):
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
    st.download_button("Run as an animation (GIF, for slides)", lambda: animate.gif(s.trainer), "run.gif", "image/gif",
                       width="stretch", help=animate.HELP)
    st.file_uploader("Import a model file to inspect it or continue training", type=["json", "npz", "pt"],
                     key=K + "import", on_change=state.import_model)


def code_panel(s: PlaygroundSession):
    st.caption("Standalone scripts that train this network on the same data (packed inside the script), from the "
               "same starting weights, and print the same final losses as the app. Save one and run it in any "
               "folder: `python train_numpy.py` needs only NumPy; the PyTorch script also needs torch.")
    epochs = st.number_input("Epochs", 1, 100_000, max(s.trainer.epoch, 100), key=K + "code_epochs")
    scripts = (("NumPy", codegen.numpy_script, "train_numpy.py"), ("PyTorch", codegen.torch_script, "train_torch.py"))
    for tab, (_, make, fname) in zip(st.tabs([name for name, _, _ in scripts]), scripts):
        with tab:
            try:
                script = make(s.cfg, int(epochs))
            except codegen_parts.CodegenError as e:
                st.info(escape_markdown(e))
                continue
            st.download_button(f"Download {fname}", script, fname, "text/x-python")
            st.code(script, language="python", line_numbers=True, height=420)



def weight_editor(t):
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
                st.rerun()



def replay(t, view: classroom.ClassroomView):
    """Scrub back through recorded epochs: boundary, network and gradients as they were."""
    last = t.epoch
    if last < 1:
        st.info("Train a few epochs first: every epoch is recorded (thinned evenly over long runs).")
        return
    st.session_state[K + "replay_epoch"] = min(st.session_state.get(K + "replay_epoch", last), last)
    epoch = st.slider("Epoch to replay", 0, last, key=K + "replay_epoch",
                      help="Shows the nearest recorded epoch at or before the one chosen.")
    grid = st.session_state[K + "grid"][1]
    f = replays.frame_at(t, grid, epoch)
    losses = "" if f.train_loss is None else f" — training loss {f.train_loss:.4f}, test loss {f.test_loss:.4f}"
    st.caption(f"Recorded epoch {f.epoch}{losses}")
    rc1, rc2 = st.columns([1.35, 1])
    kw = {**views.network_kwargs(t, grid, f.maps), "params": f.params, "grads": f.grads}
    with rc1:
        live_plotly(network_figure(**kw, color_by=st.session_state.get(K + "color_by") or "weight",
                                   aspect=network_size(t, view)[1], spec=True),
                    key="pg_replay_net", height=380)
    with rc2:
        live_plotly(boundary_figure(f.boundary, grid, (t.train.X, t.train.y), None, task=t.task,
                                    n_classes=t.n_classes, class_names=t.data.class_names, spec=True),
                    key="pg_replay_boundary", height=380)
    live_plotly(gradient_heatmaps(f.grads, spec=True), key="pg_replay_grads", height=260)



def point_sizes(t, drive: str) -> dict:
    """The boundary figure's arguments that size the training points by their loss or gradient now."""
    if drive == "off" or t.train.X.shape[1] != 2:
        return {}
    return {"train_sizes": drivers.marker_sizes(drivers.point_scores(t, drive)),
            "train_ids": drivers.original_indices(t)}


def drive_note(t, drive: str) -> None:
    st.caption(drivers.explanation(drive))
    if t.removed:
        st.button(f"Bring back the {len(t.removed)} removed point{'s' * (len(t.removed) > 1)}",
                  on_click=state.bring_back, icon=":material/undo:", key=K + "bring_back")


def companion_links(s: PlaygroundSession) -> None:
    """Other views of this run, one click away: each page rebuilds it from the settings in its link."""
    q = {k: v for k, v in parse_qsl(s.share_query()) if k != "pts"}
    edit = st.session_state.get(K + "edit")
    weight = {"weight": f"w{int(edit[1]) + 1}.{int(edit[2]) + 1}.{int(edit[3]) + 1}"} if edit and edit[0] == "w" else {}
    links = st.columns(5)
    links[0].page_link("pages/predict.py", label="Predict, then reveal", icon=":material/psychology:", query_params=q,
                       help="Paint the boundary you expect before training, then see your score.")
    links[1].page_link("pages/whatif.py", label="What if…", icon=":material/fork_right:",
                       help=f"Branch this run at epoch {s.trainer.epoch:,} with one setting changed.", query_params={**q, "branch_at": str(s.trainer.epoch)})
    links[2].page_link("pages/chain.py", label="Chain rule", icon=":material/link:",
                       help="∂L/∂w of one weight, point by point, as the chain rule multiplies it out.",
                       query_params={**q, **weight})
    links[3].page_link("pages/warp.py", label="Warped space", icon=":material/grid_on:",
                       help="The input plane as the hidden units see it.",
                       query_params=dict(parse_qsl(s.share_query())))
    links[4].page_link("pages/sidebyside.py", label="NumPy vs PyTorch", icon=":material/compare:",
                       help="One training step in both engines, every gradient side by side.",
                       query_params=dict(parse_qsl(s.share_query())))
