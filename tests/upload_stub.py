"""Stand in for ``st.file_uploader`` so AppTest can run the Data page with an uploaded file.

AppTest cannot upload a file; while ``fake_upload(name, raw)`` is active, the page's
``st.file_uploader`` returns an object with the same ``name``, ``file_id`` and
``getvalue()`` as Streamlit's UploadedFile (``raw=None``: no file).
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


class FakeUpload:
    def __init__(self, name: str, raw: bytes):
        self.name, self._raw = name, raw
        self.file_id = hashlib.sha1(raw).hexdigest()[:16]
        self.size = len(raw)

    def getvalue(self) -> bytes:
        return self._raw


@contextmanager
def fake_upload(name: str, raw: bytes | None):
    """While active, the Data page sees ``raw`` uploaded as ``name``; ``.set(name, raw)`` swaps it."""
    holder = {"file": None if raw is None else FakeUpload(name, raw)}

    def uploader(*args, **kwargs):
        return holder["file"]

    class Control:
        @staticmethod
        def set(new_name: str, new_raw: bytes | None) -> None:
            holder["file"] = None if new_raw is None else FakeUpload(new_name, new_raw)

    with mock.patch.object(st, "file_uploader", uploader):
        yield Control


def run_data_page(timeout: float = 120) -> AppTest:
    """The app switched to the Data page's upload tab (first run done)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout).run()
    at.switch_page("pages/data.py").run()
    return at
