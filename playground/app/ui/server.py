"""The server's sessions: training slots, the teacher's key, hidden and closed tabs, the stats file."""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from typing import Any

import streamlit as st
from streamlit import runtime

from playground.app.ui.charts import moved_notice, tab_hidden
from playground.base import capacity, memory
from playground.base.text import escape_markdown
from playground.teach import classroom
from playground.run.session import pause_hidden

_TEACHER_KEY = "_playground_teacher"
_STUDENT_LINK_KEY = "_playground_student_link"  # this session was opened from a classroom link (hide=/lock=)
_owners: dict[str, list[weakref.ref]] = {}  # session key -> what it trains (weakly: no memory is kept)
_owners_lock = threading.Lock()
_sweeper: threading.Thread | None = None
_sweeper_lock = threading.Lock()
#: How often the server looks for closed tabs, frees idle slots and writes the stats file.
SWEEP_SECONDS = 1.0
#: A session whose browser went away is stopped at once and forgotten after this long, unless the browser
#: reconnects first (a dropped connection on a classroom network resumes the session as it was).
CLOSED_GRACE_SECONDS = 10.0
_gone_since: dict[str, float] = {}  # session key -> when the sweeper first found it disconnected


def session_key() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def server_session() -> None:
    """Every full page run (the entry script calls it): count this browser session as connected, take a
    teacher key from the link (``?teacher=…``, removed from the address bar at once and never shown), and
    make sure the server's sweeper runs.

    The sweeper (one daemon thread per server process, started on the first page run under a real
    server) checks once a second which sessions' browsers are still connected: a closed tab's session is
    stopped at once (whatever it trains stops playing) and loses its training slot; unless its browser
    reconnects within ``CLOSED_GRACE_SECONDS`` it is then closed, which releases its memory, instead of
    being kept for ``server.disconnectedSessionTTL``, and forgotten. It also frees the slots of sessions
    that have not trained for ``capacity.RELEASE_AFTER_SECONDS``, and writes ``capacity.REGISTRY.stats()``
    to ``$PLAYGROUND_STATS_FILE`` when that is set.
    """
    capacity.REGISTRY.seen(session_key())
    if capacity.TEACHER_PARAM in st.query_params:
        given = st.query_params.get(capacity.TEACHER_PARAM)
        del st.query_params[capacity.TEACHER_PARAM]
        if capacity.is_teacher_key(given, os.environ.get(capacity.TEACHER_KEY_ENV)):
            st.session_state[_TEACHER_KEY] = True
        elif not st.session_state.get(_TEACHER_KEY):
            st.warning("The teacher key in this link is not this server's: this browser session counts as a "
                       "student's.", icon=":material/key_off:")
    if classroom.parse(dict(st.query_params))[0].is_classroom:
        st.session_state[_STUDENT_LINK_KEY] = True
    moved_notice()
    _start_sweeper()


def teacher_view() -> bool:
    """Whether this browser session sees the teacher tools (``classroom.teacher_tools``): the teacher (a link
    with the server's teacher key) always; with no key set on the server, everyone except a session opened from
    a classroom link; with a key set, nobody else."""
    return classroom.teacher_tools(bool(st.session_state.get(_TEACHER_KEY, False)),
                                   bool(os.environ.get(capacity.TEACHER_KEY_ENV)),
                                   bool(st.session_state.get(_STUDENT_LINK_KEY, False)))


def teacher_tools_note() -> None:
    """Beside a teacher tool, when the server has no teacher key: who else sees it, and how to hide it."""
    if not os.environ.get(capacity.TEACHER_KEY_ENV):
        st.caption(f"No teacher key is set on this server, so everyone who opens it sees the teacher tools, "
                   f"except in classroom links. For a class, start the server with "
                   f"{escape_markdown(capacity.TEACHER_KEY_ENV)} set to a secret of your choice and open it "
                   f"yourself with `?{escape_markdown(capacity.TEACHER_PARAM)}=` and that secret: students then see "
                   f"no teacher tools.")


def claim_training(owner: Any) -> bool:
    """Before training (Play, Step, a page's quick train): a training slot for this browser session.

    False when the class server is full: ``owner`` (a session or a race) is paused and its ``notice``
    names the limit and what to do. A teacher (``server_session``) may take a reserved slot.
    """
    key = session_key()
    with _owners_lock:
        refs = [r for r in _owners.get(key, []) if r() is not None and r() is not owner]
        _owners[key] = refs + [weakref.ref(owner)]
        others = [o for o in (r() for r in refs) if o is not None and getattr(o, "playing", False)]
    nbytes = sum(memory.training_bytes(o) for o in [owner, *others])  # what this tab's training networks hold
    refused = capacity.REGISTRY.admit(key, teacher=bool(st.session_state.get(_TEACHER_KEY, False)), nbytes=nbytes)
    if refused:
        owner.playing, owner.notice = False, refused
    elif capacity.is_full_message(owner.notice):
        owner.notice = ""  # a slot came free: the old refusal no longer holds
    return not refused


def may_go_on(owner: Any, key: str) -> bool:
    """May a playing ``owner`` train this frame? If not, it is paused with its reason."""
    if tab_hidden():  # nobody is watching: stop using the server's CPU
        pause_hidden(owner)
        return False
    # Ask again every frame: a freed slot (or one never asked for) is claimed again, and a run that grew since
    # (a bigger network or more points, applied while playing) is weighed again.
    return claim_training(owner)


def _serving() -> bool:
    """True under a real server (not bare mode, not AppTest, whose runtime is a stand-in)."""
    return runtime.exists() and issubclass(type(runtime.get_instance()), runtime.Runtime)


def _start_sweeper() -> None:
    global _sweeper
    if not _serving():
        return  # bare mode and AppTest: no server, no browsers to watch
    with _sweeper_lock:
        if _sweeper is None or not _sweeper.is_alive():
            _sweeper = threading.Thread(target=_sweep_forever, name="playground-sessions", daemon=True)
            _sweeper.start()


def _sweep_forever() -> None:
    while True:
        time.sleep(SWEEP_SECONDS)
        try:
            sweep_sessions()
        except Exception as e:  # noqa: BLE001 - the sweeper must outlive any one bad round
            print(f"playground: session sweep failed: {type(e).__name__}: {e}", file=sys.stderr)


def sweep_sessions() -> None:
    """One round of the sweeper (see ``server_session``)."""
    if not _serving():
        return
    rt, now = runtime.get_instance(), time.monotonic()
    closed = []
    for key in capacity.REGISTRY.keys():
        if rt.is_active_session(key):
            _gone_since.pop(key, None)
        elif key not in _gone_since:  # just went away: stop at once, forget after the grace
            _gone_since[key] = now
            _stop(key)
            capacity.REGISTRY.release(key)
        elif now - _gone_since[key] >= CLOSED_GRACE_SECONDS:
            closed.append(key)
    for key in closed:
        del _gone_since[key]
        _forget(rt, key)
    freed = capacity.REGISTRY.sweep(closed)
    if closed or freed:
        _trim_heap()
    path = os.environ.get(capacity.STATS_FILE_ENV)
    if path:
        capacity.write_stats(path, capacity.REGISTRY.stats())


def _stop(key: str) -> None:
    """Whatever session ``key`` trains stops playing (its browser is gone: no frame should train for it)."""
    with _owners_lock:
        refs = list(_owners.get(key, []))
    for ref in refs:
        owner = ref()
        if owner is not None:
            owner.playing = False


def _forget(rt: Any, key: str) -> None:
    """A closed tab: close its stored session (which holds its memory); a late reconnect starts afresh."""
    with _owners_lock:
        _owners.pop(key, None)
    rt.mark_session_nonresumable(key)
    close = getattr(rt, "_close_inactive_session_on_event_loop", None)  # Streamlit 1.67; else its TTL
    if close is not None:
        close(key)


def _trim_heap() -> None:
    """Hand freed memory back to the operating system (glibc keeps freed NumPy buffers otherwise)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the memory is still free for the process to reuse
