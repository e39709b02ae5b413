"""N students playing the Playground without browsers: Streamlit's own WebSocket protocol; prints figures.

    python bench/ws_students.py [--students 12] [--seconds 30] [--link 'speed=max'] [--page play]
                                [--server-cpu 0] [--client-cpu 1] [--speed-label '…'] [--floor] [--json]

Starts one ``streamlit run`` (pinned with ``taskset`` to ``--server-cpu``; this process and its
students to ``--client-cpu``), then plays N students on it: each opens a WebSocket to
``/_stcore/stream`` and speaks the protocol the browser speaks (``streamlit.proto``: a ``BackMsg``
``rerun_script`` with the page and the link, the Play button's trigger, and, every interval the
server's ``auto_rerun`` message asks for, a rerun of the live fragment, whether or not a run is going on,
as the browser's timer (a ``setInterval``) does).  Nothing is rendered: the server does all it does for a browser.

Per student it counts *updates* (live feeds received: the Playground's frames, several a fragment run; on
pages without a feed, fragment runs that finished) and reads the epoch from the Epoch metric; for the server it reads CPU (utime+stime of its process) and RSS.
It reports server CPU per student-second and per frame, updates/s and epochs/s per student, memory
per student, and students per core (one core / CPU per student).

``--floor`` serves ``bench/floor_app.py`` instead (one fragment ticking every 0.17 s that draws
nothing): Streamlit's own CPU per fragment run, the floor under any live frame.

Checked against a browser: ``bench/measure_playground.py`` for one student (same link) gives the
updates/s a real browser sees; the figures for one student here should be the same within noise.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parents[1]
_TICK = os.sysconf("SC_CLK_TCK")
MAX_STUDENTS, MAX_SECONDS = 60, 600


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Student:
    """One WebSocket session: opens the page with ``query``, presses Play, keeps the fragment ticking."""

    def __init__(self, port: int, page: str, query: str, play: bool = True, speed_label: str = ""):
        self.port, self.page, self.query, self.play = port, page, query, play
        self.speed_label = speed_label  # set the Speed box to this label with Play (pages without a speed link key)
        self.widgets: dict[str, str] = {}  # widget id -> string value, sent with every rerun as a browser does
        self.play_id: str | None = None
        self.speed_id: str | None = None
        self.fragments: dict[str, float] = {}  # fragment id -> interval asked for
        self.running = False
        self.updates = 0  # frames: live feeds received, or runs finished that sent none
        self._fed = False  # this run sent a live feed
        self.charts = 0  # live chart deltas received
        self.epoch = 0
        self.epochs_at: list[tuple[float, int]] = []
        self.updates_at: list[float] = []
        self.errors: list[str] = []
        self.played = False
        self.bytes = 0
        self._next: dict[str, float] = {}  # fragment id -> when its timer fires next

    def _rerun(self, fragment: str = "", widgets=()) -> bytes:
        m = BackMsg()
        rs = m.rerun_script
        rs.query_string, rs.page_name = self.query, self.page
        if fragment:
            rs.fragment_id, rs.is_auto_rerun = fragment, True
        for wid, value in self.widgets.items():
            w = rs.widget_states.widgets.add()
            w.id, w.string_value = wid, value
        for wid in widgets:
            w = rs.widget_states.widgets.add()
            w.id, w.trigger_value = wid, True
        return m.SerializeToString()

    def _read(self, raw: bytes) -> None:
        self.bytes += len(raw)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun":
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for f in msg.stop_auto_rerun.fragment_ids:
                self.fragments.pop(f, None)
        elif kind == "script_finished":
            self.running = False
            if not self._fed:  # a run without a feed (other pages, the floor): the run is the update
                self._update()
            self._fed = False
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            what = el.WhichOneof("type")
            if what == "button" and el.button.label == "Play":
                self.play_id = el.button.id
            elif what == "selectbox" and el.selectbox.label == "Speed":
                self.speed_id = el.selectbox.id
            elif what == "metric" and el.metric.label == "Epoch":
                self._saw_epoch(el.metric.body)
            elif what == "exception":
                self.errors.append(el.exception.message[:200])
            elif what == "bidi_component":
                self.charts += 1
                raw = el.bidi_component.bytes
                if b'"views"' in raw[:300]:  # a live feed: one frame (a run may bring several)
                    self._fed = True
                    self._update()
                if b'"views"' in raw[:300] or b'"mode": "metrics"' in raw[:300]:  # a feed, or keys.live_metrics
                    msg = json.loads(raw)
                    for m in [msg, *(msg.get("views") or {}).values()]:  # the row while playing
                        items = (m.get("items") or [["", ""]]) if m.get("mode") == "metrics" else [["", ""]]
                        if items[0][0] == "Epoch":
                            self._saw_epoch(items[0][1])

    def _update(self) -> None:
        self.updates += 1
        self.updates_at.append(time.monotonic())

    def _saw_epoch(self, shown: str) -> None:
        digits = re.sub(r"\D", "", shown)
        if digits:
            self.epoch = int(digits)
            self.epochs_at.append((time.monotonic(), self.epoch))

    async def run(self, until: float) -> None:
        uri = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None, compression=None) as ws:
            self.running = True
            await ws.send(self._rerun())
            while time.monotonic() < until:
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.02)
                    self._read(raw)
                    continue
                except asyncio.TimeoutError:
                    pass
                if self.play and not self.played and self.play_id and not self.running:
                    self.played, self.running = True, True
                    if self.speed_label and self.speed_id:
                        self.widgets[self.speed_id] = self.speed_label
                    await ws.send(self._rerun(widgets=[self.play_id]))
                    continue
                now = time.monotonic()
                for f, iv in self.fragments.items():  # the browser's timers: one per ticking fragment
                    self._next.setdefault(f, now + iv)
                for f, at in self._next.items():  # a setInterval: it fires whether or not a run is going on
                    if self.fragments.get(f) and now >= at:
                        self._next[f] = at + self.fragments[f] if now - at < self.fragments[f] else now + self.fragments[f]
                        await ws.send(self._rerun(fragment=f))

    def rates(self, t0: float, t1: float) -> tuple[float, float]:
        """(updates/s, epochs/s) between monotonic times t0 and t1."""
        ups = sum(1 for t in self.updates_at if t0 <= t <= t1) / max(1e-9, t1 - t0)
        inside = [(t, e) for t, e in self.epochs_at if t0 <= t <= t1]
        eps = (inside[-1][1] - inside[0][1]) / max(1e-9, inside[-1][0] - inside[0][0]) if len(inside) > 1 else 0.0
        return ups, eps


def start_server(app: str, port: int, cpu: int | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import urllib.request
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


async def _measure(port: int, pid: int, students: int, page: str, query: str, seconds: float, warmup: float,
                   speed_label: str = "") -> dict:
    rss0 = rss_mb(pid)
    crowd = [Student(port, page, query, speed_label=speed_label) for _ in range(students)]
    end = time.monotonic() + warmup + seconds
    tasks = [asyncio.create_task(s.run(end)) for s in crowd]
    await asyncio.sleep(warmup)
    t0, c0 = time.monotonic(), cpu_seconds(pid)
    u0 = sum(s.updates for s in crowd)
    await asyncio.sleep(seconds)
    t1, c1 = time.monotonic(), cpu_seconds(pid)
    u1 = sum(s.updates for s in crowd)
    rss1 = rss_mb(pid)
    await asyncio.gather(*tasks, return_exceptions=True)
    rates = [s.rates(t0, t1) for s in crowd]
    cores = (c1 - c0) / (t1 - t0)
    frames = u1 - u0
    return {
        "students": students, "page": page, "link": query, "seconds": round(t1 - t0, 1),
        "server_cores": round(cores, 3),
        "server_cpu_ms_per_student_second": round(1000 * cores / students, 1),
        "server_cpu_ms_per_frame": round(1000 * (c1 - c0) / max(1, frames), 2),
        "updates_per_s_median": round(statistics.median(r[0] for r in rates), 2),
        "updates_per_s_min": round(min(r[0] for r in rates), 2),
        "epochs_per_s_median": round(statistics.median(r[1] for r in rates), 1),
        "epochs_per_s_min": round(min(r[1] for r in rates), 1),
        "students_per_core": round(students / cores, 1) if cores > 0 else None,
        "rss_mb_idle": round(rss0, 1), "rss_mb_playing": round(rss1, 1),
        "rss_mb_per_student": round((rss1 - rss0) / students, 1),
        "kb_per_update": round(sum(s.bytes for s in crowd) / max(1, sum(s.updates for s in crowd)) / 1024, 1),
        "played": sum(s.played for s in crowd), "errors": sorted({e for s in crowd for e in s.errors})[:3],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=12, help=f"students, 1–{MAX_STUDENTS} (12)")
    ap.add_argument("--seconds", type=float, default=30.0, help="seconds measured while all play (30)")
    ap.add_argument("--warmup", type=float, default=8.0, help="seconds of play before measuring (8)")
    ap.add_argument("--link", default="", help="the Playground link every student opens ('' = the default)")
    ap.add_argument("--page", default="play", help="page url (play, race)")
    ap.add_argument("--port", type=int, default=8907)
    ap.add_argument("--server-cpu", type=int, default=0, help="core the server is pinned to (-1: not pinned)")
    ap.add_argument("--client-cpu", type=int, default=1, help="core these students run on (-1: not pinned)")
    ap.add_argument("--speed-label", default="", help="choose this Speed label with Play (before the link's speed key)")
    ap.add_argument("--floor", action="store_true", help="serve bench/floor_app.py: a fragment that draws nothing")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    students = max(1, min(MAX_STUDENTS, a.students))
    seconds = max(3.0, min(MAX_SECONDS, a.seconds))
    if a.client_cpu >= 0:
        os.sched_setaffinity(0, {a.client_cpu})
    app = "bench/floor_app.py" if a.floor else "streamlit_app.py"
    proc = start_server(app, a.port, a.server_cpu if a.server_cpu >= 0 else None)
    try:
        page = "" if a.floor else a.page
        res = asyncio.run(_measure(a.port, proc.pid, students, page, a.link, seconds, a.warmup, a.speed_label))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    res["app"] = app
    print(json.dumps(res) if a.json else "\n".join(f"{k:36s} {v}" for k, v in res.items()))


if __name__ == "__main__":
    main()
