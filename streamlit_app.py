"""Entry point: `streamlit run streamlit_app.py`.  It applies the app's process-wide settings
(playground.base.runtime) and declares the pages (playground.app.pages)."""
from pathlib import Path

import streamlit as st

from playground.app.pages import SECTIONS, available
from playground.viz.png import app_icon
from playground.base.runtime import apply_app_settings
from playground.app.ui import app_style, note_page_run, present_switch, server_session

apply_app_settings()  # before any page runs: one BLAS/torch thread, a short GIL switch interval

st.set_page_config(page_title="Neural Playground", page_icon=app_icon(), layout="wide")
app_style()  # the laptop layout every page shares
server_session()  # counted as connected; a teacher key in the link; closed tabs are swept

_here = Path(__file__).parent
nav = {section: [] for section in SECTIONS}
for spec in available(_here):
    nav[spec.section].append(st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url,
                                     default=spec.url == "home"))
page = st.navigation({s: p for s, p in nav.items() if p}, position="top")
present_switch()  # presentation mode: one toggle in the top bar of every page, kept from page to page
note_page_run(page.url_path)  # a link that brings the user from another page is theirs, not an echo (ui.stale_address)
page.run()
