"""Press the Playground's controls many times while it trains; count every one that went wrong.

    python bench/stress_controls.py [--changes 100] [--link 'dataset=circle&...'] [--json]

In a real server + headless Chromium, ``--changes`` times: Play, wait until the run
trains, move the noise slider one step (alternately right and left), and expect
the run to reset to epoch 0 (a new dataset) within 8 s; then Pause, and expect the
epoch counter to hold. Reports how many slider changes and Pauses were lost, the
slider's latency, whether the page's server connection ever closed, and the
browser's console errors, which is where Streamlit says why it dropped a
connection (for example "Cached ForwardMsg MISS"), and any request that failed
(an offline classroom must not need the internet). Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' helpers (browser_util, hostile_files)
from browser_util import free_port, launch_chromium, start_streamlit, stop_streamlit  # noqa: E402
from measure_playground import DEFAULT_LINK, epoch, open_page, report, wait_until  # noqa: E402

# Streamlit's frontend first asks for these under the page's own path (/play/_stcore/health), gets a
# 404, then asks at the root: its normal start-up on a multipage app, not a missing file.
_PROBES = ("/_stcore/health", "/_stcore/host-config")


def stress(changes: int, link: str) -> dict:
    from playwright.sync_api import sync_playwright

    closes, console, failed, latencies = [], [], [], []
    lost_changes, lost_pauses, disabled = [], [], 0
    port = free_port()
    proc = start_streamlit("streamlit_app.py", port)
    t0 = time.monotonic()
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)

            def listen(page):
                page.on("websocket", lambda ws: ws.on("close", lambda _: closes.append(
                    round(time.monotonic() - t0, 1))))
                # Failed fetches are listed by URL (below), not by the console's "Failed to load resource".
                page.on("console", lambda m: console.append(m.text[:160]) if m.type == "error" and
                        not m.text.startswith("Failed to load resource") else None)
                page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and
                        not r.url.endswith(_PROBES) else None)
                page.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))

            page = open_page(browser, port, link, listen)
            pause = page.get_by_role("button", name="Pause")
            for i in range(changes):
                page.get_by_role("button", name="Play").click()
                wait_until(lambda: epoch(page) > 20, 30)
                slider = page.get_by_role("slider").first
                slider.focus()
                t = time.monotonic()
                page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                took = wait_until(lambda: 0 <= epoch(page) < 5, 8)
                if took != took:  # NaN: never reset
                    lost_changes.append(i)
                else:
                    latencies.append(time.monotonic() - t)
                    # The reset paused the run; play again so that Pause has something to stop.
                    page.get_by_role("button", name="Play").click()
                    wait_until(lambda: epoch(page) > 20, 30)
                if pause.is_disabled():  # Streamlit greys every control while disconnected
                    disabled += 1
                    wait_until(lambda: not pause.is_disabled(), 60)
                pause.click(timeout=60_000)
                time.sleep(0.8)
                held = epoch(page)
                time.sleep(0.7)
                if epoch(page) != held:
                    lost_pauses.append(i)
                    pause.click(timeout=60_000)
                    time.sleep(0.8)
            errors = page.locator("[data-testid=stException]").count()
            browser.close()
    finally:
        stop_streamlit(proc)
    return {
        "link": link,
        "slider_changes": changes,
        "lost_slider_changes": len(lost_changes),
        "lost_pauses": len(lost_pauses),
        "slider_latency_s": (f"{statistics.median(latencies):.3f} (worst {max(latencies):.3f}, n={len(latencies)})"
                             if latencies else "-"),
        "controls_greyed_out": disabled,
        "connection_closed_at_s": closes,
        "console_errors": sorted(set(console)),
        "failed_requests": sorted(set(failed)),
        "exceptions": errors,
        "minutes": round((time.monotonic() - t0) / 60, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--link", default=DEFAULT_LINK)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    report(stress(args.changes, args.link), args.json)


if __name__ == "__main__":
    main()
