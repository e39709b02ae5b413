"""Helpers for browser tests: a real `streamlit run` server and headless Chromium.

    from browser_util import streamlit_server_fixture, chromium_fixture
    server = streamlit_server_fixture("bench/demo_live_chart.py")  # yields base URL
    browser = chromium_fixture()

Streamlit's own browser tests start the server the same way and poll
/_stcore/health until it answers "ok".
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright cannot download browsers here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    script: str | Path, port: int, env: dict | None = None, timeout: float = 60
) -> subprocess.Popen:
    """Start `streamlit run script` on `port`; return once /_stcore/health says ok.

    The repo root is on PYTHONPATH so scripts can import `playground`. Server
    output goes to a temp file (proc.log_path) and is quoted if start-up fails.
    """
    log = tempfile.NamedTemporaryFile("wb", prefix="streamlit-", suffix=".log", delete=False)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full_env.get("PYTHONPATH")]))
    proc = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop_streamlit(proc)
    tail = Path(log.name).read_text(errors="replace")[-3000:]
    raise RuntimeError(f"streamlit did not become healthy on port {port}:\n{tail}")


def stop_streamlit(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def launch_chromium(playwright, **kwargs):
    """Headless Debian Chromium via Playwright (no browser download needed)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **kwargs)


def streamlit_server_fixture(script: str | Path, env: dict | None = None, scope: str = "module"):
    """A pytest fixture that runs `script` in a server and yields its base URL."""

    @pytest.fixture(scope=scope)
    def _server():
        proc = start_streamlit(REPO / script, free_port(), env)
        try:
            yield f"http://127.0.0.1:{proc.args[proc.args.index('--server.port') + 1]}"
        finally:
            stop_streamlit(proc)

    return _server


def chromium_fixture(scope: str = "module"):
    """A pytest fixture yielding a headless Chromium browser; skips if none is available."""

    @pytest.fixture(scope=scope)
    def _browser():
        sync_api = pytest.importorskip("playwright.sync_api")
        if not Path(CHROMIUM).exists():
            pytest.skip(f"no Chromium at {CHROMIUM}")
        with sync_api.sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                yield browser
            finally:
                browser.close()

    return _browser


def wait_for(predicate, timeout: float = 60.0, what: str = "condition", poll: float = 0.1):
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_chart(page, chart: str, traces: int = 1, timeout: float = 90_000) -> None:
    """Wait until the Plotly chart the JS expression ``chart`` finds has drawn at least ``traces`` traces."""
    page.wait_for_function(f"{chart} && {chart}.data && {chart}.data.length >= {traces}", timeout=timeout)


#: The Playground's decision-boundary chart (a JS expression for ``wait_for_chart`` and ``page.evaluate``).
BOUNDARY = "document.querySelector('.st-key-pg_boundary .js-plotly-plot')"


def open_playground(browser, url: str, steps: int = 0):
    """A new page on the Playground at ``url``, its boundary drawn at epoch 0, then ``steps`` presses of Step
    (each waited for: the Epoch metric reads 1, 2, …)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    wait_for_chart(page, BOUNDARY)
    wait_for(lambda: epoch(page) == 0, what="epoch 0")
    for n in range(1, steps + 1):
        page.get_by_role("button", name="Step").click()
        wait_for(lambda n=n: epoch(page) == n, what=f"epoch {n}")
    return page


def query_of(page) -> dict:
    """The address bar's query as the page has it now (``page.url`` can miss a ``history.replaceState``)."""
    search = page.evaluate("location.search").lstrip("?")  # a blank value is a value: hidden= is no hidden layer
    return {k: v[-1] for k, v in parse_qs(search, keep_blank_values=True).items()}


def close_clean(page) -> None:
    """Fail if the page shows an exception box; then close it."""
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()


#: A metric as the page shows it: an st.metric, or one of a live row drawn in place while playing (keys.live_metrics).
METRICS = "[data-testid=stMetric], .playground-metric"


def metric(page, label: str) -> str:
    """The shown value of the metric labelled ``label`` ("" if there is none)."""
    for text in page.locator(METRICS).all_inner_texts():
        name, _, value = text.partition("\n")
        if name.strip() == label:
            return value.strip()
    return ""


def choose(page, label: str, option: str, timeout: float = 180_000) -> None:
    """Pick ``option`` (its shown text) in the selectbox labelled ``label`` (the first such, sidebar or main)."""
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=label).first
    box.wait_for(timeout=timeout)
    box.click()
    page.get_by_role("option", name=option, exact=True).click(timeout=timeout)


def start_class_server(workers: int = 2, env: dict | None = None, out: str | Path | None = None,
                       timeout: float = 150) -> dict:
    """Start ``deploy/serve_class.py`` (what ``./start --workers N`` runs) on a run of free ports, on
    127.0.0.1; return once it says it is ready: ``{"url", "proc", "out", "pids"}``, ``pids`` being
    ``{1: worker 1's pid, …, "haproxy": pid}`` as it printed them. Stop it with ``stop_class_server``."""
    port = free_run(workers)
    out = Path(out or tempfile.NamedTemporaryFile(prefix="serve-class-", suffix=".out", delete=False).name)
    with open(out, "wb") as log:
        proc = subprocess.Popen([sys.executable, "deploy/serve_class.py", "--workers", str(workers), "--port", str(port),
                                 "--address", "127.0.0.1"], cwd=REPO, env={**os.environ, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "Ctrl+C stops everything" in out.read_text() or proc.poll() is not None,
                 timeout=timeout, what="the class server to start")
    except AssertionError:
        stop_class_server(proc)
        raise
    if proc.poll() is not None:
        raise RuntimeError(f"the class server did not start:\n{out.read_text()[-3000:]}")
    pids: dict = {}
    for line in out.read_text().splitlines():
        name, _, rest = line.partition(": pid ")
        if rest and name.startswith("worker "):
            pids[int(name.split()[1])] = int(rest.split(",")[0])
        elif rest and name == "HAProxy":
            pids["haproxy"] = int(rest.split(",")[0])
    return {"url": f"http://127.0.0.1:{port}", "proc": proc, "out": out, "pids": pids}


def stop_class_server(proc: subprocess.Popen) -> int:
    """Ctrl+C, as a teacher would; its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def free_run(n: int) -> int:
    """A port P with P … P+n all free (a class server: HAProxy on P, its workers above it)."""
    for _ in range(50):
        base = free_port()
        if base + n < 65536 and all(_bindable(p) for p in range(base, base + n + 1)):
            return base
    raise RuntimeError("no run of free ports")


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def epoch(page) -> int:
    """The Playground's Epoch metric as a number (-1 while it shows none)."""
    value = metric(page, "Epoch").replace(",", "")
    return int(value) if value.isdigit() else -1


def open_room(browser, server: str, width: int = 1920, height: int = 1080, present: bool = False):
    """A teacher opens a room on the Room page (in presentation mode if ``present``): their page and the room's code."""
    teacher = browser.new_context(viewport={"width": width, "height": height}).new_page()
    teacher.goto(f"{server}/room" + ("?present=1" if present else ""))
    teacher.get_by_role("button", name="Open a room").click(timeout=90_000)
    title = wait_for(lambda: next((t for t in teacher.locator("h1").all_inner_texts() if t.startswith("Room ")), None),
                     what="the room's title")
    return teacher, title.split()[1]


def join_room(browser, server: str, code: str, name: str, query: str = "", width: int = 1280, height: int = 900):
    """A student opens the room's link (with ``query``'s setup, if any), joins as ``name``: their Playground."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{server}/play?room={code}" + (f"&{query}" if query else ""))
    page.get_by_role("textbox", name="Your nickname").fill(name, timeout=90_000)
    page.get_by_role("button", name="Join").click()
    wait_for(lambda: page.get_by_text(f"Room {code} as {name}").count() > 0, timeout=90, what=f"{name} in the room")
    return page
