"""Rooms: a teacher's view of the class, kept in a database so that every server worker sees it.

A teacher opens a room and gets a short **code** for the students (five letters and digits
without look-alikes: no 0/O, 1/I/L) and a secret **key** for themselves; only a hash of
the key is stored, and the key can be rotated.  Students join with a nickname and then
write a small **status** (epoch, losses, a tiny boundary picture: ``roomviews.Status``,
at most ``MAX_STATUS_BYTES``) every ``STATUS_SECONDS`` or so, and read what the teacher
pushed (a setup link or a lesson, a challenge, a request for a full model snapshot).

Nothing important lives in process memory: any worker behind a load balancer can serve
any student or teacher.  Two backends behind one interface (`RoomStore`):

* SQLite (WAL mode) in ``$PLAYGROUND_DATA_DIR/rooms.sqlite3``: the embedded default,
  no set-up (one machine, any number of workers);
* PostgreSQL via psycopg 3 when ``PLAYGROUND_DATABASE_URL`` is set (many machines);
  psycopg is imported only then (``pip install "neural-playground[postgres]"``).

Rooms expire (``PLAYGROUND_ROOM_HOURS``, default 24) and are purged; a room holds at most
``PLAYGROUND_ROOM_CAP`` students (default 60); joins are limited per room, not per
address (a whole school shares one), to ``PLAYGROUND_ROOM_JOINS_PER_MINUTE`` (default 60).

    >>> store = RoomStore(SQLiteBackend(":memory:"))
    >>> room, key = store.create_room()
    >>> member = store.join(room.code.lower(), "  Ada  ")
    >>> member.nickname, store.room_for_key(key).code == room.code
    ('Ada', True)
    >>> store.join(room.code, "ada")
    Traceback (most recent call last):
    ...
    playground.teach.room_db.RoomError: the nickname 'ada' is taken in this room: choose another (yours after a reload? it is free again 30 s after your last update)
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

__all__ = [
    "RoomError", "Limits", "Room", "Member", "Poll", "StudentRow", "RoomStore", "SQLiteBackend",
    "PostgresBackend", "open_store", "normalize_code", "check_nickname", "CODE_ALPHABET", "CODE_LENGTH",
    "MAX_NICKNAME", "MAX_STATUS_BYTES", "AWAY_SECONDS", "STATUS_SECONDS", "MAX_SNAPSHOT_BYTES", "DATA_DIR_ENV", "DATABASE_URL_ENV",
]

from playground.teach.room_db import DATA_DIR_ENV, DATABASE_URL_ENV, RoomError, PostgresBackend, SQLiteBackend, Tx, default_data_dir

HOURS_ENV = "PLAYGROUND_ROOM_HOURS"
CAP_ENV = "PLAYGROUND_ROOM_CAP"
JOINS_ENV = "PLAYGROUND_ROOM_JOINS_PER_MINUTE"

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 5  # 31**5 ≈ 29 million codes
MAX_NICKNAME = 20  # characters
MAX_STATUS_BYTES = 2048  # one student's status, thumbnail included
AWAY_SECONDS = 30.0  # a member silent this long (a closed or reloaded page) gives its nickname back
STATUS_SECONDS = 2.0  # a student writes at most this often (roomviews: unchanged statuses less often)
MAX_SNAPSHOT_BYTES = 2_000_000  # a model file for the projector (JSON weights of the largest allowed net)
MAX_LINK = 4_000  # a pushed setup link (a drawn-points link fits)
MAX_GOAL = 200  # a challenge's text




@dataclass(frozen=True)
class Limits:
    hours: float = 24.0  # a room's life
    cap: int = 60  # students per room
    joins_per_minute: int = 60  # per room

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Limits":
        """From ``PLAYGROUND_ROOM_HOURS`` / ``_CAP`` / ``_JOINS_PER_MINUTE``; a bad value keeps the default."""
        env = os.environ if env is None else env
        d = cls()

        def get(name, default, cast, lo, hi):
            try:
                v = cast(env.get(name, default))
            except (TypeError, ValueError):
                return default
            return v if lo <= v <= hi else default

        return cls(get(HOURS_ENV, d.hours, float, 0.01, 24 * 30), get(CAP_ENV, d.cap, int, 1, 1000),
                   get(JOINS_ENV, d.joins_per_minute, int, 1, 10_000))


@dataclass(frozen=True)
class Room:
    code: str
    created: float
    expires: float
    cap: int
    push_version: int = 0
    push_query: str = ""  # a Playground link query
    push_lesson: str = ""  # a lesson id (its query is push_query)
    challenge_version: int = 0
    challenge: str = ""  # goal text (goals.parse_goal), "" = none
    challenge_set: float = 0.0


@dataclass(frozen=True)
class Member:
    """A student's handle on their membership: kept in their browser session only (the token is secret)."""

    code: str
    id: str
    token: str
    nickname: str


@dataclass(frozen=True)
class Poll:
    """What a student reads every few seconds."""

    room: Room
    snapshot_requested: float  # > 0: the teacher asked for this student's model at that time


@dataclass(frozen=True)
class StudentRow:
    """One student as the teacher's page lists them; ``status`` is the JSON the student wrote (or "")."""

    id: str
    nickname: str
    joined: float
    seen: float
    status: str
    solved_version: int
    solved_at: float | None
    solved_epoch: int | None


# ----- untrusted input ------------------------------------------------------------------------------
_CODE_JUNK = re.compile(r"[\s\-_.]")


def normalize_code(text: object) -> str:
    """A typed room code as stored: upper case, spaces and dashes dropped; "" if it cannot be a code.

    >>> normalize_code(" ab-c2d "), normalize_code("ABCD0"), normalize_code("x" * 500)
    ('ABC2D', '', '')
    """
    s = _CODE_JUNK.sub("", str(text)[:40]).upper()
    return s if len(s) == CODE_LENGTH and all(c in CODE_ALPHABET for c in s) else ""


_NICK_OK = re.compile(r"[\w .'\-]+")


def check_nickname(text: object) -> tuple[str, str]:
    """(nickname, problem): the nickname trimmed and with runs of spaces collapsed, or a message.

    Letters of any script, digits, spaces and . ' - _ ; 1 to ``MAX_NICKNAME`` characters.
    It is shown only through ``text.escape_markdown`` (never as markup).

    >>> check_nickname("  Zoë   K. ")
    ('Zoë K.', '')
    >>> check_nickname("<b>x</b>")[1]
    "a nickname may hold letters, digits, spaces and . ' - _ only; '/', '<', '>' are not allowed"
    """
    raw = str(text)[:200]
    nick = " ".join(unicodedata.normalize("NFC", raw).split())
    if not nick:
        return "", "type a nickname (1 to 20 letters, digits or spaces)"
    if len(nick) > MAX_NICKNAME:
        return "", f"a nickname has at most {MAX_NICKNAME} characters; this one has {len(nick)}"
    if not _NICK_OK.fullmatch(nick):
        bad = sorted({c for c in nick if not _NICK_OK.fullmatch(c)})[:5]
        verb = "are" if len(bad) > 1 else "is"
        return "", f"a nickname may hold letters, digits, spaces and . ' - _ only; " \
                   f"{', '.join(repr(c) for c in bad)} {verb} not allowed"
    return nick, ""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


# ----- the store ----------------------------------------------------------------------------------
_ROOM_COLS = ("code, created, expires, cap, push_version, push_query, push_lesson, challenge_version, challenge, "
              "challenge_set")


def _room(row) -> Room:
    return Room(*row)


class RoomStore:
    """Every room operation, one short transaction each; ``clock`` is injectable for tests."""

    PURGE_EVERY = 60.0  # seconds between purges of expired rooms (per process; any worker may purge)

    def __init__(self, backend, limits: Limits | None = None, clock: Callable[[], float] = time.time):
        self.backend, self.limits, self.clock = backend, limits or Limits(), clock
        self._purged = float("-inf")

    # --- teacher ---
    def create_room(self) -> tuple[Room, str]:
        """A new room and its teacher key (shown once; only its hash is kept)."""
        self._maybe_purge()
        now = self.clock()
        key = secrets.token_urlsafe(18)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            with self.backend.transaction() as tx:
                if tx.run("SELECT 1 FROM rooms WHERE code = ?", (code,)):
                    continue
                tx.run("INSERT INTO rooms (code, key_hash, created, expires, cap) VALUES (?, ?, ?, ?, ?)",
                       (code, _hash(key), now, now + self.limits.hours * 3600, self.limits.cap))
            return self.room(code), key
        raise RoomError("no free room code was found; try again")  # practically never: 29 million codes

    def room_for_key(self, key: object) -> Room | None:
        """The live room a teacher key opens, or None (wrong, rotated or expired key)."""
        if not isinstance(key, str) or not 10 <= len(key) <= 100:
            return None
        with self.backend.transaction(write=False) as tx:
            rows = tx.run(f"SELECT {_ROOM_COLS} FROM rooms WHERE key_hash = ? AND expires > ?",
                          (_hash(key), self.clock()))
        return _room(rows[0]) if rows else None

    def room(self, code: object) -> Room | None:
        """The live room with this code (typed by a student: normalised first), or None."""
        code = normalize_code(code)
        if not code:
            return None
        with self.backend.transaction(write=False) as tx:
            rows = tx.run(f"SELECT {_ROOM_COLS} FROM rooms WHERE code = ? AND expires > ?", (code, self.clock()))
        return _room(rows[0]) if rows else None

    def _teacher(self, tx: Tx, key: str) -> str:
        rows = tx.run("SELECT code FROM rooms WHERE key_hash = ? AND expires > ?", (_hash(str(key)), self.clock()))
        if not rows:
            raise RoomError("this teacher key does not open a room any more (rotated, or the room expired): "
                            "open a new room")
        return rows[0][0]

    def rotate_key(self, key: str) -> str:
        """A new teacher key for the room; the old one stops working at once."""
        new = secrets.token_urlsafe(18)
        with self.backend.transaction() as tx:
            code = self._teacher(tx, key)
            tx.run("UPDATE rooms SET key_hash = ? WHERE code = ?", (_hash(new), code))
        return new

    def push(self, key: str, query: str, lesson: str = "") -> int:
        """Send a setup (a Playground link query, already checked by the caller) and optionally the lesson
        it belongs to, to every student; returns the push's version number."""
        if len(query) > MAX_LINK or len(lesson) > 60:
            raise RoomError(f"a pushed link has at most {MAX_LINK:,} characters; this one has {len(query):,}")
        with self.backend.transaction() as tx:
            code = self._teacher(tx, key)
            rows = tx.run("UPDATE rooms SET push_version = push_version + 1, push_query = ?, push_lesson = ? "
                          "WHERE code = ? RETURNING push_version", (query, lesson, code))
        return int(rows[0][0])

    def set_challenge(self, key: str, goal_text: str) -> int:
        """Set (or with "" clear) the challenge, already checked with ``goals.parse_goal``; returns its version."""
        if len(goal_text) > MAX_GOAL:
            raise RoomError(f"a challenge has at most {MAX_GOAL} characters")
        with self.backend.transaction() as tx:
            code = self._teacher(tx, key)
            rows = tx.run("UPDATE rooms SET challenge_version = challenge_version + 1, challenge = ?, "
                          "challenge_set = ? WHERE code = ? RETURNING challenge_version",
                          (goal_text, self.clock(), code))
        return int(rows[0][0])

    def students(self, key: str) -> list[StudentRow]:
        """Every student of the teacher's room, in joining order."""
        with self.backend.transaction(write=False) as tx:
            code = self._teacher(tx, key)
            rows = tx.run("SELECT id, nickname, joined, seen, status, solved_version, solved_at, solved_epoch "
                          "FROM room_members WHERE room = ? ORDER BY joined, id", (code,))
        return [StudentRow(*r) for r in rows]

    def request_snapshot(self, key: str, member_id: str) -> float:
        """Ask a student's Playground for its full model (it answers at its next poll); returns the request time."""
        now = self.clock()
        with self.backend.transaction() as tx:
            code = self._teacher(tx, key)
            tx.run("UPDATE room_members SET snapshot_req = ? WHERE id = ? AND room = ?", (now, str(member_id), code))
            if tx.rowcount == 0:
                raise RoomError("that student is not in this room any more")
        return now

    def snapshot(self, key: str, member_id: str, since: float = 0.0) -> tuple[float, int, str, bytes] | None:
        """(made, epoch, link, model file bytes) of a student's snapshot made at or after ``since``, or None."""
        with self.backend.transaction(write=False) as tx:
            code = self._teacher(tx, key)
            rows = tx.run("SELECT made, epoch, link, model FROM room_snapshots WHERE member = ? AND room = ? "
                          "AND made >= ?", (str(member_id), code, since))
        return (rows[0][0], rows[0][1], rows[0][2], bytes(rows[0][3])) if rows else None

    def close_room(self, key: str) -> None:
        with self.backend.transaction() as tx:
            self._delete(tx, [self._teacher(tx, key)])

    # --- student ---
    def join(self, code: object, nickname: object) -> Member:
        """Join a room; raises `RoomError` saying why not (unknown code, full room, too many joins, nickname)."""
        typed = code
        code = normalize_code(code)
        if not code:
            raise RoomError(f"a room code is {CODE_LENGTH} letters and digits (like K7RM4); "
                            f"'{str(typed)[:20]}' is not one")
        nick, problem = check_nickname(nickname)
        if problem:
            raise RoomError(problem)
        now = self.clock()
        member = Member(code, secrets.token_hex(8), secrets.token_urlsafe(18), nick)
        with self.backend.transaction() as tx:
            # One statement counts the join and (PostgreSQL) locks the room's row until the end of this
            # transaction: two workers cannot both take the last place.
            rows = tx.run("UPDATE rooms SET "
                          "join_count = CASE WHEN join_window > ? THEN join_count + 1 ELSE 1 END, "
                          "join_window = CASE WHEN join_window > ? THEN join_window ELSE ? END "
                          "WHERE code = ? AND expires > ? RETURNING join_count, cap",
                          (now - 60.0, now - 60.0, now, code, now))
            if not rows:
                raise RoomError(f"there is no open room {code}: check the code with your teacher "
                                f"(rooms close after {self.limits.hours:g} hours)")
            count, cap = rows[0]
            if count > self.limits.joins_per_minute:
                raise RoomError("too many students are joining this room right now: wait a few seconds and "
                                "press Join again")
            taken = tx.run("SELECT id, seen, nickname FROM room_members WHERE room = ? AND nick_key = ?",
                           (code, nick.casefold()))
            if taken and now - taken[0][1] < AWAY_SECONDS:
                raise RoomError(f"the nickname '{nick}' is taken in this room: choose another (yours after a "
                                f"reload? it is free again {AWAY_SECONDS:.0f} s after your last update)")
            if taken:  # its page has been silent for a while (closed, reloaded): the nickname comes back
                tx.run("UPDATE room_members SET token_hash = ?, seen = ?, snapshot_req = 0 WHERE id = ?",
                       (_hash(member.token), now, taken[0][0]))
                return Member(code, taken[0][0], member.token, taken[0][2])
            n = tx.run("SELECT COUNT(*) FROM room_members WHERE room = ?", (code,))[0][0]
            if n >= cap:
                raise RoomError(f"this room is full ({cap} students): ask your teacher")
            tx.run("INSERT INTO room_members (id, room, nickname, nick_key, token_hash, joined, seen) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (member.id, code, nick, nick.casefold(), _hash(member.token), now, now))
        return member

    def poll(self, member: Member) -> Poll | None:
        """The room's pushes and challenge, and whether the teacher wants this student's model; None when
        the room or the membership is gone (expired, closed)."""
        with self.backend.transaction(write=False) as tx:
            rows = tx.run(f"SELECT {', '.join('r.' + c.strip() for c in _ROOM_COLS.split(','))}, m.snapshot_req "
                          "FROM rooms r JOIN room_members m ON m.room = r.code "
                          "WHERE m.id = ? AND m.token_hash = ? AND r.expires > ?",
                          (member.id, _hash(member.token), self.clock()))
        return Poll(_room(rows[0][:-1]), rows[0][-1]) if rows else None

    def write_status(self, member: Member, status_json: str, solved: tuple[int, int] | None = None) -> bool:
        """Store a student's status (``roomviews.Status.to_json``, at most ``MAX_STATUS_BYTES``); with
        ``solved = (challenge_version, epoch)`` also record that the challenge was met now, unless it
        already was.  One statement; False when the membership is gone."""
        if len(status_json.encode()) > MAX_STATUS_BYTES:
            raise RoomError(f"a status has at most {MAX_STATUS_BYTES} bytes")
        now = self.clock()
        with self.backend.transaction() as tx:
            if solved is None:
                tx.run("UPDATE room_members SET status = ?, seen = ? WHERE id = ? AND token_hash = ?",
                       (status_json, now, member.id, _hash(member.token)))
            else:
                v, epoch = int(solved[0]), int(solved[1])
                tx.run("UPDATE room_members SET status = ?, seen = ?, "
                       "solved_at = CASE WHEN solved_version = ? THEN solved_at ELSE ? END, "
                       "solved_epoch = CASE WHEN solved_version = ? THEN solved_epoch ELSE ? END, "
                       "solved_version = ? WHERE id = ? AND token_hash = ?",
                       (status_json, now, v, now, v, epoch, v, member.id, _hash(member.token)))
            return tx.rowcount > 0

    def put_snapshot(self, member: Member, epoch: int, link: str, model: bytes) -> bool:
        """Answer the teacher's request with the full model file (``modelio.to_json``) and the run's link."""
        if len(model) > MAX_SNAPSHOT_BYTES:
            raise RoomError(f"a model snapshot has at most {MAX_SNAPSHOT_BYTES:,} bytes; this one has {len(model):,}")
        now = self.clock()
        with self.backend.transaction() as tx:
            rows = tx.run("SELECT room FROM room_members WHERE id = ? AND token_hash = ?",
                          (member.id, _hash(member.token)))
            if not rows:
                return False
            tx.run("DELETE FROM room_snapshots WHERE member = ?", (member.id,))
            tx.run("INSERT INTO room_snapshots (member, room, made, epoch, link, model) VALUES (?, ?, ?, ?, ?, ?)",
                   (member.id, rows[0][0], now, int(epoch), link[:MAX_LINK], model))
            tx.run("UPDATE room_members SET snapshot_req = 0 WHERE id = ?", (member.id,))
        return True

    # --- housekeeping ---
    def purge_expired(self) -> int:
        """Delete expired rooms with their students and snapshots; returns how many rooms went."""
        with self.backend.transaction() as tx:
            codes = [r[0] for r in tx.run("SELECT code FROM rooms WHERE expires <= ?", (self.clock(),))]
            self._delete(tx, codes)
        self._purged = time.monotonic()
        return len(codes)

    def _maybe_purge(self) -> None:
        if time.monotonic() - self._purged >= self.PURGE_EVERY:
            self.purge_expired()

    @staticmethod
    def _delete(tx: Tx, codes: list[str]) -> None:
        for code in codes:
            tx.run("DELETE FROM room_snapshots WHERE room = ?", (code,))
            tx.run("DELETE FROM room_members WHERE room = ?", (code,))
            tx.run("DELETE FROM rooms WHERE code = ?", (code,))


_stores: dict[tuple, RoomStore] = {}
_stores_lock = threading.Lock()


def open_store(env: dict | None = None) -> RoomStore:
    """The process's store for the environment's settings (made once per settings, then shared):
    PostgreSQL if ``PLAYGROUND_DATABASE_URL`` is set, else SQLite under the data folder."""
    env = os.environ if env is None else env
    url = env.get(DATABASE_URL_ENV, "").strip()
    where = url or str(Path(env.get(DATA_DIR_ENV) or default_data_dir()) / "rooms.sqlite3")
    limits = Limits.from_env(env)
    with _stores_lock:
        store = _stores.get((where, limits))
        if store is None:
            try:
                backend: Any = PostgresBackend(url) if url else SQLiteBackend(where)
            except RoomError:
                raise
            except Exception as e:  # noqa: BLE001 - any driver's error: the page says what and carries on
                first = str(e).strip().splitlines()[0][:200] if str(e).strip() else ""
                raise RoomError(f"the room database cannot be opened ({type(e).__name__}: {first})") from None
            store = _stores[(where, limits)] = RoomStore(backend, limits)
    return store
