"""Shared test setup.

- Every test process runs with the app's process-wide settings (``playground.base.runtime``), as the app
  does.  Importing the library changes no setting (``tests/test_runtime.py`` checks that in a fresh
  process), so the tests opt in here: the engines then run with one BLAS and one torch thread.
- Every test starts with an empty training-session registry: AppTests run the pages in this one
  process, where ``playground.base.capacity.REGISTRY`` would otherwise keep the slots of every earlier
  test's sessions (no browser closes them), and the eleventh test to press Play would find the class
  server full.
"""
import pytest

from playground.base import capacity
from playground.base.runtime import apply_app_settings

apply_app_settings()


@pytest.fixture(autouse=True)
def fresh_capacity_registry(monkeypatch):
    registry = capacity.Registry()
    monkeypatch.setattr(capacity, "REGISTRY", registry)
    return registry


@pytest.fixture(autouse=True, scope="session")
def rooms_data_dir(tmp_path_factory):
    """Rooms (playground.teach.rooms) keep their SQLite file in a folder of this test run, not the user's."""
    import os

    from playground.teach.rooms import DATA_DIR_ENV

    old = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(tmp_path_factory.mktemp("rooms-data"))
    yield os.environ[DATA_DIR_ENV]
    if old is None:
        os.environ.pop(DATA_DIR_ENV, None)
    else:
        os.environ[DATA_DIR_ENV] = old


@pytest.fixture(scope="session")
def pg_url():
    """A throwaway PostgreSQL cluster for the whole run (tests/pg_util.py); skips when none can start."""
    import pg_util

    why = pg_util.missing()
    if why:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    url = pg_util.start_cluster()
    try:
        yield url
    finally:
        pg_util.stop_cluster(url)
