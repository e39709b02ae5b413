"""Serve a whole class from one machine: N `streamlit run` workers behind HAProxy, one link.

    ./start --workers 4            # or: .venv/bin/python deploy/serve_class.py --workers 4

Starts one worker per core (or ``--workers N``) on 127.0.0.1, ports PORT+1 … PORT+N, all with the same
``server.cookieSecret`` (``$STREAMLIT_SERVER_COOKIE_SECRET``, else a new random one for this run), then
HAProxy on PORT (default 8501) with ``deploy/haproxy.cfg`` and one ``server`` line per worker; prints the
link to give students and waits. Ctrl+C (or SIGTERM, or closing the terminal) stops HAProxy and every
worker; the workers also stop if this script itself is killed. A worker that stops is reported (HAProxy
moves its students to the others); the rest keep serving.

With ``$PLAYGROUND_STATS_FILE`` set (e.g. ``stats.json``), worker k writes its counts to
``stats.k.json`` (see README, "Serving a class").

Standard library only: it runs with the Python of the venv that ``./start`` makes.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "deploy" / "haproxy.cfg"
ENTRY = "streamlit_app.py"
DEFAULT_PORT = 8501
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
STATS_FILE_ENV = "PLAYGROUND_STATS_FILE"
INSTALL_HINT = "HAProxy is not installed. On Debian/Ubuntu: sudo apt install haproxy"


def find_haproxy() -> str | None:
    """The haproxy executable: on PATH, or Debian's /usr/sbin (not on a normal user's PATH)."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def render_config(worker_ports: list[int], host: str = "127.0.0.1") -> str:
    """``deploy/haproxy.cfg`` with one ``server`` line per local worker appended to its last section
    (the ``workers`` backend). Settings shared with compose stay in the template."""
    text = TEMPLATE.read_text(encoding="utf-8")
    lines = [f"    server worker{k} {host}:{port}" for k, port in enumerate(worker_ports, 1)]
    return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"


def stats_file_for(path: str, k: int) -> str:
    """Worker ``k``'s own stats file beside ``path``: stats.json -> stats.k.json."""
    p = Path(path)
    return str(p.with_name(f"{p.stem}.{k}{p.suffix}"))


def lan_address() -> str | None:
    """This machine's address on the local network (no packet is sent), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is no obstacle
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def healthy(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM when this script dies, however it dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Stop(Exception):
    """Ctrl+C, SIGTERM or SIGHUP."""


def _raise_stop(signum, _frame):
    raise Stop(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="./start --workers N",
        description="Serve a class: N Streamlit workers behind HAProxy on one public port.",
        epilog="Arguments after -- go to every worker's `streamlit run`.")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="how many workers (default: one per core, here %(default)s)")
    ap.add_argument("--port", type=int, default=DEFAULT_PORT,
                    help="the public port students open (default %(default)s); workers use the next N ports")
    ap.add_argument("--address", default="0.0.0.0",
                    help="where HAProxy listens (default %(default)s: every network interface)")
    ap.add_argument("--start-timeout", type=float, default=120, help="seconds a worker may take to start")
    args, extra = ap.parse_known_args(argv)
    if extra and extra[0] == "--":
        extra = extra[1:]
    if not 1 <= args.workers <= 64:
        ap.error(f"--workers must be between 1 and 64, got {args.workers}")
    if not 1 <= args.port <= 65535 - args.workers:
        ap.error(f"--port must leave room for {args.workers} worker ports below 65536, got {args.port}")

    haproxy = find_haproxy()
    if haproxy is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    worker_ports = [args.port + k for k in range(1, args.workers + 1)]
    taken = [p for p in [args.port, *worker_ports] if not port_free(p, "0.0.0.0" if p == args.port else "127.0.0.1")]
    if taken:
        print(f"Port(s) {', '.join(map(str, taken))} are in use (another app or an earlier run?). "
              f"Stop it, or choose another port with --port.", file=sys.stderr)
        return 1

    secret = os.environ.get(COOKIE_SECRET_ENV) or secrets.token_urlsafe(32)
    work = Path(tempfile.mkdtemp(prefix="playground-class-"))
    config = work / "haproxy.cfg"
    config.write_text(render_config(worker_ports), encoding="utf-8")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_stop)

    workers: dict[int, subprocess.Popen] = {}
    lb: subprocess.Popen | None = None
    try:
        print(f"Starting {args.workers} worker(s) on 127.0.0.1:{worker_ports[0]}-{worker_ports[-1]} "
              f"(logs in {work})", flush=True)
        for k, port in enumerate(worker_ports, 1):
            env = {**os.environ, COOKIE_SECRET_ENV: secret}
            if os.environ.get(STATS_FILE_ENV):
                env[STATS_FILE_ENV] = stats_file_for(os.environ[STATS_FILE_ENV], k)
            cmd = [sys.executable, "-m", "streamlit", "run", ENTRY, "--server.address", "127.0.0.1",
                   "--server.port", str(port), "--server.headless", "true", *extra]
            with open(work / f"worker{k}.log", "wb") as log:
                workers[k] = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            print(f"worker {k}: pid {workers[k].pid}, port {port}", flush=True)
        deadline = time.monotonic() + args.start_timeout
        waiting = dict(zip(workers, worker_ports))
        while waiting:
            for k, port in list(waiting.items()):
                if workers[k].poll() is not None:
                    print(f"worker {k} could not start; its log:\n{_tail(work / f'worker{k}.log')}", file=sys.stderr)
                    return 1
                if healthy(port):
                    del waiting[k]
            if waiting and time.monotonic() > deadline:
                print(f"worker(s) {sorted(waiting)} did not start within {args.start_timeout:.0f} s", file=sys.stderr)
                return 1
            time.sleep(0.2)

        env = {**os.environ, "PLAYGROUND_BIND": f"{args.address}:{args.port}"}
        env.pop("PLAYGROUND_REPLICAS", None)  # that switches the template to compose's DNS discovery
        with open(work / "haproxy.log", "wb") as log:
            lb = subprocess.Popen([haproxy, "-db", "-f", str(config)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 15
        lb_host = "127.0.0.1" if args.address in ("0.0.0.0", "") else args.address
        while not healthy(args.port, lb_host):
            if lb.poll() is not None or time.monotonic() > deadline:
                print(f"HAProxy did not start; its log:\n{_tail(work / 'haproxy.log')}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"HAProxy: pid {lb.pid}, port {args.port}", flush=True)

        lan = lan_address()
        print("\nThe class server is ready.")
        if lan and args.address in ("0.0.0.0", lan):
            print(f"  Give students this link:  http://{lan}:{args.port}/")
        print(f"  On this machine:          http://localhost:{args.port}/")
        print(f"{args.workers} worker(s) share the students. Ctrl+C stops everything.\n", flush=True)

        reported: set[int] = set()
        while True:
            for k, proc in workers.items():
                if proc.poll() is not None and k not in reported:
                    reported.add(k)
                    alive = len(workers) - len(reported)
                    print(f"worker {k} stopped (exit code {proc.returncode}); its students were moved to the "
                          f"other {alive} worker(s) and start again from their link. Log: {work}/worker{k}.log",
                          flush=True)
            if len(reported) == len(workers):
                print("Every worker has stopped: stopping.", file=sys.stderr)
                return 1
            if lb.poll() is not None:
                print(f"HAProxy stopped (exit code {lb.returncode}): stopping. Its log:\n"
                      f"{_tail(work / 'haproxy.log')}", file=sys.stderr)
                return 1
            time.sleep(0.5)
    except Stop:
        print("\nStopping the class server…", flush=True)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl+C must not leave children behind
        _stop_all([p for p in (lb, *workers.values()) if p is not None])
        print("Stopped: HAProxy and every worker.", flush=True)


def _stop_all(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


if __name__ == "__main__":
    sys.exit(main())
