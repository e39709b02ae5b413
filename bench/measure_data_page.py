"""CPU the Data page spends on a large uploaded table: run ``python bench/measure_data_page.py``.

Not collected by pytest (no ``test_`` prefix): it prints figures and asserts nothing.
A 10,000 × 100 table (99 numeric features and a two-class label) is "uploaded"
through AppTest (``st.file_uploader`` is stood in for, as tests/test_pages_data.py
does), and it prints the process CPU seconds of: the first page run after the
upload (parsing included), a plain rerun (nothing changed), and Quick train: the
page run that presses it and the longest single run while it trains (each run
trains at most one frame in the live pages' turn-taking).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from streamlit.testing.v1 import AppTest  # noqa: E402
from upload_stub import fake_upload  # noqa: E402


def big_table(rows: int = 10_000, cols: int = 100, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 1000, size=(rows, cols - 1)) / 10  # one decimal: the file stays under 5 MB
    y = (X[:, 0] + X[:, 1] > 100).astype(int)
    header = ",".join([*(f"f{j}" for j in range(cols - 1)), "label"])
    lines = [header] + [",".join([*(f"{v:g}" for v in row), str(c)]) for row, c in zip(X, y)]
    return ("\n".join(lines) + "\n").encode()


def timed(at):
    c0, w0 = time.process_time(), time.perf_counter()
    at.run()
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    raw = big_table()
    print(f"table: 10,000 rows × 100 columns, {len(raw):,} bytes")
    with fake_upload("big.csv", raw):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600).run()
        at.switch_page("pages/data.py")
        cpu, wall = timed(at)
        if at.error:
            print("errors:", [e.value for e in at.error])
        print(f"first run of the page with the upload (parsing included): {cpu:.2f} s CPU ({wall:.2f} s wall)")
        for i in range(2):
            cpu, wall = timed(at)
            print(f"plain rerun {i + 1}: {cpu:.2f} s CPU ({wall:.2f} s wall)")
        at.button(key="data_quick").click()
        cpu, wall = timed(at)
        print(f"run that presses Quick train: {cpu:.2f} s CPU ({wall:.2f} s wall)")
        runs, worst, total = 1, cpu, cpu
        while any(b.key == "data_quick_stop" for b in at.button) and runs < 500:
            cpu, wall = timed(at)
            runs, worst, total = runs + 1, max(worst, cpu), total + cpu
        metrics = {m.label: m.value for m in at.metric}
        print(f"Quick train: {runs} page run(s), longest {worst:.2f} s CPU, {total:.2f} s CPU in all; "
              f"shown: {metrics}")
        if at.exception:
            print("exceptions:", [e.value for e in at.exception])


if __name__ == "__main__":
    main()
