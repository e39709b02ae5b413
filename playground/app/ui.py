"""Streamlit glue: the one module of ``playground`` that imports streamlit.

``live_plotly`` draws a Plotly figure that updates *in place*. In Streamlit 1.67
``st.plotly_chart`` builds a new chart on every data change (flash, lost zoom,
~1.7 updates/s on a slow client). Here a Components v2 element keeps one Plotly
div per ``key`` and calls ``Plotly.react`` on each new figure
(``assets/live_plotly.js``).

Example, inside a ticking fragment::

    @st.fragment(run_every=0.2)
    def live():
        live_plotly(boundary_figure(net), key="boundary")

    click = live_plotly(plane_figure(points), key="plane", events=True)
    if click:                       # delivered once, in the run it arrived
        points.append((click["x"], click["y"]))
"""

from __future__ import annotations

import base64
import functools
import os
import re
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Callable, Literal
from urllib.parse import urlsplit

import numpy as np
import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components_v1
from plotly.io.json import to_json_plotly
from streamlit import runtime

from playground.base import capacity
from playground.base import memory
from playground.app.pages import PAGES
from playground.run.session import LIVE_GATE, pause_hidden

__all__ = ["live_plotly", "tab_hidden", "live_fragment", "train_after_drawing", "yield_point", "entry_guard",
           "steady_live_views", "app_style", "presentation_style", "uninterrupted", "address", "wrote_address", "stale_address",
           "app_url", "page_url", "server_session", "claim_training"]

_JS = (Path(__file__).parent / "assets" / "live_plotly.js").read_text(encoding="utf-8")
_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"  # ships plotly.min.js
_PLOTLY_VERSION = plotly.offline.get_plotlyjs_version()

# isolate_styles=False: plotly.js puts its own CSS (modebar, hover labels) into
# document.head, which a shadow root would not see.
_live_chart = st.components.v2.component("playground_live_plotly", js=_JS, isolate_styles=False)

_served_name: str | None = None  # the v1 registry name that serves plotly.min.js


def _plotly_js_path() -> str:
    """Server path of the installed plotly.min.js, relative to the app's base URL.

    Components v2 serves files only from the ``asset_dir`` of an *installed*
    package declared in its pyproject manifest, and the app runs from a checkout.
    The v1 registry serves any directory at ``/component/<name>/<file>``; we use
    it only as that file route (no v1 iframe is ever mounted). Registering needs
    a running script and inspects the stack (slow), so it is done once per
    runtime. The browser fetches the file once per page and caches it.
    """
    global _served_name
    if not runtime.exists():
        return ""  # bare mode: nothing is rendered anyway
    registry = runtime.get_instance().component_registry
    if _served_name is None or registry.get_component_path(_served_name) is None:
        _served_name = components_v1.declare_component("plotlyjs", path=str(_PLOTLY_DIR)).name
    return f"component/{_served_name}/plotly.min.js?v={_PLOTLY_VERSION}"


_TYPED = {"float32": "f4", "float64": "f8", "int8": "i1", "uint8": "u1",
          "int16": "i2", "uint16": "u2", "int32": "i4", "uint32": "u4"}  # fmt: skip


def _typed_arrays(obj: Any) -> Any:
    """Numeric NumPy arrays in a plain-dict figure -> plotly.js typed-array specs.

    go.Figure already does this; for dicts it avoids ~6x slower JSON number lists.
    """
    if isinstance(obj, dict):
        return {k: _typed_arrays(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_typed_arrays(v) for v in obj]
    if isinstance(obj, np.ndarray) and obj.size:
        if obj.dtype == np.int64 and np.abs(obj).max() < 2**31:
            obj = obj.astype(np.int32)
        code = _TYPED.get(str(obj.dtype))
        if code is None:
            return obj  # strings, int64 beyond int32, ...: plain JSON
        spec = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(obj)).decode()}
        if obj.ndim > 1:
            spec["shape"] = ", ".join(map(str, obj.shape))
        return spec
    return obj


def _figure_dict(fig: go.Figure | dict, theme: str | None) -> dict:
    if isinstance(fig, go.Figure):
        # The figure's own property dicts, read-only: ``to_plotly_json`` deep-copies them and runs a
        # dataframe check per array first, ~3 ms a live figure (py-spy: ~10 % of the server's CPU
        # while the Playground plays). ``_typed_arrays`` builds new dicts and never mutates these.
        spec = _typed_arrays({"data": fig._data, "layout": fig._layout})
    elif isinstance(fig, dict):
        spec = _typed_arrays({"data": fig.get("data", []), "layout": fig.get("layout", {})})
    else:
        raise TypeError(
            f"live_plotly needs a plotly.graph_objects.Figure or a dict, got {type(fig).__name__}"
        )
    if theme == "streamlit":
        # The browser builds a template from the Streamlit theme instead; the
        # default Plotly template is ~7 KB per frame and paints white backgrounds.
        spec["layout"] = {k: v for k, v in (spec.get("layout") or {}).items() if k != "template"}
    return spec


def _ignore() -> None:
    """Registering a callback is what makes Streamlit report the clicks state."""


def live_plotly(
    fig: go.Figure | dict,
    *,
    key: str,
    height: int = 400,
    events: bool = False,
    config: dict | None = None,
    theme: Literal["streamlit"] | None = "streamlit",
    watch_visibility: bool = False,
) -> dict | None:
    """Draw ``fig`` and update the same chart in place on later calls with ``key``.

    Args:
        fig: a Plotly figure, or a ``{"data": [...], "layout": {...}}`` dict
            (NumPy arrays in it are sent as typed arrays; prefer float32).
        key: unique on the page, stable across reruns; it *is* the chart's
            identity. Must not contain ``"__"`` (Streamlit reserves it).
        height: pixels, unless the figure's layout sets its own height.
        events: report clicks. Clicks on empty plot area count too.
        config: Plotly config passed through (``{"displayModeBar": False}``,
            ``{"modeBarButtonsToRemove": [...]}``, ...). Defaults: responsive,
            no Plotly logo.
        watch_visibility: report the tab going to the background or back
            (read it with ``tab_hidden()``), so a page can stop training nobody sees.
        theme: ``"streamlit"`` replaces the figure's template with one built
            from the app theme (transparent background, theme fonts and colours);
            ``None`` draws the figure exactly as given.

    Zoom and pan survive updates (``layout.uirevision`` defaults to a constant;
    set it to a new value to reset the view).

    Returns:
        With ``events=True``, in the one script run that follows a new click:
        ``{"x", "y", "curve", "point", "customdata", "n", "batch"}``. ``x``/``y``
        are the pointer in data coordinates; ``curve``/``point``/``customdata``
        name the trace point under the pointer (``None`` on empty area;
        ``point`` is ``[row, col]`` for heatmaps); ``n`` counts clicks delivered
        for this key this session. ``batch`` lists every click that arrived
        since the previous run, oldest first (the returned one is the last;
        more than one only when clicks outpace reruns). Otherwise ``None``.
    """
    if not isinstance(key, str) or not key or "__" in key:
        raise ValueError(f"live_plotly key must be a non-empty str without '__', got {key!r}")
    if not isinstance(height, int) or height <= 0:
        raise ValueError(f"live_plotly height must be a positive int (pixels), got {height!r}")
    if theme not in ("streamlit", None):
        raise ValueError(f"live_plotly theme must be 'streamlit' or None, got {theme!r}")

    payload = {
        "figure": _figure_dict(fig, theme),
        "height": height,
        "events": bool(events),
        "config": config or {},
        "theme": theme,
        "plotly_js": _plotly_js_path(),
        "watch_visibility": bool(watch_visibility),
    }
    # Bytes reach the browser untouched; JSON text would be escaped inside
    # Streamlit's own JSON and parsed twice.
    data = to_json_plotly(payload).encode()
    callbacks = {"on_clicks_change": _ignore} if events else {}
    if watch_visibility:
        callbacks["on_hidden_change"] = _ignore
    result = _live_chart(key=key, data=data, **callbacks)
    if watch_visibility:
        st.session_state[_HIDDEN_KEY] = result.get("hidden") is True
    if not events:
        return None
    batch = _new_clicks(key, result.get("clicks"))
    return {**batch[-1], "batch": batch} if batch else None


_HIDDEN_KEY = "_playground_tab_hidden"


def tab_hidden() -> bool:
    """True while the browser tab is in the background (reported by a chart with ``watch_visibility``)."""
    return bool(st.session_state.get(_HIDDEN_KEY, False))


def _seq(click: dict) -> int:
    seq = click.get("seq")  # sent by the browser: trust nothing
    return seq if isinstance(seq, int) else 0


def _new_clicks(key: str, state: Any) -> list[dict]:
    """Clicks in the browser's recent-clicks state that Python has not seen yet.

    The browser numbers clicks (seq) per chart instance (id) and resends its last
    32, so replayed or coalesced reruns neither repeat nor drop a click.
    """
    if not isinstance(state, dict) or not isinstance(state.get("items"), list):
        return []
    seen_key = f"_playground_live_plotly_clicks:{key}"
    seen = st.session_state.get(seen_key, {"id": None, "seq": 0, "n": 0})
    last = seen["seq"] if state.get("id") == seen["id"] else 0  # new instance: all new
    fresh = [c for c in state["items"] if isinstance(c, dict) and _seq(c) > last]
    if not fresh:
        return []
    n = seen["n"]
    batch = []
    for c in fresh:
        n += 1
        batch.append({name: c.get(name) for name in ("x", "y", "curve", "point", "customdata")})
        batch[-1]["n"] = n
    st.session_state[seen_key] = {"id": state.get("id"), "seq": fresh[-1]["seq"], "n": n}
    return batch


def live_fragment(owner: Any, run_every: float) -> Callable[[Callable[[float], None]], Callable[[], None]]:
    """Decorator for a page's live view: ``body(seconds)`` becomes a fragment that reruns every
    ``run_every`` s while ``owner.playing`` (a session or a race), each run inside the server's
    ``LIVE_GATE``: one session's frame at a time, ``seconds`` being this frame's share of training.

        @live_fragment(session, run_every=0.2)
        def live(seconds):
            draw(session.trainer)
            train_after_drawing(session, lambda: session.frame(seconds))
    """
    def wrap(body: Callable[[float], None]) -> Callable[[], None]:
        @st.fragment(run_every=run_every if owner.playing else None)
        def fragment() -> None:
            with LIVE_GATE.turn(owner) as seconds:
                body(seconds)
        return fragment
    return wrap


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
    key = _session_key()
    if owner.playing and not _may_go_on(owner, key):
        st.rerun()
    capacity.REGISTRY.beat(key, owner.playing)
    if owner.playing:
        train()
        if not owner.playing:
            st.rerun()
    else:  # drawn and not training: the network's working memory is not needed until the next epoch
        memory.release_buffers(owner)


# ----- the server's sessions: training slots, hidden and closed tabs ------------------------------------
_TEACHER_KEY = "_playground_teacher"
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


def _session_key() -> str:
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
    capacity.REGISTRY.seen(_session_key())
    if capacity.TEACHER_PARAM in st.query_params:
        given = st.query_params.get(capacity.TEACHER_PARAM)
        del st.query_params[capacity.TEACHER_PARAM]
        if capacity.is_teacher_key(given, os.environ.get(capacity.TEACHER_KEY_ENV)):
            st.session_state[_TEACHER_KEY] = True
        elif not st.session_state.get(_TEACHER_KEY):
            st.warning("The teacher key in this link is not this server's: this browser session counts as a "
                       "student's.", icon=":material/key_off:")
    _start_sweeper()


def claim_training(owner: Any) -> bool:
    """Before training (Play, Step, a page's quick train): a training slot for this browser session.

    False when the class server is full: ``owner`` (a session or a race) is paused and its ``notice``
    names the limit and what to do. A teacher (``server_session``) may take a reserved slot.
    """
    key = _session_key()
    with _owners_lock:
        refs = [r for r in _owners.get(key, []) if r() is not None and r() is not owner]
        _owners[key] = refs + [weakref.ref(owner)]
    refused = capacity.REGISTRY.admit(key, teacher=bool(st.session_state.get(_TEACHER_KEY, False)))
    if refused:
        owner.playing, owner.notice = False, refused
    elif owner.notice == capacity.full_message(capacity.REGISTRY.max_training):
        owner.notice = ""  # a slot came free: the old refusal no longer holds
    return not refused


def _may_go_on(owner: Any, key: str) -> bool:
    """May a playing ``owner`` train this frame? If not, it is paused with its reason."""
    if tab_hidden():  # nobody is watching: stop using the server's CPU
        pause_hidden(owner)
        return False
    if not capacity.REGISTRY.holds_slot(key):  # its slot was freed (or it never asked): ask again
        return claim_training(owner)
    return True


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
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        requests = getattr(get_script_run_ctx(), "script_requests", None)
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


_ADDRESSES_KEY = "_playground_written_addresses"
#: How long an address this session replaced can still come back from the browser as a stale echo.
STALE_ADDRESS_SECONDS = 3.0


def address() -> str:
    """The page's address bar as ``key=value&…`` (``st.query_params``, values decoded)."""
    return "&".join(f"{k}={v}" for k, v in st.query_params.items())


def wrote_address(query: str) -> None:
    """Record that the page just put ``query`` into the address bar (``st.query_params``)."""
    current, replaced = st.session_state.get(_ADDRESSES_KEY, (None, []))
    now = time.monotonic()
    if current is not None and current != query:
        replaced = [(t, q) for t, q in replaced if now - t < STALE_ADDRESS_SECONDS][-7:] + [(now, current)]
    st.session_state[_ADDRESSES_KEY] = (query, replaced)


def stale_address(query: str) -> bool:
    """True if ``query`` is an address this session replaced with another a moment ago.

    Why: every rerun request carries the browser's address bar. A request the browser sent
    before it received the page's newest address (a live fragment's tick, a second click)
    brings back the address from before the change; a page that took it for a new link
    opened by the user undid the change (a slider moved back, 2–4 of 100 changes while
    playing, ``bench/stress_controls.py``). A new link the user opens loads a new page (a new
    session); moving between pages inside the app brings addresses this session did not
    just replace.
    """
    now = time.monotonic()
    _, replaced = st.session_state.get(_ADDRESSES_KEY, (None, []))
    return any(q == query and now - t < STALE_ADDRESS_SECONDS for t, q in replaced)


# ----- full links to copy ------------------------------------------------------------------------
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")  # name or IPv6, port
_PATH = re.compile(r"(/[A-Za-z0-9._~%\-]+)*")


def _origin(url: str | None) -> tuple[str, str] | None:
    """``(scheme://host[:port], path)`` of an http(s) address with a plain host and path, else None.

    The browser sends these values (the page's address, its Origin and Host headers), so
    anything else (another scheme, a user:password@, quotes, spaces, 500+ characters) is not used.
    """
    if not url or len(url) > 500:
        return None
    try:
        u = urlsplit(url)
    except ValueError:
        return None
    path = u.path.rstrip("/")
    if u.scheme not in ("http", "https") or not _HOST.fullmatch(u.netloc) or not _PATH.fullmatch(path):
        return None
    return f"{u.scheme}://{u.netloc}", path


def app_url() -> str:
    """The app's address as the browser used it, for links a teacher copies: ``http://host:8501``.

    From ``st.context.url``, the running page's address, less its page route (``/play``); else
    the browser's ``Origin`` header, else its ``Host`` header (http), with the server's
    ``baseUrlPath``; else ``http://localhost:<port>``.
    """
    found = _origin(st.context.url)
    if found is not None:
        origin, path = found
        head, _, last = path.rpartition("/")
        return origin + (head if last in {p.url for p in PAGES} else path)
    base = "/".join(p for p in str(st.get_option("server.baseUrlPath") or "").split("/") if p)
    base = "/" + base if _PATH.fullmatch("/" + base) and base else ""
    headers = st.context.headers or {}
    for candidate in (headers.get("Origin"), "http://" + str(headers.get("Host") or "")):
        found = _origin(candidate)
        if found is not None:
            return found[0] + base
    return f"http://localhost:{int(st.get_option('server.port') or 8501)}{base}"


def page_url(page_file: str, query: str = "") -> str:
    """The full link to the page whose script is ``page_file`` (a page passes its ``__file__``), as
    the browser would open it: ``http://host:8501/play?dataset=xor&…``."""
    route = Path(page_file).stem  # a page's route is its script's stem (pages.PageSpec.url)
    return f"{app_url()}/{route}" + (f"?{query}" if query else "")


def entry_guard() -> None:
    """Make sure a page runs under the entry script's ``st.navigation``.

    Why: when a ``pages/`` folder sits beside the entry script, Streamlit
    (1.67) starts each server process in its legacy multipage mode; the very first
    script run then executes the page file for the URL directly (no page config,
    the folder's file list as navigation) until some run calls ``st.navigation``.
    A page that finds itself in that mode runs the entry script instead, which
    declares the real navigation (switching the server to it for good) and runs
    this page again, properly.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        import runpy

        runpy.run_path(str(Path(__file__).resolve().parents[2] / "streamlit_app.py"), run_name="__main__")
        st.stop()


_LIVE_CSS = """
<style>
/* Live views rerun several times a second; Streamlit dims elements of a run in
   progress ("stale"), which would make every live chart and number flicker. */
.stMain [data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>
"""


def steady_live_views() -> None:
    """Stop Streamlit from dimming elements while a live fragment is rerunning (no flicker)."""
    st.html(_LIVE_CSS)


_APP_CSS = """
<style>
/* Laptop windows (1280-1440 px): the page uses the window's width instead of wide empty margins. */
.stMainBlockContainer { padding-left: 2rem; padding-right: 2rem; padding-top: 4.5rem; }
</style>
"""


def app_style() -> None:
    """The layout every page shares (the entry script applies it)."""
    st.html(_APP_CSS)


_PRESENT_CSS = """
<style>
/* Presentation mode: readable from the back of a classroom. Type grows with the screen (22 px at 1920 px,
   never below the laptop's 16 px); the sidebar widens with it so no control is cut or wraps mid-word. */
html { font-size: clamp(16px, 1.15vw, 22px); }
.stMain h1 { font-size: 2.6rem; }
[data-testid="stMetricValue"] { font-size: 2.3rem; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
[data-testid="stSidebar"] { width: clamp(300px, 21vw, 430px) !important; min-width: clamp(300px, 21vw, 430px); }
.stMainBlockContainer { padding-top: 4.5rem; padding-left: 1.5rem; padding-right: 1.5rem; }  /* below the top bar */
/* The charts fill the screen: network on the left, boundary and loss stacked on the right. */
.st-key-pg_network .js-plotly-plot { height: max(60vh, 420px) !important; }
.st-key-pg_boundary .js-plotly-plot { height: max(52vh, 440px) !important; }
.st-key-pg_loss .js-plotly-plot { height: max(34vh, 280px) !important; }
.st-key-pg_gradmaps .js-plotly-plot, .st-key-pg_gradnorms .js-plotly-plot { height: max(40vh, 330px) !important; }
</style>
"""


def presentation_style() -> None:
    """Large type for a projector (the figures get bigger fonts and lines from ``viz.present``)."""
    st.html(_PRESENT_CSS)
