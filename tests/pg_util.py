"""A throwaway PostgreSQL cluster for tests, from Debian's binaries (``apt-get install postgresql``).

    url = start_cluster()   # postgresql://postgres@/postgres?host=<temp dir>  (a unix socket, no port)
    ...
    stop_cluster(url)

The cluster lives in a temporary folder and listens only on a unix socket there, so several test
runs on one machine never meet.  PostgreSQL refuses to run as root: as root (CI) its commands run as
the ``postgres`` user the Debian package creates (``runuser``).  ``missing()`` says why no cluster can
be started (no binaries, no psycopg, root without a ``postgres`` user): the tests then skip, saying so.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

USER = "postgres"


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def missing() -> str:
    """Why no cluster can be started here ("" when one can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'neural-playground[postgres]')"
    if _bindir() is None:
        return "no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return f"running as root and there is no {USER!r} user to run PostgreSQL as"
    return ""


def _as_owner() -> list[str]:
    return ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []


def start_cluster(timeout: float = 60) -> str:
    """initdb + pg_ctl start in a new temporary folder; returns the database URL."""
    bindir = _bindir()
    root = tempfile.mkdtemp(prefix="playground-pg-")
    if os.geteuid() == 0:
        owner = pwd.getpwnam(USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data = os.path.join(root, "data")
    run = dict(check=True, capture_output=True, timeout=timeout, cwd=root)
    subprocess.run(_as_owner() + [str(bindir / "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
                                  "-E", "UTF8", "--no-sync", "--locale=C"], **run)
    opts = f"-k {root} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(_as_owner() + [str(bindir / "pg_ctl"), "-D", data, "-o", opts, "-l",
                                  os.path.join(root, "log"), "-w", "-t", str(int(timeout)), "start"], **run)
    return f"postgresql://postgres@/postgres?host={root}"


def stop_cluster(url: str) -> None:
    root = parse_qs(urlsplit(url).query)["host"][0]
    subprocess.run(_as_owner() + [str(_bindir() / "pg_ctl"), "-D", os.path.join(root, "data"), "-m", "immediate",
                                  "-w", "stop"], capture_output=True, timeout=60, cwd=root)
    shutil.rmtree(root, ignore_errors=True)
