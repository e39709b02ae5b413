"""Demo of playground.app.ui.live_plotly: `streamlit run bench/demo_live_chart.py`.

A 100x100 heatmap + scatter and a loss curve update in a ticking fragment; a
plane below reports clicks (empty area adds a point, a point click picks it).
Driven by tests/test_live_chart_browser.py and bench/measure_live_chart.py.
LIVE_CHART_BASELINE=1 draws the live charts with st.plotly_chart instead, for
comparison.
"""

import os
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
from playground.app.ui import live_plotly  # noqa: E402

BASELINE = os.environ.get("LIVE_CHART_BASELINE") == "1"
GRID = np.linspace(-6, 6, 100, dtype=np.float32)
XX, YY = np.meshgrid(GRID, GRID)
ss = st.session_state
if "frame" not in ss:
    ss.frame = 0
    ss.losses = []
    ss.points = [(-2.0, 2.0), (2.0, -2.0)]
    ss.clicks = []

st.title("Live chart demo")


def show(fig, key, height):
    if BASELINE:
        st.plotly_chart(fig, key=key, height=height)
    else:
        live_plotly(fig, key=key, height=height)


@st.fragment(run_every=0.2)
def live():
    ss.frame += 1
    t = ss.frame * 0.15
    z = (np.sin(XX / 2 + t) * np.cos(YY / 2 - t)).astype(np.float32)
    angle = np.linspace(0, 2 * np.pi, 200, dtype=np.float32) + t
    heat = go.Figure(
        [
            go.Heatmap(x=GRID, y=GRID, z=z, zmin=-1, zmax=1, colorscale="RdBu", showscale=False),
            go.Scatter(x=4 * np.cos(angle), y=4 * np.sin(3 * angle), mode="markers",
                       marker={"size": 6, "color": "black"}),
        ],
        layout={"title": {"text": f"frame {ss.frame}"}, "margin": {"t": 40, "b": 20}},
    )
    ss.losses.append(float(np.exp(-ss.frame / 40) + 0.05 * np.sin(ss.frame)))
    loss = go.Figure(
        go.Scatter(y=np.asarray(ss.losses, dtype=np.float32), mode="lines", name="loss"),
        layout={"title": {"text": "loss"}, "margin": {"t": 40, "b": 20}},
    )
    left, right = st.columns([3, 2])
    with left:
        show(heat, "heat", 380)
    with right:
        show(loss, "loss", 380)
    st.caption(f"frame {ss.frame}")


live()

st.subheader("Click plane")
xs, ys = zip(*ss.points)
plane = go.Figure(
    go.Scatter(x=xs, y=ys, mode="markers", marker={"size": 12}, customdata=list(range(len(xs)))),
    layout={"xaxis": {"range": [-6, 6]}, "yaxis": {"range": [-6, 6]}, "margin": {"t": 10}},
)
click = live_plotly(plane, key="plane", height=360, events=True, config={"displayModeBar": False})
if click:
    ss.clicks.extend(click["batch"])  # every click since the last run, in order
    new_points = [(c["x"], c["y"]) for c in click["batch"] if c["curve"] is None]
    if new_points:  # empty area: add data points there, and redraw the plane
        ss.points.extend(new_points)
        st.rerun()  # the clicks are not delivered again
for c in ss.clicks:
    st.text(
        f"click n={c['n']} x={c['x']:.3f} y={c['y']:.3f} "
        f"curve={c['curve']} point={c['point']} customdata={c['customdata']}"
    )
st.text(f"clicks received: {len(ss.clicks)}")
