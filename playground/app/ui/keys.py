"""Keyboard and screen reader: the page's shortcut keys (Space plays or pauses, → steps, R resets; ignored
while typing in a box), a polite announcer (``aria-live="polite"``) for the epoch and losses, alone or with a
live page's row of metrics (``live_metrics``), and the accessible names of charts drawn by ``st.plotly_chart``
(``name_chart``), all drawn by ``assets/keys.js``."""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

import streamlit as st

from playground.app.ui.live_common import module_js, stamp

# Keyboard shortcuts and the screen-reader announcer (assets/keys.js): mounted into the page itself,
# so its keydown listener sees the whole document.
_keys = st.components.v2.component("playground_keys", js=module_js("keys.js"), isolate_styles=False)
#: Key (as keys.js names it) -> the transport action it stands for.
SHORTCUT_KEYS = {"space": "play_pause", "arrowright": "step", "r": "reset"}
SHORTCUTS_HELP = "Keyboard: **Space** play / pause · **→** one step · **R** reset (not while typing in a box)"



def keyboard_shortcuts(key: str, actions: dict[str, Callable[[], Any]], keys: dict[str, str] | None = None) -> None:
    """Listen for the page's shortcut keys (``SHORTCUT_KEYS`` by default) while this element is drawn, and
    call ``actions[action]()`` (``"play_pause"``, ``"step"``, ``"reset"``) once per key pressed.

    The action runs as a widget callback, before the next run, whether that run is the whole page or a
    live fragment's tick (as a button's ``on_click`` does).  Keys typed into a text box, select or number
    field are ignored in the browser, and so is Space on a focused button (it clicks the button) and →
    on a slider.  Call it outside live fragments.
    """
    keys = SHORTCUT_KEYS if keys is None else keys

    def on_key() -> None:
        state = st.session_state.get(key)
        pressed = state.get("key") if hasattr(state, "get") else None
        if not isinstance(pressed, dict) or pressed.get("key") not in keys:
            return
        seen_key = f"_playground_keys_seen:{key}"
        stamp = (pressed.get("id"), pressed.get("seq"))
        if st.session_state.get(seen_key) == stamp:  # the same key press seen again: act once
            return
        st.session_state[seen_key] = stamp
        action = actions.get(keys[pressed["key"]])
        if action is not None:
            action()

    data = json.dumps({"mode": "keys", "keys": sorted(keys)}).encode()
    _keys(key=key, data=data, on_key_change=on_key)


def announce(text: str, key: str, gap_seconds: float = 5.0) -> None:
    """Tell screen readers ``text`` politely (``aria-live="polite"``), at most once every ``gap_seconds``:
    the browser keeps the newest text and writes it when the gap has passed.  Plain text only."""
    _keys(key=key, data=_said({"mode": "announce"}, text, gap_seconds))


def live_metrics(items: Iterable[tuple[str, str]], key: str, *, caption: str = "", text: str = "",
                 gap_seconds: float = 5.0) -> None:
    """A live frame's row of metrics (``(label, value)`` pairs, ``caption`` under the first) and the polite
    announcer of ``text`` (as ``announce``) in ONE element, updated in place by the browser.

    Why: a fragment re-sends each of its elements every frame, and the server's work grows with their
    number: seven ``st.metric`` elements in a row container and an announcer cost ~2.5 ms of a 5-a-second
    frame, one element ~0.5 ms (docs/measurements.md). Texts only, never markup.  With no ``items`` only
    the announcer: a page draws its ``st.metric`` row beside it when it is not ticking (tests read those),
    and the announcer stays the same element throughout.
    """
    _keys(key=key, data=metrics_update(items, key, caption=caption, text=text, gap_seconds=gap_seconds))


def metrics_update(items: Iterable[tuple[str, str]], key: str, *, caption: str = "", text: str = "",
                   gap_seconds: float = 5.0) -> bytes:
    """The payload that brings the row drawn by ``live_metrics(..., key=key)`` new numbers, for a page's feed
    (``charts.live_feed``): the row is a view that the feed updates between the page's runs."""
    rows = [[str(label)[:100], str(value)[:100]] for label, value in items]
    return stamp(_said({"mode": "metrics", "view": key, "items": rows, "caption": str(caption)[:300]}, text,
                       gap_seconds))


def _said(msg: dict, text: str, gap_seconds: float) -> bytes:
    return json.dumps({**msg, "text": str(text)[:300], "gap_ms": int(gap_seconds * 1000)}).encode()


#: Chart names kept for tests and the page's own reading: session-state key -> {chart key: its accessible name}.
NAMES_KEY = "_playground_chart_names"


def name_chart(key: str, label: str) -> None:
    """Give the chart drawn with widget key ``key`` an accessible name, ``label``: ``role="img"`` and an
    ``aria-label`` on its element, set in the browser (``st.plotly_chart`` has no such option)."""
    label = str(label)[:300]
    st.session_state.setdefault(NAMES_KEY, {})[key] = label
    cls = "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())  # as Streamlit's frontend names the element
    _keys(key=f"{key}_chartname", data=json.dumps({"mode": "name", "cls": cls, "label": label}).encode())
