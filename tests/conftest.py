"""Every test process runs with the app's process-wide settings (``playground.runtime``), as the app does.

Importing the library changes no setting (``tests/test_runtime.py`` checks that in a fresh process), so
the tests opt in here: the engines then run with one BLAS and one torch thread, as in the app.
"""
from playground.runtime import apply_app_settings

apply_app_settings()
