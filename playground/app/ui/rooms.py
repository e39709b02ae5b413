"""Rooms, the student's side (the teacher's page is pages/room.py): a student link ``/play?room=CODE`` asks
for a nickname on the room page, then the Playground reports its status every ~2 s and applies the teacher's
pushes, also while it is paused."""
from __future__ import annotations

from typing import Any

import streamlit as st

from playground.app.ui.links import address, wrote_address
from playground.base.text import escape_markdown

ROOM_PAGE = "pages/room.py"
_ROOM_MEMBER = "_playground_room_member"  # rooms.Member while this browser session is in a room
_ROOM_SEEN = "_playground_room_seen"  # {"push": version applied, "lesson": id}
_ROOM_WRITER = "_playground_room_writer"


def room_redirect() -> None:
    """On the Playground: a student link ``/play?room=CODE`` opens the room page to choose a nickname."""
    code = st.query_params.get("room")
    if code is not None and st.session_state.get(_ROOM_MEMBER) is None:
        st.switch_page(ROOM_PAGE, query_params={"join": str(code)[:20]})
    elif code is not None:
        del st.query_params["room"]  # already in: the Playground's link is its setup


def enter_room(member: Any, room: Any) -> None:
    """After joining: remember the membership in this session and open the Playground on the room's setup."""
    from urllib.parse import parse_qsl

    st.session_state[_ROOM_MEMBER] = member
    st.session_state[_ROOM_SEEN] = {"push": room.push_version, "lesson": room.push_lesson}
    st.switch_page("pages/play.py", query_params=dict(parse_qsl(room.push_query)) or None)


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
    status = roomviews.status_of(t, playing=session.playing, custom=session.data is not None, link=link)
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
