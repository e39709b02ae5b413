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
