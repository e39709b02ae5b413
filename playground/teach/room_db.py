"""The rooms' database: one transaction at a time on SQLite (WAL mode, a file in the data folder, a few
connections kept open) or PostgreSQL (psycopg 3, imported only when a database URL is given), with the same SQL
for both (the schema is here). ``rooms.RoomStore`` holds the rules; this module only runs statements."""
from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["SQLiteBackend", "PostgresBackend", "Tx", "default_data_dir", "DATA_DIR_ENV", "DATABASE_URL_ENV", "RoomError"]

DATA_DIR_ENV = "PLAYGROUND_DATA_DIR"
DATABASE_URL_ENV = "PLAYGROUND_DATABASE_URL"


class RoomError(ValueError):
    """A room operation that cannot be done; the message says why and what to do."""

# ----- backends: a connection that runs one transaction ---------------------------------------------
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    created {real} NOT NULL,
    expires {real} NOT NULL,
    cap INTEGER NOT NULL,
    join_window {real} NOT NULL DEFAULT 0,
    join_count INTEGER NOT NULL DEFAULT 0,
    push_version INTEGER NOT NULL DEFAULT 0,
    push_query TEXT NOT NULL DEFAULT '',
    push_lesson TEXT NOT NULL DEFAULT '',
    challenge_version INTEGER NOT NULL DEFAULT 0,
    challenge TEXT NOT NULL DEFAULT '',
    challenge_set {real} NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS room_members (
    id TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    nickname TEXT NOT NULL,
    nick_key TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    joined {real} NOT NULL,
    seen {real} NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    solved_version INTEGER NOT NULL DEFAULT 0,
    solved_at {real},
    solved_epoch INTEGER,
    snapshot_req {real} NOT NULL DEFAULT 0,
    UNIQUE (room, nick_key)
);
CREATE INDEX IF NOT EXISTS room_members_room ON room_members (room);
CREATE TABLE IF NOT EXISTS room_snapshots (
    member TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    made {real} NOT NULL,
    epoch INTEGER NOT NULL,
    link TEXT NOT NULL,
    model {blob} NOT NULL
);
CREATE INDEX IF NOT EXISTS room_snapshots_room ON room_snapshots (room);
"""


class Tx:
    """One transaction's cursor: ``run(sql, params)`` with ``?`` placeholders, returning all rows."""

    def __init__(self, cursor, paramstyle: str):
        self._cur, self._style = cursor, paramstyle

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self._style == "format":
            sql = sql.replace("?", "%s")
        self._cur.execute(sql, params)
        return self._cur.fetchall() if self._cur.description is not None else []

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount


class SQLiteBackend:
    """A SQLite file in WAL mode (readers never wait for the writer), with a few pooled connections.

    Connections stay open: when the last connection to a WAL database closes, SQLite checkpoints and
    deletes the log, an fsync each time (a one-connection-per-write store measured 31 ms a status write
    here, a pooled one about 1 ms)."""

    name = "sqlite"
    POOL = 4  # idle connections kept per process

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._memory = self.path == ":memory:"  # one shared connection (doctests, quick checks)
        if self._memory:
            self._idle.append(self._connect())
            self._one = threading.Lock()
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as con:
            if not self._memory:
                con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA.format(real="REAL", blob="BLOB"))

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        con.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
        return con

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._memory:
            with self._one:
                yield self._idle[0]
            return
        with self._lock:
            con = self._idle.pop() if self._idle else None
        con = con or self._connect()
        try:
            yield con
        finally:
            with self._lock:
                keep = len(self._idle) < self.POOL
                if keep:
                    self._idle.append(con)
            if not keep:
                con.close()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Tx(con.cursor(), "qmark")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()


class PostgresBackend:
    """PostgreSQL through psycopg 3 (imported here, only when a database URL is given); a few pooled connections."""

    name = "postgresql"
    POOL = 4  # idle connections kept per process

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError as e:
            raise RoomError(f"{DATABASE_URL_ENV} is set but psycopg is not installed: "
                            f"pip install 'neural-playground[postgres]' ({e})") from None
        self._psycopg = psycopg
        self.url = url
        self._idle: list = []
        self._lock = threading.Lock()
        with self.transaction() as tx:
            tx.run("SELECT pg_advisory_xact_lock(715517)")  # two workers creating the tables at once
            for stmt in _SCHEMA.format(real="DOUBLE PRECISION", blob="BYTEA").split(";"):
                if stmt.strip():
                    tx.run(stmt)

    def _get(self):
        with self._lock:
            while self._idle:
                con = self._idle.pop()
                if not con.closed:
                    return con
        return self._psycopg.connect(self.url, connect_timeout=10)

    def _put(self, con) -> None:
        with self._lock:
            if len(self._idle) < self.POOL and not con.closed:
                self._idle.append(con)
                return
        con.close()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        con = self._get()
        ok = False
        try:
            with con.transaction():
                with con.cursor() as cur:
                    yield Tx(cur, "format")
            ok = True
        finally:
            if ok or con.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE:
                self._put(con)
            else:
                con.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()


def default_data_dir() -> Path:
    """``$PLAYGROUND_DATA_DIR``, else ``$XDG_DATA_HOME/neural-playground`` (``~/.local/share/…``), else a
    folder in the system's temporary directory (when the home folder is read-only)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "neural-playground"
    try:
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK):
            return base
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"neural-playground-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
