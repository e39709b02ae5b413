"""Many students at once: N browser sessions on one `streamlit run` server; prints figures, asserts nothing.

    python bench/load_test.py [--sessions 20] [--seconds 120] [--port 0] [--json]

One headless Chromium with N browser *contexts* (separate cookies and storage, like N students)
opens the Playground on one server bound to 127.0.0.1, each with a DIFFERENT link (dataset, hidden
layers, seed, noise), presses Play and lets all of them train for --seconds.  It reports:

- errors: failed loads, ``stException`` elements, JavaScript page errors, tracebacks in the server log;
- isolation: every sample re-reads each page's address bar (the server writes the normalised link
  there) and its Seed box; any value that is not the session's own is a leak;
- epochs/s per session while all play;
- server memory (RSS) idle, after the first session, with N sessions, after Pause and after the
  tabs are closed (→ memory per session);
- server CPU (cores, from /proc/<pid>/stat utime+stime) while all play, after all press Pause
  (idle sessions must stop costing CPU) and after the tabs close; the browser's CPU beside it, since
  here it shares the machine with the server;
- control latency under load for a sample of sessions: Pause (click → counter stops), Step
  (click → counter +1).

Bounded: at most MAX_SESSIONS sessions and MAX_SECONDS of play; a watchdog kills the server and
exits if the whole run overruns.  The browser here is one process tree on the same cores as the
server: a slow client ticks its live fragment less often, so the server load measured here is a
lower bound of what N students with their own computers cause.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' helpers (browser_util, hostile_files)
from browser_util import METRICS, REPO, free_port, launch_chromium, start_streamlit, stop_streamlit  # noqa: E402
from measure_playground import CHART, epoch, wait_until  # noqa: E402

sys.path.insert(0, str(REPO))
from playground.base.capacity import MAX_TRAINING_ENV  # noqa: E402
from playground.run.config import from_query  # noqa: E402

__all__ = ["MAX_SESSIONS", "MAX_SECONDS", "session_links", "cpu_seconds", "rss_mb", "CpuMeter", "Student",
           "open_students", "check", "click", "play", "pause", "run"]

MAX_SESSIONS = 50
MAX_SECONDS = 900
IDLE_CORES = 0.05  # below this share of one core the server counts as idle
_TICK = os.sysconf("SC_CLK_TCK")
_PLAYGROUND = f"{CHART.format(key='pg_boundary')} && {CHART.format(key='pg_loss')}"
_DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "blobs", "spiral3", "reg-plane", "reg-gauss")
_HIDDEN = ("4,2", "4", "2", "8,8", "6,3", "5", "8,6", "3", "6,6", "3,3", "8", "5,5,5")


def session_links(n: int) -> list[str]:
    """N short links, each a different dataset/hidden/seed/noise combination.

    Short on purpose: the server fills in every other field and writes the full link into the
    address bar, so reading it back proves the session's config went through its own server state.
    """
    return [f"dataset={_DATASETS[i % len(_DATASETS)]}&hidden={_HIDDEN[i % len(_HIDDEN)]}"
            f"&seed=load{i}&noise={(5 * i) % 55}" for i in range(n)]


# ----- process figures from /proc (psutil when installed) --------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process, all its threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()  # the name in (...) may contain spaces
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime: fields 14 and 15 of stat(5)


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 1e6
    except ImportError:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def descendants(pid: int) -> list[int]:
    """All processes below `pid` (here: the Playwright driver and Chromium's processes)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _tree_cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for p in pids:
        try:
            total += cpu_seconds(p)
        except OSError:  # a renderer that exited in between
            pass
    return total


class CpuMeter:
    """Cores used by the server, by the browser (our other descendants) and by the whole machine."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.mark()

    def _machine(self) -> tuple[float, float]:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (sum(v) - v[3] - v[4]) / _TICK, sum(v) / _TICK  # busy (not idle, not iowait), total

    def _browser_pids(self) -> list[int]:
        return [p for p in descendants(os.getpid()) if p != self.server_pid]

    def mark(self) -> None:
        self._t = time.monotonic()
        self._server = cpu_seconds(self.server_pid)
        self._browser = _tree_cpu_seconds(self._browser_pids())
        self._busy, self._total = self._machine()

    def read(self) -> dict:
        """Cores used since the last mark() (1.0 = one core fully busy); marks again."""
        t, server, browser = time.monotonic(), cpu_seconds(self.server_pid), _tree_cpu_seconds(self._browser_pids())
        busy, total = self._machine()
        dt = max(t - self._t, 1e-6)
        out = {"seconds": round(dt, 1), "server_cores": round((server - self._server) / dt, 3),
               # Renderers that exit between marks take their CPU with them: clamp, don't go negative.
               "browser_cores": round(max(0.0, browser - self._browser) / dt, 3),
               "machine_busy_cores": round((busy - self._busy) / max(total - self._total, 1e-6) * os.cpu_count(), 2)}
        self._t, self._server, self._browser, self._busy, self._total = t, server, browser, busy, total
        return out


# ----- one student: a browser context with the Playground open -----------------------------------------
@dataclass
class Student:
    index: int
    link: str
    expected_query: str  # the normalised link the server must write into this session's address bar
    expected_seed: str
    context: object = None
    page: object = None
    ready_s: float = float("nan")
    page_errors: list = field(default_factory=list)
    exceptions: int = 0
    leaks: list = field(default_factory=list)
    samples: list = field(default_factory=list)  # (monotonic time, epoch, boundary renders) while all play
    epochs_per_s: float = float("nan")
    updates_per_s: float = float("nan")  # visible boundary-chart updates: how often this session's frames land

    @property
    def ok(self) -> bool:
        return self.ready_s == self.ready_s  # loaded (not NaN)


def open_students(browser, base: str, links: list[str], ramp: int = 5, timeout: float = 180.0) -> list[Student]:
    """Open every link in its own context, `ramp` at a time (a class arriving), waiting for each wave.

    A session counts as loaded once its boundary and loss charts exist and the counter shows epoch
    0; ``ready_s`` is seconds from its wave's start.  A failed load is recorded, not raised.
    """
    students = []
    for i, link in enumerate(links):
        cfg, _ = from_query(dict(p.split("=", 1) for p in link.split("&")))
        students.append(Student(i, link, cfg.to_query(), cfg.seed))
    for w in range(0, len(students), ramp):
        wave = students[w:w + ramp]
        t0 = time.monotonic()
        for s in wave:
            s.context = browser.new_context(viewport={"width": 1280, "height": 900})
            s.page = s.context.new_page()
            s.page.on("pageerror", lambda err, s=s: s.page_errors.append(str(err)))
            s.page.goto(f"{base}/play?{s.link}", wait_until="commit")
        for s in wave:
            try:
                s.page.wait_for_function(f"{_PLAYGROUND} && ({_READ_EPOCH})() === 0",
                                         timeout=max(1.0, timeout - (time.monotonic() - t0)) * 1000, polling=200)
                s.ready_s = time.monotonic() - t0
            except Exception as e:  # noqa: BLE001 - a failed load is a result to report, not a crash
                s.page_errors.append(f"load: {type(e).__name__}: {str(e).splitlines()[0]}")
    return students


# The epoch counter as a number (-1 when not drawn), read in the page: one round trip per read.
_READ_EPOCH = """() => { for (const m of document.querySelectorAll('METRICS')) {
        const parts = m.innerText.split('\\n').map(x => x.trim()).filter(Boolean);  // "Epoch\\n\\n1,234"
        if (parts[0] === 'Epoch') return Number(parts[parts.length - 1].replaceAll(',', '')); } return -1; }""".replace("METRICS", METRICS)
_STATE = f"""() => {{
    const chart = document.querySelector('.st-key-pg_boundary .playground-live-plotly');
    const seed = document.querySelector('[data-testid=stSidebar] input[aria-label="Seed"]');
    return {{epoch: ({_READ_EPOCH})(), renders: chart ? Number(chart.dataset.renders || 0) : 0,
            seed: seed ? seed.value : null,
            exceptions: document.querySelectorAll('[data-testid=stException]').length}};
}}"""


def check(s: Student) -> dict:
    """Read the page's epoch, chart renders and the config the server shows it; record leaks and errors.

    The server writes the session's normalised link into the address bar and its seed into the
    Seed box: another session's values there would be a leak.
    """
    state = s.page.evaluate(_STATE)
    s.exceptions = max(s.exceptions, state["exceptions"])
    query = unquote(urlsplit(s.page.url).query)  # the address bar writes "," as %2C
    if query != s.expected_query:
        s.leaks.append(f"address bar {query!r}")
    if state["seed"] != s.expected_seed:
        s.leaks.append(f"seed box {state['seed']!r}")
    return state


def click(s: Student, button: str) -> bool:
    """Click a transport button; a button that never becomes clickable is recorded, not raised."""
    try:
        s.page.get_by_role("button", name=button).click(timeout=30_000)
        return True
    except Exception as e:  # noqa: BLE001 - an overloaded page is a result to report
        s.page_errors.append(f"{button} click: {type(e).__name__}: {str(e).splitlines()[0]}")
        return False


def play(s: Student) -> bool:
    return click(s, "Play")


def pause(s: Student) -> bool:
    return click(s, "Pause")


# In-page probe: the browser's own clock stamps each click and each change of the epoch counter, so
# the latencies below are not inflated by how slowly Playwright's polling runs on a busy machine.
_PROBE = f"""() => {{
    const read = {_READ_EPOCH};
    const lt = window.__lt = {{clicks: [], changes: [], start: read()}};
    lt.last = lt.start;
    document.addEventListener('click', () => lt.clicks.push(performance.now()), true);
    new MutationObserver(() => {{ const v = read();
        if (v >= 0 && v !== lt.last) {{ lt.last = v; lt.changes.push([performance.now(), v]); }} }})
        .observe(document.body, {{subtree: true, childList: true, characterData: true}});
}}"""


def _latency(s: Student, button: str, quiet: float = 3.0, limit: float = 60.0) -> tuple[float, int]:
    """Click `button`; (seconds from the click to the counter's last change, epochs run after the click).

    Seconds on the browser's clock.  Waits until the counter has held still for `quiet` s (after
    Step: once it has moved).  After Pause the last change is the frame in flight finishing; after
    Step it is the +1.  NaN where nothing can be measured: Pause on a counter that did not move in
    the `quiet` s before the click, or Step with no change within `limit` s.
    """
    page = s.page
    page.evaluate(_PROBE)
    time.sleep(quiet)  # is the counter moving before the click?
    n0 = page.evaluate("window.__lt.changes.length")
    if not click(s, button):
        return float("nan"), 0
    t0 = last = time.monotonic()
    seen = n0
    while time.monotonic() - t0 < limit:
        n = page.evaluate("window.__lt.changes.length")
        if n != seen:
            seen, last = n, time.monotonic()
        elif time.monotonic() - last > quiet and (button != "Step" or seen > n0):
            break
        time.sleep(0.1)
    lt = page.evaluate("({clicks: window.__lt.clicks, changes: window.__lt.changes, start: window.__lt.start})")
    if not lt["clicks"]:
        return float("nan"), 0
    clicked_at = lt["clicks"][0]
    before = [e for t, e in lt["changes"] if t < clicked_at]
    after = [(t, e) for t, e in lt["changes"] if t >= clicked_at]
    if button == "Pause" and not before:
        return float("nan"), 0
    if not after:
        return (0.0 if button == "Pause" else float("nan")), 0
    return round((after[-1][0] - clicked_at) / 1000, 2), after[-1][1] - (before[-1] if before else lt["start"])


def _cpu_until_idle(meter: CpuMeter, window: float, limit: float) -> tuple[list[dict], float]:
    """CPU in `window`-second slices until the server is idle or `limit` s pass; (slices, seconds to idle)."""
    meter.mark()
    slices, t0 = [], time.monotonic()
    while time.monotonic() - t0 < limit:
        time.sleep(window)
        slices.append(meter.read())
        if slices[-1]["server_cores"] < IDLE_CORES:
            return slices, round(time.monotonic() - t0, 1)
    return slices, float("nan")


def _log_errors(path: str) -> tuple[int, list[str]]:
    """(tracebacks in the server log, the distinct exception lines that end them)."""
    text = Path(path).read_text(errors="replace")
    ends = re.findall(r"^([A-Za-z_][\w.]*(?:Error|Exception|Disconnected)\w*: .*)$", text, re.MULTILINE)
    return text.count("Traceback (most recent call last)"), sorted(set(ends))


# ----- the run ----------------------------------------------------------------------------------------
def run(sessions: int = 20, seconds: float = 120.0, port: int = 0, sample_every: float = 10.0,
        latency_sample: int = 3, settle: float = 40.0, ramp: int = 5, log=print) -> dict:
    """Run the whole scenario and return the figures (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be 1–{MAX_SESSIONS}, got {sessions!r}")
    if not 5 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 5–{MAX_SECONDS}, got {seconds!r}")
    port = port or free_port()
    proc = start_streamlit("streamlit_app.py", port, env={"STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
                                                         # every student may train: this measures N at once
                                                         MAX_TRAINING_ENV: str(sessions)})
    # Hard stop: loading, latency probes and the idle checks are bounded too; this catches a hang.
    budget = seconds + settle + 180 * (2 + sessions // ramp) + 60 * latency_sample + 10 * sessions + 300
    watchdog = threading.Timer(budget, _abort, args=(proc, budget))
    watchdog.daemon = True
    watchdog.start()
    res: dict = {"sessions": sessions, "seconds": seconds, "ramp": ramp, "date": time.strftime("%Y-%m-%d %H:%M"),
                 "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg()[0]}
    try:
        pid = proc.pid
        meter = CpuMeter(pid)
        time.sleep(2)
        res["rss_idle_mb"] = rss_mb(pid)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            links = session_links(sessions)
            log(f"opening session 1 of {sessions} …")
            students = open_students(browser, base, links[:1])
            time.sleep(2)
            res["rss_one_session_mb"] = rss_mb(pid)
            log(f"opening sessions 2–{sessions}, {ramp} at a time …")
            students += open_students(browser, base, links[1:], ramp) if sessions > 1 else []
            for i, s in enumerate(students):
                s.index = i
            live = [s for s in students if s.ok]
            if not live:
                raise RuntimeError(f"no session loaded: {[s.page_errors[:1] for s in students]}")
            res["failed_loads"] = sessions - len(live)
            res["load_s_max"] = round(max((s.ready_s for s in live), default=float("nan")), 1)
            time.sleep(3)
            res["rss_loaded_mb"] = rss_mb(pid)
            meter.mark()
            time.sleep(5)
            res["cpu_loaded_not_playing"] = meter.read()

            log(f"{len(live)} sessions loaded; Play in all, {seconds:g} s …")
            for s in live:
                check(s)
                play(s)
            wait_until(lambda: all(epoch(s.page) > 0 for s in live), 60, poll=0.5)
            meter.mark()
            t_end, rss_peak, cpu_slices = time.monotonic() + seconds, 0.0, []
            while True:
                for s in live:
                    state = check(s)
                    s.samples.append((time.monotonic(), state["epoch"], state["renders"]))
                if time.monotonic() >= t_end:
                    break
                time.sleep(max(0.0, min(sample_every, t_end - time.monotonic())))
                cpu_slices.append(meter.read())
                rss_peak = max(rss_peak, rss_mb(pid))
                log(f"  t={seconds - (t_end - time.monotonic()):5.0f} s  server {cpu_slices[-1]['server_cores']:.2f} "
                    f"cores, browser {cpu_slices[-1]['browser_cores']:.2f}, RSS {rss_peak:.0f} MB")
            res["sessions_advancing"] = sum(s.samples[-1][1] > s.samples[0][1] for s in live)
            res["epochs_shown_timeline"] = [sum(s.samples[i][1] for s in live) for i in range(len(live[0].samples))]
            for s in live:
                (t0, e0, r0), (t1, e1, r1) = s.samples[0], s.samples[-1]
                if t1 > t0:
                    s.epochs_per_s, s.updates_per_s = (e1 - e0) / (t1 - t0), (r1 - r0) / (t1 - t0)
            res["rss_playing_mb"] = rss_peak
            res["cpu_playing"] = _mean_slices(cpu_slices)
            epochs_played = sum(s.samples[-1][1] - s.samples[0][1] for s in live)
            server_cpu_s = sum(c["server_cores"] * c["seconds"] for c in cpu_slices)
            res["epochs_per_server_cpu_s"] = round(epochs_played / max(server_cpu_s, 1e-6))

            # Control latency while the others keep playing.
            probes = live[:: max(1, len(live) // max(1, latency_sample))][:latency_sample]
            pauses = [_latency(s, "Pause") for s in probes]
            steps = [_latency(s, "Step") for s in probes]
            res["pause_latency_s"] = [t for t, _ in pauses]
            res["epochs_after_pause_click"] = [n for _, n in pauses]
            res["step_latency_s"] = [t for t, _ in steps]
            res["step_epochs"] = [n for _, n in steps]  # each must be exactly 1

            log("Pause in all …")
            for s in live:
                pause(s)
            res["cpu_after_pause"], res["idle_after_pause_s"] = _cpu_until_idle(meter, 2.0, 90.0)
            held = [epoch(s.page) for s in live]
            time.sleep(3)
            res["still_running_after_pause"] = sum(epoch(s.page) != h for s, h in zip(live, held))
            meter.mark()
            time.sleep(5)
            res["cpu_paused"] = meter.read()
            res["rss_paused_mb"] = rss_mb(pid)
            for s in live:
                check(s)

            log("closing all tabs …")
            for s in students:
                s.context.close()
            res["cpu_after_close"], res["idle_after_close_s"] = _cpu_until_idle(meter, 2.0, 90.0)
            res["rss_closed_mb"] = rss_mb(pid)
            log(f"waiting {settle:g} s for the server to drop disconnected sessions …")
            time.sleep(settle)
            meter.mark()
            time.sleep(5)
            res["cpu_settled"] = meter.read()
            res["rss_settled_mb"] = rss_mb(pid)
            browser.close()
        res["per_session"] = [_session_row(s) for s in students]
    finally:
        watchdog.cancel()
        stop_streamlit(proc)
    res["server_log_tracebacks"], res["server_log_errors"] = _log_errors(proc.log_path)
    return _summarise(res)


def _abort(proc, budget: float) -> None:
    print(f"load_test: hard stop after {budget:.0f} s", file=sys.stderr, flush=True)
    proc.kill()
    os._exit(3)


def _mean_slices(slices: list[dict]) -> dict:
    if not slices:
        return {}
    keys = ("server_cores", "browser_cores", "machine_busy_cores")
    total = sum(s["seconds"] for s in slices)
    return {"seconds": round(total, 1), **{k: round(sum(s[k] * s["seconds"] for s in slices) / total, 3) for k in keys}}


def _session_row(s: Student) -> dict:
    return {"i": s.index, "link": s.link, "loaded": s.ok, "ready_s": round(s.ready_s, 1),
            "epochs": s.samples[-1][1] if s.samples else 0, "epochs_per_s": round(s.epochs_per_s, 1),
            "updates_per_s": round(s.updates_per_s, 2), "samples": len(s.samples),
            "exceptions": s.exceptions, "page_errors": len(s.page_errors), "errors": s.page_errors[:3],
            "leaks": s.leaks[:3]}


def _summarise(res: dict) -> dict:
    rows = [r for r in res["per_session"] if r["loaded"]]
    rates = [r["epochs_per_s"] for r in rows if r["epochs_per_s"] == r["epochs_per_s"]]
    ups = [r["updates_per_s"] for r in rows if r["updates_per_s"] == r["updates_per_s"]]
    n = max(1, len(rows))
    res["exceptions"] = sum(r["exceptions"] for r in res["per_session"])
    res["page_errors"] = sum(r["page_errors"] for r in res["per_session"])
    res["sessions_with_leaks"] = sum(bool(r["leaks"]) for r in res["per_session"])
    res["epochs_per_s"] = {"min": min(rates, default=0), "median": statistics.median(rates) if rates else 0,
                           "max": max(rates, default=0), "sum": round(sum(rates), 1)}
    res["updates_per_s_median"] = statistics.median(ups) if ups else 0
    res["mb_per_session_loaded"] = round((res["rss_loaded_mb"] - res["rss_one_session_mb"]) / max(1, n - 1), 2)
    res["mb_per_session_playing"] = round((res["rss_playing_mb"] - res["rss_one_session_mb"]) / max(1, n - 1), 2)
    res["mb_first_session"] = round(res["rss_one_session_mb"] - res["rss_idle_mb"], 1)
    for k in [k for k in res if k.startswith("rss_")]:
        res[k] = round(res[k], 1)
    return res


def _table(res: dict) -> str:
    c = lambda d: f"server {d.get('server_cores', float('nan')):.2f}, browser {d.get('browser_cores', float('nan')):.2f}, " \
                  f"machine {d.get('machine_busy_cores', float('nan')):.2f} cores"  # noqa: E731
    e = res["epochs_per_s"]
    lines = [
        ("date, CPUs, load average at start", f"{res['date']}, {res['cpus']}, {res['loadavg_at_start']:.1f}"),
        ("sessions (loaded / asked)", f"{res['sessions'] - res['failed_loads']} / {res['sessions']}"),
        ("slowest load (opened in waves of --ramp)", f"{res['load_s_max']} s"),
        ("errors: stException / page errors / server tracebacks",
         f"{res['exceptions']} / {res['page_errors']} / {res['server_log_tracebacks']} {res['server_log_errors']}"),
        ("sessions showing another's config", res["sessions_with_leaks"]),
        ("epochs/s per session (min / median / max)", f"{e['min']} / {e['median']} / {e['max']}  (sum {e['sum']})"),
        ("sessions whose counter moved while all played", res["sessions_advancing"]),
        ("visible chart updates/s per session (median)", res["updates_per_s_median"]),
        ("epochs per server CPU-second (all sessions)", res["epochs_per_server_cpu_s"]),
        ("RSS idle → 1 session → N loaded → N playing",
         f"{res['rss_idle_mb']} → {res['rss_one_session_mb']} → {res['rss_loaded_mb']} → {res['rss_playing_mb']} MB"),
        ("RSS paused → tabs closed → settled",
         f"{res['rss_paused_mb']} → {res['rss_closed_mb']} → {res['rss_settled_mb']} MB"),
        ("memory: first session / each more (loaded, playing)",
         f"{res['mb_first_session']} / {res['mb_per_session_loaded']}, {res['mb_per_session_playing']} MB"),
        ("CPU loaded, not playing", c(res["cpu_loaded_not_playing"])),
        ("CPU all playing", c(res["cpu_playing"])),
        ("after Pause: server idle within", f"{res['idle_after_pause_s']} s; sessions still counting: "
                                            f"{res['still_running_after_pause']}"),
        ("CPU all paused", c(res["cpu_paused"])),
        ("after closing tabs: server idle within", f"{res['idle_after_close_s']} s"),
        ("CPU after the disconnected-session TTL", c(res["cpu_settled"])),
        ("Pause latency under load (s; epochs after click)", f"{res['pause_latency_s']}; {res['epochs_after_pause_click']}"),
        ("Step latency under load (s; epochs per Step)", f"{res['step_latency_s']}; {res['step_epochs']}"),
    ]
    width = max(len(k) for k, _ in lines)
    out = [f"{k:<{width}}  {v}" for k, v in lines]
    out += ["", f"{'#':>2}  {'link':<52} {'ready s':>7} {'epochs':>8} {'ep/s':>7} {'upd/s':>5}  errors  leaks"]
    for r in res["per_session"]:
        out.append(f"{r['i']:>2}  {r['link']:<52} {r['ready_s']:>7} {r['epochs']:>8} {r['epochs_per_s']:>7} "
                   f"{r['updates_per_s']:>5}  {r['exceptions'] + r['page_errors']:>6}  {'; '.join(r['leaks']) or '-'}")
        out += [f"      {e}" for e in r["errors"]]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=20, help=f"browser contexts, 1–{MAX_SESSIONS} (20)")
    ap.add_argument("--seconds", type=float, default=120.0, help=f"seconds all sessions play, 5–{MAX_SECONDS} (120)")
    ap.add_argument("--port", type=int, default=0, help="server port on 127.0.0.1 (0 = a free one)")
    ap.add_argument("--sample-every", type=float, default=10.0, help="seconds between isolation/epoch samples")
    ap.add_argument("--latency-sample", type=int, default=3, help="sessions probed for Pause/Step latency")
    ap.add_argument("--settle", type=float, default=40.0,
                    help="seconds to wait after closing tabs (server.disconnectedSessionTTL is 30)")
    ap.add_argument("--ramp", type=int, default=5, help="sessions opened at once, wave after wave (5)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = ap.parse_args()
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else (lambda *a: print(*a, flush=True))
    res = run(args.sessions, args.seconds, args.port, args.sample_every, args.latency_sample, args.settle,
              args.ramp, log)
    print(json.dumps(res) if args.json else _table(res))


if __name__ == "__main__":
    main()
