"""Activation functions: curves, derivatives, vanishing gradients, why linear layers collapse, ReLU bumps.

Runs from the app's navigation or alone: ``streamlit run pages/activations.py``.
"""
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if sys.path[0] != _ROOT:  # standalone `streamlit run pages/…` puts pages/ first; the repo root must come
    sys.path.insert(0, _ROOT)  # first so `playground` is the package, never a page file of that name

import streamlit as st  # noqa: E402

from playground.core.activations import ACTIVATIONS, TRAINABLE  # noqa: E402
from playground.teach.demos import (  # noqa: E402
    TARGETS, LinearStack, activation_curves, derivative_peak, fit_relu_sum, gradient_bound, latex_matrix,
    range_text, relu_demo,
)
from playground.viz.lesson_figures import curve_and_derivative_figure, depth_figure, lines_figure, surface_figure  # noqa: E402
from playground.app.ui import entry_guard, plotly_chart  # noqa: E402

entry_guard()  # a deep link to /activations must run under the entry script's navigation

ss = st.session_state
label = {n: a.label for n, a in ACTIVATIONS.items()}

st.title("Activation functions")
st.markdown(
    "Each neuron computes a weighted sum z and passes it through an **activation function** f. "
    "f decides what shapes a network can draw, and its **derivative** f′ decides how well the error "
    "signal flows back during training: backprop multiplies by f′(z) at every layer."
)

# ----- 1. Curves and derivatives ------------------------------------------------------------------
st.header("1 · The curves and their derivatives")
c1, c2 = st.columns([3, 1])
# Bound widgets show the registry names: they are what the URL carries (and the Playground's links use).
names = c1.multiselect("Activations to compare", list(ACTIVATIONS), default=["sigmoid", "tanh", "relu"],
                       key="act.names", bind="query-params")
zmax = c2.slider("z from −… to …", 2, 10, 6, key="act.zmax", bind="query-params")
if not names:
    st.info("Pick at least one activation above.")
else:
    z, values, grads, spans = activation_curves(names, -zmax, zmax)
    plotly_chart(curve_and_derivative_figure(z, values, grads, titles=("f(z)", "derivative f′(z)"),
                                             x_title="z", shade=spans),
                 key="act.curves", width="stretch", lines=True,
                 label=f"{', '.join(values)} (left) and their derivatives (right), for z from −{zmax} to {zmax}")
    st.caption("Tinted bands: where a curve **saturates** (goes flat), so f′ ≈ 0 and a neuron sitting there "
               "barely learns. Each curve keeps its colour and dash in both panels.")
    for name in names:
        act = ACTIVATIONS[name]
        z_star, peak = derivative_peak(name)
        with st.container(border=True):
            formulas, facts = st.columns([3, 2], gap="medium")
            with formulas:
                st.latex(act.latex)
                st.latex(act.grad_latex)
            with facts:
                st.markdown(f"**{act.label}** (`{name}`)  \n**Output range:** {range_text(act.out_range)}  \n"
                            f"**Largest |f′|:** {peak:.3g} (at z = {z_star:.2g})  \n{act.description}")
                if not act.trainable:
                    st.caption("f′ = 0 almost everywhere: gradient descent gets no signal, so networks "
                               "trained by backprop cannot use it in hidden layers.")

# ----- 2. Gradient flow through depth ---------------------------------------------------------------
st.header("2 · Vanishing gradients: multiply f′ once per layer")
st.markdown(
    "The chain rule multiplies one f′(z) per layer. If |f′| is always at most m, then after d layers "
    "the gradient is scaled by at most mᵈ (the weights aside). For the sigmoid m = ¼."
)
st.latex(r"\frac{\partial L}{\partial z_1} = \frac{\partial L}{\partial z_d}"
         r"\prod_{l=1}^{d-1} w_{l+1}\, f'(z_l) \qquad \text{(a chain of one unit per layer)}")
depth = st.slider("Layers d", 1, 30, 10, key="act.depth", bind="query-params")
shown = names or ["sigmoid", "tanh", "relu"]
peaks = {label[n]: derivative_peak(n)[1] for n in shown}
left, right = st.columns([1.6, 1], gap="large")
with left:
    plotly_chart(depth_figure(peaks, max_depth=30, mark=depth), key="act.depth_fig", width="stretch")
with right:
    for n in shown:
        m, bound = peaks[label[n]], gradient_bound(n, depth)
        st.markdown(f"**{label[n]}**: m = {m:.3g} → after {depth} layers ≤ ${m:.3g}^{{{depth}}}$ = **{bound:.2g}**")
    st.caption("m < 1 (sigmoid ¼): the gradient vanishes exponentially, early layers stop learning. "
               "m = 1 (ReLU for z > 0, tanh only at z = 0): no shrinking from f′ itself. "
               "m > 1 (GELU ≈ 1.13): it can grow — exploding gradients need care too.")

# ----- 3. Stacking linear layers collapses ----------------------------------------------------------
st.header("3 · Without an activation, two layers are one")
st.latex(r"O = (X W_h + b_h)\,W_o + b_o = X\,\underbrace{(W_h W_o)}_{W} + \underbrace{(b_h W_o + b_o)}_{b}")
c1, c2, c3 = st.columns(3)
seed = c1.slider("Seed of the random weights", 0, 50, 3, key="act.seed", bind="query-params")
hidden = c2.slider("Hidden units", 1, 5, 3, key="act.hidden", bind="query-params")
between = c3.selectbox("Activation between the layers", TRAINABLE, index=TRAINABLE.index("linear"),
                       key="act.between", bind="query-params")
stack = LinearStack.from_seed(seed, hidden)
left, right = st.columns([1, 1.2], gap="large")
with left:
    st.latex(rf"W_h = {latex_matrix(stack.W_h, 2)}")
    st.latex(rf"b_h = {latex_matrix(stack.b_h, 2)}")
    st.latex(rf"W_o = {latex_matrix(stack.W_o, 2)},\quad b_o = {latex_matrix(stack.b_o, 2)}")
    st.latex(rf"W = W_h W_o = {latex_matrix(stack.W, 4)}")
    st.latex(rf"b = b_h W_o + b_o = {latex_matrix(stack.b, 4)}")
    st.markdown(f"Largest difference between the two-layer net and the single layer X W + b on a 31×31 grid: "
                f"**{stack.max_gap():.1e}** (rounding only).")
    flat = stack.flatness(between)
    if between == "linear":
        st.success(f"Distance of the surface from a plane: {flat:.1e}. Two linear layers are exactly one "
                   "plane; a hundred would be too.")
    else:
        st.warning(f"With {label[between]} between the layers the surface is {flat:.2f} (RMS) away from "
                   "the best plane: it bends, and bends are what let networks draw curved boundaries.")
with right:
    xs, ys, Z = stack.surface(between)
    plotly_chart(surface_figure(xs, ys, Z, title=f"Output of 2 → {hidden} → 1, {label[between]} between",
                                z_title="O"), key="act.surface", width="stretch")

# ----- 4. ReLUs make steps, bumps and any curve -----------------------------------------------------
st.header("4 · Two ReLUs make a step, two steps make a bump")
st.latex(r"\operatorname{relu}(z-a) - \operatorname{relu}(z-b) = "
         r"\begin{cases} 0 & z \le a \\ z - a & a < z < b \\ b - a & z \ge b \end{cases}")
c1, c2, c3 = st.columns(3)
rise = c1.slider("Rising edge a … b", -4.0, 4.0, (-2.0, -1.0), 0.25, key="act.rise", bind="query-params")
fall = c2.slider("Falling edge c … d", -4.0, 4.0, (1.0, 2.0), 0.25, key="act.fall", bind="query-params")
height = c3.slider("Bump height", -2.0, 2.0, 1.0, 0.25, key="act.height", bind="query-params")
if rise[0] >= rise[1] or fall[0] >= fall[1]:
    st.warning("Each edge needs two different ends (a < b and c < d): move one handle of the slider.")
else:
    z, step_lines, bump_lines = relu_demo(rise, fall, height)
    left, right = st.columns(2, gap="large")
    with left:
        plotly_chart(lines_figure(z, step_lines, y_title="value", title="Two shifted ReLUs → a step",
                                  styles={k: {"dash": "dot", "width": 2.5} for k in list(step_lines)[:2]}),
                     key="act.step", width="stretch", lines=True)
    with right:
        plotly_chart(lines_figure(z, bump_lines, y_title="value", title="Step up − step down → a bump",
                                  styles={k: {"dash": "dot", "width": 2.5} for k in list(bump_lines)[:2]}),
                     key="act.bump", width="stretch", lines=True)
    st.caption("Each step is two hidden ReLU units; a bump is four. Many bumps side by side, each with its own "
               "height, can trace any continuous curve: the *universal approximation* idea.")

st.subheader("A sum of shifted ReLUs approximates a curve")
c1, c2 = st.columns(2)
target = c1.selectbox("Target curve", list(TARGETS), key="act.target", bind="query-params",
                      help=" · ".join(f"{t}: {v.label}" for t, v in TARGETS.items()))
units = c2.slider("Hidden ReLU units", 1, 40, 8, key="act.units", bind="query-params")
fit = fit_relu_sum(target, units)
st.latex(rf"\hat y(x) = c_0 + \sum_{{k=1}}^{{{units}}} c_k \operatorname{{relu}}(x - t_k) \approx {TARGETS[target].latex}")
lines = fit.lines()
styles = {"target": {"color": "black", "dash": "dash", "width": 3}}
styles.update({k: {"width": 1.5, "color": "rgba(120,120,120,0.45)"} for k in lines if k.startswith("_")})
plotly_chart(lines_figure(fit.x, lines, x_title="x", y_title="y", styles=styles,
                          y_range=fit.view_range),
             key="act.fit", width="stretch", lines=True)
st.markdown(f"Shifts t_k evenly spaced on [−3, 3); output weights c_k fitted by least squares. "
            f"Largest error: **{fit.max_error:.3f}**. More units → smaller error"
            + (" (grey: each unit's contribution c_k relu(x − t_k))." if units <= 12 else "."))
