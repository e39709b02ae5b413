"""Presentation mode on every page: one switch, the projector's style and the figures' projector sizes.

The entry script calls ``present_switch()`` before each page runs: it draws the "Presentation mode" toggle in
the top bar of every page (the same widget, so the choice carries from page to page within a session) and,
when it is on, the page style of ``_PRESENT_CSS``. A link's ``present=1`` (or ``0``: the classroom key,
parsed by ``teach.classroom``) sets it when the link is opened; the Playground also writes it into its own
link. ``live_plotly`` and ``plotly_chart`` give every figure projector sizes while presenting
(``viz.present``: larger type and margins, thicker curves where a page asks, charts ``HEIGHT_SCALE`` taller).
``data_table`` shows a page's tables: an interactive ``st.dataframe`` on a laptop, an ``st.table`` in projector
type while presenting (the dataframe's canvas grid keeps the 14 px it measured when first drawn, whatever the page's
style says).
"""

from __future__ import annotations

from numbers import Number
from typing import Any, Mapping, Sequence

import streamlit as st

from playground.base.text import escape_markdown
from playground.teach import classroom
from playground.viz.present import SCALE, presentation

__all__ = ["PRESENT_KEY", "HEIGHT_SCALE", "PRESENT_ROWS", "presenting", "present_switch", "presented",
           "presented_height", "page_params", "data_table", "keep_values"]

PRESENT_KEY = "present"  # the toggle's widget key: the session's one presentation switch
_LINK_KEY = "_playground_present_link"  # the last ``present`` value a link brought (applied once)
HEIGHT_SCALE = 1.3  # a chart's height while presenting: its type is 1.5 times larger
PRESENT_ROWS = 200  # a table's rows shown while presenting (nobody reads more off a wall; all of them on a laptop)

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
/* Tables (st.table: data_table while presenting, and the labs' own) in the charts' type: 20 px at 1920 px. */
[data-testid=stTable] table { font-size: max(16px, 0.9rem); }
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
    keep_values([PRESENT_KEY])  # a browser that drew the toggle from a later run would otherwise take it as off
    with st.container(key="present_switch"):
        st.toggle("Presentation mode", key=PRESENT_KEY,
                  help="Large type, charts that fill the screen and thick lines, for a projector; on every page.")
    if presenting():
        st.html(_PRESENT_CSS)


def keep_values(keys) -> None:
    """Send the values of the keyed controls ``keys`` (those in the session) with this run, before they are drawn.

    Why: Streamlit sends a keyed control's value to the browser only in the run that assigned it; in a later run
    the browser keeps what it shows, or, for a control it had not drawn yet, takes the control's default, and
    its next click sends that default back as if the user had chosen it. Re-assigning the values the server holds
    (the user's own changes are already in them: callbacks run first) makes every run carry them."""
    ss = st.session_state
    for key in keys:
        if key in ss:
            ss[key] = ss[key]


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


def data_table(data: Mapping[str, Sequence] | Sequence[Mapping[str, Any]], *, height: int | None = None,
               formats: Mapping[str, str] | None = None) -> None:
    """A page's table of ``data`` (columns ``{name: values}`` or rows ``[{name: value}]``), without an index.

    On a laptop: an interactive ``st.dataframe`` (sort, resize, search), ``height`` px high when given, scrolling
    within it. While presenting: an ``st.table`` in the projector's type (``_PRESENT_CSS``; the dataframe's canvas
    grid cannot be restyled), at most ``PRESENT_ROWS`` rows, ``presented_height(height)`` high when given. Its
    cells are Markdown there, so every text (column names too) is escaped: a CSV's cell shows as typed.
    ``formats``: a printf format for number columns (``{"loss": "%.2e"}``), both ways.
    """
    formats = dict(formats or {})
    if not presenting():
        config = {name: st.column_config.NumberColumn(format=f) for name, f in formats.items()}
        st.dataframe(data, hide_index=True, width="stretch", height="auto" if height is None else height,
                     column_config=config or None)
        return
    columns = _columns(data)
    n = max((len(v) for v in columns.values()), default=0)
    cells = {escape_markdown(name): _cells(list(values)[:PRESENT_ROWS], formats.get(name))
             for name, values in columns.items()}
    st.table(cells, hide_index=True, height="content" if height is None else presented_height(height))
    if n > PRESENT_ROWS:
        st.caption(f"The first {PRESENT_ROWS} of {n:,} rows: all of them with presentation mode off.")


def _columns(data: Mapping[str, Sequence] | Sequence[Mapping[str, Any]]) -> dict[str, list]:
    """Rows or columns as columns (a row without a column's value: empty there)."""
    if isinstance(data, Mapping):
        return {str(k): list(v) for k, v in data.items()}
    rows = list(data)
    names = list(dict.fromkeys(k for row in rows for k in row))
    return {str(k): [row.get(k) for row in rows] for k in names}


def _cells(values: list, fmt: str | None) -> list:
    """A column for ``st.table``: numbers as they are (or in ``fmt``); else all text, escaped, nothing as empty."""
    def number(v: Any) -> bool:
        return isinstance(v, Number) and not isinstance(v, bool)

    if all(number(v) for v in values):
        return [fmt % v for v in values] if fmt else values
    return ["" if v is None else fmt % v if fmt and number(v) else escape_markdown(v) for v in values]
