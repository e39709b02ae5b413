"""Backprop step by step: the curriculum's worked examples A, B and C, every number shown and editable.

Thin page: the numbers come from ``playground.teach.labs`` (which runs the NumPy
engine), the diagram and curves from ``playground.viz.lab_figures``.
"""
import streamlit as st

from playground.app.ui import entry_guard, plotly_chart

entry_guard()

from playground.teach.worked import ROUND_NOTE, WORKED, broadcast_bug, train_both, worked_step  # noqa: E402
from playground.base.text import escape_markdown  # noqa: E402
from playground.viz.lab_figures import epochs_figure, worked_network_figure  # noqa: E402
from playground.teach.labs import (  # noqa: E402
    VALUE_LIMIT, chain_rule, check_value, fmt, forward_rows, gradient_rows, update_rows,
)

K = "bp."
ss = st.session_state
ABOUT = {
    "A": "Network 2-3-1, sigmoid hidden layer, linear output, no biases, squared error C = (y − ŷ)². "
         "Input x = (1, 1), target y = 0. The text gives no learning rate; η = 0.1 here.",
    "B": "The same shape **with biases**, loss = mean squared error, learning rate 0.01, parameters in "
         "**float32** as the textbook stores them. The textbook computes every gradient by the forward difference "
         "(step 10⁻⁴, each parameter nudged in turn from the same starting point) and trains 100 epochs; "
         "here both that and backprop run from the same start.",
    "C": "Network 2-2-1, sigmoid on **both** layers, no biases, error E = ½(y − ŷ)², learning rate 1. "
         "Input x = (0.35, 0.9), target 0.5. The hidden matrix is written as the textbook does: "
         "row j = the weights INTO hidden unit j.",
}


# ----- state: the values shown, per example ----------------------------------------------------------
def _state(key: str) -> dict:
    """``{"values": {...}, "epoch": int, "losses": [...]}``, created from the textbook's numbers."""
    st_key = K + "state." + key
    if st_key not in ss:
        ss[st_key] = {"values": WORKED[key].defaults(), "epoch": 0, "losses": []}
        _sync_widgets(key)
    return ss[st_key]


def _sync_widgets(key: str) -> None:
    """Put the current values into the number inputs (first visit, step, reset)."""
    for name, value in ss[K + "state." + key]["values"].items():
        ss[f"{K}{key}.{name}"] = value


def _on_edit(key: str, name: str) -> None:
    """A number was edited: use it if valid (a new start), else keep the old value and say why."""
    state = ss[K + "state." + key]
    widget = f"{K}{key}.{name}"
    new = ss[widget]
    limit = 10.0 if name == "eta" else VALUE_LIMIT
    problem = check_value(name, new, lo=0.0 if name == "eta" else -limit, hi=limit)
    if problem:
        ss[widget] = state["values"][name]
        ss[K + "error"] = f"{problem}. Kept the previous value {state['values'][name]:g}."
        return
    ss[K + "error"] = ""
    if new != state["values"][name]:
        state["values"] = {**state["values"], name: float(new)}
        state["epoch"], state["losses"] = 0, []


def _step(key: str, drawn_epoch: int) -> None:
    """Apply the update once for the epoch the button was drawn with (a double click steps once)."""
    state = ss[K + "state." + key]
    if state["epoch"] != drawn_epoch:
        return
    trace = worked_step(WORKED[key], state["values"])
    state["losses"] = (state["losses"] or [trace.loss]) + [trace.new_loss]
    state["values"] = trace.new_values
    state["epoch"] += 1
    _sync_widgets(key)


def _reset(key: str) -> None:
    ss[K + "state." + key] = {"values": WORKED[key].defaults(), "epoch": 0, "losses": []}
    ss[K + "error"] = ""
    _sync_widgets(key)


# ----- page -------------------------------------------------------------------------------------------
st.title("Backprop step by step")
st.markdown(
    "Run the network forward keeping every value, compare the output with the target (the **loss**), apply the "
    "**chain rule** from the loss back to every weight (**backpropagation**), and move each weight against its "
    "gradient: w ← w − η·∂C/∂w. Three textbook examples, every number shown; change any of them."
)
key = st.segmented_control("Worked example", list(WORKED), key=K + "example", default="A", required=True,
                           format_func=lambda k: WORKED[k].title, label_visibility="collapsed")
spec = WORKED[key]
state = _state(key)
st.markdown(f":material/menu_book: {ABOUT[key]}")
trace = worked_step(spec, state["values"])
names = [p.name for p in spec.params()]


def _editor() -> None:
    """Number inputs for x, y, η and every parameter; each change is checked by ``_on_edit``."""
    with st.expander("Edit the inputs, the target, η and the weights", icon=":material/edit:"):
        c = st.columns(4)
        for col, (name, label) in zip(c, (("x1", "input x₁"), ("x2", "input x₂"), ("y", "target y"),
                                          ("eta", "learning rate η"))):
            col.number_input(label, key=f"{K}{key}.{name}", format="%.4f", step=0.1 if name != "eta" else 0.01,
                             on_change=_on_edit, args=(key, name))
        groups = {}
        for p in spec.params():
            groups.setdefault((p.layer, p.kind), []).append(p)
        for (layer, kind), ps in groups.items():
            what = ("input → hidden weights" if layer == 0 else "hidden → output weights") if kind == "w" else \
                ("hidden biases" if layer == 0 else "output bias")
            st.caption(what + (" (row j = into hidden unit j)" if spec.into_rows and layer == 0 and kind == "w" else ""))
            per_row = 2 if spec.into_rows and layer == 0 and kind == "w" else min(len(ps), 3)
            for start in range(0, len(ps), per_row):
                cols = st.columns(4)
                for col, p in zip(cols, ps[start:start + per_row]):
                    col.number_input(p.name, key=f"{K}{key}.{p.name}", format="%.4f", step=0.1,
                                     on_change=_on_edit, args=(key, p.name))
        st.button("Back to the textbook's numbers", icon=":material/restart_alt:", on_click=_reset, args=(key,),
                  key=K + "reset_edit")
    if ss.get(K + "error"):
        st.error(escape_markdown(ss[K + "error"]), icon=":material/error:")


# ----- 1. forward pass --------------------------------------------------------------------------------
st.header("1 · Forward pass" + (f" (epoch {state['epoch']})" if state["epoch"] else ""))
c1, c2 = st.columns([1.1, 1], vertical_alignment="bottom")
default_param = "w11" if "w11" in names else names[0]
if ss.get(K + f"param.{key}") not in names:
    ss[K + f"param.{key}"] = default_param
chosen = c1.selectbox("Parameter to follow back to the loss (red path)", names, key=K + f"param.{key}")
shown = c2.segmented_control("Links show", ["weights", "gradients"], default="weights", required=True,
                             key=K + "links", format_func=lambda s: {"weights": "weights w", "gradients": "gradients ∂C/∂w"}[s])
plotly_chart(worked_network_figure(trace, highlight=chosen, show=shown), key=K + "diagram", width="stretch",
             config={"displayModeBar": False},
             label=f"The worked example's network: its weights, the values of the forward pass, output ŷ = {trace.y_hat:.4g}")
m = st.columns(4)
m[0].metric("Output ŷ", fmt(trace.y_hat))
m[1].metric(f"Loss {spec.cost}", fmt(trace.loss))
m[2].metric(f"∂{spec.cost}/∂{chosen}", fmt(trace.grads[chosen]))
m[3].metric("Loss after the update", fmt(trace.new_loss), delta=fmt(trace.new_loss - trace.loss), delta_color="inverse")
_editor()
st.table(forward_rows(trace), hide_index=True)
if spec.rounds:
    st.caption(ROUND_NOTE + " Later digits then follow from the rounded numbers, e.g. the textbook's "
               "∂C/∂w11 ≈ 0.15 vs the exact 0.1455.")

# ----- 2. chain rule ------------------------------------------------------------------------------------
st.header(f"2 · Backward pass: ∂{spec.cost}/∂{chosen} by the chain rule")
rule = chain_rule(trace, chosen)
st.markdown("Follow the red path from the loss back to the parameter: one factor per step, multiplied out. "
            "Pick another parameter above to see its path.")
st.latex(rule.latex())
st.caption(f"The engine's backward pass gives {fmt(rule.backprop)} for the same derivative "
           f"(difference {abs(rule.backprop - rule.product):.1e}).")

# ----- 3. gradient check --------------------------------------------------------------------------------
st.header("3 · Check every gradient by finite differences")
st.markdown(
    f"Nudge one parameter by ε, run the forward pass again and see how much the loss moved: "
    f"forward difference ({spec.cost}(θ+ε) − {spec.cost}(θ))/ε, central difference "
    f"({spec.cost}(θ+ε) − {spec.cost}(θ−ε))/2ε. One or two extra forward passes *per parameter*; "
    "backprop gets all of them from one backward pass."
)
grads_used = None
if key == "C":
    st.markdown(
        "**A widely copied bug.** Many copies of this example update the hidden weights with "
        "`W0 -= lr * delta_hidden * x`. With NumPy, `delta_hidden * x` multiplies two vectors of length 2 "
        "*elementwise*, giving `[δ₁x₁, δ₂x₂]`, and subtracting that from the 2×2 matrix `W0` **broadcasts** it "
        "onto every row: both hidden units receive the same update. The right gradient is the outer product: "
        "row j is δⱼ·x."
    )
    st.code("W0 -= lr * delta_hidden * x               # wrong: (2,)*(2,) → (2,), broadcast onto both rows\n"
            "W0 -= lr * np.outer(delta_hidden, x)      # right: row j = delta_hidden[j] * x", language="python")
    if st.toggle("Use the widely copied (buggy) update", key=K + "bug"):
        grads_used = broadcast_bug(trace)
st.table(gradient_rows(trace, grads_used), hide_index=True)
check = trace.check(grads_used)
if not check.ok and grads_used:
    st.error(f"Gradient check failed for {', '.join(check.mismatched)}: the gradients used differ from the central "
             f"differences (largest relative difference {check.max_rel_error:.0%}). The broadcast gives W0[1,2] "
             "the gradient of W0[2,2] and W0[2,1] that of W0[1,1].", icon=":material/bug_report:")
elif not check.ok:
    st.warning(f"Backprop and the central differences differ by more than {check.tol:g} (relative) for "
               f"{', '.join(check.mismatched)}. With gradients this small the difference quotient loses its digits "
               "to rounding: the finite differences, not backprop, are off.", icon=":material/warning:")
else:
    st.success(f"Gradient check passed: backprop agrees with the central differences for all {len(names)} "
               f"parameters (largest relative difference {check.max_rel_error:.1e}"
               + (", float32 rounding" if spec.dtype == "float32" else "") + ").", icon=":material/check_circle:")

# ----- 4. update ----------------------------------------------------------------------------------------
st.header(f"4 · The update: w ← w − η·∂{spec.cost}/∂w")
st.markdown(f"Every parameter moves against its own gradient, all at once, with η = {trace.values['eta']:g}. "
            f"The loss goes from {fmt(trace.loss)} to **{fmt(trace.new_loss)}**.")
st.table(update_rows(trace), hide_index=True)
b1, b2, _ = st.columns([1.3, 1, 2])
b1.button(f"Step: epoch {state['epoch']} → {state['epoch'] + 1}", icon=":material/skip_next:", type="primary",
          on_click=_step, args=(key, state["epoch"]), key=K + "step", width="stretch",
          help="Apply this update; the page then shows the next forward pass.")
b2.button("Reset", icon=":material/restart_alt:", on_click=_reset, args=(key,), key=K + "reset", width="stretch")
if len(state["losses"]) > 1:
    plotly_chart(epochs_figure({f"loss {spec.cost}": state["losses"]}, height=260), key=K + "steps",
                 width="stretch")

# ----- 5. example B: 100 epochs both ways ------------------------------------------------------------------
if spec.epochs:
    st.header(f"5 · {spec.epochs} epochs by finite differences and by backprop")
    epochs = st.number_input("Epochs", 1, 2000, spec.epochs, step=50, key=K + "epochs")
    st.caption("Both start from the numbers shown above (edit them to start elsewhere).")
    both = train_both(spec, state["values"], int(epochs))
    c1, c2 = st.columns([1.4, 1])
    with c1:
        plotly_chart(epochs_figure({"forward differences (textbook)": both.losses["numeric"],
                                    "backprop": both.losses["analytic"]}, diff=True, height=360),
                     key=K + "both", width="stretch")
    with c2:
        st.metric("Prediction for (1, 1), finite differences", fmt(both.prediction["numeric"]))
        st.metric("Prediction for (1, 1), backprop", fmt(both.prediction["analytic"]))
        st.markdown(f"Largest difference of any final parameter: **{both.max_param_diff:.2e}**  \n"
                    f"of the loss over all epochs: **{both.max_loss_diff:.2e}**  \n"
                    f"of the prediction: **{both.prediction_diff:.2e}**")
        st.caption("Forward differences in float32 are accurate to about 10⁻³ relative, so the two runs drift "
                   "apart slightly; backprop's gradient is exact up to rounding.")
    st.table([{"parameter": n, "start": fmt(state["values"][n]), "finite differences": fmt(both.final["numeric"][n]),
               "backprop": fmt(both.final["analytic"][n])} for n in names], hide_index=True)
