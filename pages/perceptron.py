"""Perceptron & XOR: a McCulloch–Pitts gate, Rosenblatt's learning rule, and why XOR needs a hidden layer.

Runs from the app's navigation or alone: ``streamlit run pages/perceptron.py``.
"""
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if sys.path[0] != _ROOT:  # standalone `streamlit run pages/…` puts pages/ first; the repo root must come
    sys.path.insert(0, _ROOT)  # first so `playground` is the package, never a page file of that name

import streamlit as st  # noqa: E402

from playground.viz.lesson_figures import decision_figure, hidden_figure, mistakes_figure, plane_figure  # noqa: E402
from playground.teach.perceptron import (  # noqa: E402
    GATES, convergence_text, find_mp_weights, gate_matches, make_perceptron, truth_table, update_markdown,
)
from playground.teach.xor import (  # noqa: E402
    XOR_SOURCES, decision_surface, hidden_activations, hidden_view, xor_box, xor_config, xor_trainer,
)
from playground.app.pages import PAGES  # noqa: E402
from playground.app.ui import data_table, entry_guard, live_plotly, plotly_chart, uninterrupted  # noqa: E402

entry_guard()  # a deep link to /perceptron must run under the entry script's navigation

ss = st.session_state
BOX = (-0.5, 1.5, -0.5, 1.5)  # the unit square of the truth table, with a margin
TICK_S = 0.6  # seconds between Play steps
PLAY_LIMIT = 100  # epochs after which Play stops by itself (XOR never converges)
MP_GATES = ["AND", "OR", "NOT", "NAND", "NOR", "XOR"]
LEARN_GATES = ["AND", "OR", "NAND", "NOR", "XOR"]
XOR_ACTS = ["linear", "tanh", "relu", "sigmoid"]

st.title("Perceptron & XOR")
st.markdown(
    "A neuron adds up its weighted inputs and **fires** when the sum is large enough. "
    "That one idea gives logic gates (1943), a learning machine (1957), and its famous failure, "
    "XOR (1969), which a **hidden layer** fixes."
)

# ----- 1. McCulloch–Pitts -----------------------------------------------------------------------
st.header("1 · A McCulloch–Pitts neuron as a logic gate")
for key, value in {"perc.mp.w1": 1.0, "perc.mp.w2": 1.0, "perc.mp.theta": 2.0}.items():
    if key not in ss:  # created once, so "Use textbook values" can set them without a warning
        ss[key] = value


@uninterrupted
def _textbook() -> None:
    g = GATES[ss["perc.mp.gate"]]
    if g.weights is not None:
        ss["perc.mp.w1"] = g.weights[0]
        if g.n_inputs > 1:
            ss["perc.mp.w2"] = g.weights[1]
        ss["perc.mp.theta"] = g.threshold


left, right = st.columns([1, 1.2], gap="large")
with left:
    gate_name = st.selectbox("Gate", MP_GATES, key="perc.mp.gate", bind="query-params")
    gate = GATES[gate_name]
    w1 = st.slider("w₁ (weight of x₁)", -3.0, 3.0, step=0.5, key="perc.mp.w1", bind="query-params")
    w2 = st.slider("w₂ (weight of x₂)", -3.0, 3.0, step=0.5, key="perc.mp.w2", bind="query-params",
                   disabled=gate.n_inputs < 2)
    theta = st.slider("θ (threshold)", -3.0, 3.0, step=0.5, key="perc.mp.theta", bind="query-params")
    st.button("Use textbook values", key="perc.mp.textbook", on_click=_textbook, disabled=gate.weights is None)
    weights = (w1, w2)[:gate.n_inputs]
    rows = truth_table(gate.name, weights, theta)
    data_table(rows)
with right:
    st.latex((r"y = \big[\,w_1 x_1 + w_2 x_2 \ge \theta\,\big]" if gate.n_inputs == 2
              else r"y = \big[\,w_1 x_1 \ge \theta\,\big]") + rf"\qquad \text{{{gate.name}}}:\ {gate.latex}")
    if gate_matches(gate.name, weights, theta):
        st.success(f"✓ This neuron computes {gate.name}. {gate.description}")
    elif gate.weights is None:
        tried = find_mp_weights(gate.name)  # None: no setting in −2…2 works
        st.warning(f"{gate.description} "
                   + ("Every setting of w₁, w₂, θ in −2…2 (125 of them) was tried: none works."
                      if tried is None else ""))
    else:
        st.info(f"✗ Not {gate.name} yet: change the sliders until every row shows ✓, "
                "or press *Use textbook values*.")
    if gate.n_inputs == 2:
        plotly_chart(plane_figure(
         [[r["x1"], r["x2"]] for r in rows], [r["gate"] for r in rows], weights, -theta, BOX,
         predicted=[r["neuron"] for r in rows], height=400,
         title="The neuron fires on the blue side of w₁x₁ + w₂x₂ = θ",
     ), key="perc.mp.plane", width="stretch")
    else:
        st.markdown("One input: the neuron fires when w₁x₁ ≥ θ. With w₁ = −1 and θ = 0 it fires only "
                    "for x₁ = 0 — an *inhibitory* input.")

# ----- 2. Rosenblatt's perceptron --------------------------------------------------------------
st.header("2 · Rosenblatt's perceptron learns the weights")
st.markdown(
    "The perceptron is the same neuron with a **bias** b in place of −θ (an extra input fixed at 1). "
    "It sees one example at a time; when it is wrong it moves the weights toward the right answer."
)
st.latex(r"\hat y = \big[\,w_1 x_1 + w_2 x_2 + b \ge 0\,\big]")
st.latex(r"w \leftarrow w + \eta\,(y - \hat y)\,x \qquad x = (x_1, x_2, 1),\ \ w = (w_1, w_2, b)")
c1, c2, c3, c4 = st.columns(4)
learn_gate = c1.selectbox("Training data", LEARN_GATES, key="perc.gate", bind="query-params")
lr = c2.select_slider("Learning rate η", [0.1, 0.25, 0.5, 1.0], value=1.0, key="perc.lr", bind="query-params")
seed = c3.number_input("Seed", 0, 9999, 0, key="perc.seed", bind="query-params",
                       help="Draws the initial weights and the order of the examples in each epoch.")
speed = c4.radio("Play speed", ["example", "epoch"], format_func=lambda s: f"1 {s} per tick",
                 key="perc.speed")

setup = (learn_gate, lr, int(seed))
if ss.get("perc.setup") != setup or "perc.model" not in ss:
    ss["perc.model"] = make_perceptron(learn_gate, lr, seed)
    ss["perc.setup"] = setup
    ss["perc.playing"] = False


@uninterrupted
def _step() -> None:
    ss["perc.model"].step()


@uninterrupted
def _epoch() -> None:
    ss["perc.model"].run_epoch()


@uninterrupted
def _set_playing(value: bool) -> None:  # idempotent: a double-fired click cannot undo itself
    ss["perc.playing"] = value


@uninterrupted
def _reset() -> None:
    ss["perc.model"] = make_perceptron(learn_gate, lr, seed)
    ss["perc.playing"] = False


playing = ss["perc.playing"]
b = st.columns(5)
b[0].button("Step", key="perc.step", on_click=_step, disabled=playing, width="stretch",
            help="Show the next example and apply the rule once.")
b[1].button("Epoch", key="perc.epoch", on_click=_epoch, disabled=playing, width="stretch",
            help="Go through the rest of the current epoch (all 4 examples).")
b[2].button("Play", key="perc.play", on_click=_set_playing, args=(True,), disabled=playing, width="stretch",
            icon=":material/play_arrow:")
b[3].button("Pause", key="perc.pause", icon=":material/pause:", on_click=_set_playing, args=(False,), disabled=not playing,
            width="stretch")
b[4].button("Reset", key="perc.reset", on_click=_reset, width="stretch", help="New start from the same seed.")


@st.fragment(run_every=TICK_S if playing else None)
def perceptron_lab() -> None:
    p = ss["perc.model"]
    if ss["perc.playing"]:
        if ss["perc.speed"] == "epoch":
            p.run_epoch()
        else:
            p.step()
        if p.converged or p.epoch >= PLAY_LIMIT:
            ss["perc.playing"] = False
            st.rerun()  # whole page: stops the ticking and re-enables the buttons
    u = p.last
    plot, info = st.columns([1.1, 1], gap="large")
    with plot:
        live_plotly(plane_figure(p.X, p.y, p.w, p.b, BOX, predicted=p.predict(p.X),
                                 highlight=None if u is None else u.index,
                                 title=f"{learn_gate}: the line w₁x₁ + w₂x₂ + b = 0"),
                    key="perc-plane", height=440)
        if p.mistakes:
            live_plotly(mistakes_figure(p.mistakes), key="perc-mistakes", height=300)
    with info:
        if u is None:
            w = ", ".join(f"{v:.3g}" for v in p.wb)
            st.markdown(f"Random start: (w₁, w₂, b) = ({w}). Press **Step** to show the first example.")
        else:
            st.markdown(f"**Epoch {u.epoch}, example {p.position or 4} of 4** · "
                        f"misclassified now: **{p.errors()}** of 4")
            st.markdown(update_markdown(u, p.lr))
        if p.converged:
            st.success(f"{convergence_text(p)}. The line now separates the two classes and will not "
                       "move again.")
        elif learn_gate == "XOR" and p.epoch:
            st.warning(f"{p.epoch} epochs and every one made mistakes (fewest: {min(p.mistakes)}). "
                       "On XOR the count never reaches 0: no straight line puts (0,1) and (1,0) on one "
                       "side and (0,0), (1,1) on the other, so the line keeps being pushed back and forth.")


perceptron_lab()

# ----- 3. XOR with a hidden layer ---------------------------------------------------------------
st.header("3 · One hidden layer solves XOR")
st.markdown(
    "Put a layer of neurons in between, with a **non-linear** activation, and train all the weights by "
    "gradient descent. Compare *linear* (the network is still one straight line, and the best a line can "
    "do on XOR's points is a 50/50 guess: expect about half of them right, as by tossing a coin) with *tanh*, "
    "*ReLU* or *sigmoid*."
)
c1, c2, c3 = st.columns([1.4, 1, 1])
source = c1.radio("Data", list(XOR_SOURCES), captions=list(XOR_SOURCES.values()), key="perc.xor.data",
                  bind="query-params",  # the URL carries the option, so no format_func
                  help="Truth table: 25 noisy points around each corner of the square (0 drawn at −1). "
                       "TF Playground's XOR: points in four quadrants; it needs 3 or more hidden units.")
act = c2.radio("Hidden activation", XOR_ACTS, index=1, key="perc.xor.act", horizontal=True,
               bind="query-params")
hidden = c3.slider("Hidden units", 1, 8, 2, key="perc.xor.hidden", bind="query-params")
c1, c2, c3 = st.columns([1.4, 1, 1])
xlr = c1.select_slider("Learning rate", [0.01, 0.03, 0.1, 0.3, 1.0], value=0.1, key="perc.xor.lr",
                       bind="query-params")
xseed = c2.number_input("Seed", 1, 9999, 1, key="perc.xor.seed", bind="query-params",
                        help="Draws the data, the split and the initial weights.")
epochs = c3.select_slider("Epochs per click", [10, 50, 100, 300, 1000], value=300, key="perc.xor.epochs")

xsetup = (source, act, hidden, xlr, int(xseed))
if ss.get("perc.xor.setup") != xsetup or "perc.xor.trainer" not in ss:
    ss["perc.xor.trainer"] = xor_trainer(source, hidden, act, xlr, str(xseed))
    ss["perc.xor.setup"] = xsetup


@uninterrupted
def _train() -> None:
    ss["perc.xor.trainer"].run(epochs=ss["perc.xor.epochs"], seconds=10)


@uninterrupted
def _reset_mlp() -> None:
    ss["perc.xor.trainer"] = xor_trainer(source, hidden, act, xlr, str(xseed))


t = ss["perc.xor.trainer"]
b = st.columns([1, 1, 2.2])
b[0].button(f"Train {epochs} epochs", key="perc.xor.train", on_click=_train, type="primary", width="stretch")
b[1].button("Reset weights", key="perc.xor.reset", on_click=_reset_mlp, width="stretch")
cfg = xor_config(hidden, act, xlr, str(xseed))
playground_route = next((p.url for p in PAGES if p.title == "Playground"), "play")
b[2].link_button("Open in the Playground", f"/{playground_route}?{cfg.to_query()}",
                 help="The same network on TF Playground's XOR data, with every control.")

s = t.summary()
m = st.columns(3)
m[0].metric("Epochs trained", s["epochs"])
m[1].metric("Train accuracy", f"{s['train_accuracy']:.0%}")
m[2].metric("Test accuracy", f"{s['test_accuracy']:.0%}")
if s["epochs"] and act == "linear":
    st.info("With a linear hidden layer the whole network is one linear map (see the Activations page), "
            "so its boundary is one straight line: XOR stays unsolved however long you train. The lowest loss "
            "a line can reach on XOR is a 50/50 guess everywhere, so it gets about half of the points right "
            f"(here {s['train_accuracy']:.0%} of the training and {s['test_accuracy']:.0%} of the test points), "
            "as a coin would.")
elif s["epochs"] and s["test_accuracy"] >= 0.95:
    st.success(f"Solved: {s['test_accuracy']:.0%} of the test points are right. Look at the right-hand plot: "
               "the hidden layer has moved the points so that one straight line now separates them.")
elif s["epochs"]:
    st.info("Not solved yet: train more, or try another seed (some starts get stuck), "
            "more hidden units or a larger learning rate.")

xs, ys, Z = decision_surface(t)
view = hidden_view(t.params, hidden_activations(t, t.data.X))
where = {"units": "each point drawn at (h₁, h₂), the outputs of the two hidden units",
         "projection": f"{hidden} hidden units, seen along the output unit's weight direction (x) and the "
                       "largest other spread (y, by PCA)",
         "one unit": "one hidden unit: the points on a single axis"}[view.method]
left, right = st.columns(2, gap="large")
with left:
    plotly_chart(decision_figure(xs, ys, Z, t.data.X, t.data.y, title="Input space: the network's boundary"),
                 key="perc.xor.boundary", width="stretch")
with right:
    plotly_chart(hidden_figure(view, t.data.y, title="Hidden layer's space"), key="perc.xor.hidden_space",
                 width="stretch")
    st.caption(f"The key idea: {where}. The output neuron is a perceptron on *these* coordinates, "
               "so all it can draw is the dashed straight line.")
if xor_box(t)[1] > 2:  # TF's quadrants
    st.caption("TF Playground's quadrant XOR has sharp corners at the origin; two hidden units reach about "
               "88 %, three or more solve it.")
