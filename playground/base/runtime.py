"""Process-wide settings the app wants, applied only when asked: importing the library changes none.

The playground's processes only multiply tiny matrices, and one Python process serves every student,
so the app tunes four process-wide settings.  They belong to whoever runs the process, not to a
library import: ``streamlit_app.py`` calls :func:`apply_app_settings` before any page runs, and the
command line's ``train`` and ``bench`` call it for the same speed.  Tests opt in the same way
(``tests/conftest.py``), so they measure and pin the app's behaviour.

* **BLAS threads → 1** (``threadpoolctl``, when installed).  The matrices are tiny: a second BLAS
  thread costs more in hand-over than it saves (the deep net's 100×100 decision grid measured 4.9 ms
  with one thread vs 6.4 ms with two).
* **torch intra-op threads → 1**, once the PyTorch engine is imported (never imported from here: the
  app must start without torch).  Handing a 250×4 matmul between threads stalls for milliseconds on a
  2-core machine (the engine's evaluation measured ~50 ms instead of ~2 ms).
* **interpreter switch interval → 0.5 ms** (5 ms by default).  A session that trains holds the GIL in a
  tight NumPy loop; the server's event loop, which sends each drawn frame to the browser, waits up to the
  switch interval for every step of a send, so frames reached the browser late (measured with py-spy and
  a frame log).

* **the objects alive at the first call frozen** (``gc.freeze()``, once, after a full collection).  By then
  the entry script has imported Streamlit, Plotly, NumPy and the app: objects that live as long as the
  process.  Python's full collections walk every tracked object; with those in the heap, one took 90–120 ms
  of the server's only core every ~15 s of one student playing (gc callbacks in the server), a stall for
  every student's frame.  Frozen, a collection walks only what the sessions made since.  Nothing that is
  freed by its reference count is affected; a cycle among the frozen objects is never collected, and those
  live as long as the process anyway.

None of the four changes a result: one BLAS or torch thread gives the same arithmetic on these sizes
(``tests/test_golden.py`` pins the exact weights), and the switch interval only changes who runs when.
"""
from __future__ import annotations

import gc
import sys

__all__ = ["BLAS_THREADS", "TORCH_THREADS", "SWITCH_INTERVAL_S", "apply_app_settings", "app_settings_applied",
           "apply_torch_settings"]

BLAS_THREADS = 1
TORCH_THREADS = 1
SWITCH_INTERVAL_S = 0.0005

_applied = False
_blas_limits = None  # the threadpoolctl limiter, kept so the limit is applied once


def app_settings_applied() -> bool:
    """True once this process has called :func:`apply_app_settings`."""
    return _applied


def apply_app_settings() -> None:
    """Apply the app's process-wide settings (see the module's doc); cheap to call again on every rerun."""
    global _applied, _blas_limits
    if not _applied:  # the first call: what is alive now lives as long as the process
        gc.collect()
        gc.freeze()
    if sys.getswitchinterval() != SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)
    if _blas_limits is None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # optional: without it NumPy keeps its default
            _blas_limits = False
        else:
            import numpy  # noqa: F401  (loads the BLAS library that the limit applies to)

            _blas_limits = threadpool_limits(BLAS_THREADS, user_api="blas")
    _applied = True
    # The engine imported before the settings were asked for.  Another session's thread may be importing
    # it right now (torch takes seconds): a module still being imported has no ``torch`` yet, and the
    # engine applies the setting itself when its import finishes, since ``_applied`` is set above.
    torch = getattr(sys.modules.get("playground.core.torch_engine"), "torch", None)
    if torch is not None:
        apply_torch_settings(torch)


def apply_torch_settings(torch) -> None:
    """One intra-op thread for ``torch``, if this process asked for the app's settings (else nothing).

    Called by the PyTorch engine when it is imported, and by :func:`apply_app_settings`.
    """
    if _applied and torch.get_num_threads() != TORCH_THREADS:
        torch.set_num_threads(TORCH_THREADS)
