"""A teacher's room with N students playing, photographed: what a class looks like on the projector.

    python bench/room_grid_shot.py [--students 6] [--out artifacts/room] [--seconds 20] [--present] [--port P]

Starts one ``streamlit run`` with a throwaway room database, opens a room as the teacher (1920×1080; in
presentation mode from the start with ``--present``, else switched on just before the photograph), has N
students join it in their own browser contexts with nicknames and different setups (data sets, layer sizes,
learning rates: in the student link), presses Play for each, waits, sets a challenge, and saves the teacher's
screen twice: its top (``room-top.png``: title, links, leaderboard) and its grid (``room-grid.png``).
It prints what the grid showed (each card's nickname, setup, epoch and test loss as the page wrote them), and
each student's Playground beside the setup its link asked for (a student whose run differs is marked).
A demonstration, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser_util import (epoch, free_port, join_room, launch_chromium, open_room, query_of,  # noqa: E402
                          start_streamlit, stop_streamlit)

SETUPS = (  # (nickname, link): a varied class
    ("Ada", "dataset=circle&hidden=4,2&lr=0.03"),
    ("Bo", "dataset=xor&hidden=4&lr=0.1"),
    ("Cy", "dataset=spiral&hidden=8,8&lr=0.03&activation=relu"),
    ("Dee", "dataset=gauss&hidden=2&lr=0.01"),
    ("Eli", "dataset=xor&hidden=8&lr=0.3&activation=relu"),
    ("Fay", "dataset=circle&hidden=1&lr=0.1"),
    ("Gus", "dataset=spiral&hidden=6,6,6&lr=0.01&optimizer=adam"),
    ("Hal", "dataset=gauss&hidden=&lr=0.03"),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=20.0, help="how long the students play before the photograph")
    ap.add_argument("--out", default="artifacts/room")
    ap.add_argument("--present", action="store_true", help="the teacher's page in presentation mode from the start")
    ap.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    data = tempfile.mkdtemp(prefix="room-grid-")
    proc = start_streamlit("streamlit_app.py", port, env={"PLAYGROUND_DATA_DIR": data})
    base = f"http://127.0.0.1:{port}"
    from playwright.sync_api import sync_playwright
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            teacher, code = open_room(browser, base, present=args.present)
            pages = []
            for name, link in SETUPS[:args.students]:
                page = join_room(browser, base, code, name, link, height=800)
                page.get_by_role("button", name="Play").click(timeout=60_000)
                pages.append(page)
            goal = teacher.get_by_role("textbox", name="Goal")
            goal.fill("test loss < 0.2 with at most 8 neurons")
            goal.press("Enter")
            teacher.get_by_role("button", name="Set the challenge").click()
            time.sleep(args.seconds)
            if not args.present:
                try:
                    teacher.locator(".st-key-present_switch label").click(timeout=5_000)
                except Exception:  # noqa: BLE001 - the photograph matters more
                    pass
            time.sleep(4)
            # Streamlit scrolls inside its own container, so a "full page" photograph is only the screen:
            # photograph the top (title, links, leaderboard) and then the grid scrolled into view.
            teacher.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
            time.sleep(0.5)
            teacher.screenshot(path=str(out / "room-top.png"))
            teacher.locator("[class*='st-key-room_card']").first.scroll_into_view_if_needed(timeout=10_000)
            time.sleep(0.5)
            teacher.screenshot(path=str(out / "room-grid.png"))
            print("\n".join(teacher.locator("[data-testid=stMarkdownContainer]").all_inner_texts()[:40]))
            for (name, link), page in zip(SETUPS, pages):
                q = query_of(page)
                asked = dict(kv.split("=") for kv in link.split("&"))
                differs = {k: (v, q.get(k)) for k, v in asked.items() if q.get(k) != v}
                print(f"{name}: epoch {epoch(page)}, dataset {q.get('dataset')}, hidden {q.get('hidden')!r}, "
                      f"lr {q.get('lr')}" + (f"  DIFFERS from its link (asked, has): {differs}" if differs else ""))
            print(f"saved {out / 'room-top.png'} and {out / 'room-grid.png'}")
            browser.close()
    finally:
        stop_streamlit(proc)


if __name__ == "__main__":
    main()
