"""Your data: browse the built-in data sets, or upload a CSV table and train on it.

File names, column names and cell values come from the user: they are shown
with data_table (plain cells; escaped when presenting) / st.text, or Markdown-escaped (text.escape_markdown),
never as HTML.
"""
import hashlib
from functools import partial

import streamlit as st

from playground.viz import data_figures as figs
from playground.run import realdata
from playground.data import uploads
from playground.data.datasets import DATASETS, describe
from playground.app.pages import PAGES
from playground.data.tables import to_csv
from playground.base.text import escape_markdown as esc
from playground.app.ui import data_table, entry_guard, live_fragment, live_plotly, plotly_chart, train_after_drawing

entry_guard()  # a deep link to /data must run under the entry script's navigation

K = "data_"  # session-state namespace
PLAYGROUND = next((p.path for p in PAGES if p.title == "Playground"), None)  # for st.page_link
state = st.session_state


def _playground_link(label: str, query: dict | None = None) -> None:
    """Link to the Playground, inside the app so the session and its uploaded data stay;
    ``query`` becomes the link's ``?dataset=…&loss=…``."""
    if PLAYGROUND is None:
        return
    st.page_link(PLAYGROUND, label=label, icon=":material/play_circle:", query_params=query)


def _preview(data, key: str) -> None:
    """Scatter of two columns (or the PCA projection) coloured by class or target."""
    names = data.feature_names
    d = len(names)
    mode, x_col, y_col = "columns", 0, min(1, d - 1)
    if d > 2:
        c = st.columns([2, 2, 2])
        mode = c[0].radio("View", realdata.PROJECTIONS, index=1, horizontal=True, key=f"{key}_mode",
                          format_func={"columns": "two columns", "pca": "PCA projection"}.get,
                          help="Two columns: a 2-D slice through the data. PCA: the two directions "
                               "along which the data varies most.")
        if mode == "columns":
            x_col = c[1].selectbox("x axis", range(d), 0, format_func=names.__getitem__, key=f"{key}_x")
            y_col = c[2].selectbox("y axis", range(d), 1, format_func=names.__getitem__, key=f"{key}_y")
    x, y, x_title, y_title = realdata.projection(data, mode, x_col, y_col)
    plotly_chart(figs.scatter_figure(x, y, data.y, data.task, data.class_names, x_title, y_title),
                 key=f"{key}_scatter", label=f"Scatter plot of {data.name}'s {len(x):,} rows: {y_title} against "
                                             f"{x_title}, " + ("coloured by the target" if data.task == "regression"
                                                               else "a colour a class"))


def _download(data, name: str, key: str) -> None:
    st.download_button("Download as CSV", partial(to_csv, data), file_name=f"{name}.csv",
                       mime="text/csv", on_click="ignore", key=key, icon=":material/download:")


def _quick_result(session) -> None:
    """Quick train's run: trained one frame per fragment run, inside the live pages' turns
    (``live_fragment``), so no page run spends more than a frame's training time; then the result."""
    @live_fragment(session, run_every=0.2)
    def live(seconds: float) -> None:
        trainer = session.trainer
        summary = trainer.summary()
        m = st.columns(3)
        for col, (label, value) in zip(m, realdata.quick_metrics(summary)):
            col.metric(label, value)
        if summary["message"]:
            st.error(esc(summary["message"]))
        elif session.playing:
            st.caption(f"Training… epoch {trainer.epoch} of {trainer.cfg.max_epochs}.")
        elif trainer.epoch < trainer.cfg.max_epochs:
            st.caption(f"Stopped after {trainer.epoch} epochs. {esc(session.notice)}")
        h = trainer.history
        live_plotly(figs.history_figure(h.epoch, {"train": h.train_loss, "test": h.test_loss}, "loss"),
                    key="data-quick-curve", height=260)
        train_after_drawing(session, lambda: session.frame(seconds))

    live()


st.title("Your data")
st.caption("Look inside the data sets the app ships with, or bring your own table.")
browse, upload = st.tabs(["Built-in data sets", "Upload a table"])

# ----- (a) built-in data sets ------------------------------------------------------------------------
with browse:
    with st.expander("All data sets", expanded=False):
        data_table(realdata.catalog_rows())
    name = st.selectbox("Data set", list(DATASETS), key=K + "dataset",
                        format_func=lambda n: f"{n} ({DATASETS[n].kind}, {DATASETS[n].task})")
    spec = DATASETS[name]
    data = realdata.load_builtin(name)
    st.markdown(spec.description)
    c = st.columns([2, 3])
    with c[0]:
        rows = realdata.summary_rows(data)
        data_table({"property": [r[0] for r in rows], "value": [r[1] for r in rows]})
        _playground_link("Train on it in the Playground", realdata.playground_query(name))
        _download(data, name, K + "download_builtin")
        if spec.kind == "real":
            with st.expander("About this data set (source, licence)"):
                st.text(describe(name))
    with c[1]:
        _preview(data, K + "builtin_" + name)

# ----- (b) upload ------------------------------------------------------------------------------------
with upload:
    file = st.file_uploader(
        "A CSV table: one row per example, one column per feature, plus a label column",
        type=["csv", "txt"], key=K + "file",
        max_upload_size=max(1, uploads.MAX_UPLOAD_BYTES // 1_000_000),
        help=f"Comma, semicolon or tab separated, UTF-8, at most {uploads.MAX_UPLOAD_BYTES:,} bytes. "
             "The first row may hold column names.")
    if file is None:
        st.info("No file yet. Example of a table the app can read:")
        st.code("petal_length,petal_width,species\n1.4,0.2,setosa\n4.7,1.4,versicolor\n6.0,2.5,virginica",
                language=None)
    else:
        raw = file.getvalue()
        digest = hashlib.sha256(raw).hexdigest()
        if state.get(K + "parsed", (None,))[0] != digest:  # parse each upload once, not on every rerun
            state[K + "parsed"] = (digest, *uploads.read_upload(file.name, raw))
        _, table, error = state[K + "parsed"]
        fid = digest[:16]  # widget keys: the same file uploaded again keeps its column choice
        display_name = uploads.clean_name(file.name)
        if state.get(K + "derived", (None,))[0] != digest:  # what is derived from this file's column choices
            state[K + "derived"] = (digest, {})
        derived = state[K + "derived"][1]
        if table is None:
            st.error(f"This file cannot be used: {esc(error)}")
        else:
            st.caption(f"{table.n_rows:,} rows × {len(table.columns)} columns, "
                       f"{ {',': 'comma', ';': 'semicolon'}.get(table.delimiter, 'tab')}-separated, "
                       f"{'with' if table.has_header else 'without'} a header row. First rows:")
            data_table(uploads.table_head(table))
            guess = realdata.remember(derived, "suggested", lambda: uploads.choose_columns(table)[2])
            c = st.columns([1, 2, 1])
            label = c[0].selectbox("Label (what to predict)", table.columns,
                                   index=table.columns.index(guess["label"]), key=f"{K}label_{fid}")
            options = [col for col in guess["numeric"] if col != label]
            features = c[1].multiselect("Features (inputs)", options, key=f"{K}features_{fid}",
                                        default=[col for col in guess["features"] if col in options])
            task_choice = c[2].radio("Task", ["auto", "classification", "regression"], key=f"{K}task_{fid}")
            data, error, info = realdata.remember(
                derived, (tuple(features), label, task_choice),
                lambda: uploads.choose_columns(table, features, label, task_choice))
            if info["excluded"]:
                st.caption("Not offered as features (a cell is empty, not a number or out of range): "
                           + "; ".join(esc(info["why_excluded"][col]) for col in info["excluded"][:5])
                           + (f"; and {len(info['excluded']) - 5} more columns"
                              if len(info["excluded"]) > 5 else ""))
            if data is None:
                st.error(esc(error))
            else:
                if task_choice == "auto":
                    st.caption(f"Automatic: **{esc(info['task'])}** (a text label, or few whole-number "
                               "values, means classification). Override it with Task.")
                c = st.columns([2, 3])
                with c[0]:
                    rows = realdata.summary_rows(data)
                    data_table({"property": [r[0] for r in rows], "value": [r[1] for r in rows]})
                    scale = st.toggle("Standardise (z-score)", True, key=K + "standardise",
                                      help="x' = (x − mean) / std for every feature column (and a "
                                           "regression target), so each has mean 0 and spread 1; "
                                           "without it, large-valued columns dominate and "
                                           "tanh/sigmoid neurons saturate.")
                    data_table(realdata.column_stats(data))
                    train = st.slider("Training share (%)", 10, 90, 70, 5, key=K + "train")
                final = realdata.remember(derived, (tuple(features), label, task_choice, scale),
                                          lambda: realdata.standardized(data) if scale else data)
                with c[1]:
                    _preview(final, f"{K}upload_{fid}")

                b = st.columns(3)
                if b[0].button("Use this data", type="primary", key=K + "use"):
                    if realdata.store_user_data(state, final, display_name):
                        st.success(f"Stored. In the Playground, choose “Uploaded: {esc(display_name)}” "
                                   f"in the Dataset list.")
                    else:
                        st.error("This data holds values that are not finite numbers; it was not stored "
                                 "and the data in use stays as it was.")
                signature = (digest, tuple(features), label, task_choice, scale, train)
                quick = state.get(K + "quick_run")
                if quick and quick[0] != signature:
                    quick[1].pause()  # another choice: the old run stops using the server
                    quick = None
                running = bool(quick and quick[1].playing)
                if b[1].button("Quick train (300 epochs)", key=K + "quick", disabled=running,
                               help="One hidden layer of 8 tanh neurons, Adam, lr 0.01. Trains in short "
                                    "turns shared with everyone's live pages, so a big table takes a while."):
                    quick = state[K + "quick_run"] = (signature, realdata.quick_session(final, train))
                    running = quick[1].playing
                if running:
                    b[2].button("Stop", key=K + "quick_stop", on_click=quick[1].pause)
                if quick:
                    _quick_result(quick[1])
    # The data the Playground will use, whatever happened to the latest file.
    current = state.get(realdata.USER_DATA_KEY)
    if current is not None:
        st.divider()
        current_name = state.get(realdata.USER_DATA_NAME_KEY, "table")
        st.markdown(f"**In use:** Uploaded: {esc(current_name)} · {len(current):,} rows, "
                    f"{current.X.shape[1]:d} features, {esc(current.task)}")
        c = st.columns([1, 1, 3])
        with c[0]:
            _playground_link("Open the Playground")
        with c[1]:
            _download(current, uploads.clean_name(current_name).replace(" ", "_"), K + "download_current")
