"""Loss functions: each loss and its gradient, outliers under MSE vs MAE vs Huber, softmax and cross-entropy.

Runs from the app's navigation or alone: ``streamlit run pages/losses.py``.
"""
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if sys.path[0] != _ROOT:  # standalone `streamlit run pages/…` puts pages/ first; the repo root must come
    sys.path.insert(0, _ROOT)  # first so `playground` is the package, never a page file of that name

import streamlit as st  # noqa: E402

from playground.teach.loss_demos import (  # noqa: E402
    LOSS_CURVES, cross_entropy, entropy, fit_line, kl_divergence, loss_curves, outlier_data, parse_distribution,
    parse_numbers, softmax_t,
)
from playground.viz.lesson_figures import curve_and_derivative_figure, probabilities_figure, robust_fit_figure  # noqa: E402
from playground.base.text import escape_markdown  # noqa: E402
from playground.app.ui import entry_guard, plotly_chart  # noqa: E402

entry_guard()  # a deep link to /losses must run under the entry script's navigation

ss = st.session_state
REGRESSION = [n for n, c in LOSS_CURVES.items() if c.kind == "regression"]
PROBABILITY = [n for n, c in LOSS_CURVES.items() if c.kind == "probability"]
TEMPERATURES = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0]

st.title("Loss functions")
st.markdown(
    "The **loss** scores one prediction against its target; the **cost** is the mean loss over the data "
    "(plus a regularisation term, it is the **objective** that training minimises). Training follows the "
    "loss's **gradient**, so its shape decides what the network pays attention to."
)
regression, classification, outliers, softmax_tab = st.tabs(
    ["Regression losses", "Classification losses", "Outliers: MSE vs MAE", "Softmax & cross-entropy"])

# ----- regression losses -----------------------------------------------------------------------------
with regression:
    c1, c2 = st.columns(2)
    y = c1.slider("Target y", -2.0, 2.0, 0.0, 0.25, key="loss.y", bind="query-params")
    delta = c2.slider("Huber δ", 0.1, 3.0, 1.0, 0.1, key="loss.delta", bind="query-params")
    pred, values, grads = loss_curves(REGRESSION, y, delta)
    plotly_chart(curve_and_derivative_figure(
     pred, values, grads, titles=("loss L(ŷ)", "gradient ∂L/∂ŷ"), x_title="prediction ŷ", vline=y,
     y_ranges=((0, 9), (-6.5, 6.5))), key="loss.reg_fig", width="stretch",
     label=f"{', '.join(values)} losses (left) and their gradients (right) against the prediction ŷ, target y = {y:g}")
    cols = st.columns(3)
    for col, name in zip(cols, REGRESSION):
        with col.container(border=True):
            st.markdown(f"**{LOSS_CURVES[name].label}**")
            st.latex(LOSS_CURVES[name].latex)
            st.latex(LOSS_CURVES[name].grad_latex)
    st.markdown(
        "**MSE** punishes an error of 2 four times as hard as an error of 1, and its gradient grows with the "
        "error: big mistakes dominate. **MAE**'s gradient is ±1 whatever the size of the error: every point "
        f"pulls equally. **Huber** is MSE within δ = {delta:g} of the target and MAE beyond: smooth near the "
        "answer, robust far from it."
    )

# ----- classification losses -------------------------------------------------------------------------
with classification:
    cls = st.radio("Target class y (for binary cross-entropy)", [1, 0], horizontal=True, key="loss.cls",
                   bind="query-params")
    p, values, grads = loss_curves(PROBABILITY, float(cls))
    plotly_chart(curve_and_derivative_figure(
     p, values, grads, titles=("loss", "gradient ∂L/∂p"),
     x_title="predicted probability p",
     y_ranges=((0, 6), (-25, 25))), key="loss.cls_fig", width="stretch",
     label=f"{', '.join(values)} (left) and their gradients (right) against the predicted probability p, "
           f"target class {cls}")
    cols = st.columns(2)
    for col, name in zip(cols, PROBABILITY):
        with col.container(border=True):
            st.markdown(f"**{LOSS_CURVES[name].label}**")
            st.latex(LOSS_CURVES[name].latex)
            st.latex(LOSS_CURVES[name].grad_latex)
    st.caption("For BCE, p is the predicted probability of class 1; for CE, the probability given to the "
               "true class.")
    st.markdown(
        "The loss is 0 when the true class gets probability 1 and grows without bound as that probability "
        "goes to 0: a confident wrong answer is very expensive. With y = 1 the two curves coincide: binary "
        "cross-entropy *is* categorical cross-entropy with two classes. The steep −1/p is cancelled by the "
        "sigmoid/softmax in front of it: with respect to the pre-activation z, the gradient is simply p − y."
    )

# ----- outliers ------------------------------------------------------------------------------------
with outliers:
    c1, c2, c3, c4 = st.columns(4)
    size = c1.slider("Outlier size", 0.0, 30.0, 10.0, 1.0, key="loss.out_size", bind="query-params")
    n_out = c2.slider("Outliers", 0, 6, 3, key="loss.out_n", bind="query-params")
    hdelta = c3.slider("Huber δ", 0.1, 5.0, 1.0, 0.1, key="loss.out_delta", bind="query-params")
    seed = c4.number_input("Seed", 0, 9999, 1, key="loss.out_seed", bind="query-params")
    x, yv, is_out = outlier_data(seed, size, n_outliers=n_out)
    fits = {"MSE": fit_line(x, yv, "mse"), "MAE": fit_line(x, yv, "mae"),
            f"Huber δ={hdelta:g}": fit_line(x, yv, "huber", hdelta)}
    plotly_chart(robust_fit_figure(x, yv, is_out, fits), key="loss.out_fig", width="stretch")
    slopes = " · ".join(f"{k}: **{s:.2f}**" for k, (s, _) in fits.items())
    st.markdown(f"True line: y = 0.5 x + 1. Fitted slopes — {slopes}.")
    st.markdown(
        "The outliers' squared errors dominate the **MSE** cost, so the line tilts toward them as they grow. "
        "**MAE** minimises the sum of |errors|: a few far points pull no harder than near ones, so its line "
        "stays with the bulk of the data. **Huber** treats errors beyond δ like MAE. "
        "(Lines fitted exactly: least squares for MSE, iteratively reweighted least squares for MAE and Huber.)"
    )

# ----- softmax and cross-entropy ------------------------------------------------------------------------
def _numbers(key: str, parse, what: str):
    """Parse a text box; on bad input show the error and keep the last good value (None if none yet)."""
    try:
        ss[key + ".ok"] = parse(ss[key])
    except ValueError as e:
        st.error(f"{what}: {escape_markdown(e)}. Still showing the last valid values.")
    return ss.get(key + ".ok")


with softmax_tab:
    st.latex(r"p_i = \operatorname{softmax}(s / T)_i = \frac{e^{s_i/T}}{\sum_j e^{s_j/T}}")
    c1, c2, c3 = st.columns([1.2, 1.2, 1])
    c1.text_input("Scores s (logits), comma-separated", "2, 1, 0.1", key="loss.scores", bind="query-params")
    c2.text_input("Target q (weights, scaled to sum 1)", "0.2, 0.7, 0.1", key="loss.target", bind="query-params",
                  help="A one-hot label such as 1, 0, 0 is the usual classification target.")
    temp = c3.select_slider("Temperature T", TEMPERATURES, value=1.0, key="loss.T", bind="query-params")
    scores = _numbers("loss.scores", parse_numbers, "Scores") or [2.0, 1.0, 0.1]
    p = softmax_t(scores, temp)
    q = _numbers("loss.target", lambda text: parse_distribution(text, len(scores)), "Target")
    if q is not None and len(q) != len(scores):
        q = None  # the last good target was for a different number of scores
    labels = [f"class {i + 1}" for i in range(len(scores))]
    left, right = st.columns([1.5, 1], gap="large")
    with left:
        plotly_chart(probabilities_figure(labels, p, q), key="loss.softmax_fig", width="stretch",
                     label="Softmax probabilities of the classes: " + ", ".join(
                         f"{name} {v:.2f}" for name, v in zip(labels, p)) + ("" if q is None else ", beside the target"))
    with right:
        h = entropy(p)
        st.metric("Entropy of p, H(p)", f"{h:.3f} nats", help="−Σ p log p; log(n) when uniform, 0 when one-hot.")
        st.caption(f"From 0 (certain) to log {len(p)} = {entropy([1 / len(p)] * len(p)):.3f} (uniform). "
                   "Small T sharpens p toward the largest score; large T flattens it toward uniform.")
        if q is not None:
            ce, hq, kl = cross_entropy(q, p), entropy(q), kl_divergence(q, p)
            st.metric("Cross-entropy H(q, p)", f"{ce:.3f} nats")
            st.latex(rf"\large \underbrace{{{ce:.3f}}}_{{H(q,p)}} = \underbrace{{{hq:.3f}}}_{{H(q)}} + "
                     rf"\underbrace{{{kl:.3f}}}_{{\mathrm{{KL}}(q\,\|\,p)}}")
            st.caption("Cross-entropy = the target's own entropy (fixed by the data) + how far p is from q. "
                       "Training can only shrink the KL part; with a one-hot q, H(q) = 0 and the loss is the KL.")
