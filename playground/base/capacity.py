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

Two limits hold the students' slots (a teacher's reserved slot is held by neither): how many train at once,
and what their networks' working buffers may hold together (each session weighs what its networks keep
while they train, ``memory.training_bytes``: a row per training and test point per layer).  The default
setup weighs ~0.05 MB, so a class of 30 fits many times over; the heaviest link the caps allow weighs
~134 MB in float64 and a four-racer race of it ~534 MB, so the memory limit, not the count, is what stops a
few heavy or hostile sessions from taking the machine's memory.  A session that is alone always gets a
slot, whatever it weighs (the caps bound that), so the server is never unusable; one that holds a slot and
grows (a bigger network, more points) keeps it only if the growth fits.

Configuration (environment variables, read once when the registry is built):

``PLAYGROUND_MAX_TRAINING_SESSIONS``
    Students training at once; default ``DEFAULT_MAX_TRAINING`` = 30, a class.  Why 30: one server process
    uses about one core, and one core serves 30 students playing the default setup at the default pace,
    each seeing ~4.4 chart updates a second and ~21 epochs a second (20 of them ~5 updates and ~39 epochs,
    12 of them ~5 updates and ~72 epochs; measured with the server alone on one core: README, "Serving a
    class").  Past one core's worth every student slows down together (the frames are shared out:
    ``session.FrameGate``); more workers (README, "Serving a class") are the way to more.  Bigger networks
    cost more a frame (an 8 × 64 network's frame can take its whole budget), so a class of heavy setups
    gets fewer updates a second each; their memory is held by the next limit.
``PLAYGROUND_TRAINING_MEMORY_MB``
    What the students' training networks may hold in working buffers together, in MB (2**20 bytes);
    default ``DEFAULT_TRAINING_MEMORY_MB`` = 2048.  With it, training memory is bounded at ~2 GiB plus
    ≤ 23 MiB of records a session (``memory.SESSION_WORST_CASE_MB``), whatever the sessions are: fifteen of the
    heaviest Playgrounds or three of the heaviest races fill it, while 30 default students hold ~1.4 MB of it.
    (The old bound, a count of 10 + 1 slots each of which could be a hostile four-racer race, was ~8.2 GiB.)
    Lower it on a small machine.
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
         "training_mb": float,  # what their networks hold while training, MB (memory.training_bytes)
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

__all__ = ["Registry", "REGISTRY", "DEFAULT_MAX_TRAINING", "DEFAULT_TEACHER_SLOTS", "DEFAULT_TRAINING_MEMORY_MB",
           "RELEASE_AFTER_SECONDS", "MAX_TRAINING_ENV", "TEACHER_SLOTS_ENV", "TRAINING_MEMORY_ENV", "TEACHER_KEY_ENV",
           "STATS_FILE_ENV", "TEACHER_PARAM", "is_teacher_key", "full_message", "memory_message", "is_full_message",
           "write_stats", "rss_mb"]

MAX_TRAINING_ENV = "PLAYGROUND_MAX_TRAINING_SESSIONS"
TEACHER_SLOTS_ENV = "PLAYGROUND_TEACHER_SLOTS"
TRAINING_MEMORY_ENV = "PLAYGROUND_TRAINING_MEMORY_MB"
TEACHER_KEY_ENV = "PLAYGROUND_TEACHER_KEY"
STATS_FILE_ENV = "PLAYGROUND_STATS_FILE"
#: The link parameter that carries the teacher key (``?teacher=…``).
TEACHER_PARAM = "teacher"
#: Students training at once (see the module docstring for why 30).
DEFAULT_MAX_TRAINING = 30
#: MB the students' training networks may hold in working buffers together (see the module docstring).
DEFAULT_TRAINING_MEMORY_MB = 2048
DEFAULT_TEACHER_SLOTS = 1
#: A session that has not trained for this long (paused, hidden, idle) gives its slot back.
RELEASE_AFTER_SECONDS = 60.0
_MAX_SETTING = 10_000


_FULL = "The class server is full: "
_AGAIN = ("Everything else on the page still works. Try Play again in a minute (a slot frees up when someone "
          "pauses), or ask your teacher.")


def full_message(limit: int) -> str:
    """What a student refused for the count of students training reads."""
    who = "1 student is" if limit == 1 else f"{limit} students are"
    return f"{_FULL}{who} already training networks, the most this server allows at once. {_AGAIN}"


def memory_message(need: int, held: int, budget_mb: int) -> str:
    """What a student refused for memory reads: ``need`` and ``held`` in bytes, the budget in MB."""
    def mb(b: int) -> str:
        x = b / 2**20
        return "under 0.1 MB" if x < 0.05 else f"{x:.1f} MB" if x < 10 else f"{x:,.0f} MB"

    return (f"{_FULL}the networks training now hold {mb(held)} of the {budget_mb:,} MB this server gives to "
            f"training, and this one needs {mb(need)}. A smaller network, fewer points or float32 need less. "
            f"{_AGAIN}")


def is_full_message(text: object) -> bool:
    """True for a refusal of ``full_message`` or ``memory_message``."""
    return isinstance(text, str) and text.startswith(_FULL)


def is_teacher_key(given: object, secret: str | None) -> bool:
    """True if ``given`` (untrusted, from a link) is the teacher key; never True without a key set."""
    if not secret or not isinstance(given, str) or not given or len(given) > 200:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8", "replace"))


def _env_int(env: Mapping[str, str], name: str, default: int, most: int = _MAX_SETTING) -> int:
    """A non-negative whole number up to ``most`` from the environment; the default if unset or malformed."""
    text = (env.get(name) or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 9 and int(text) <= most:
        return int(text)
    return default


@dataclass
class _Session:
    frames: int = 0
    slot: str = ""  # "" (none), "student" or "teacher"
    nbytes: int = 0  # what its networks hold while training (memory.training_bytes), while it holds a slot
    active: float = 0.0  # clock() of the admission or of the last frame that trained


class Registry:
    """Process-wide table of the connected sessions and of who holds a training slot.

    Thread-safe: page runs of many sessions and the server's sweeper call it at once.
    ``clock`` is injectable for tests (default ``time.monotonic``).
    """

    def __init__(self, max_training: int = DEFAULT_MAX_TRAINING, teacher_slots: int = DEFAULT_TEACHER_SLOTS,
                 clock: Callable[[], float] = time.monotonic, release_after: float = RELEASE_AFTER_SECONDS,
                 memory_mb: int = DEFAULT_TRAINING_MEMORY_MB):
        self.max_training, self.teacher_slots = int(max_training), int(teacher_slots)
        self.memory_mb = int(memory_mb)
        self.release_after = float(release_after)
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs) -> "Registry":
        env = os.environ if env is None else env
        kwargs.setdefault("memory_mb", _env_int(env, TRAINING_MEMORY_ENV, DEFAULT_TRAINING_MEMORY_MB, most=2**24))
        return cls(_env_int(env, MAX_TRAINING_ENV, DEFAULT_MAX_TRAINING),
                   _env_int(env, TEACHER_SLOTS_ENV, DEFAULT_TEACHER_SLOTS), **kwargs)

    # ----- what pages call -------------------------------------------------------------------------
    def seen(self, key: str) -> None:
        """A page run of session ``key``: it is connected."""
        with self._lock:
            self._sessions.setdefault(key, _Session())

    def admit(self, key: str, teacher: bool = False, nbytes: int = 0) -> str:
        """Give ``key`` a training slot (or keep the one it holds); "" if it may train, else the message.

        ``nbytes``: what its networks hold while training (``memory.training_bytes``).  A teacher takes a
        teacher slot when one is free (neither limit applies), else a student slot like anyone.  A student
        slot needs one of the ``max_training`` free and ``nbytes`` to fit beside the other students'
        within ``memory_mb``, or nobody else in a student slot.  A session that holds a slot keeps it, with
        its new weight, unless it grew past what fits (then it loses it, and gets the message)."""
        nbytes = max(0, int(nbytes))
        with self._lock:
            s = self._sessions.setdefault(key, _Session())
            now = self._clock()
            students = [x for x in self._sessions.values() if x.slot == "student" and x is not s]
            others = sum(x.nbytes for x in students)
            fits = not students or others + nbytes <= self.memory_mb * 2**20
            if s.slot:
                if s.slot == "student" and nbytes > s.nbytes and not fits:
                    s.slot, s.nbytes = "", 0
                    return memory_message(nbytes, others, self.memory_mb)
                s.active, s.nbytes = now, nbytes
                return ""
            if teacher and sum(x.slot == "teacher" for x in self._sessions.values()) < self.teacher_slots:
                s.slot = "teacher"
            elif len(students) >= self.max_training:
                return full_message(self.max_training)
            elif not fits:
                return memory_message(nbytes, others, self.memory_mb)
            else:
                s.slot = "student"
            s.active, s.nbytes = now, nbytes
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
                s.slot, s.nbytes = "", 0

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
                    s.slot, s.nbytes = "", 0
                    freed.append(key)
            return sorted(freed)

    def stats(self) -> dict:
        """``{"time", "sessions", "training", "training_mb", "frames", "rss_mb"}``: see the module docstring."""
        with self._lock:
            frames = {k: s.frames for k, s in self._sessions.items()}
            training = sum(1 for s in self._sessions.values() if s.slot)
            held = sum(s.nbytes for s in self._sessions.values() if s.slot)
        return {"time": time.time(), "sessions": len(frames), "training": training,
                "training_mb": round(held / 2**20, 1), "frames": frames, "rss_mb": rss_mb()}


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
