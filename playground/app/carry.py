"""Another page showing the Playground's run: the same network, carried over by the link.

The Playground opens its companion pages (the warped-space view, NumPy beside
PyTorch) with its share link.  ``session_for_link`` gives such a page the
Playground's own `PlaygroundSession` when the link describes its setup, so the
page shows (and may go on training) the very weights the learner was watching;
a link opened cold gets a run of its own, built from the link like the
Playground builds one, and rebuilt when the link changes.
"""
from __future__ import annotations

from typing import Mapping, MutableMapping

from playground.teach.classroom import CLASSROOM_KEYS
from playground.run.config import from_query
from playground.run.drivers import LINK_KEYS as DRIVER_KEYS
from playground.run.session import PlaygroundSession

__all__ = ["PLAYGROUND_KEY", "session_for_link"]

#: Where the Playground keeps its session in a browser session's state (lessons.SOURCES names it too).
PLAYGROUND_KEY = "pg.session"
_NOT_CONFIG = ("pts", *CLASSROOM_KEYS, *DRIVER_KEYS)


def session_for_link(state: MutableMapping, params: Mapping, own_key: str, page_keys=()) -> tuple[PlaygroundSession,
                                                                                                  list[str]]:
    """``(session, link warnings)``: the Playground's session if its config is the link's, else the page's own
    (under ``own_key``).  ``page_keys``: the page's own link keys, which are not config settings."""
    cfg, warnings = from_query({k: v for k, v in params.items() if k not in (*_NOT_CONFIG, *page_keys)})
    pg = state.get(PLAYGROUND_KEY)
    if pg is not None and pg.cfg == cfg:
        return pg, warnings
    own = state.get(own_key)
    if own is None or own.cfg != cfg:
        own = PlaygroundSession(cfg)
        state[own_key] = own
    return own, warnings
