"""Rooms, the student's side (the teacher's page is pages/room.py): a student link ``/play?room=CODE`` asks
for a nickname on the room page, then the Playground reports its status every ~2 s and applies the teacher's
pushes, also while it is paused. A setup in the student link (``/play?room=CODE&dataset=xor&hidden=4``) goes
with the student through the nickname step: the Playground opens on it unless the teacher has pushed one."""
from __future__ import annotations

from typing import Any

import streamlit as st

from playground.app.ui.charts import plotly_chart
from playground.app.ui.links import address, wrote_address
from playground.base.text import escape_markdown

ROOM_PAGE = "pages/room.py"
_ROOM_MEMBER = "_playground_room_member"  # rooms.Member while this browser session is in a room
_ROOM_SEEN = "_playground_room_seen"  # {"push": version applied, "lesson": id}
_ROOM_WRITER = "_playground_room_writer"
_ROOM_PRED = "_playground_room_prediction"  # prediction.RoomPrediction.to_room(), sent with every status
_NOT_SETUP = ("room", "join", "key")  # a room link's keys that are not the Playground's setup


def room_redirect() -> None:
    """On the Playground: a student link ``/play?room=CODE`` opens the room page to choose a nickname; the
    rest of the link (the setup) goes along, for ``enter_room``."""
    code = st.query_params.get("room")
    if code is not None and st.session_state.get(_ROOM_MEMBER) is None:
        st.switch_page(ROOM_PAGE, query_params={**_link_setup(), "join": str(code)[:20]})
    elif code is not None:
        del st.query_params["room"]  # already in: the Playground's link is its setup


def _link_setup() -> dict[str, str]:
    """This page's link without the room's own keys: the setup a student link carries."""
    return {k: v for k, v in st.query_params.items() if k not in _NOT_SETUP}


def join_setup() -> tuple[str, str]:
    """On the room page's join step: the setup the student link carried (its query without the room's own
    keys), and a message when it was left out (longer than a pushed link may be). The Playground checks it."""
    from urllib.parse import urlencode

    from playground.teach.rooms import MAX_LINK

    query = urlencode(_link_setup())
    if len(query) > MAX_LINK:
        return "", f"The link's setup was left out: a setup link has at most {MAX_LINK:,} characters; this one " \
                   f"has {len(query):,}. The Playground opens on the room's setup."
    return query, ""


def enter_room(member: Any, room: Any, setup: str = "") -> None:
    """After joining: remember the membership in this session and open the Playground on the setup the teacher
    pushed last, or else the one the student link carried (``setup``, a query), or else the default."""
    from urllib.parse import parse_qsl

    st.session_state[_ROOM_MEMBER] = member
    st.session_state[_ROOM_SEEN] = {"push": room.push_version, "lesson": room.push_lesson}
    query = room.push_query if room.push_version else setup
    st.switch_page("pages/play.py", query_params=dict(parse_qsl(query, keep_blank_values=True)) or None)


def room_member() -> Any:
    return st.session_state.get(_ROOM_MEMBER)


def room_student(session: Any) -> None:
    """While this session is in a room, a light fragment every ``rooms.STATUS_SECONDS`` (also while the
    Playground is paused) writes the run's status, applies a pushed setup or lesson, and answers the
    teacher's request for the full model (the projector)."""
    if st.session_state.get(_ROOM_MEMBER) is not None:
        _room_fragment(session)


@st.fragment(run_every=2.0)
def _room_fragment(session: Any) -> None:
    from urllib.parse import parse_qsl

    from playground.teach import goals, rooms
    from playground.teach.lessons import LESSONS
    from playground.viz import roomviews

    member = st.session_state.get(_ROOM_MEMBER)
    if member is None:
        return
    store = rooms.open_store()
    try:
        poll = store.poll(member)
    except Exception as e:  # noqa: BLE001 - a database hiccup must not break the student's Playground
        st.caption(f"Room {escape_markdown(member.code)}: not reachable just now ({escape_markdown(type(e).__name__)}); retrying.")
        return
    if poll is None:
        st.session_state.pop(_ROOM_MEMBER, None)
        st.info(f"Room {escape_markdown(member.code)} has closed; your Playground carries on on its own.")
        return
    room, seen = poll.room, st.session_state.setdefault(_ROOM_SEEN, {"push": 0, "lesson": ""})
    if room.push_version > seen["push"]:
        seen.update(push=room.push_version, lesson=room.push_lesson)
        st.query_params.from_dict(dict(parse_qsl(room.push_query)))
        wrote_address(address())  # the teacher's link, even one this student had before: not an echo
        st.rerun()  # the whole page: it reads its setup from the new link
    t = session.trainer
    link = session.share_query()
    if poll.snapshot_requested > 0:
        store.put_snapshot(member, *roomviews.snapshot_of(t, link, session.data))
    writer = st.session_state.setdefault(_ROOM_WRITER, roomviews.StatusWriter())
    status = roomviews.status_of(t, playing=session.playing, custom=session.data is not None, link=link,
                                 pred=st.session_state.get(_ROOM_PRED, ""))
    solved, line = None, ""
    if room.challenge:
        try:
            goal = goals.parse_goal(room.challenge)
            met, detail = goal.check(status.__dict__)
            solved = (room.challenge_version, status.epoch) if met else None
            line = f" · Challenge: {goal.text} — {'reached!' if met else detail}"
        except goals.GoalError:
            pass
    if writer.due(status.progress_key()) or solved:
        store.write_status(member, status.to_json(), solved)
        writer.wrote(status.progress_key())
    lesson = LESSONS.get(seen.get("lesson") or "")
    if lesson is not None and lesson.source == "playground":
        st.info(f"**Lesson from your teacher: {lesson.title}** — {lesson.task} Goal: {lesson.goal} "
                f"({lesson.check(t).detail})", icon=":material/school:")
    st.caption(escape_markdown(f"Room {member.code} as {member.nickname}{line}"))


def room_prediction(trainer: Any, pred: Any, link: str) -> None:
    """On the Predict page, in a room: send the committed prediction (a ``prediction.RoomPrediction``) with a
    status of the Predict page's run now, once per change; later statuses from the Playground carry it too."""
    from playground.teach import rooms
    from playground.viz import roomviews

    member = st.session_state.get(_ROOM_MEMBER)
    text = pred.to_room()
    if member is None or st.session_state.get(_ROOM_PRED) == text:
        return
    st.session_state[_ROOM_PRED] = text
    status = roomviews.status_of(trainer, playing=False, custom=False, link=link, pred=text)
    try:
        rooms.open_store().write_status(member, status.to_json())
    except Exception:  # noqa: BLE001 - a database hiccup must not break the page; the Playground resends it
        st.session_state.pop(_ROOM_PRED, None)


def predictions_view(students: list[dict], per_row: int = 6) -> None:
    """The teacher's Predictions view: the class's average prediction beside the truth for each setup, then
    each student's painted grid beside the network's, nickname and agreement, the best agreement first."""
    from collections import defaultdict

    from playground.run.prediction import class_average, from_room
    from playground.viz.predict import cells_png, class_figure

    made = [(s, p) for s in students if (p := from_room(s["status"].get("pred"))) is not None]
    if not made:
        st.info("No predictions yet: students paint one on the Predict page (push a Predict link, or they open "
                "Predict from the menu) and lock it in.")
        return
    groups = defaultdict(list)
    for s, p in made:
        groups[p.setup].append((s, p))
    for setup, group in sorted(groups.items(), key=lambda g: -len(g[1])):
        preds = [p for _, p in group]
        avg, truth = class_average(preds)
        first = preds[0]
        name = first.dataset or "an unnamed setup"
        shown = sum(p.score is not None for p in preds)
        scores = [p.score for p in preds if p.score is not None]
        mean = f" · average agreement {sum(scores) / len(scores):.0f} %" if scores else ""
        st.markdown(escape_markdown(f"{name}, {first.epochs or '?'} epochs: {len(preds)} predictions, {shown} "
                                    f"revealed{mean}"))
        fig = class_figure(avg, truth, dataset=name)
        chart_label = (f"Class average prediction on {name} from {len(preds)} students beside the network's cells"
                       + ("" if truth is not None else " (not revealed yet)"))
        plotly_chart(fig, key=f"room_pred_avg_{setup}", config={"displayModeBar": False}, label=chart_label)
        st.caption(escape_markdown(chart_label))
        group.sort(key=lambda sp: (sp[1].score is None, -(sp[1].score or 0), sp[0]["nickname"].casefold()))
        for start in range(0, len(group), per_row):
            cols = st.columns(per_row)
            for col, (s, p) in zip(cols, group[start:start + per_row]):
                with col.container(border=True):
                    pics = st.columns(2)
                    pics[0].image(cells_png(p.cells, p.truth), caption="painted", width="stretch")
                    if p.truth is not None:
                        pics[1].image(cells_png(p.truth), caption="network", width="stretch")
                    score = "training…" if p.score is None else f"{p.score} % agree"
                    st.markdown(f"**{escape_markdown(s['nickname'])}**")
                    st.caption(escape_markdown(score))
