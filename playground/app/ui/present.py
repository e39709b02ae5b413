"""Presentation mode on every page: one switch, the projector's style and the figures' projector sizes.

The entry script calls ``present_switch()`` before each page runs: it draws the "Presentation mode" toggle in
the top bar of every page (the same widget, so the choice carries from page to page within a session) and,
when it is on, the page style of ``_PRESENT_CSS``. A link's ``present=1`` (or ``0``: the classroom key,
parsed by ``teach.classroom``) sets it when the link is opened; the Playground also writes it into its own
link. ``live_plotly`` and ``plotly_chart`` give every figure projector sizes while presenting
(``viz.present``: larger type and margins, thicker curves where a page asks, charts ``HEIGHT_SCALE`` taller).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from playground.base.text import escape_markdown
from playground.teach import classroom
from playground.viz.present import SCALE, presentation

__all__ = ["PRESENT_KEY", "HEIGHT_SCALE", "presenting", "present_switch", "presented", "presented_height",
           "page_params"]

PRESENT_KEY = "present"  # the toggle's widget key: the session's one presentation switch
_LINK_KEY = "_playground_present_link"  # the last ``present`` value a link brought (applied once)
HEIGHT_SCALE = 1.3  # a chart's height while presenting: its type is 1.5 times larger

_PRESENT_CSS = """
<style>
/* Presentation mode: readable from the back of a classroom. Type grows with the screen (22 px at 1920 px,
   never below the laptop's 16 px); the sidebar widens with it so no control is cut or wraps mid-word. */
html { font-size: clamp(16px, 1.15vw, 22px); }
.stMain h1 { font-size: 2.6rem; }
[data-testid="stMetricValue"], .playground-metrics .playground-metric-value { font-size: 2.3rem; }
[data-testid="stMetricLabel"] p, .playground-metrics .playground-metric-label { font-size: 1.05rem; }
[data-testid="stSidebar"] { width: clamp(300px, 21vw, 430px) !important; min-width: clamp(300px, 21vw, 430px); }
.stMainBlockContainer { padding-top: 4rem; padding-left: 1.5rem; padding-right: 1.5rem; max-width: none; }
/* The Playground's charts fill the screen's height: network, boundary and loss side by side. */
.st-key-pg_network .js-plotly-plot, .st-key-pg_boundary .js-plotly-plot,
.st-key-pg_loss .js-plotly-plot { height: max(60vh, 440px) !important; }
.st-key-pg_gradmaps .js-plotly-plot, .st-key-pg_gradnorms .js-plotly-plot { height: max(40vh, 330px) !important; }
</style>
"""

_SWITCH_CSS = """
<style>
/* The switch sits in the top bar, right of the page links, on every page: it takes no room from the page. */
.st-key-present_switch { position: fixed; top: 0.7rem; right: 4rem; z-index: 999991; width: auto !important; }
.st-key-present_switch label p { white-space: nowrap; }
</style>
"""


def presenting() -> bool:
    """Whether this session is in presentation mode."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def present_switch() -> None:
    """The shared toggle (and, when on, the projector style); the entry script calls it before each page.
    A bad ``present`` value in a link is reported here, once, for every page."""
    raw = st.query_params.get("present")
    if raw is not None and raw != st.session_state.get(_LINK_KEY):  # a link that says: applied once, so the
        view, warnings = classroom.parse({"present": raw})  # toggle still turns it off on that page
        st.session_state[PRESENT_KEY] = view.present
        st.session_state[_LINK_KEY] = raw
        for w in warnings:
            st.warning(f"Link setting reset: {escape_markdown(w)}", icon=":material/link_off:")
    st.html(_SWITCH_CSS)
    with st.container(key="present_switch"):
        st.toggle("Presentation mode", key=PRESENT_KEY,
                  help="Large type, charts that fill the screen and thick lines, for a projector; on every page.")
    if presenting():
        st.html(_PRESENT_CSS)


def page_params() -> dict:
    """The link's values for the page itself to read: all but ``present``, which is every page's (read here)."""
    return {k: v for k, v in st.query_params.items() if k != "present"}


def presented(fig: Any, lines: bool = False, scale: float = SCALE) -> Any:
    """``fig`` as this session shows it: while presenting, ``viz.present``'s projector figure (a new dict),
    ``HEIGHT_SCALE`` times as high when its layout sets a height; else ``fig`` itself. ``scale``: its type's
    scale (``viz.present.SCALE``; a chart in a narrow column may take less, never below ``MIN_PX``)."""
    if not presenting():
        return fig
    out = presentation(fig, lines=lines, scale=scale)
    if isinstance(out["layout"].get("height"), (int, float)):
        out["layout"]["height"] = presented_height(out["layout"]["height"])
    return out


def presented_height(height: int) -> int:
    """A chart's height in pixels as this session shows it."""
    return round(height * HEIGHT_SCALE) if presenting() else height
