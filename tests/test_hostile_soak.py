"""Hostile soak: normal students keep learning while one visitor throws the worst at the server.

A few students play ordinary Playground links.  Then one visitor, in browser windows of its own, opens
the heaviest links the caps allow (the NumPy engine with Adam + dropout, the torch engine), a Race of four of the
largest networks, and uploads the nastiest files (a model file whose pickle takes minutes to load,
an oversized JSON model, a CSV with an overlong field).  Throughout:

- every normal student keeps >= 1 drawn update a second, counted on the SERVER (the app writes its
  per-session frame counts to ``PLAYGROUND_STATS_FILE``, see ``playground/base/capacity.py``), so a
  slow browser on this shared machine cannot hide or fake a stalled server;
- ``/_stcore/health`` keeps answering (each probe given 5 s);
- after every tab closes, the server's live session count returns to zero.

Process memory is not checked after the tabs close: Python keeps its arenas.  The run is bounded
(pytest-timeout) and prints its figures: the closing note of a change that touches this quotes them.
"""
from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))  # load_test, measure_playground: the page drivers
from browser_util import CHROMIUM, free_port, launch_chromium, start_streamlit, stop_streamlit, wait_for  # noqa: E402
from hostile_files import csv_long_field, json_oversized, pt_pickle_bomb  # noqa: E402
from load_test import open_students, play, session_links  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STUDENTS = 3
ATTACK_SECONDS = 20  # the window over which each student's updates are counted
MIN_UPDATES_PER_SECOND = 1.0
HEALTH_TIMEOUT = 5.0
HEAVY = ("hidden=64,64,64,64,64,64,64,64&points=4890&train=90&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"
         "&batch=1&dtype=float64")  # the most work the caps allow (CAPS["work"])
HEAVY_LINKS = [
    f"/play?{HEAVY}&optimizer=adam&dropout=0.5",  # the NumPy engine, its dearest optimizer and dropout
    f"/play?{HEAVY}&engine=torch",
]
# Four of the largest networks the caps allow, raced.
RACE_LINK = (f"/race?{HEAVY}&race=" + "|".join(["lr:0.1", "lr:0.01", "optimizer:adam", "activation:relu"]))


class Health(threading.Thread):
    """Probes /_stcore/health twice a second until stopped; keeps every latency and failure."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.url, self.latencies, self.failures = f"{base}/_stcore/health", [], []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=HEALTH_TIMEOUT) as r:
                    ok = r.status == 200 and r.read().strip() == b"ok"
                if not ok:
                    self.failures.append(f"answer at {t0:.1f}")
            except Exception as e:  # noqa: BLE001 - any failure to answer is what this records
                self.failures.append(f"{type(e).__name__} at {t0:.1f}")
            self.latencies.append(time.monotonic() - t0)
            self._halt.wait(0.5)

    def stop(self) -> None:
        self._halt.set()
        self.join(HEALTH_TIMEOUT + 1)


def read_stats(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def frames(path: Path) -> dict[str, int]:
    return {str(k): int(v) for k, v in read_stats(path).get("frames", {}).items()}


def click_play(page, attack: list[str], what: str) -> None:
    """The visitor presses Play (again if a busy page lost the click: no Pause came); a page too slow to
    show its button is noted, not fatal (the students are what this test is about), and the list of what
    the visitor managed to do is printed."""
    try:
        for _ in range(2):
            page.get_by_role("button", name="Play").first.click(timeout=30_000)
            try:
                page.get_by_role("button", name="Pause").first.wait_for(timeout=20_000)
            except Exception:  # noqa: BLE001 - pressed again
                continue
            attack.append(f"{what}: playing")
            return
        attack.append(f"{what}: pressed Play twice, no Pause")
    except Exception as e:  # noqa: BLE001 - reported below
        attack.append(f"{what}: no Play ({type(e).__name__})")


def upload_model(page, name: str, data: bytes) -> None:
    """Open Export / import on the Playground and hand it a file."""
    page.get_by_role("button", name="Export / import").click(timeout=60_000)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").last.set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}, timeout=60_000)
    page.keyboard.press("Escape")


@pytest.mark.timeout(420)
def test_students_keep_learning_while_a_visitor_attacks(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    stats = tmp_path / "stats.json"
    proc = start_streamlit("streamlit_app.py", free_port(),
                           env={"STREAMLIT_SERVER_ADDRESS": "127.0.0.1", "PLAYGROUND_STATS_FILE": str(stats)})
    base = f"http://127.0.0.1:{proc.args[proc.args.index('--server.port') + 1]}"
    health = Health(base)
    phases, t_phase = [], time.monotonic()  # seconds per phase, printed: where the test's time goes

    def phase(name: str) -> None:
        nonlocal t_phase
        phases.append(f"{name} {time.monotonic() - t_phase:.0f} s")
        t_phase = time.monotonic()

    try:
        with sync_api.sync_playwright() as pw:
            browser = launch_chromium(pw)
            students = open_students(browser, base, session_links(STUDENTS))
            assert [s.page_errors for s in students] == [[]] * STUDENTS
            for s in students:
                play(s)
            # The students' sessions are the ones drawing frames before the visitor arrives.
            wait_for(lambda: len([v for v in frames(stats).values() if v > 0]) >= STUDENTS, 120,
                     "every student's frames counted on the server")
            student_keys = {k for k, v in frames(stats).items() if v > 0}
            phase("students playing")
            assert len(student_keys) == STUDENTS, frames(stats)
            health.start()

            # Each visitor page in a window of its own: a tab behind another is hidden, and a hidden
            # Playground stops training (as it should), which would spare the server the attack.
            windows = []

            def window():
                windows.append(browser.new_context(viewport={"width": 1280, "height": 800}))
                return windows[-1].new_page()

            pages = []
            for link in HEAVY_LINKS + [RACE_LINK]:
                p = window()
                p.goto(base + link, wait_until="commit")
                pages.append(p)
            files_page, data_page = window(), window()  # loading while the heavy runs start
            files_page.goto(base + "/play", wait_until="commit")
            data_page.goto(base + "/data", wait_until="commit")
            attack: list[str] = []
            for p, link in zip(pages, HEAVY_LINKS + [RACE_LINK]):
                click_play(p, attack, link)
            phase("heavy runs playing")
            # The worst files, uploaded while the heavy runs play.
            upload_model(files_page, "bomb.pt", pt_pickle_bomb())
            upload_model(files_page, "huge.json", json_oversized())
            data_page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(
                {"name": "long.csv", "mimeType": "text/csv", "buffer": csv_long_field()}, timeout=60_000)
            phase("files uploaded")
            start, t0 = frames(stats), time.monotonic()
            time.sleep(ATTACK_SECONDS)
            end, seconds = frames(stats), time.monotonic() - t0
            rates = {k: (end.get(k, 0) - start.get(k, 0)) / seconds for k in student_keys}
            attacker = {k: (end.get(k, 0) - start.get(k, 0)) / seconds for k in end if k not in student_keys}
            peak = read_stats(stats)

            # What the visitor saw: a message for each file, never an error box.
            exceptions = [f"{p.url}: {e.inner_text()[:400]}" for p in [*pages, files_page, data_page]
                          for e in p.locator("[data-testid=stException]").all()]

            for s in students:
                s.context.close()
            for w in windows:
                w.close()
            wait_for(lambda: read_stats(stats).get("sessions") == 0, 120, "the live session count back at zero")
            after = read_stats(stats)
            phase("attack counted, tabs closed, sessions back to zero")
            browser.close()
    finally:
        health.stop()
        stop_streamlit(proc)

    lat = sorted(health.latencies)
    print(f"\nstudents' updates/s on the server: {sorted(round(r, 2) for r in rates.values())}; "
          f"visitor's sessions: {sorted(round(r, 2) for r in attacker.values())}; "
          f"health probes: {len(lat)}, median {statistics.median(lat) * 1000:.0f} ms, worst {lat[-1] * 1000:.0f} ms; "
          f"peak sessions {peak.get('sessions')}, training {peak.get('training')}, rss {peak.get('rss_mb')} MB; "
          f"after close: sessions {after.get('sessions')}, training {after.get('training')}; visitor: {attack}; "
          f"phases: {', '.join(phases)}")
    assert health.failures == [], health.failures
    assert len(lat) >= ATTACK_SECONDS  # it probed throughout
    assert all(r >= MIN_UPDATES_PER_SECOND for r in rates.values()), rates
    assert exceptions == []
    assert after.get("training") == 0
    # No traceback from the app's own code. Streamlit logs one of its own when a closing tab's websocket
    # is cut mid-receive (starlette_websocket.py); that one names no file of this project.
    log = Path(proc.log_path).read_text(errors="replace")
    ours = [block for block in log.split("Traceback (most recent call last):")[1:]
            if any(f"{part}" in block for part in ("playground/", "/pages/", "streamlit_app.py"))]
    assert ours == [], ours[0][:3000] if ours else ""
