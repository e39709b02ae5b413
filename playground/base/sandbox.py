"""Parse untrusted files in a separate worker process, with a wall-time limit and a memory watchdog.

A crafted file of a few hundred bytes can make a parser run for minutes (a pickle
whose nested tuples are hashed as a dictionary key) or take gigabytes.  Inside
the server process that freezes every session: the parser holds the GIL, and the
server even ignores SIGTERM.  So ``run_untrusted`` hands the bytes to a worker
process over a pipe and waits, polling the clock and the worker's memory; a
worker over either limit is killed and `Refused` says which limit and its value.
The server's own threads keep running all the while (they only wait).

The worker is started on first use and kept (starting Python and NumPy costs a
few hundred milliseconds; torch's import, a few seconds, is paid once, only
when a PyTorch file is parsed); a killed worker is replaced on the next call.
Up to ``MAX_WORKERS`` run at once, so one slow file never queues everybody's
uploads behind it.  Results cross the pipe as plain data (dicts, lists,
tuples, numbers, strings, NumPy arrays) and are unpickled with only NumPy's
array constructors allowed.

The time limit is the parent's own clock plus ``kill``, which works on every
OS; the memory watchdog reads the worker's peak resident memory (Linux
``VmHWM``, reset before each file) or, elsewhere, its current one (psutil).
No address-space rlimit: it breaks torch.  On POSIX the worker also sets a CPU
rlimit per file, a backstop that ends it should the server die mid-parse.

``PARSERS`` is the one registry of what may run in the worker: kind →
``(module:function that parses, module:function that prepares or None)``.  A
parser is called as ``f(name, data, **options)`` and returns plain data or
raises; a preparer (``f(data)``, e.g. importing torch for a PyTorch file) runs
before the clock starts, under ``PREPARE_SECONDS``, and must not parse.
"""
from __future__ import annotations

import atexit
import importlib
import io
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["PARSERS", "MAX_WORKERS", "PREPARE_SECONDS", "Refused", "ParserError", "run_untrusted",
           "worker_pids", "shutdown"]

PARSERS = {
    "model": ("playground.run.modelio:parse_untrusted", "playground.run.modelio:prepare_untrusted"),
    "csv": ("playground.data.uploads:parse_untrusted_csv", None),
}
MAX_WORKERS = 3  # parsing at once; a further upload waits (at most its own time limit) for a free one
PREPARE_SECONDS = 120.0  # importing torch on a busy machine; no untrusted byte is parsed meanwhile
MAX_REPLY_BYTES = 200_000_000  # a worker's answer; real ones are a few megabytes
_POLL = 0.01  # seconds between memory checks
_HEADER = struct.Struct("<Q")


class Refused(Exception):
    """The parser was stopped: too slow, too much memory, crashed, or no worker free.
    The message says which and the limit, without the file's name (callers add it)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # "time", "memory", "crash" or "busy"


class ParserError(Exception):
    """The parser raised: ``error_type`` is the exception's class name, the message its text."""

    def __init__(self, message: str, error_type: str):
        super().__init__(message)
        self.error_type = error_type


# ----- framing: 8-byte length, then a pickle -------------------------------------------------------------
def _send(stream, obj) -> None:
    blob = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(blob)) + blob)
    stream.flush()


def _read_exact(stream, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _recv_blob(stream, limit: int | None = None) -> bytes:
    (n,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    if limit is not None and n > limit:
        raise EOFError(f"the answer is {n:,} bytes; at most {limit:,}")
    return _read_exact(stream, n)


_PLAIN_GLOBALS = {(m, n) for m in ("numpy.core.multiarray", "numpy._core.multiarray")
                  for n in ("_reconstruct", "scalar")} | {
    ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer")}


class _PlainUnpickler(pickle.Unpickler):
    """Plain data and NumPy arrays only: a worker's answer never names any other code."""

    def find_class(self, module, name):
        if (module, name) in _PLAIN_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


# ----- the worker process ----------------------------------------------------------------------------------
def _resolve(target: str):
    module, _, func = target.partition(":")
    return getattr(importlib.import_module(module), func)


def _clear_peak() -> None:
    """Reset this process's peak-RSS counter (Linux), so the parent's watchdog sees this file's peak."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _rss() -> int:
    try:
        import psutil
        return int(psutil.Process().memory_info().rss)
    except Exception:  # psutil missing or denied: the parent falls back to its own first reading
        return 0


def _cpu_backstop(seconds: float) -> None:
    """POSIX: a CPU-time limit a little past this file's wall limit, in case the parent is gone."""
    try:
        import resource
    except ImportError:  # Windows: the parent's kill is the limit
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(spent + seconds) + 10
    if hard == resource.RLIM_INFINITY or soft <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _worker_main() -> None:
    """Serve requests on stdin/stdout until stdin closes.  Runs as ``python -m playground.base.sandbox``."""
    inp = sys.stdin.buffer
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the pipe
    sys.stdout = sys.stderr
    for run, _ in PARSERS.values():  # import the parsers (never torch) while idle, not on the clock
        try:
            _resolve(run)
        except Exception:  # reported when that parser is asked for
            pass
    while True:
        try:
            kind, name, data, options, seconds = pickle.loads(_recv_blob(inp))
        except EOFError:
            return
        run, prepare = PARSERS[kind]
        try:
            if prepare:
                _resolve(prepare)(data)
            parse = _resolve(run)
        except BaseException as e:  # a missing module: the parser cannot run here
            _send(out, ("error", type(e).__name__, str(e)[:2000]))
            continue
        _cpu_backstop(seconds)
        _clear_peak()
        _send(out, ("started", _rss()))
        try:
            reply = ("ok", parse(name, data, **options))
        except BaseException as e:  # every failure goes back as text; the parent decides what it means
            reply = ("error", type(e).__name__, str(e)[:2000])
        try:
            _send(out, reply)
        except (pickle.PicklingError, TypeError) as e:
            _send(out, ("error", type(e).__name__, f"the parser's result is not plain data: {e}"[:2000]))


# ----- the parent side ----------------------------------------------------------------------------------
class _Worker:
    def __init__(self):
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        self.proc = subprocess.Popen([sys.executable, "-m", "playground.base.sandbox"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, cwd=root)
        self.replies: list = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, name=f"sandbox-reader-{self.proc.pid}", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            while True:
                blob = _recv_blob(self.proc.stdout, MAX_REPLY_BYTES)
                self.replies.append(_PlainUnpickler(io.BytesIO(blob)).load())
                self.ready.set()
        except Exception as e:  # EOF (the worker died or was killed) or an answer that is not plain data
            self.replies.append(("dead", type(e).__name__, str(e)[:200]))
            self.ready.set()

    def next_reply(self, deadline: float, watch_limit: int | None):
        """The next message, or ("time",) / ("memory", peak) when a limit is passed first."""
        while True:
            done = bool(self.replies)  # read before the memory: a peak between two polls is still seen
            if watch_limit is not None:
                peak = _peak_rss(self.proc.pid)
                if peak > watch_limit:
                    return ("memory", peak)
            if done:
                reply = self.replies.pop(0)
                if not self.replies:
                    self.ready.clear()
                return reply
            left = deadline - time.monotonic()
            if left <= 0:
                return ("time",)
            self.ready.wait(min(_POLL, left))

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.wait(timeout=10)
        except Exception:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except Exception:
                pass


def _peak_rss(pid: int) -> int:
    """Peak resident bytes since the last reset (Linux), else current resident bytes (psutil); 0 if unknown."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil
        return int(psutil.Process(pid).memory_info().rss)
    except Exception:
        return 0


_lock = threading.Condition()
_idle: list[_Worker] = []
_busy: set[_Worker] = set()
_starting = [0]  # workers being started outside the lock (they count against MAX_WORKERS)


def _acquire(wait: float) -> _Worker:
    deadline = time.monotonic() + wait
    with _lock:
        while True:
            while _idle:
                w = _idle.pop()
                if w.proc.poll() is None:
                    _busy.add(w)
                    return w
                w.kill()
            if len(_busy) + _starting[0] < MAX_WORKERS:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise Refused(f"the server is busy checking other uploads ({MAX_WORKERS} at a time); try again "
                              f"in a few seconds", "busy")
            _lock.wait(left)
        _starting[0] += 1  # reserve a slot while the new process starts outside the lock
    _register_exit()
    w = _start(busy=True)
    if w is None:  # no Python to start (a frozen or embedded server): nothing was read
        raise Refused("the server cannot start its file checker; the file was not read", "crash")
    return w


_exit_registered = []


def _register_exit() -> None:
    """Stop idle workers when the server exits (registered on first use, not on import)."""
    if not _exit_registered:
        _exit_registered.append(True)
        atexit.register(shutdown)


def _release(w: _Worker, keep: bool) -> None:
    with _lock:
        _busy.discard(w)
        if keep:
            _idle.append(w)
        _lock.notify()
    if not keep:
        w.kill()
        threading.Thread(target=_replace, name="sandbox-restart", daemon=True).start()


def _replace() -> None:
    """Start a worker in place of a killed one, so the next upload does not wait for Python to start."""
    with _lock:
        if _idle or len(_busy) + _starting[0] >= MAX_WORKERS:
            return
        _starting[0] += 1
    _start(busy=False)


def _start(busy: bool) -> _Worker | None:
    """Start a worker for a slot already reserved in ``_starting``; it joins ``_busy`` or ``_idle``."""
    try:
        w = _Worker()
    except OSError:
        w = None
    with _lock:
        _starting[0] -= 1
        if w is not None:
            (_busy.add if busy else _idle.append)(w)
        _lock.notify()
    return w


def run_untrusted(kind: str, name: str, data: bytes, *, seconds: float, max_mb: float, **options):
    """``PARSERS[kind]`` run on ``data`` in a worker process, within ``seconds`` of wall time and
    ``max_mb`` megabytes of memory above the worker's own; returns the parser's plain result.

    Raises:
        Refused: over a limit (the worker is killed), the worker crashed, or none was free in time.
        ParserError: the parser raised (its class name and message; e.g. a ModelFileError).
    """
    if kind not in PARSERS:
        raise ValueError(f"unknown parser kind {kind!r}; known: {', '.join(PARSERS)}")
    w = _acquire(seconds)
    keep = False
    try:
        try:
            _send(w.proc.stdin, (kind, str(name), bytes(data), options, float(seconds)))
        except OSError:
            raise Refused("the file checker stopped unexpectedly; try again", "crash") from None
        reply = w.next_reply(time.monotonic() + PREPARE_SECONDS, None)
        if reply[0] in ("dead", "time"):  # before any byte of the file was parsed
            raise Refused("the server's file checker could not start; the file was not read", "crash")
        if reply[0] == "started":
            base = reply[1] or _peak_rss(w.proc.pid)
            reply = w.next_reply(time.monotonic() + seconds, base + int(max_mb * 2**20))
        if reply[0] == "ok":
            keep = True
            return reply[1]
        if reply[0] == "error":
            keep = True
            raise ParserError(reply[2], reply[1])
        if reply[0] == "time":
            raise Refused(f"reading it took longer than the {seconds:g} s allowed, so it was stopped "
                          f"(a crafted file can make a parser run for hours)", "time")
        if reply[0] == "memory":
            raise Refused(f"reading it needed more than the {max_mb:g} MB of memory allowed (it had taken "
                          f"{(reply[1] - base) / 2**20:,.0f} MB when it was stopped)", "memory")
        raise Refused("the file checker crashed while reading it (the file may be crafted to do that)", "crash")
    finally:
        _release(w, keep)


def worker_pids() -> list[int]:
    """Process ids of the live workers (idle and busy), for tests and measurements."""
    with _lock:
        return sorted(w.proc.pid for w in [*_idle, *_busy] if w.proc.poll() is None)


def shutdown() -> None:
    """Stop the idle workers (busy ones stop when their caller finishes)."""
    with _lock:
        idle = list(_idle)
        _idle.clear()
    for w in idle:
        w.kill()


if __name__ == "__main__":
    _worker_main()
