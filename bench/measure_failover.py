"""A class behind HAProxy loses a worker: how long until its students are back on another one?

    python bench/measure_failover.py [--students 4] [--repeats 1] [--json]

Starts ``deploy/serve_class.py --workers 2`` (what ``./start --workers 2`` runs; needs ``haproxy``), opens
``--students`` Playground pages in their own browser contexts through HAProxy, presses Play in each, and
prints how the students were shared out. Then it kills (SIGKILL) worker 1 and, for each of its
students (the pages that open a new WebSocket), times from the kill: the page's new WebSocket (Streamlit's frontend
reconnecting, sent by HAProxy to the other worker), the page shown again from its link (Epoch 0), and the
note that says why it starts afresh. Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser_util import epoch, launch_chromium, start_class_server, stop_class_server  # noqa: E402

from playground.app.ui.charts import MOVED_MESSAGE  # noqa: E402

LINKS = ["dataset=xor&hidden=4&seed=1", "dataset=circle&hidden=3&seed=2", "dataset=gauss&hidden=2&seed=3",
         "dataset=spiral&hidden=6&seed=4"]
BOUNDARY = "document.querySelector('.st-key-pg_boundary .js-plotly-plot')"


def one_run(browser, students: int) -> dict:
    server = start_class_server(2)
    contexts = []
    try:
        pages = []
        for i in range(students):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            contexts.append(context)
            page = context.new_page()
            page.sockets = []  # (time, url) of every WebSocket the page opens
            page.on("websocket", lambda ws, p=page: p.sockets.append((time.monotonic(), ws.url)))
            page.goto(f"{server['url']}/play?{LINKS[i % len(LINKS)]}")
            page.wait_for_function(f"{BOUNDARY} && {BOUNDARY}.data && {BOUNDARY}.data.length > 0", timeout=120_000)
            page.get_by_role("button", name="Play").click()
            pages.append(page)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not all(epoch(p) > 20 for p in pages):
            time.sleep(0.2)
        cookie = [next(c["value"] for c in ctx.cookies() if c["name"] == "PLAYGROUND_WORKER") for ctx in contexts]
        shares = sorted((cookie.count(c) for c in set(cookie)), reverse=True) + [0]
        # Kill worker 1. Its students are the pages that open a new WebSocket afterwards (the others
        # keep theirs); watch for at least 30 s, and until every one of them shows the note.
        killed_at = time.monotonic()
        os.kill(server["pids"][1], signal.SIGKILL)
        times = {id(p): {} for p in pages}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            now = time.monotonic() - killed_at
            for p in pages:
                t = times[id(p)]
                if "websocket" not in t and any(when > killed_at for when, _ in p.sockets):
                    t["websocket"] = min(when for when, _ in p.sockets if when > killed_at) - killed_at
                if "websocket" in t and "page" not in t and epoch(p) == 0:
                    t["page"] = now
                if "note" not in t and p.get_by_text(MOVED_MESSAGE).count():
                    t["note"] = now
            moved = [t for t in times.values() if t]
            if now > 30 and moved and all("note" in t and "page" in t for t in moved):
                break
            time.sleep(0.05)
        return {"students": students, "shared": shares[:2], "moved": [t for t in times.values() if t]}
    finally:
        for context in contexts:
            context.close()
        stop_class_server(server["proc"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for _ in range(args.repeats):
                runs.append(one_run(browser, args.students))
        finally:
            browser.close()
    if args.json:
        print(json.dumps(runs, indent=1))
        return
    for r in runs:
        print(f"{r['students']} students on 2 workers, shared {r['shared'][0]} + {r['shared'][1]}; "
              f"killed worker 1, which had {len(r['moved'])}")
        for i, t in enumerate(r["moved"], 1):
            cells = ", ".join(f"{name} {t[name]:.1f} s" if name in t else f"{name} never"
                              for name in ("websocket", "page", "note"))
            print(f"  moved student {i}: {cells} after the kill")


if __name__ == "__main__":
    main()
