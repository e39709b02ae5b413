"""Importing the library changes no process-wide setting; the app's entry point applies them.

Each check runs in a fresh Python process: this test process has already opted in (``conftest.py``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: torch's thread count in each child process: not the app's, so that a change shows on any machine.
#: BLAS keeps its default (one thread per core): OpenBLAS ignores a limit set from another thread once the
#: main thread has set one, and the app sets it from Streamlit's script thread.
DEFAULT_THREADS = 3

# Starts torch at DEFAULT_THREADS; settings() returns the four settings: threads per loaded BLAS library,
# torch's threads (None without torch), the interpreter's switch interval and how many objects are frozen.
_SETTINGS = textwrap.dedent("""
    import importlib.util, numpy
    if importlib.util.find_spec("torch") is not None:
        import torch
        torch.set_num_threads(DEFAULT_THREADS)

    def settings(paths=None):
        import gc, sys
        from threadpoolctl import threadpool_info
        blas = {p["filepath"]: p["num_threads"] for p in threadpool_info()
                if p["user_api"] == "blas" and (paths is None or p["filepath"] in paths)}
        torch = sys.modules["torch"].get_num_threads() if "torch" in sys.modules else None
        return {"blas": blas, "torch": torch, "switch": sys.getswitchinterval(), "frozen": gc.get_freeze_count()}
""").replace("DEFAULT_THREADS", str(DEFAULT_THREADS))


def run_python(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _SETTINGS + textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                         text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(300)
def test_importing_every_module_changes_no_process_wide_setting():
    pytest.importorskip("threadpoolctl")
    res = run_python("""
        import json, pkgutil, importlib
        import numpy, playground
        before = settings()
        names = sorted(m.name for m in pkgutil.walk_packages(playground.__path__, "playground.")
                       if not m.ispkg and not m.name.endswith("__main__"))
        for name in names:
            importlib.import_module(name)
        names = [name.rsplit(".", 1)[1] for name in names]
        after = settings(set(before["blas"]))
        print(json.dumps({"before": before, "after": after, "names": names}))
    """)
    assert {"network", "torch_engine", "charts", "trainer", "runtime"} <= set(res["names"])
    before = res["before"]
    assert before["blas"], "numpy loaded no BLAS library that threadpoolctl sees"
    assert before["switch"] == 0.005  # Python's default
    assert before["frozen"] == 0
    if before["torch"] is not None:
        assert before["torch"] == DEFAULT_THREADS
    assert res["after"] == before


TORCH_ENGINE = textwrap.dedent("""
    if importlib.util.find_spec("torch") is not None:
        import playground.core.torch_engine
""")

# Ways a process opts in; the PyTorch engine may be imported before or after (the app imports it when a
# page first asks for PyTorch).
OPT_IN = {
    "the app's entry point": textwrap.dedent("""
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("streamlit_app.py", default_timeout=120).run()
        assert not at.exception, at.exception
    """) + TORCH_ENGINE,
    "apply_app_settings, twice as the app's reruns do": textwrap.dedent("""
        from playground.base.runtime import apply_app_settings
        apply_app_settings()
        apply_app_settings()
    """) + TORCH_ENGINE,
    "the PyTorch engine first, then apply_app_settings": TORCH_ENGINE + textwrap.dedent("""
        from playground.base.runtime import apply_app_settings
        apply_app_settings()
    """),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("opt_in", list(OPT_IN))
def test_opting_in_applies_all_four_settings(opt_in):
    pytest.importorskip("threadpoolctl")
    from playground.base import runtime

    res = run_python("import json\n" + OPT_IN[opt_in] + "print(json.dumps(settings()))")
    assert res["switch"] == pytest.approx(runtime.SWITCH_INTERVAL_S)
    assert res["frozen"] > 10_000  # the modules' objects: numpy, streamlit (and the app's, from the entry point)
    assert res["blas"] and set(res["blas"].values()) == {runtime.BLAS_THREADS}
    if res["torch"] is not None:
        assert res["torch"] == runtime.TORCH_THREADS
