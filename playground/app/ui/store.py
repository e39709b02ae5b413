"""One small JSON value kept in the browser's localStorage (``assets/browser_store.js``): nothing is drawn."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

_store = st.components.v2.component(
    "playground_browser_store", js=(Path(__file__).parent / "assets" / "browser_store.js").read_text(encoding="utf-8"))


def _ignore() -> None:
    """Registering a callback is what makes Streamlit report the element's state."""


def browser_store(name: str, write: Any = None, *, key: str, max_chars: int = 4096) -> tuple[bool, Any]:
    """One small JSON value kept in this browser's localStorage under ``name`` (per site, not per session):
    it survives reloads, a restarted server and a reload served by another server worker.

    ``write`` (JSON-serialisable, at most ``max_chars`` as JSON; else it is not stored) is stored when not
    None; pass None until what was stored has been read, or it is overwritten. Returns ``(loaded, value)``:
    ``loaded`` turns True in the rerun that follows the browser's report of what it had stored when the
    element mounted (``value``: None if nothing or something unreadable). ``value`` comes from the browser:
    validate it before use. Call it once per page run with a stable ``key``.
    """
    result = _store(key=key, data={"name": name, "write": write, "max_chars": int(max_chars)},
                    on_stored_change=_ignore)
    stored = result.get("stored")
    if not isinstance(stored, dict) or stored.get("loaded") is not True:
        return False, None
    return True, stored.get("value")
