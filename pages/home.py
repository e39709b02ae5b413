"""Landing page: what this is, in two sentences, and a link to every page."""
from pathlib import Path

import streamlit as st

from playground.app.pages import SECTIONS, available

PAGES = available(Path(__file__).resolve().parent.parent)

st.title("Neural Playground")
st.markdown(
    "Build a small neural network, press **Play**, and watch it learn — its decision boundary, its loss, "
    "every neuron's output and every weight's gradient, live. "
    "Real NumPy and PyTorch engines you can read, lessons a teacher can hand out as a link."
)
if any(p.url == "play" for p in PAGES):
    st.page_link("pages/play.py", label="Open the Playground", icon=":material/play_circle:")

for section in SECTIONS[1:]:
    specs = [p for p in PAGES if p.section == section]
    if not specs:
        continue
    st.subheader(section)
    cols = st.columns(len(specs) if len(specs) <= 3 else 3)
    for i, spec in enumerate(specs):
        with cols[i % len(cols)].container(border=True):
            st.page_link(spec.path, label=spec.title, icon=spec.icon)
            st.caption(spec.blurb)
