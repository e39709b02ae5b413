"""The documentation pages stay complete and true to the code they describe.

``docs/links-and-cli.md`` must name every public link key (Playground, classroom, race, the pages'
bound controls, lessons), every registry value a link may carry, and every command and option of
``python -m playground``.  ``docs/live-updates.md`` must name only functions and settings that exist.
No page may point outside the repository.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINKS = (ROOT / "docs" / "links-and-cli.md").read_text(encoding="utf-8")
LIVE = (ROOT / "docs" / "live-updates.md").read_text(encoding="utf-8")


def code_names(text: str) -> set[str]:
    """Everything written as inline code: `name`, `key:value`, `--option V` → its first word."""
    return {m.split()[0] for m in re.findall(r"`([^`]+)`", text) if m.split()}


def bound_keys() -> set[str]:
    """Keys of the pages' widgets that are bound to the address bar."""
    keys = set()
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                kw = {k.arg: k.value for k in node.keywords}
                if "bind" in kw and isinstance(kw.get("key"), ast.Constant):
                    keys.add(kw["key"].value)
    return keys


def test_every_link_key_is_documented():
    from playground.classroom import CLASSROOM_KEYS, CONTROLS
    from playground.config import FIELDS
    from playground.lessons import LESSONS
    from playground.race import PRESETS, RACE_FIELDS, SHARED_FIELDS

    names = code_names(LINKS)
    keys = set(FIELDS) | {"pts", "race", "race_target", "lesson"} | set(CLASSROOM_KEYS) | bound_keys()
    assert len(bound_keys()) >= 30
    assert keys - names == set()
    values = set(CONTROLS) | set(PRESETS) | set(RACE_FIELDS) | set(SHARED_FIELDS) | set(LESSONS)
    assert values - names == set()


def test_every_registry_value_a_link_carries_is_documented():
    from playground.activations import TRAINABLE
    from playground.config import DTYPES, ENGINES, REGULARIZERS
    from playground.datasets import DATASETS
    from playground.features import FEATURES
    from playground.initializers import INITIALIZERS
    from playground.losses import LOSSES
    from playground.optimizers import OPTIMIZERS

    names = code_names(LINKS)
    for registry in (DATASETS, TRAINABLE, OPTIMIZERS, LOSSES, INITIALIZERS, FEATURES, DTYPES, ENGINES, REGULARIZERS):
        assert set(registry) - names == set(), registry


def test_every_cli_command_and_option_is_documented():
    import argparse

    from playground.cli import build_parser
    from playground.config import FIELDS

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    names = code_names(LINKS)
    for command, p in sub.choices.items():
        assert f"### `{command}`" in LINKS, command
        options = {s for a in p._actions for s in a.option_strings if s.startswith("--")}
        fields = {f"--{f}" for f in FIELDS} | {f"--{f.replace('_', '-')}" for f in FIELDS}
        assert options - fields - {"--help"} - names == set(), command
        for a in p._actions:
            if a.choices and not a.option_strings:  # positional choices: example A, B, C
                assert {str(c) for c in a.choices} <= names, command


def test_live_updates_names_exist():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "playground").glob("*.py"))
    for qualified in re.findall(r"`(?:ui|session)\.(\w+)", LIVE):
        assert re.search(rf"^(def|class) {qualified}\b|^{qualified} = ", sources, re.M), qualified
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    for setting in re.findall(r"`(?:global|server|runner)\.(\w+)", LIVE):
        assert re.search(rf"^{setting}\s*=", config, re.M), setting
    assert (ROOT / "playground" / "assets" / "live_plotly.js").exists()


@pytest.mark.parametrize("page", ["links-and-cli.md", "live-updates.md"])
def test_docs_stand_alone(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert "shared/" not in text and "../" not in text
