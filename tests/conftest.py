"""Shared test setup: every test starts with an empty training-session registry.

AppTests run the pages in this one process, where ``playground.capacity.REGISTRY`` would otherwise
keep the slots of every earlier test's sessions (no browser closes them), and the eleventh test to
press Play would find the class server full.
"""
import pytest

from playground import capacity


@pytest.fixture(autouse=True)
def fresh_capacity_registry(monkeypatch):
    registry = capacity.Registry()
    monkeypatch.setattr(capacity, "REGISTRY", registry)
    return registry
