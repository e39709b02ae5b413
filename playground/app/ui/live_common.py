"""What the app's live elements share with their browser half (``assets/live_common.js``).

* ``module_js("live_plotly.js")``: a Components v2 module from ``assets/``, with ``live_common.js`` (the live
  views' registry, the stamps that order their payloads, the watch on the tab and the server session) in front
  of it, so that the live chart, the row of metrics (``keys.js``) and the feed (``live_feed.js``) share one copy
  of that code;
* ``stamp``: a payload stamped with this server session and a growing number (a view draws only what is newer);
* ``session_token``: this server session's random name (a page left open that meets another one was moved).
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).parent / "assets"

_SEQ_KEY = "_playground_live_seq"
_TOKEN_KEY = "_playground_session_token"


def module_js(name: str, *, common: bool = True) -> str:
    """The module ``assets/<name>``, after ``assets/live_common.js`` unless ``common=False``."""
    text = (ASSETS / name).read_text(encoding="utf-8")
    if not common:
        return text
    return (ASSETS / "live_common.js").read_text(encoding="utf-8") + "\n" + text


def session_token() -> str:
    """A random name for this server session, sent with every stamped payload and to the elements that watch
    the page: an open page that later meets another token reports ``moved`` (``assets/live_common.js``)."""
    if _TOKEN_KEY not in st.session_state:
        st.session_state[_TOKEN_KEY] = secrets.token_hex(8)
    return st.session_state[_TOKEN_KEY]


def stamp(data: bytes) -> bytes:
    """``data`` (a JSON object's bytes) stamped ``{"sid", "seq"}``: this server session and a number that grows
    with every payload it sends, so that a view in the browser draws only what is newer than what it drew (a
    view re-sent by a page run and a feed's frame can arrive in either order)."""
    seq = st.session_state.get(_SEQ_KEY, 0) + 1
    st.session_state[_SEQ_KEY] = seq
    head = json.dumps({"sid": session_token(), "seq": seq}).encode()
    return head[:-1] + b", " + data[1:] if data[1:2] != b"}" else head
