"""What a class costs the room database: run ``python bench/measure_rooms.py [--students 30] [--seconds 20]``.

Not collected by pytest (timings belong in a benchmark, not in assertions).  It prints:

* the size of a student's status (JSON with its 24x24 boundary PNG) for several real runs;
* the cost of one status write and one poll on SQLite (WAL) and, when ``--pg URL`` is given or a throwaway
  cluster can be started (tests/pg_util.py), on PostgreSQL;
* a class of ``--students`` students, each a thread doing what a student's page does every 2 s (one poll,
  one status write when the run moved, a solved-challenge record), with a teacher reading the grid every
  2 s, for ``--seconds``: the database writes and reads per second it produces and their latencies;
* how many status writes a second the database takes at most (every student writing back to back).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from playground.viz import roomviews
from playground.teach import rooms
from playground.run.config import from_query  # noqa: E402
from playground.run.trainer import Trainer  # noqa: E402

RUNS = ("dataset=circle", "dataset=spiral&hidden=8,8,8&activation=relu", "dataset=spiral3&loss=ce&hidden=8,8",
        "dataset=reg-gauss&loss=mse", "dataset=xor&hidden=4&lr=0.1")


def statuses() -> list[str]:
    out = []
    for q in RUNS:
        t = Trainer(from_query(q)[0])
        t.train_for(2.0, max_epochs=100)
        s = roomviews.status_of(t, playing=True, custom=False, link=t.cfg.to_query())
        out.append(s.to_json())
        print(f"  status {q:45s} {len(s.to_json().encode()):5d} bytes (thumbnail {len(s.thumb) * 3 // 4} bytes PNG)")
    return out


def ms(values) -> str:
    values = sorted(values)
    return f"median {statistics.median(values) * 1e3:.2f} ms, p95 {values[int(len(values) * 0.95) - 1] * 1e3:.2f} ms"


def class_run(store: rooms.RoomStore, status_texts: list[str], n: int, seconds: float) -> None:
    room, key = store.create_room()
    members = [store.join(room.code, f"student {i}") for i in range(n)]
    v = store.set_challenge(key, "test loss < 0.1")
    writes, polls, reads = [], [], []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def student(i: int, m: rooms.Member) -> None:
        time.sleep(2.0 * i / n)  # students do not tick in step
        k = 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            store.poll(m)
            t1 = time.perf_counter()
            store.write_status(m, status_texts[k % len(status_texts)], (v, k) if k % 5 == 4 else None)
            t2 = time.perf_counter()
            with lock:
                polls.append(t1 - t0)
                writes.append(t2 - t1)
            k += 1
            time.sleep(max(0.0, 2.0 - (time.perf_counter() - t0)))

    def teacher() -> None:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            store.students(key)
            reads.append(time.perf_counter() - t0)
            time.sleep(2.0)

    threads = [threading.Thread(target=student, args=(i, m)) for i, m in enumerate(members)]
    threads.append(threading.Thread(target=teacher))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    print(f"  {n} students for {took:.0f} s: {len(writes) / took:.1f} status writes/s and {len(polls) / took:.1f} "
          f"polls/s ({sum(len(s.encode()) for s in status_texts) / len(status_texts) * len(writes) / took / 1024:.1f}"
          f" KB/s of statuses); write {ms(writes)}; poll {ms(polls)}; teacher's grid read {ms(reads)}")


def max_rate(store: rooms.RoomStore, status_text: str, n: int, seconds: float = 5.0) -> None:
    room, _ = store.create_room()
    members = [store.join(room.code, f"fast {i}") for i in range(n)]
    count = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(m):
        k = 0
        while time.monotonic() < stop:
            store.write_status(m, status_text)
            k += 1
        with lock:
            count[0] += k

    threads = [threading.Thread(target=run, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"  at most: {count[0] / seconds:.0f} status writes/s with {n} writers back to back "
          f"(a class of 30 needs 15/s)")


def measure(name: str, store: rooms.RoomStore, texts: list[str], args) -> None:
    print(f"{name}:")
    class_run(store, texts, args.students, args.seconds)
    max_rate(store, texts[0], min(args.students, 8))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--pg", default="", help="a PostgreSQL URL; default: start a throwaway cluster if possible")
    args = ap.parse_args()
    print("Statuses (limit 2048 bytes):")
    texts = statuses()
    limits = rooms.Limits(cap=max(60, args.students * 3), joins_per_minute=10_000)
    with tempfile.TemporaryDirectory() as d:
        measure("SQLite (WAL)", rooms.RoomStore(rooms.SQLiteBackend(Path(d) / "rooms.sqlite3"), limits), texts, args)
    url, started = args.pg, None
    if not url:
        import pg_util

        why = pg_util.missing()
        if why:
            print(f"PostgreSQL: skipped ({why})")
            return
        url = started = pg_util.start_cluster()
    try:
        measure("PostgreSQL", rooms.RoomStore(rooms.PostgresBackend(url), limits), texts, args)
    finally:
        if started:
            import pg_util

            pg_util.stop_cluster(started)


if __name__ == "__main__":
    main()
