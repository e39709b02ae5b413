"""What the app's live elements share with their browser half (``assets/live_common.js``).

* ``module_js("live_plotly.js")``: a Components v2 module from ``assets/``, with ``live_common.js`` (the live
  views' registry, the stamps that order their payloads, the watch on the tab and the server session) in front
  of it, so that the live chart, the row of metrics (``keys.js``) and the feed (``live_feed.js``) share one copy
  of that code;
* ``stamp``: a payload stamped with this server session and a growing number (a view draws only what is newer);
* ``session_token``: this server session's name (a page left open that meets another one was moved);
* ``frames_in_one_run``: while a live fragment draws several frames in one script run (``live.live_fragment``'s
  ``burst``), each live feed keeps one slot for the run, and every frame's feed replaces the one before it.
"""
from __future__ import annotations

import hashlib
import itertools
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from streamlit.runtime.scriptrunner import get_script_run_ctx

ASSETS = Path(__file__).parent / "assets"

_SEQ = itertools.count(1)  # one counter for the process: it grows within every session too
_RUN = threading.local()  # .slots: in a run of several frames, a feed's key -> its slot (one script thread a run)


def module_js(name: str, *, common: bool = True) -> str:
    """The module ``assets/<name>``, after ``assets/live_common.js`` unless ``common=False``, without its
    comment lines and blank lines: the module goes to the browser inside every message that mounts its element
    (a live feed's: every frame), and the comments are for the files' readers."""
    parts = [ASSETS / "live_common.js"] * common + [ASSETS / name]
    lines = (line for part in parts for line in part.read_text(encoding="utf-8").splitlines())
    return "\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("//")) + "\n"


def session_token() -> str:
    """A name for this server session (a hash of Streamlit's session id), sent with every stamped payload and to
    the elements that watch the page: an open page that later meets another token reports ``moved``
    (``assets/live_common.js``).  No ``st.session_state`` access: it is read for every payload of a frame."""
    ctx = get_script_run_ctx()
    return hashlib.blake2s((ctx.session_id if ctx else "").encode(), digest_size=8).hexdigest()


def stamp(data: bytes) -> bytes:
    """``data`` (a JSON object's bytes) stamped ``{"sid", "seq"}``: this server session and a number that grows
    with every payload it sends, so that a view in the browser draws only what is newer than what it drew (a
    view re-sent by a page run and a feed's frame can arrive in either order)."""
    head = b'{"sid": "%s", "seq": %d}' % (session_token().encode(), next(_SEQ))
    return head[:-1] + b", " + data[1:] if data[1:2] != b"}" else head


@contextmanager
def frames_in_one_run() -> Iterator[None]:
    """Within this block (one script run that draws several frames), ``feed_slots()`` is the run's registry of
    feed slots: a feed's key -> the placeholder its frames replace each other in."""
    _RUN.slots = {}
    try:
        yield
    finally:
        _RUN.slots = None


def feed_slots() -> dict[str, Any] | None:
    """The registry of ``frames_in_one_run`` on this thread, or None outside one (a run draws one frame)."""
    return getattr(_RUN, "slots", None)
