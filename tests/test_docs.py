"""The documentation pages stay complete and true to the code they describe.

``docs/links-and-cli.md`` must name every public link key (Playground, classroom, race, the pages'
bound controls, lessons), every registry value a link may carry, and every command and option of
``python -m playground``.  ``docs/live-updates.md`` must name only functions and settings that exist.
``docs/curriculum.md`` must list the lessons in order and show the worked examples' numbers as the engine
computes them; ``docs/architecture.md`` must list the library's modules in an order in which every import
points back up the list; ``docs/measurements.md`` must name only scripts that exist.  No page may point
outside the repository.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINKS = (ROOT / "docs" / "links-and-cli.md").read_text(encoding="utf-8")
LIVE = (ROOT / "docs" / "live-updates.md").read_text(encoding="utf-8")
CURRICULUM = (ROOT / "docs" / "curriculum.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


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
    from playground.teach.classroom import CLASSROOM_KEYS, CONTROLS
    from playground.run.config import FIELDS
    from playground.teach.lessons import LESSONS
    from playground.run.race_setup import PRESETS, RACE_FIELDS, SHARED_FIELDS

    names = code_names(LINKS)
    keys = set(FIELDS) | {"pts", "race", "race_target", "lesson"} | set(CLASSROOM_KEYS) | bound_keys() | {
        "pred", "pred_curve", "pred_acc", "pred_epochs", "branch_at", "whatif", "weight", "point"}
    assert len(bound_keys()) >= 30
    assert keys - names == set()
    from playground.run.prediction import CURVES
    from playground.run.branches import WHATIF_FIELDS

    values = set(CONTROLS) | set(PRESETS) | set(RACE_FIELDS) | set(SHARED_FIELDS) | set(LESSONS) | set(CURVES) | \
        set(WHATIF_FIELDS)
    assert values - names == set()


def test_every_registry_value_a_link_carries_is_documented():
    from playground.core.activations import TRAINABLE
    from playground.run.config import DTYPES, ENGINES, REGULARIZERS
    from playground.data.datasets import DATASETS
    from playground.core.features import FEATURES
    from playground.core.initializers import INITIALIZERS
    from playground.core.losses import LOSSES
    from playground.core.optimizers import OPTIMIZERS

    names = code_names(LINKS)
    for registry in (DATASETS, TRAINABLE, OPTIMIZERS, LOSSES, INITIALIZERS, FEATURES, DTYPES, ENGINES, REGULARIZERS):
        assert set(registry) - names == set(), registry


def test_every_cli_command_and_option_is_documented():
    import argparse

    from playground.app.cli import build_parser
    from playground.run.config import FIELDS

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
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "playground").rglob("*.py"))
    for qualified in re.findall(r"`(?:ui|session|runtime)\.(\w+)", LIVE):
        assert re.search(rf"^(def|class) {qualified}\b|^{qualified} = ", sources, re.M), qualified
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    for setting in re.findall(r"`(?:global|server|runner)\.(\w+)", LIVE):
        assert re.search(rf"^{setting}\s*=", config, re.M), setting
    assert (ROOT / "playground" / "app" / "ui" / "assets" / "live_plotly.js").exists()


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "docs").glob("*.md")))
def test_docs_stand_alone(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    assert "shared/" not in text and "../" not in text


def test_curriculum_lists_every_lesson_in_order_and_every_learn_page():
    from playground.teach.lessons import LESSONS
    from playground.app.pages import PAGES

    rows = re.findall(r"^\| (\d+) \| ([^|]+?) \|", CURRICULUM, re.M)
    assert [f"{n} · {title}" for n, title in rows] == [lesson.title for lesson in LESSONS.values()]
    for page in PAGES:
        if page.section in ("Learn", "Data"):
            assert f"(`/{page.url}`)" in CURRICULUM, page.url


def test_curriculum_worked_examples_show_the_numbers_the_app_computes():
    from playground.teach.examples import compare_b, example_a, example_c

    a, b = example_a(), compare_b()
    c, bug = example_c("correct"), example_c("broadcast_bug")
    numbers = [
        f"{a.y_hat:.6f}", f"{a.loss:.6f}", f"{a.dC_dw11:.6f}", f"{a.new_hidden[0, 0]:.6f}", f"{a.new_loss:.6f}",
        *(f"{v:.6f}" for v in a.a), *(f"{v:.6f}" for v in a.factors.values() if v not in (0.3, 1.0)),
        f"{a.check.rel_error.max():.2e}",
        f"{b.numeric.losses[0]:.6f}", f"{b.numeric.losses[-1]:.9f}", f"{b.analytic.losses[-1]:.9f}",
        f"{b.max_param_diff:.2e}", f"{b.max_loss_diff:.2e}", f"{b.numeric.prediction:.6f}",
        f"{b.analytic.prediction:.6f}",
        f"{c.y_hat:.6f}", f"{c.error:.6f}", f"{c.delta_out:.6f}", f"{c.z_out:.6f}",
        *(f"{v:.6f}" for v in (*c.a_hidden, *c.delta_hidden)),
        f"{c.new_error:.6f}", f"{c.check.rel_error.max():.2e}", f"{bug.new_error:.6f}",
        f"{bug.check.rel_error.max():.3f}",
    ]
    text = CURRICULUM.replace("−", "-")
    assert [n for n in numbers if n not in text] == []
    assert len(bug.check.mismatched) == 2 and "two of the four hidden weights" in CURRICULUM


def test_architecture_lists_every_module_under_its_layer():
    """The library section has one row per module, as ``layer/module.py``, in the layers' order."""
    import playground

    library = ARCHITECTURE.split("## The library", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(\w+)/((?:\w+/)?\w+)\.py` \|", library, re.M)
    pkg = ROOT / "playground"
    on_disk = sorted((p.relative_to(pkg).parts[0], str(p.relative_to(pkg / p.relative_to(pkg).parts[0]).with_suffix("")))
                     for p in pkg.glob("*/**/*.py") if p.stem != "__init__" or p.parent.parent != pkg)
    assert sorted(listed) == on_disk
    layers = [layer for layer, _ in listed]
    assert sorted(layers, key=playground.LAYERS.index) == layers


def test_architecture_names_only_files_and_functions_that_exist():
    modules = {p.stem: p for p in (ROOT / "playground").glob("*/*.py")}  # modules named as `module.attr`
    for path in set(re.findall(r"`((?:\w+/)?\w+\.py)`", ARCHITECTURE)):
        assert any((ROOT / d / path).exists() for d in ("playground", "pages", ".")), path
    for module, attr in re.findall(r"`(\w+)\.(\w+)(?:\(\))?`", ARCHITECTURE):
        if attr != "py" and module in modules:
            layer = modules[module].parent.name
            assert hasattr(importlib.import_module(f"playground.{layer}.{module}"), attr), f"{module}.{attr}"


def test_measurement_scripts_exist():
    text = (ROOT / "docs" / "measurements.md").read_text(encoding="utf-8")
    scripts = re.findall(r"`python (bench/\w+\.py)", text)
    assert len(scripts) >= 5 and [s for s in scripts if not (ROOT / s).exists()] == []


def test_bench_readme_names_every_script():
    """bench/README.md has one line per script there, and names none that is missing."""
    named = set(re.findall(r"`(\w+\.py)`", (ROOT / "bench" / "README.md").read_text(encoding="utf-8")))
    assert named == {p.name for p in (ROOT / "bench").glob("*.py")}
