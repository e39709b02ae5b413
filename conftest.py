"""pytest's view of the repository root: the doctests of playground/ are collected with the tests.

Every library module is imported to find its examples, except the PyTorch engine where torch is
not installed (the app and the rest of the suite run without it).  Importing a module has no side
effect (``playground/__main__.py`` runs the command line only as ``python -m playground``).
"""
import importlib.util

collect_ignore = [] if importlib.util.find_spec("torch") else ["playground/core/torch_engine.py"]
