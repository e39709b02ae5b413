"""The library's layers import downwards only, as ``playground/__init__.py`` writes them down."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import playground

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "playground"


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every ``playground.…`` module a file imports, anywhere in it (lazy imports too), with the line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import (write playground.<layer>.<module>)"
            if node.module == "playground":
                out += [(f"playground.{a.name}", node.lineno) for a in node.names]
            elif node.module and node.module.startswith("playground."):
                out.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("playground.")]
    return out


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in playground.LAYERS else None


def test_the_docstring_lists_the_layers_in_order():
    listed = re.findall(r"^\d\. ``(\w+)``", playground.__doc__, re.M)
    assert tuple(listed) == playground.LAYERS
    assert {p.name for p in PKG.iterdir() if (p / "__init__.py").exists()} == set(playground.LAYERS)


def test_every_module_lives_in_a_layer():
    loose = sorted(p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == []


def test_imports_go_downwards_only():
    rank = {name: i for i, name in enumerate(playground.LAYERS)}
    upward = []
    for path in sorted(PKG.rglob("*.py")):
        own = path.relative_to(PKG).parts[0]
        if own not in rank:
            continue
        for module, line in imports_of(path):
            target = layer_of(module)
            assert target is not None, f"{path}:{line} imports {module}, outside every layer"
            if rank[target] > rank[own]:
                upward.append(f"{path.relative_to(ROOT)}:{line} ({own}) imports {module} ({target})")
    assert upward == []


def third_party_importers(name: str) -> set[str]:
    found = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == name or m.startswith(name + ".") for m in mods):
                found.add(str(path.relative_to(PKG)))
    return found


def test_only_the_app_ui_package_imports_streamlit():
    assert third_party_importers("streamlit") <= {f"app/ui/{p.name}" for p in (PKG / "app" / "ui").glob("*.py")}
    assert "app/ui/charts.py" in third_party_importers("streamlit")


def test_only_the_torch_engine_imports_torch():
    assert third_party_importers("torch") == {"core/torch_engine.py"}


def test_the_layer_test_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from playground.app.ui import live_plotly\n")
    assert imports_of(bad) == [("playground.app.ui", 2)]
    assert layer_of("playground.app.ui") == "app" and layer_of("numpy") is None


MODULE_LINES, PAGE_LINES = 450, 300  # a module a newcomer reads in one sitting; a page that only composes


def test_modules_and_pages_stay_small():
    big = [f"{p.relative_to(ROOT)}: {n} lines" for p in sorted(PKG.rglob("*.py"))
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINES]
    big += [f"{p.relative_to(ROOT)}: {n} lines" for p in sorted((ROOT / "pages").glob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > PAGE_LINES]
    assert big == [], f"split these (modules ≤ {MODULE_LINES} lines, pages ≤ {PAGE_LINES}): {big}"


def test_no_module_reaches_into_another_modules_private_names():
    """``from playground.x import _y`` is a sign that ``_y`` is a shared concept without a public home."""
    private = []
    for path in sorted([*PKG.rglob("*.py"), *(ROOT / "pages").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("playground"):
                private += [f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{a.name}"
                            for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert private == []
