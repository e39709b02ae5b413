"""Measure the live Playground in a real server + headless Chromium; prints figures, asserts nothing.

    python bench/measure_playground.py [--seconds 10] [--repeats 5] [--link 'dataset=circle&...'] [--json]

Reports, for TF Playground's default setup unless --link says otherwise:
- visible updates per second of the boundary and loss charts (Plotly renders counted in the page),
- epochs per second as seen on the page's epoch counter, and epochs per visible update,
- the browser's main-thread milliseconds per drawn update of each chart (``data-draw-ms`` in the page),
- kilobytes a second the server sends the page while it plays (what a class of N costs the network),
- chart nodes removed during play (0 = updated in place, no remounts),
- control latency, ``--repeats`` times each (median and worst): Pause (click → the counter's last
  change), Step (click → counter +1), a slider change while playing (key press → the run resets to
  epoch 0). Each is timed twice: in the page, from the browser's own input event to the change
  drawn on screen (what a person sees), and from the test's call into Playwright (which adds its
  own checks before it clicks and polls the page every 20 ms),
- how fast this machine ran the NumPy engine alone just before and after (epochs/s of
  ``Trainer.step``, no browser): shared VMs change speed from minute to minute, and this says how
  busy the host was while the figures above were taken.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' helpers (browser_util, hostile_files)
sys.path.insert(0, str(Path(__file__).parent.parent))  # the playground package, for the engine-alone reference
from browser_util import METRICS, free_port, launch_chromium, start_streamlit, stop_streamlit  # noqa: E402

CHART = "document.querySelector('.st-key-{key} .playground-live-plotly')"


def epoch(page) -> int:
    for text in page.locator(METRICS).all_inner_texts():
        name, _, value = text.partition("\n")
        if name.strip() == "Epoch":
            v = value.strip().replace(",", "")
            return int(v) if v.isdigit() else -1
    return -1


def renders(page, key: str) -> int:
    return int(page.evaluate(f"({CHART.format(key=key)} || {{dataset: {{}}}}).dataset.renders || 0"))


def wait_until(pred, timeout=30.0, poll=0.02):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return time.monotonic() - t0
        time.sleep(poll)
    return float("nan")


def draw_ms(page, key: str) -> float:
    return float(page.evaluate(f"({CHART.format(key=key)} || {{dataset: {{}}}}).dataset.drawMs || 0"))


def engine_speed(link: str, seconds: float = 1.0) -> float:
    """Epochs/s of Trainer.step for the link's config in this process: the host's speed right now."""
    from playground.run.config import from_query
    from playground.base.runtime import apply_app_settings
    from playground.run.trainer import Trainer

    apply_app_settings()  # the server's settings
    t = Trainer(from_query(dict(p.split("=", 1) for p in link.split("&")))[0])
    t.step(20)
    return t.run(seconds=seconds) / seconds


# In the page: the time of every pointer or key press and of every change of the epoch counter
# (performance.now(), ms), so a latency runs from the input event to the change on screen.
WATCH = """() => { const w = window.__pg = {inputs: [], epochs: []}; let last = null;
    const input = () => w.inputs.push(performance.now());
    document.addEventListener('pointerdown', input, true);
    document.addEventListener('keydown', input, true);
    new MutationObserver(() => {
        for (const m of document.querySelectorAll('METRICS')) {
            const lines = m.innerText.split('\\n').map(l => l.trim()).filter(Boolean);
            const name = lines[0], value = lines[lines.length - 1];
            if (name !== 'Epoch' || value === last) continue;
            last = value;
            w.epochs.push([performance.now(), parseInt(value.replace(/,/g, ''), 10)]);
        }
    }).observe(document.body, {subtree: true, childList: true, characterData: true}); }""".replace("METRICS", METRICS)


def marks(page) -> tuple[int, int]:
    return tuple(page.evaluate("[window.__pg.inputs.length, window.__pg.epochs.length]"))


def in_page_latency(page, since: tuple[int, int], done) -> float:
    """Seconds from the first input event after ``since`` to the first epoch change after it for which
    ``done(epoch)`` holds; with ``done=None``, to the last change (0 if the counter never moved)."""
    inputs, epochs = page.evaluate("[window.__pg.inputs, window.__pg.epochs]")
    t_in = inputs[since[0]]
    changes = [(t, e) for t, e in epochs[since[1]:] if t >= t_in]
    if done is None:
        return (changes[-1][0] - t_in) / 1000 if changes else 0.0
    hits = [t for t, e in changes if done(e)]
    return (hits[0] - t_in) / 1000 if hits else float("nan")


DEFAULT_LINK = "dataset=circle&hidden=4,2&activation=tanh&lr=0.03&batch=10"  # TF Playground's default setup


def open_page(browser, port: int, link: str, listen=None):
    """A 1280×900 page on the Playground at ``link``, its boundary and loss charts drawn, epoch 0.
    ``listen(page)``, if given, is called before the page loads (to watch its connection from the start)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    if listen is not None:
        listen(page)
    page.goto(f"http://127.0.0.1:{port}/play?{link}")
    page.wait_for_function(f"{CHART.format(key='pg_boundary')} && {CHART.format(key='pg_loss')}", timeout=120_000)
    wait_until(lambda: epoch(page) == 0, 60)
    return page


def report(res: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(res))
        return
    width = max(map(len, res))
    for k, v in res.items():
        print(f"{k:<{width}}  {v}")


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} (worst {max(values):.3f}, n={len(values)})"


def measure(seconds: float, link: str, repeats: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    speed_before = engine_speed(link)
    port = free_port()
    proc = start_streamlit("streamlit_app.py", port)
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            received = [0]  # bytes the server sent over the page's websocket

            def count_bytes(page):
                page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.__setitem__(
                    0, received[0] + len(f if isinstance(f, (bytes, str)) else f.get("payload", b"")))))

            page = open_page(browser, port, link, count_bytes)
            page.evaluate(WATCH)
            # Which chart lost its Plotly node, and when (ms since the page loaded): names say what remounted.
            page.evaluate("""() => { window.__removed = [];
                new MutationObserver(ms => { for (const m of ms) for (const n of m.removedNodes)
                    if (n.nodeType === 1 && (n.matches('.js-plotly-plot') || n.querySelector('.js-plotly-plot'))) {
                        const box = m.target.closest && m.target.closest('[class*="st-key-"]');
                        const key = box ? [...box.classList].find(c => c.startsWith('st-key-')) : m.target.className;
                        window.__removed.push(`${key} at ${Math.round(performance.now())} ms`);
                    } }).observe(document.body, {subtree: true, childList: true}); }""")

            page.get_by_role("button", name="Play").click()
            wait_until(lambda: epoch(page) > 0, 30)
            keys = ("pg_boundary", "pg_loss", "pg_network")
            r0, e0, t0, b0 = {k: renders(page, k) for k in keys}, epoch(page), time.monotonic(), received[0]
            ms0 = {k: draw_ms(page, k) for k in keys}
            time.sleep(seconds)
            r1, e1, t1, b1 = {k: renders(page, k) for k in keys}, epoch(page), time.monotonic(), received[0]
            ms1 = {k: draw_ms(page, k) for k in keys}
            dt = t1 - t0

            phases = {"pause": round(page.evaluate("performance.now()"))}
            # Pause latency: click, then the time of the counter's last change (within 3 s).
            pauses, pauses_in_page = [], []
            for i in range(repeats):
                if i:
                    page.get_by_role("button", name="Play").click()
                    time.sleep(2.0)
                last_change, prev = 0.0, epoch(page)
                since = marks(page)
                click_t = time.monotonic()
                page.get_by_role("button", name="Pause").click()
                while time.monotonic() - click_t < 3.0:
                    e = epoch(page)
                    if e != prev:
                        last_change, prev = time.monotonic() - click_t, e
                    time.sleep(0.02)
                pauses.append(last_change)
                pauses_in_page.append(in_page_latency(page, since, None))

            phases["step"] = round(page.evaluate("performance.now()"))
            steps, steps_in_page = [], []
            for _ in range(repeats):
                before = epoch(page)
                since = marks(page)
                t = time.monotonic()
                page.get_by_role("button", name="Step").click()
                wait_until(lambda: epoch(page) == before + 1, 30)  # noqa: B023 (called before the loop moves on)
                steps.append(time.monotonic() - t)
                steps_in_page.append(in_page_latency(page, since, lambda e, b=before: e == b + 1))

            # A control change while playing: the noise slider resets the run (new data).
            phases["slider"] = round(page.evaluate("performance.now()"))
            sliders, sliders_in_page = [], []
            for i in range(repeats):
                page.get_by_role("button", name="Play").click()
                wait_until(lambda: epoch(page) > 20, 30)
                slider = page.get_by_role("slider").first
                slider.focus()
                since = marks(page)
                page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
                sliders.append(wait_until(lambda: 0 <= epoch(page) < 5, 30))
                sliders_in_page.append(in_page_latency(page, since, lambda e: 0 <= e < 5))
                page.get_by_role("button", name="Pause").click()
                time.sleep(0.5)
            errors = page.locator("[data-testid=stException]").count()
            removed = page.evaluate("window.__removed")
            browser.close()
    finally:
        stop_streamlit(proc)
    drawn = {k: r1[k] - r0[k] for k in keys}
    return {
        "link": link,
        "seconds": round(dt, 2),
        "boundary_updates_per_s": round(drawn["pg_boundary"] / dt, 2),
        "loss_updates_per_s": round(drawn["pg_loss"] / dt, 2),
        "epochs_per_s_visible": round((e1 - e0) / dt, 1),
        "epochs_per_update": round((e1 - e0) / max(1, drawn["pg_boundary"]), 1),
        "browser_ms_per_update": {k.removeprefix("pg_"): round((ms1[k] - ms0[k]) / max(1, drawn[k]), 1) for k in keys},
        "server_to_browser_kb_per_s": round((b1 - b0) / dt / 1000, 1),
        "chart_nodes_removed": len(removed),
        **({"removed_detail": f"{removed}; phases (ms): {phases}"} if removed else {}),
        "pause_latency_s": spread(pauses_in_page),
        "step_latency_s": spread(steps_in_page),
        "slider_latency_s": spread(sliders_in_page),
        "via_playwright_s": f"pause {spread(pauses)}; step {spread(steps)}; slider {spread(sliders)}",
        "exceptions": errors,
        "engine_alone_epochs_per_s": f"{speed_before:.0f} before, {engine_speed(link):.0f} after",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=5, help="latency samples of each control")
    ap.add_argument("--link", default=DEFAULT_LINK)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = measure(args.seconds, args.link, args.repeats)
    report(res, args.json)
    if args.json:
        return
    print("targets: ≥ 5 updates/s, ≥ 600 visible epochs/s (10× TF Playground's ≤ 60), latencies ≤ 0.5 s, 0 removed")
    print("latencies: from the browser's input event to the change on screen; via_playwright adds the test's own overhead")


if __name__ == "__main__":
    main()
