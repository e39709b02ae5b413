"""A small class at once: 3 browser contexts on one server, each with its own link, all playing.

The short version of bench/load_test.py (which measures; this asserts): no errors, every
session keeps its own config, epochs rise in all of them, and once all press Pause the server
stops spending CPU on them.
"""
import math
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))  # load_test, measure_playground: the page drivers
from browser_util import CHROMIUM, free_port, launch_chromium, start_streamlit, stop_streamlit  # noqa: E402
from load_test import CpuMeter, check, open_students, pause, play, session_links  # noqa: E402
from measure_playground import epoch, wait_until  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAY_SECONDS = 10  # long enough for every counter to rise and the CPU meter to read the playing server


def test_three_sessions_at_once_stay_isolated_and_go_idle_on_pause():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    proc = start_streamlit("streamlit_app.py", free_port(), env={"STREAMLIT_SERVER_ADDRESS": "127.0.0.1"})
    base = f"http://127.0.0.1:{proc.args[proc.args.index('--server.port') + 1]}"
    try:
        with sync_api.sync_playwright() as pw:
            browser = launch_chromium(pw)
            students = open_students(browser, base, session_links(3))
            assert [s.page_errors for s in students] == [[], [], []]
            assert len({s.expected_query for s in students}) == 3  # three different configs

            for s in students:
                assert check(s)["epoch"] == 0
                play(s)
            waited = wait_until(lambda: all(epoch(s.page) > 0 for s in students), 120, poll=0.5)
            assert not math.isnan(waited), "not every session started training"
            started = [check(s)["epoch"] for s in students]
            meter = CpuMeter(proc.pid)
            time.sleep(PLAY_SECONDS)
            playing = meter.read()
            later = [check(s)["epoch"] for s in students]
            assert all(b > a > 0 for a, b in zip(started, later)), (started, later)

            for s in students:
                pause(s)
            held = [epoch(s.page) for s in students]
            for _ in range(30):  # the frame in flight finishes, then every counter stays put
                time.sleep(2)
                before, held = held, [epoch(s.page) for s in students]
                if before == held:
                    break
            meter.mark()
            time.sleep(5)
            paused = meter.read()
            assert [check(s)["epoch"] for s in students] == held

            assert [s.leaks for s in students] == [[], [], []]
            assert [s.exceptions for s in students] == [0, 0, 0]
            assert [s.page_errors for s in students] == [[], [], []]
            assert playing["server_cores"] > 0.02, playing
            assert paused["server_cores"] < playing["server_cores"] / 3, (playing, paused)
            browser.close()
    finally:
        stop_streamlit(proc)
    assert "Traceback" not in Path(proc.log_path).read_text(errors="replace")
