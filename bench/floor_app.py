"""Streamlit's own floor: a fragment that reruns every 0.17 s and draws nothing (``bench/ws_students.py --floor``).

Students "press Play" by simply connecting: the fragment ticks from the first run on.
"""
import streamlit as st


@st.fragment(run_every=0.17)
def tick() -> None:
    pass


tick()
