"""Live charts: Plotly figures updated in place in the browser, with clicks reported back.

``live_plotly`` draws a Plotly figure that updates *in place*. In Streamlit 1.67
``st.plotly_chart`` builds a new chart on every data change (flash, lost zoom,
~1.7 updates/s on a slow client). Here a Components v2 element keeps one Plotly
div per ``key`` and calls ``Plotly.react`` on each new figure
(``app/assets/live_plotly.js``).

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
import json
import time
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
import plotly
import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components_v1
from plotly.io.json import to_json_plotly
from streamlit import runtime

from playground.app.ui.live_common import feed_slots, module_js, session_token, stamp
from playground.app.ui.keys import name_chart
from playground.app.ui.present import presented, presented_height, presenting
from playground.viz.present import SCALE


_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"  # ships plotly.min.js
_PLOTLY_VERSION = plotly.offline.get_plotlyjs_version()

# isolate_styles=False: plotly.js puts its own CSS (modebar, hover labels) into
# document.head, which a shadow root would not see.
_live_chart = st.components.v2.component("playground_live_plotly", js=module_js("live_plotly.js"),
                                         isolate_styles=False)
# A live page's feed (live_feed): one small element a frame that brings the page's views their new payloads.
_feed = st.components.v2.component("playground_live_feed", js=module_js("live_feed.js"), isolate_styles=False)

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
_TYPED_CODES = {np.dtype(name): code for name, code in _TYPED.items()}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _typed_arrays(obj: Any) -> Any:
    """Numeric NumPy arrays in a plain-dict figure -> plotly.js typed-array specs.

    go.Figure already does this; for dicts it avoids ~6x slower JSON number lists.  A list of plain scalars
    (hover texts, tick labels) is taken as it is: walking it item by item was half of the cost of the network
    diagram's payload.
    """
    if isinstance(obj, dict):
        return {k: _typed_arrays(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if all(type(v) in _SCALARS for v in obj):
            return obj
        return [_typed_arrays(v) for v in obj]
    if isinstance(obj, np.ndarray) and obj.size:
        if obj.dtype == np.int64 and np.abs(obj).max() < 2**31:
            obj = obj.astype(np.int32)
        code = _TYPED_CODES.get(obj.dtype)
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


_PRESENTED_KEY = "_playground_live_plotly_presented:"  # + chart key -> (figure, options, its projector figure)
_SENT_KEY = "_playground_live_plotly_sent:"  # + chart key -> (figure, its drawing options, the bytes sent)


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
    lines: bool = False,
    scale: float = SCALE,
    label: str | None = None,
    on_click: Callable[[dict], Any] | None = None,
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
        lines: in presentation mode, draw its curves thick (``viz.present``); every figure gets the
            projector's type (``scale`` times larger) and height then (``present.presented``).
        label: the chart's accessible name (``aria-label`` with ``role="img"`` on its container, read by
            screen readers); by default said in words from the figure itself (``plotly_dicts.describe``:
            its title or axes, each line's last value).
        theme: ``"streamlit"`` replaces the figure's template with one built
            from the app theme (transparent background, theme fonts and colours);
            ``None`` draws the figure exactly as given.
        on_click: with ``events``, called with each new click (as returned below) before the next
            script run, as a widget's ``on_change`` is: it may set other widgets' values. Those clicks
            are then not returned again.

    Zoom and pan survive updates (``layout.uirevision`` defaults to a constant;
    set it to a new value to reset the view).  Passing the very same figure object again re-sends
    the bytes made last time (never change a figure in place after drawing it).

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
    data, _ = _chart_bytes(fig, key=key, height=height, events=events, config=config, theme=theme,
                           watch_visibility=watch_visibility, lines=lines, scale=scale, label=label)
    callbacks = {"on_clicks_change": functools.partial(_deliver_clicks, key, on_click) if on_click else _ignore} \
        if events else {}
    if watch_visibility:
        callbacks["on_hidden_change"] = _ignore
        callbacks["on_moved_change"] = _ignore
    result = _live_chart(key=key, data=stamp(data), **callbacks)
    if watch_visibility:
        _watched(result)
    if not events:
        return None
    batch = _new_clicks(key, result.get("clicks"))
    if batch and on_click is not None:  # clicks the callback did not take (a state set without one: AppTest)
        for i, click in enumerate(batch):
            on_click({**click, "batch": batch[:i + 1]})
        st.rerun()  # the page above was drawn before them
    return {**batch[-1], "batch": batch} if batch else None


def chart_update(fig: go.Figure | dict, *, key: str, height: int = 400, events: bool = False,
                 config: dict | None = None, theme: Literal["streamlit"] | None = "streamlit",
                 watch_visibility: bool = False, lines: bool = False, scale: float = SCALE, label: str | None = None,
                 changed_only: bool = False) -> bytes | None:
    """The payload that brings the chart drawn by ``live_plotly(fig, key=key, ...)`` (the same arguments) the
    figure ``fig``, for a page's feed (``live_feed``).  ``changed_only``: ``None`` if ``fig`` is the very figure
    object last sent for ``key`` (the browser has it), e.g. the network diagram between its redraws."""
    data, changed = _chart_bytes(fig, key=key, height=height, events=events, config=config, theme=theme,
                                 watch_visibility=watch_visibility, lines=lines, scale=scale, label=label)
    return None if changed_only and not changed else stamp(data)


def chart_patch(key: str, layout: dict | None = None, *, data: list[dict] | None = None,
                label: str | None = None) -> bytes:
    """A payload for a page's feed that changes only parts of the figure the chart ``key`` shows (its newest whole
    figure: from the page run or an earlier frame): ``layout``'s keys, and ``data[i]``'s keys of its i-th trace.
    E.g. the decision boundary's picture while its points stay, or the loss curves' points while their colours,
    titles and key stay: the figure's other parts are neither built nor sent again.  A layout key whose value and
    the figure's are both dicts is merged one level down (``{"xaxis": {"dtick": 1}}`` keeps the axis's title);
    a ``None`` there removes the setting.  ``label``: its new accessible name."""
    patch: dict = {}
    if layout is not None:
        patch["layout"] = layout
    if data is not None:
        patch["data"] = data
    body = {"view": key, "patch": _typed_arrays(patch)}
    if label is not None:
        body["label"] = str(label)[:300]
    return stamp(to_json_plotly(body).encode())


def _chart_bytes(fig: go.Figure | dict, *, key: str, height: int, events: bool, config: dict | None,
                 theme: str | None, watch_visibility: bool, lines: bool, scale: float,
                 label: str | None) -> tuple[bytes, bool]:
    """A chart's payload as JSON bytes (not stamped), and whether it is not the figure object last sent for
    ``key`` with the same options (whose bytes are then re-used: no second conversion, ~1–3 ms a chart)."""
    if not isinstance(key, str) or not key or "__" in key:
        raise ValueError(f"live_plotly key must be a non-empty str without '__', got {key!r}")
    if not isinstance(height, int) or height <= 0:
        raise ValueError(f"live_plotly height must be a positive int (pixels), got {height!r}")
    if theme not in ("streamlit", None):
        raise ValueError(f"live_plotly theme must be 'streamlit' or None, got {theme!r}")

    if presenting():  # the projector's figure, made once per figure object
        made = st.session_state.get(_PRESENTED_KEY + key)
        if made is None or made[0] is not fig or made[1] != (lines, scale):
            made = (fig, (lines, scale), presented(fig, lines, scale))
            st.session_state[_PRESENTED_KEY + key] = made
        fig, height = made[2], presented_height(height)

    token = session_token() if watch_visibility else ""
    shape = (height, bool(events), repr(config), theme, bool(watch_visibility), token, label)
    sent = st.session_state.get(_SENT_KEY + key)
    if sent is not None and sent[0] is fig and sent[1] == shape:
        return sent[2], False
    payload = {
        "view": key,
        "figure": _figure_dict(fig, theme),
        "height": height,
        "events": bool(events),
        "config": config or {},
        "theme": theme,
        "plotly_js": _plotly_js_path(),
        "watch_visibility": bool(watch_visibility),
        "session_token": token,
        "label": _label(fig, label),
    }
    # Bytes reach the browser untouched; JSON text would be escaped inside
    # Streamlit's own JSON and parsed twice.
    data = to_json_plotly(payload).encode()
    st.session_state[_SENT_KEY + key] = (fig, shape, data)  # holds the figure: its id is not reused
    return data, True


def live_feed(views: dict[str, bytes | None], *, key: str) -> None:
    """A live page's frame as ONE element.  ``views`` maps a view's key (a ``live_plotly`` chart's, a
    ``keys.live_metrics`` row's) to its new payload (``chart_update``, ``chart_patch``, ``keys.metrics_update``;
    ``None``: none this frame).  Draw the views themselves once per page run, outside the ticking fragment, and
    the feed in it.  ``key`` ends in ``_livefeed``: the app's CSS hides the element (it draws nothing).

    Why: a fragment re-sends each of its elements every frame, and the server's work per frame grows with the
    number of elements more than with their size (each wakes Streamlit's event loop; a component mount costs
    ~0.5–1 ms of the script's time, docs/measurements.md).  A view that is not re-sent stays on the page as it
    is; the feed brings it what changed.  The feed reports nothing back: one of the views watches the tab
    (``live_plotly(watch_visibility=True)``; its report reruns the whole page, which then pauses).
    """
    if not key.endswith("_livefeed"):
        raise ValueError(f"a live feed's key ends in '_livefeed' (the app's CSS hides it), got {key!r}")
    parts = [json.dumps(k).encode() + b": " + v for k, v in views.items() if v is not None]
    data = stamp(b'{"views": {' + b", ".join(parts) + b"}}")
    slots = feed_slots()
    if slots is None:  # one frame this run
        _feed(key=key, data=data)
        return
    # Several frames in this run (``frames_in_one_run``): each frame's feed replaces the one before it in one
    # placeholder. A key is used once a run, so the n-th frame's is ``key_n`` (the CSS hides it as well).
    slot, n = slots.get(key) or (st.empty(), 0)
    slots[key] = (slot, n + 1)
    with slot:
        _feed(key=f"{key}_{n}" if n else key, data=data)


def _watched(result: Any) -> None:
    """Read what an element that watches the page reported: the tab hidden or shown, a new server session."""
    st.session_state[_HIDDEN_KEY] = result.get("hidden") is True
    if result.get("moved") is True and _MOVED_KEY not in st.session_state:
        st.session_state[_MOVED_KEY] = time.monotonic()
        st.rerun()  # the whole page, so that server_session shows why it starts afresh


def _deliver_clicks(key: str, on_click: Callable[[dict], Any]) -> None:
    """A chart's clicks changed (a widget callback: before the script run): hand each new click to ``on_click``."""
    state = st.session_state.get(key)
    batch = _new_clicks(key, state.get("clicks") if hasattr(state, "get") else None)
    for i, click in enumerate(batch):
        on_click({**click, "batch": batch[:i + 1]})


def _label(fig: go.Figure | dict, label: str | None) -> str:
    from playground.viz.plotly_dicts import describe

    if label is not None:
        return str(label)[:300]
    if isinstance(fig, go.Figure):
        return describe([dict(t) for t in fig._data], fig._layout)
    return describe(fig.get("data", []), fig.get("layout", {})) if isinstance(fig, dict) else "chart"


_HIDDEN_KEY = "_playground_tab_hidden"
_MOVED_KEY = "_playground_moved_at"
#: Shown at the top of every page for this long after an open page was given a new server session.
MOVED_NOTICE_SECONDS = 300.0
MOVED_MESSAGE = ("The class server restarted, or moved this page to another of its workers, so this page "
                 "starts again: your setup is back from the page's link, but training starts again from the "
                 "beginning (press Play). Nothing else to do.")


def moved_notice() -> None:
    """Say why an open page starts afresh (see ``MOVED_MESSAGE``) for ``MOVED_NOTICE_SECONDS``."""
    since = st.session_state.get(_MOVED_KEY)
    if since is not None and time.monotonic() - since < MOVED_NOTICE_SECONDS:
        st.info(MOVED_MESSAGE, icon=":material/swap_horiz:")


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


def plotly_chart(fig: go.Figure | dict, *, key: str, lines: bool = False, label: str | None = None,
                 **kwargs: Any) -> Any:
    """``st.plotly_chart`` for a chart drawn once a run: in presentation mode with the projector's type,
    margins and height (thick curves with ``lines``; ``present.presented``). ``label``: its accessible name
    (``keys.name_chart``: ``role="img"`` and ``aria-label``, read by screen readers), by default said in words
    from the figure (as ``live_plotly``'s); a figure that says too little of itself (``VAGUE``) needs one."""
    name = _label(fig, label)  # never vague on the pages (test_chart_names): a page gives label= where needed
    out = st.plotly_chart(presented(fig, lines), key=key, **kwargs)
    name_chart(key, name)
    return out


#: How ``describe`` names a figure without a title or axis titles: it tells a listener nothing.
VAGUE = "chart"
