"""The address bar and full links: what the browser shows, links to copy, and the entry guard."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from playground.app.pages import PAGES

_ADDRESSES_KEY = "_playground_written_addresses"
_PAGE_RUNS_KEY = "_playground_page_runs"
#: How many of the addresses this session replaced are remembered as possible echoes.
REMEMBERED_ADDRESSES = 8


def address() -> str:
    """The page's address bar as ``key=value&…`` (``st.query_params``, values decoded)."""
    return "&".join(f"{k}={v}" for k, v in st.query_params.items())


def wrote_address(query: str) -> None:
    """Record that the page just put ``query`` into the address bar (``st.query_params``)."""
    current, replaced = st.session_state.get(_ADDRESSES_KEY, (None, []))
    if current is not None and current != query:
        replaced = [q for q in replaced if q not in (query, current)][-(REMEMBERED_ADDRESSES - 1):] + [current]
    st.session_state[_ADDRESSES_KEY] = (query, [q for q in replaced if q != query])


def note_page_run(page: str) -> None:
    """The entry script, on every full run: the page this run shows (``stale_address`` compares it with the
    page of the run before)."""
    st.session_state[_PAGE_RUNS_KEY] = (st.session_state.get(_PAGE_RUNS_KEY, (None, None))[1], page)


def stale_address(query: str) -> bool:
    """True if ``query`` is an echo: an address this session replaced, brought back by a rerun of the same page.

    Why: every rerun request carries the browser's address bar. A request the browser sent
    before it received the page's newest address (a live fragment's tick, a second click)
    brings back the address from before the change; a page that took it for a new link
    opened by the user undid the change (a slider moved back, 2–4 of 100 changes while
    playing, ``bench/stress_controls.py``). Such an echo can arrive any time later: a slider's
    callback often runs in the fragment's tick that carried the new value, and the slider's
    own page rerun, sent with the old address, starts after that tick's frame, seconds later
    on a busy server (it once came after the 3 s this used to allow, and undid the change).
    So no clock decides: an address is the user's when it opens the page (a new session), comes
    from another page of the app (``note_page_run``: a page link, ``st.switch_page``) or from
    the browser's Back and Forward buttons; an address a page writes itself (a teacher's push)
    is recorded by ``wrote_address`` and is then no longer an echo.
    """
    _, replaced = st.session_state.get(_ADDRESSES_KEY, (None, []))
    before, now = st.session_state.get(_PAGE_RUNS_KEY, (None, None))
    return query in replaced and before == now and not _history_navigation()


def _history_navigation() -> bool:
    """Whether this run was asked for by the browser's Back or Forward button (Streamlit's run context)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


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

        runpy.run_path(str(Path(__file__).resolve().parents[3] / "streamlit_app.py"), run_name="__main__")
        st.stop()
