"""Predict, then reveal: commit to a prediction before training, then see it scored against the real run.

Thin page: ``playground.run.prediction`` scores, ``playground.viz.predict`` draws, ``playground.run.session``
trains.  The setup and the prediction live in the link (the Playground's keys plus ``pred``, ``pred_curve``,
``pred_acc``, ``pred_epochs``), so a teacher can hand out a link that opens with a prediction to test.
"""
import dataclasses
from urllib.parse import parse_qsl

import streamlit as st

from playground.run import prediction as pr
from playground.viz.predict import paint_figure, reveal_figure
from playground.run.config import from_query
from playground.viz.curves import loss_figure
from playground.run.session import PlaygroundSession
from playground.base.text import capped, escape_markdown
from playground.run.views import grid_for
from playground.app.ui import (address, announce, claim_training, entry_guard, live_fragment, live_plotly,
                               room_prediction, stale_address, steady_live_views, train_after_drawing, uninterrupted,
                               wrote_address)

entry_guard()
steady_live_views()

K = "pr."
ss = st.session_state
PRED_KEYS = ("pred", "pred_curve", "pred_acc", "pred_epochs")
REVEALED = "predict.revealed"  # datasets this browser session has predicted and revealed (Lessons reads it)
ACC_STEPS = ("no guess", *range(50, 101, 5))


def _start(query: dict) -> None:
    cfg, warnings = from_query({k: v for k, v in query.items() if k not in PRED_KEYS})
    pred, more = pr.parse_prediction(query)
    ss[K + "cfg"], ss[K + "pred"], ss[K + "warnings"] = cfg, pred, warnings + more
    _new_run()
    ss[K + "curve"] = pred.curve or None
    ss[K + "acc"] = pred.accuracy if pred.accuracy is not None else "no guess"
    ss[K + "epochs"] = pred.epochs
    _write_query()


def _new_run() -> None:
    """A fresh run of the link's setup that stops by itself after the chosen number of epochs."""
    cfg, pred = ss[K + "cfg"], ss[K + "pred"]
    stop = min(cfg.max_epochs or pred.epochs, pred.epochs)
    ss[K + "session"] = PlaygroundSession(dataclasses.replace(cfg, max_epochs=stop, speed="max"))
    ss[K + "phase"] = "predict"


def _write_query() -> None:
    q = f"{ss[K + 'cfg'].to_query()}&{ss[K + 'pred'].to_query()}"
    st.query_params.from_dict(dict(parse_qsl(q, keep_blank_values=True)))
    ss[K + "query"] = address()
    wrote_address(ss[K + "query"])


def _set_pred(**changes) -> None:
    ss[K + "pred"] = dataclasses.replace(ss[K + "pred"], **changes)
    _write_query()


@uninterrupted
def _from_widgets() -> None:
    acc = ss[K + "acc"]
    _set_pred(curve=ss[K + "curve"] or "", accuracy=None if acc == "no guess" else int(acc), epochs=ss[K + "epochs"])
    _new_run()


@uninterrupted
def _fill() -> None:
    name = ss.get(K + "fill")
    if name:
        _set_pred(cells=pr.fill(name, ss[K + "pred"].cells))
    ss[K + "fill"] = None


@uninterrupted
def _lock_in() -> None:
    s = ss[K + "session"]
    if claim_training(s):
        ss[K + "phase"] = "training"
        s.play()
        _tell_room()


def _tell_room(truth=None, score=None) -> None:
    """In a room, the painted prediction (and once revealed, the truth and the agreement) goes to the teacher."""
    cells, cfg = ss[K + "pred"].cells, ss[K + "cfg"]
    if cells is not None and any(cells):
        setup = pr.setup_key(cfg, ss[K + "pred"].epochs)
        room_prediction(ss[K + "session"].trainer, pr.RoomPrediction(cells, truth, score, setup), cfg.to_query())


@uninterrupted
def _again() -> None:
    _new_run()


if K + "session" in ss and address() and address() != ss.get(K + "query") and stale_address(address()):
    _write_query()
elif K + "session" not in ss or (address() and address() != ss.get(K + "query")):
    _start(dict(st.query_params))
s: PlaygroundSession = ss[K + "session"]
t = s.trainer
pred: pr.Prediction = ss[K + "pred"]

st.title("Predict, then reveal")
st.caption("Before the network trains, commit to what you think it will do. Guessing first, then checking, is "
           "how a picture turns into understanding: the surprise is where you learn something.")
for w in capped(escape_markdown(m) for m in ss[K + "warnings"]):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")
cfg = ss[K + "cfg"]
net = f"hidden layers {', '.join(map(str, cfg.hidden))}" if cfg.hidden else "no hidden layer"
st.markdown(f"**Setup** · data *{escape_markdown(t.data.name)}* · {escape_markdown(net)} · "
            f"{escape_markdown(cfg.activations()[0] if cfg.hidden else 'linear')} · learning rate {cfg.lr:g} · "
            f"{pred.epochs} epochs")
no_paint = pr.can_paint(t)
phase = ss[K + "phase"]

if phase == "predict":
    left, right = st.columns([1.2, 1])
    with left:
        if no_paint:
            st.info(escape_markdown(no_paint))
        else:
            grid_domain = grid_for(t, 10).domain
            click = live_plotly(paint_figure(t, pred.cells, spec=True), key="pr_paint", height=460, events=True,
                                config={"displayModeBar": False})
            if click and click.get("x") is not None:
                cells = pred.cells
                for c in click["batch"]:  # every click since the last run, in order
                    cells = pr.toggle_cell(cells, pr.cell_at(c.get("x"), c.get("y"), grid_domain))
                _set_pred(cells=cells)
                st.rerun()
            st.caption("Click (or tap) a cell to paint it blue = positive; click again to clear it. "
                       "Or fill a shape below (keyboard friendly).")
            st.selectbox("Quick fill", ["invert", *pr.FILLS], index=None, key=K + "fill", on_change=_fill,
                         placeholder="Fill a shape…", format_func=lambda f: pr.FILLS.get(f, "Swap blue and empty"))
    with right:
        st.radio("The training loss curve will…", list(pr.CURVES), key=K + "curve", index=None, on_change=_from_widgets,
                 format_func=lambda c: f"{pr.CURVES[c][0]}: {pr.CURVES[c][1]}")
        if t.task != "regression":
            st.select_slider("Final test accuracy (%)", ACC_STEPS, key=K + "acc", on_change=_from_widgets)
        st.selectbox("Train for", pr.EPOCH_CHOICES, key=K + "epochs", on_change=_from_widgets,
                     format_func=lambda e: f"{e} epochs")
        painted = pred.cells is not None and any(pred.cells)
        st.button("Lock in my prediction and train", icon=":material/lock:", type="primary", on_click=_lock_in,
                  disabled=not (painted or pred.curve or pred.accuracy is not None), width="stretch")
        if not (painted or pred.curve or pred.accuracy is not None):
            st.caption("Paint at least one cell, or pick a curve or an accuracy, to lock in.")


@live_fragment(s, run_every=0.25)
def live_training(seconds: float):
    tr = s.trainer
    st.progress(min(1.0, tr.epoch / pred.epochs), text=f"Training… epoch {tr.epoch} of {pred.epochs}")
    announce(f"Training, epoch {tr.epoch} of {pred.epochs}", key="pr_announce")
    live_plotly(loss_figure(tr.history, task=tr.task, spec=True), key="pr_loss_live", height=260,
                watch_visibility=True)
    train_after_drawing(s, lambda: s.frame(seconds))


if phase == "training":
    if t.stopped:  # the chosen number of epochs is done (or the run diverged): reveal
        ss[K + "phase"] = phase = "revealed"
    elif s.playing:
        live_training()
    else:  # paused on the way (tab in the background, server full, idle): say why, and go on when asked
        st.progress(min(1.0, t.epoch / pred.epochs), text=f"Paused at epoch {t.epoch} of {pred.epochs}")
        if s.notice:
            st.info(escape_markdown(s.notice))
        st.button("Continue training", icon=":material/play_arrow:", type="primary", on_click=_lock_in)

if phase == "revealed":
    ss.setdefault(REVEALED, set()).add(t.data.name)
    h = t.history
    if t.message:
        st.error(escape_markdown(t.message), icon=":material/warning:")
    left, right = st.columns([1.2, 1])
    with left:
        if not no_paint and pred.cells is not None:
            truth = pr.truth_cells(t)
            score = pr.score_cells(pred.cells, truth)
            _tell_room(truth, round(score.percent))
            live_plotly(reveal_figure(t, pred.cells, truth, spec=True), key="pr_reveal", height=460,
                        config={"displayModeBar": False})
            st.metric("Agreement with the network", f"{score.percent:.0f} %",
                      help="Cells where your colour matches the network's (its majority over 36 samples in the "
                           "cell) ÷ 64 cells.")
            st.caption(f"{score.agree:d} of {score.total:d} cells agree.")
            miss = pr.biggest_miss(pred.cells, truth, t)
            (st.info if miss else st.success)(escape_markdown(miss or "Every cell right: you read this network "
                                                                       "perfectly."), icon=":material/search:")
        elif no_paint:
            st.info(escape_markdown(no_paint))
        else:
            st.info("You did not paint the boundary this time.")
    with right:
        live_plotly(loss_figure(h, task=t.task, spec=True), key="pr_loss", height=260)
        shape = pr.curve_shape(h)
        (st.success if pred.curve == shape else st.info)(escape_markdown(pr.curve_verdict(pred.curve, shape)))
        if t.task != "regression":
            st.write(escape_markdown(pr.accuracy_verdict(pred.accuracy, h.test_metric[-1])))
        c1, c2 = st.columns(2)
        c1.button("Predict again", icon=":material/replay:", on_click=_again, width="stretch",
                  help="Same setup, a fresh run from epoch 0; change your prediction first if you like.")
        c2.page_link("pages/play.py", label="Open in the Playground", icon=":material/hub:",
                     query_params=dict(parse_qsl(cfg.to_query(), keep_blank_values=True)), width="stretch")
