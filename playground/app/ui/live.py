"""Live pages: the ticking fragment, training after drawing, callbacks a rerun cannot cut short, and the
laptop layout's CSS (presentation mode: ``present``)."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

import streamlit as st

from playground.app.ui.keys import SHORTCUTS_HELP, keyboard_shortcuts
from playground.app.ui.live_common import frames_in_one_run
from playground.app.ui.present import presenting
from playground.app.ui.server import claim_training, may_go_on, session_key
from playground.base import capacity
from playground.base import memory
from playground.run.session import FRAME_SECONDS

def live_fragment(owner: Any, run_every: float, burst: float = 0.0) -> Callable[[Callable[[float], None]], Callable[[], None]]:
    """Decorator for a page's live view: ``body(seconds)`` becomes a fragment that reruns every
    ``run_every`` s while ``owner.playing`` (a session or a race); ``seconds`` is the most a frame
    may train (``FRAME_SECONDS``).  Drawing runs beside other sessions; the training call takes its
    turn in the server's ``LIVE_GATE`` itself (``PlaygroundSession.frame``, ``Race.tick``).

        @live_fragment(session, run_every=0.2)
        def live(seconds):
            draw(session.trainer)
            train_after_drawing(session, lambda: session.frame(seconds))

    ``burst``: while playing, one fragment run draws and trains a frame every ``run_every`` s for up to
    ``burst`` s (``body`` is called once a frame), instead of one frame a run.  Why: Streamlit's own work
    for a fragment run that draws nothing (~4.6 ms of the server's CPU here: a new script thread, a new-session
    message, the end-of-run messages) was most of a frame; an element sent inside a running script costs
    ~2 ms (docs/measurements.md).  Between frames the run waits with yield points every ``_WAIT_STEP`` s,
    so a click (Pause, a slider) stops it as quickly as it stops a frame; the bursts end so that the page's
    other fragments (a room's status, the slower panels) run in between, and so that a browser that falls
    behind asks for the next burst later; a burst also ends after the frame in which another of the page's
    fragments asked to run (``another_fragment_waiting``).  The browser's timer asks for a run every
    ``_BURST_TIMER`` frames, also while one is going on (Streamlit queues one request, and the next burst
    starts as soon as this one ends): each request costs the server ~0.5 ms, and the first burst after Play
    waits for the timer.  The body's live feeds (``charts.live_feed``) replace each other in one slot
    (``frames_in_one_run``).
    """
    bursts = burst > run_every
    timer = run_every * (_BURST_TIMER if bursts else 1)

    def wrap(body: Callable[[float], None]) -> Callable[[], None]:
        @st.fragment(run_every=timer if owner.playing else None)
        def fragment() -> None:
            if not bursts or not (owner.playing and fragment_rerun()):
                body(FRAME_SECONDS)
                return
            end = time.monotonic() + burst
            with frames_in_one_run():
                while True:
                    started = time.monotonic()
                    body(FRAME_SECONDS)
                    if not owner.playing or started + run_every >= end or another_fragment_waiting():
                        return
                    _wait_until(started + run_every)
        return fragment
    return wrap


#: In bursts, the browser's timer asks for a run every this many frames (the first burst starts that long after Play).
_BURST_TIMER = 2
#: Between a burst's frames the run looks for a click this often (``yield_point``).
_WAIT_STEP = 0.02


def _script_requests() -> Any:
    """The current run's request queue (Streamlit 1.67: the script runner's private ``script_requests``), or
    None: the one place that reaches into it (``another_fragment_waiting``, ``uninterrupted``)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return getattr(get_script_run_ctx(), "script_requests", None)


def another_fragment_waiting() -> bool:
    """Whether a run of another fragment of the page (a room's status, the Activation panel) waits for this run
    to end: Streamlit runs a fragment's queued runs only after the run in progress.  Reads Streamlit's request
    queue (1.67: the runner's ``script_requests``, a pending rerun and its ``fragment_id_queue``, and the fragment
    running now); where those are missing, False, and a burst runs its whole length."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    requests = _script_requests()
    if getattr(getattr(requests, "_state", None), "name", None) != "RERUN":
        return False
    queue = getattr(getattr(requests, "_rerun_data", None), "fragment_id_queue", None) or ()
    try:  # the fragment running now (a run may run several, one after the other)
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        running = ThreadState.get().fragment_id
    except Exception:  # noqa: BLE001 - another Streamlit: the run's fragments
        running = None
    mine = {running} if running else set(getattr(ctx, "fragment_ids_this_run", None) or ())
    return any(f not in mine for f in queue)


def _wait_until(when: float) -> None:
    """Sleep until ``time.monotonic()`` is ``when``, letting Streamlit stop the run every ``_WAIT_STEP`` s."""
    while (left := when - time.monotonic()) > 0:
        time.sleep(min(left, _WAIT_STEP))
        yield_point()


def fragment_rerun() -> bool:
    """Whether this script run is a fragment's own (a live frame), not a run of the whole page."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def train_after_drawing(owner: Any, train: Callable[[], Any]) -> None:
    """The end of a live frame: while ``owner.playing``, ``train()`` the next frame; if that stopped
    play (a stop condition, nobody touching a control), rerun the page to end the ticking and draw the
    final state and buttons.

    Why after drawing: a fragment's next run drops whatever of its previous run has not reached the
    browser yet, so training first (while the last frame was still being sent) lost the last charts
    of many frames; and while a run is busy Streamlit greys the elements it has not re-sent. Drawn
    first, the frame is sent while the next one trains; what is shown is one frame behind the
    trainer, and a full rerun (Pause) draws the final state.

    Every live page pauses here the same way: when its tab went to the background (the page has one
    chart with ``watch_visibility``), and when the session lost its training slot and the server is full
    (see ``claim_training``); after 15 minutes without a touched control the owner's own frame pauses
    (``session.pause_if_idle``), and a closed tab is stopped and forgotten by the server's sweeper
    (``server_session``).  Each call counts one frame for this session in ``capacity.REGISTRY``; an owner
    that is not training gives back its networks' working buffers (``memory.release_buffers``).
    """
    key = session_key()
    if owner.playing and not may_go_on(owner, key):
        st.rerun()
    capacity.REGISTRY.beat(key, owner.playing)
    if owner.playing:
        train()
        if not owner.playing:
            st.rerun()
    else:  # drawn and not training: the network's working memory is not needed until the next epoch
        memory.release_buffers(owner)




def yield_point() -> None:
    """Let Streamlit stop the running script here if a click (Pause, a slider) asked for a rerun.

    Streamlit checks for a pending rerun or stop whenever the script sends an element *or* touches
    ``st.session_state``. Sending an element (an ``st.empty()`` update) would also cost the browser a
    React render of the page each time; reading session state sends nothing.
    """
    _ = _YIELD_KEY in st.session_state


_YIELD_KEY = "_playground_yield"


def uninterrupted(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a widget callback so that a rerun asked for meanwhile cannot cut it short.

    Why: Streamlit (1.67) runs callbacks at the start of a script run, and every
    ``st.session_state`` access in them is a point where the run stops if another
    rerun was asked for. A live fragment's run often brings a changed control just
    before the control's own page rerun arrives; the callback was then stopped part
    way (Streamlit takes that for the callback asking for a rerun), and the page run
    that followed saw no change left to act on: the control showed the new value and
    nothing happened (``bench/stress_controls.py``: 4 and 5 of 100 slider changes
    while playing).

    While the callback runs, the script runner is told there is nothing waiting
    (its request queue's ``on_scriptrunner_yield`` is shadowed on the instance); a
    rerun that arrives stays queued and takes effect at the first stop point after
    the callbacks, as any click does. Where that internal is missing (another
    Streamlit), the callback runs as before. ``tests/test_ui_callbacks.py`` checks it.
    """
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        requests = _script_requests()
        if requests is None or not hasattr(requests, "on_scriptrunner_yield") \
                or "on_scriptrunner_yield" in vars(requests):  # none, or already held by an outer callback
            return callback(*args, **kwargs)
        requests.on_scriptrunner_yield = _nothing_waiting
        try:
            return callback(*args, **kwargs)
        finally:
            del requests.on_scriptrunner_yield

    return run


def _nothing_waiting() -> None:
    return None




_LIVE_CSS = """
<style>
/* Live views rerun several times a second; Streamlit dims elements of a run in
   progress ("stale"), which would make every live chart and number flicker. */
.stMain [data-stale="true"] { opacity: 1 !important; transition: none !important; }
/* A row of metrics in one container (one element a frame, not a column each): equal shares, as columns. */
.st-key-pg_metrics > * { flex: 1 1 0 !important; min-width: 0; }
/* The same row while playing, drawn in place by one element (keys.live_metrics), as st.metric looks. */
.playground-metrics { display: flex; gap: 1rem; width: 100%; margin-top: 1rem; /* where the paused row is */
   color: var(--st-text-color); font-family: var(--st-font); }
.playground-metrics[hidden], .playground-metric-caption[hidden] { display: none; }
.playground-metric-cell { flex: 1 1 0; min-width: 0; }
.playground-metric-label { font-size: 0.875rem; line-height: 1.6; min-height: 1.5rem; }
.playground-metric-value { font-size: 2.25rem; line-height: normal; padding-bottom: 0.25rem; }
.playground-metric-label, .playground-metric-value { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.playground-metric-caption { font-size: 0.875rem; opacity: 0.6; }
</style>
"""


def steady_live_views() -> None:
    """Stop Streamlit from dimming elements while a live fragment is rerunning (no flicker)."""
    st.html(_LIVE_CSS)


_APP_CSS = """
<style>
/* Laptop windows (1280-1440 px): the page uses the window's width instead of wide empty margins. */
.stMainBlockContainer { padding-left: 2rem; padding-right: 2rem; padding-top: 4.5rem; }
/* A static chart's name (keys.name_chart) and a live page's feed (charts.live_feed, keys ending "_livefeed") are
   elements that show nothing: no gap for them. */
.stElementContainer[class*="_chartname"], .stElementContainer[class*="_livefeed"] { display: none; }
</style>
"""


def app_style() -> None:
    """The layout every page shares (the entry script applies it)."""
    st.html(_APP_CSS)


# ----- Play, Pause, Step, Reset: written once for every page that trains -------------------------------------
def _play(owner_of: Callable[[], Any]) -> None:
    owner = owner_of()
    if claim_training(owner):
        owner.play()


def _pause(owner_of: Callable[[], Any]) -> None:
    owner_of().pause()


def _step(owner_of: Callable[[], Any], drawn_epoch: int) -> None:
    owner = owner_of()
    if claim_training(owner):
        owner.step_from(drawn_epoch)


def transport_bar(owner_of: Callable[[], Any], *, epoch: int, reset: Callable[[], None], key: str,
                  locked: bool = False, play_disabled: bool = False, pause_disabled: bool = False, step_disabled: bool = False,
                  step_help: str = "Train exactly one epoch.",
                  reset_help: str = "Same seed: same data, same starting weights.",
                  extra: tuple[float, ...] = (2.2,), shortcuts: bool = True) -> list:
    """Play, Pause, Step and Reset in a row of columns; returns the ``extra`` columns after them.

    ``owner_of()`` gives the session or race when a button is clicked (it may have been replaced since the
    page was drawn). Each button *sets* state, and Step steps from the ``epoch`` it was drawn with: beside a
    ticking fragment a click can be delivered twice, and then it does the same thing twice, not two steps.
    Play and Step first claim one of the server's training slots (``claim_training``). ``locked``: a
    classroom link fixed the transport (all four shown, none usable). ``shortcuts``: the keyboard does the
    same (Space plays or pauses, → steps, R resets; ``keys.keyboard_shortcuts``), shown under the bar.
    """
    cols = st.columns([1.1, 1.1, 1.1, 1.1, *extra], vertical_alignment="center")
    cols[0].button("Play", icon=":material/play_arrow:", on_click=uninterrupted(_play), args=(owner_of,),
                   type="primary", width="stretch", disabled=locked or play_disabled, key=f"{key}_play")
    cols[1].button("Pause", icon=":material/pause:", on_click=uninterrupted(_pause), args=(owner_of,),
                   width="stretch", disabled=locked or pause_disabled, key=f"{key}_pause")
    cols[2].button("Step", icon=":material/skip_next:", on_click=uninterrupted(_step), args=(owner_of, epoch),
                   width="stretch", disabled=locked or step_disabled, help=step_help, key=f"{key}_step")
    cols[3].button("Reset", icon=":material/restart_alt:", on_click=uninterrupted(reset), width="stretch",
                   help=reset_help, disabled=locked, key=f"{key}_reset")
    if shortcuts and not locked:
        _shortcuts(owner_of, key, reset, can_play=not play_disabled, can_step=not step_disabled)
    return cols[4:]


def _shortcuts(owner_of: Callable[[], Any], key: str, reset: Callable[[], None], *, can_play: bool,
               can_step: bool) -> None:
    """Space, → and R do what Play/Pause, Step and Reset do (as the buttons were drawn: disabled stays off)."""
    def play_pause() -> None:
        if owner_of().playing:
            _pause(owner_of)
        elif can_play:
            _play(owner_of)

    def one_step() -> None:
        if can_step:
            owner = owner_of()
            _step(owner_of, owner.epoch if hasattr(owner, "epoch") else owner.trainer.epoch)  # a race, or a session

    with st.container():
        if not presenting():  # a projector shows the charts; the keys work all the same
            st.caption(SHORTCUTS_HELP)
        keyboard_shortcuts(f"{key}_keys", {"play_pause": play_pause, "step": one_step, "reset": reset})
