"""Measure live chart updates in a real server + headless Chromium.

    python bench/measure_live_chart.py                # live_plotly
    python bench/measure_live_chart.py --baseline     # same demo with st.plotly_chart
    python bench/measure_live_chart.py --cpu-throttle 4 --screenshot /tmp/shots/live.png

Runs bench/demo_live_chart.py (fragment ticking every 0.2 s) and reports, for
the first (heatmap) chart, visible updates/s = how often the *painted* title
("frame N") changes, sampled every animation frame, and how many Plotly chart
DOM nodes were removed (MutationObserver): 0 means updated in place.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' helpers (browser_util, hostile_files)
from browser_util import launch_chromium, free_port, start_streamlit, stop_streamlit  # noqa: E402

PROBE = """
window.__probe = {removed: 0, changes: 0, last: null};
new MutationObserver((records) => {
  for (const r of records) for (const n of r.removedNodes) {
    if (n.nodeType !== 1) continue;
    window.__probe.removed += n.matches('.js-plotly-plot') + n.querySelectorAll('.js-plotly-plot').length;
  }
}).observe(document, {childList: true, subtree: true});
(function sample() {
  const title = document.querySelector('.js-plotly-plot .gtitle');
  const text = title && title.textContent;
  if (text && text !== window.__probe.last) { window.__probe.last = text; window.__probe.changes++; }
  requestAnimationFrame(sample);
})();
"""
# Server-side frame counter: the newest "frame N" text on the page.
FRAME = r"Math.max(0, ...[...document.body.innerText.matchAll(/frame (\d+)/g)].map((m) => +m[1]))"


def measure(seconds: float, baseline: bool, cpu_throttle: float, screenshot: str | None) -> dict:
    from playwright.sync_api import sync_playwright

    env = {"LIVE_CHART_BASELINE": "1" if baseline else "0"}
    proc = start_streamlit("bench/demo_live_chart.py", free_port(), env)
    port = proc.args[proc.args.index("--server.port") + 1]
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1200, "height": 1100})
            if cpu_throttle > 1:
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_throttle})
            page.add_init_script(PROBE)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(".js-plotly-plot .gtitle", timeout=60_000)
            time.sleep(2)  # let start-up settle
            frame = lambda: page.evaluate(FRAME)  # noqa: E731
            before = page.evaluate("({...window.__probe})")
            f0, t0 = frame(), time.monotonic()
            time.sleep(seconds)
            after = page.evaluate("({...window.__probe})")
            f1, elapsed = frame(), time.monotonic() - t0
            if screenshot:
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=screenshot, full_page=True)
            errors = page.locator("[data-testid=stException]").count()
            browser.close()
    finally:
        stop_streamlit(proc)
    changes = after["changes"] - before["changes"]
    removed = after["removed"] - before["removed"]
    return {
        "chart": "st.plotly_chart" if baseline else "live_plotly",
        "seconds": round(elapsed, 1),
        "server_frames_per_s": round((f1 - f0) / elapsed, 2),
        "visible_updates_per_s": round(changes / elapsed, 2),
        "chart_nodes_removed": removed,
        "removed_per_update": round(removed / max(changes, 1), 2),
        "exceptions": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--baseline", action="store_true", help="use st.plotly_chart instead")
    ap.add_argument("--cpu-throttle", type=float, default=1, help="Chromium CPU slowdown factor")
    ap.add_argument("--screenshot", help="save a full-page PNG here at the end")
    args = ap.parse_args()
    for name, value in measure(args.seconds, args.baseline, args.cpu_throttle, args.screenshot).items():
        print(f"{name:>22}: {value}")


if __name__ == "__main__":
    main()
