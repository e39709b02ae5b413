"""How many sessions may train at once in this server process.  Plain Python, no Streamlit.

One server process trains every session's network on one GIL (``session.FrameGate`` shares the
frames out), so each student who trains slows everybody else down.  Past a limit the server says
"the class server is full" to a student who presses Play (or Step, or a page's quick train) instead of
slowing everyone: everything that does not train (reading, the figures, the links, pages that do not
train) still works.

A session holds a *training slot* from the moment it is admitted (``admit``) until it has not trained
for ``RELEASE_AFTER_SECONDS`` (paused, the tab in the background, idle-paused: see ``sweep``) or its
browser went away (``close``).  Every live frame reports with ``beat``; a session that plays keeps
its slot however long it plays.

Configuration (environment variables, read once when the registry is built):

``PLAYGROUND_MAX_TRAINING_SESSIONS``
    Students training at once; default ``DEFAULT_MAX_TRAINING`` = 10.  Why 10: one server process uses
    about one core, and one core serves about 20 students playing the default setup at the default pace,
    each seeing about 5 chart updates a second (12 of them ~70 epochs a second each; measured with the server
    alone on one core: README, "Serving a class"); bigger networks and data cost far more a frame (a 8 × 64
    network's frame is its whole budget), so 10 leaves room for them and for the teacher.
    Memory (``memory.SESSION_WORST_CASE_MB``): a
    session that is not training holds ≤ 23 MiB; one training on the heaviest link 209 MiB (Playground)
    or 766 MiB (a four-racer Race), so 10 + 1 training slots bound training memory at ~8.2 GiB in the
    very worst case (every slot a hostile four-racer race) and ~2.3 GiB with the heaviest Playgrounds.
    Lower the limit on a small machine.
``PLAYGROUND_TEACHER_SLOTS``
    Extra slots only a teacher may take; default 1.
``PLAYGROUND_TEACHER_KEY``
    The secret that makes a browser session the teacher's: open any page with ``?teacher=<key>``.
    Unset or empty: nobody is a teacher and the teacher slots stay unused.  The key is compared in
    constant time, removed from the address bar at once, and never shown.  It also decides who sees
    the teacher tools (``classroom.teacher_tools``): with a key set, only the teacher.
``PLAYGROUND_STATS_FILE``
    If set, the app writes ``stats()`` as JSON to this path about once a second (written to a
    temporary file beside it, then renamed: a reader never sees half a file)::

        {"time": float,      # time.time() of the writing
         "sessions": int,    # browser sessions of this process (any page); a closed tab's session
                             # counts until the app forgets it (ui.CLOSED_GRACE_SECONDS, 10 s, + ~1 s)
         "training": int,    # sessions holding a training slot (teachers included)
         "frames": {session_key: int},  # live frames drawn so far, per session (training or not)
         "rss_mb": float}    # the process's resident memory in MB (0.0 if it cannot be read)

    ``session_key`` is the server's session id (never the teacher key).

Example, with an injected clock::

    >>> now = [0.0]
    >>> reg = Registry(max_training=1, teacher_slots=1, clock=lambda: now[0])
    >>> reg.admit("a"), reg.admit("b") != "", reg.admit("t", teacher=True)
    ('', True, '')
    >>> now[0] = RELEASE_AFTER_SECONDS + 1; reg.sweep(); reg.admit("b")
    ['a', 't']
    ''
"""
from __future__ import annotations

import hmac
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

__all__ = ["Registry", "REGISTRY", "DEFAULT_MAX_TRAINING", "DEFAULT_TEACHER_SLOTS", "RELEASE_AFTER_SECONDS",
           "MAX_TRAINING_ENV", "TEACHER_SLOTS_ENV", "TEACHER_KEY_ENV", "STATS_FILE_ENV", "TEACHER_PARAM",
           "is_teacher_key", "full_message", "write_stats", "rss_mb"]

MAX_TRAINING_ENV = "PLAYGROUND_MAX_TRAINING_SESSIONS"
TEACHER_SLOTS_ENV = "PLAYGROUND_TEACHER_SLOTS"
TEACHER_KEY_ENV = "PLAYGROUND_TEACHER_KEY"
STATS_FILE_ENV = "PLAYGROUND_STATS_FILE"
#: The link parameter that carries the teacher key (``?teacher=…``).
TEACHER_PARAM = "teacher"
#: Students training at once (see the module docstring for why 10).
DEFAULT_MAX_TRAINING = 10
DEFAULT_TEACHER_SLOTS = 1
#: A session that has not trained for this long (paused, hidden, idle) gives its slot back.
RELEASE_AFTER_SECONDS = 60.0
_MAX_SETTING = 10_000


def full_message(limit: int) -> str:
    """What a refused student reads."""
    who = "1 student is" if limit == 1 else f"{limit} students are"
    return (f"The class server is full: {who} already training networks, the most this "
            f"server allows at once. Everything else on the page still works. Try Play again in a minute "
            f"(a slot frees up when someone pauses), or ask your teacher.")


def is_teacher_key(given: object, secret: str | None) -> bool:
    """True if ``given`` (untrusted, from a link) is the teacher key; never True without a key set."""
    if not secret or not isinstance(given, str) or not given or len(given) > 200:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8", "replace"))


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    """A non-negative whole number from the environment; the default if unset or malformed."""
    text = (env.get(name) or "").strip()
    if text.isdigit() and int(text) <= _MAX_SETTING:
        return int(text)
    return default


@dataclass
class _Session:
    frames: int = 0
    slot: str = ""  # "" (none), "student" or "teacher"
    active: float = 0.0  # clock() of the admission or of the last frame that trained


class Registry:
    """Process-wide table of the connected sessions and of who holds a training slot.

    Thread-safe: page runs of many sessions and the server's sweeper call it at once.
    ``clock`` is injectable for tests (default ``time.monotonic``).
    """

    def __init__(self, max_training: int = DEFAULT_MAX_TRAINING, teacher_slots: int = DEFAULT_TEACHER_SLOTS,
                 clock: Callable[[], float] = time.monotonic, release_after: float = RELEASE_AFTER_SECONDS):
        self.max_training, self.teacher_slots = int(max_training), int(teacher_slots)
        self.release_after = float(release_after)
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs) -> "Registry":
        env = os.environ if env is None else env
        return cls(_env_int(env, MAX_TRAINING_ENV, DEFAULT_MAX_TRAINING),
                   _env_int(env, TEACHER_SLOTS_ENV, DEFAULT_TEACHER_SLOTS), **kwargs)

    # ----- what pages call -------------------------------------------------------------------------
    def seen(self, key: str) -> None:
        """A page run of session ``key``: it is connected."""
        with self._lock:
            self._sessions.setdefault(key, _Session())

    def admit(self, key: str, teacher: bool = False) -> str:
        """Give ``key`` a training slot (or keep the one it holds); "" if it may train, else the message.

        A teacher takes a teacher slot when one is free, else a student slot like anyone."""
        with self._lock:
            s = self._sessions.setdefault(key, _Session())
            now = self._clock()
            if s.slot:
                s.active = now
                return ""
            held = [x.slot for x in self._sessions.values()]
            if teacher and held.count("teacher") < self.teacher_slots:
                s.slot = "teacher"
            elif held.count("student") < self.max_training:
                s.slot = "student"
            else:
                return full_message(self.max_training)
            s.active = now
            return ""

    def holds_slot(self, key: str) -> bool:
        with self._lock:
            s = self._sessions.get(key)
            return bool(s and s.slot)

    def beat(self, key: str, training: bool) -> None:
        """One live frame drawn for ``key``; ``training``: it trains (plays) after drawing."""
        with self._lock:
            s = self._sessions.setdefault(key, _Session())
            s.frames += 1
            if training and s.slot:
                s.active = self._clock()

    def release(self, key: str) -> None:
        """Give the slot back now (the session stays connected)."""
        with self._lock:
            s = self._sessions.get(key)
            if s:
                s.slot = ""

    def close(self, key: str) -> None:
        """The browser went away: forget the session, its slot and its frame count."""
        with self._lock:
            self._sessions.pop(key, None)

    # ----- what the server's sweeper calls ---------------------------------------------------------
    def keys(self) -> list[str]:
        with self._lock:
            return list(self._sessions)

    def sweep(self, closed: Iterable[str] = ()) -> list[str]:
        """Forget the ``closed`` sessions, and take the slot from every session that has not trained
        for ``release_after`` seconds; returns the keys that lost a slot, sorted."""
        with self._lock:
            for key in closed:
                self._sessions.pop(key, None)
            now, freed = self._clock(), []
            for key, s in self._sessions.items():
                if s.slot and now - s.active > self.release_after:
                    s.slot = ""
                    freed.append(key)
            return sorted(freed)

    def stats(self) -> dict:
        """``{"time", "sessions", "training", "frames", "rss_mb"}``: see the module docstring."""
        with self._lock:
            frames = {k: s.frames for k, s in self._sessions.items()}
            training = sum(1 for s in self._sessions.values() if s.slot)
        return {"time": time.time(), "sessions": len(frames), "training": training, "frames": frames,
                "rss_mb": rss_mb()}


def rss_mb() -> float:
    """This process's resident memory in MB (psutil when installed, else /proc; 0.0 if neither works)."""
    try:
        import psutil

        return round(psutil.Process().memory_info().rss / 2**20, 1)
    except Exception:  # noqa: BLE001 - not installed, or no permission: the figure is optional
        pass
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return 0.0


def write_stats(path: str | os.PathLike, stats: dict) -> None:
    """Write ``stats`` as JSON to ``path`` atomically (a temporary file beside it, then a rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(stats), encoding="utf-8")
    os.replace(tmp, path)


#: The one registry of this server process.
REGISTRY = Registry.from_env()
