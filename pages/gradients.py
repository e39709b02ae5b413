"""Gradients: vanishing and exploding gradients in a deep net, histograms over time, symmetric zero init.

Thin page: training runs in ``playground.run.session.PlaygroundSession`` (the
Playground's transport, with its per-frame time budget); the numbers come from
``playground.teach.labs``, the pictures from ``playground.viz.lab_figures``, ``curves`` and ``network_figure``.
"""
import streamlit as st

from playground.app.ui import (claim_training, entry_guard, live_fragment, live_plotly, plotly_chart, steady_live_views,
                           train_after_drawing, uninterrupted)

entry_guard()
steady_live_views()

from playground.viz.curves import grad_norm_figure, loss_figure  # noqa: E402
from playground.viz.network_figure import gradient_heatmaps, network_figure  # noqa: E402
from playground.run import views  # noqa: E402
from playground.core.activations import ACTIVATIONS, TRAINABLE  # noqa: E402
from playground.run.config import LEARNING_RATES  # noqa: E402
from playground.core.initializers import INITIALIZERS  # noqa: E402
from playground.viz.lab_figures import histogram_grid_figure, histogram_time_figure  # noqa: E402
from playground.teach.labs import (  # noqa: E402
    GRADIENT_PRESETS, deep_config, grad_ratio, gradient_regime, histogram_stacks, layer_labels, play_query,
    symmetry_runs,
)
from playground.run.session import PlaygroundSession  # noqa: E402
from playground.base.text import escape_markdown  # noqa: E402

K = "gr."
ss = st.session_state
SCALES = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
LRS = tuple(r for r in LEARNING_RATES if 0.001 <= r <= 0.3)
DEFAULTS = {"dataset": "spiral", "depth": 6, "width": 8, "act": "sigmoid", "init": "xavier", "scale": 0.0,
            "lr": 0.03}
REGIME = {"vanishing": ":orange[vanishing]", "exploding": ":red[exploding]", "healthy": ":green[healthy]",
          "none": ":gray[no gradient at all]"}


def _cfg():
    return deep_config(dataset=ss[K + "dataset"], depth=ss[K + "depth"], width=ss[K + "width"],
                       activation=ss[K + "act"], init=ss[K + "init"], init_scale=ss[K + "scale"], lr=ss[K + "lr"])


def _session() -> PlaygroundSession:
    if K + "session" not in ss:
        for k, v in DEFAULTS.items():
            ss.setdefault(K + k, v)
        ss[K + "session"] = PlaygroundSession(_cfg())
        if claim_training(ss[K + "session"]):  # a first picture without pressing anything
            ss[K + "session"].trainer.run(epochs=20, seconds=1.0)
    return ss[K + "session"]


@uninterrupted
def _on_change() -> None:
    s = ss[K + "session"]
    cfg = _cfg()
    kind, _ = s.apply({f: getattr(cfg, f) for f in ("dataset", "hidden", "activation", "init", "init_scale", "lr",
                                                  "max_epochs")})
    if kind == "reset":
        s.playing = False


@uninterrupted
def _preset(name: str) -> None:
    """Set the three controls of a scenario, start over and train a few epochs to show it at once."""
    p = GRADIENT_PRESETS[name]
    ss[K + "act"], ss[K + "init"], ss[K + "scale"] = p.activation, p.init, p.init_scale
    ss[K + "preset"] = name
    _on_change()
    s = ss[K + "session"]
    s.playing = False
    s.reset()
    if claim_training(s):
        s.trainer.run(epochs=20, seconds=1.0)


@uninterrupted
def _play():
    if claim_training(ss[K + "session"]):
        ss[K + "session"].play()


@uninterrupted
def _pause():
    ss[K + "session"].pause()


@uninterrupted
def _step(drawn_epoch: int):
    if claim_training(ss[K + "session"]):
        ss[K + "session"].step_from(drawn_epoch)


@uninterrupted
def _reset():
    s = ss[K + "session"]
    s.playing = False
    s.reset()


# ----- page -------------------------------------------------------------------------------------------
s = _session()
st.title("Gradients")
intro, formula = st.columns([1.7, 1], vertical_alignment="center")
intro.markdown(
    "Backprop multiplies one factor per layer on its way from the loss to the first layer: the layer's weights "
    "and its activation's slope f′(z). Many factors below 1 and the gradient **vanishes**: the early layers stop "
    "learning. Many above 1 and it **explodes**. Watch it happen in a deep, narrow network."
)
formula.latex(r"\frac{\partial C}{\partial W_1} \;\propto\; \prod_{l=2}^{L} W_l^{\top}\,"
              r"\operatorname{diag}\!\big(f'(z_{l-1})\big)")
formula.latex(r"|\sigma'| \le \tfrac14 \qquad |\tanh'| \le 1 \qquad \operatorname{relu}' \in \{0, 1\}")

# ----- 1. live: per-layer gradient norms -------------------------------------------------------------------
st.header("1 · Gradient size per layer")
pc = st.columns(len(GRADIENT_PRESETS))
for col, (name, p) in zip(pc, GRADIENT_PRESETS.items()):
    col.button(p.label, key=K + "preset." + name, on_click=_preset, args=(name,), width="stretch",
               type="primary" if ss.get(K + "preset") == name else "secondary")
if ss.get(K + "preset"):
    st.caption(GRADIENT_PRESETS[ss[K + "preset"]].expect)

c = st.columns([1.2, 1, 1, 1.3, 1, 1, 1.2])
c[0].selectbox("Data", ["spiral", "circle", "xor"], key=K + "dataset", on_change=_on_change)
c[1].number_input("Hidden layers", 2, 8, key=K + "depth", on_change=_on_change)
c[2].selectbox("Units each", [4, 8, 16], key=K + "width", on_change=_on_change)
c[3].selectbox("Activation", TRAINABLE, key=K + "act", on_change=_on_change, format_func=lambda a: ACTIVATIONS[a].label)
c[4].selectbox("Initialiser", list(INITIALIZERS), key=K + "init", on_change=_on_change,
               format_func=lambda n: INITIALIZERS[n].label.split(" (")[0])
c[5].select_slider("Init scale", SCALES, key=K + "scale", on_change=_on_change,
                   format_func=lambda v: "default" if v == 0 else f"{v:g}",
                   help="The uniform's half-width a, the normal's σ, or a multiplier for Xavier and He.")
c[6].select_slider("Learning rate", LRS, key=K + "lr", on_change=_on_change)

t = s.trainer
tb = st.columns([1, 1, 1, 1, 3], vertical_alignment="center")
tb[0].button("Play", icon=":material/play_arrow:", on_click=_play, type="primary", width="stretch",
             disabled=t.diverged, key=K + "play")
tb[1].button("Pause", icon=":material/pause:", on_click=_pause, width="stretch", key=K + "pause")
tb[2].button("Step", icon=":material/skip_next:", on_click=_step, args=(t.epoch,), width="stretch",
             disabled=t.diverged, key=K + "step", help="Train exactly one epoch.")
tb[3].button("Reset", icon=":material/restart_alt:", on_click=_reset, width="stretch", key=K + "reset",
             help="Same seed: same data, same starting weights.")
tb[4].page_link("pages/play.py", label="Open this network in the Playground", icon=":material/open_in_new:",
                query_params=play_query(s.cfg))


@live_fragment(s, run_every=0.25)
def live_views(seconds: float):
    t = s.trainer
    h = t.history
    n_layers = len(t.sizes) - 1
    if s.notice:
        st.info(escape_markdown(s.notice))
    if t.message:
        st.error(escape_markdown(t.message), icon=":material/warning:")
    elif t.stop_reason:
        st.success(f"Stopped: {escape_markdown(t.stop_reason)}.")
    ratio = grad_ratio(h.grad_norms[-1])
    m = st.columns(4)
    m[0].metric("Epoch", f"{t.epoch:,}")
    m[1].metric("Test loss", f"{h.test_loss[-1]:.4f}")
    m[2].metric("Test accuracy", f"{h.test_metric[-1]:.1%}")
    m[3].metric("‖∂C/∂W1‖ / ‖∂C/∂W_out‖", f"{ratio:.1e}" if ratio == ratio else "–",
                help="First layer's gradient norm over the output layer's: ≪ 1 vanishing, ≈ 1 healthy, ≫ 1 exploding.")
    start = grad_ratio(h.grad_norms[0])  # the starting weights: what the preset is about, before any step
    st.markdown(f"Gradients now: **{REGIME[gradient_regime(ratio)]}** (first layer / output layer = "
                f"{ratio:.2g}). At the start (epoch {h.epoch[0]}): **{REGIME[gradient_regime(start)]}** "
                f"({start:.2g}).")
    left, right = st.columns([1.5, 1])
    with left:
        live_plotly(grad_norm_figure(h, layer_labels=layer_labels(n_layers)), key="gr_norms", height=340,
                    watch_visibility=True)
    with right:
        live_plotly(loss_figure(h, task=t.task, spec=True), key="gr_loss", height=340, lines=True)
    st.caption("Left: ‖∂C/∂W‖ of every layer (log scale), teal = first layer … purple = output layer. "
               "Curves decades apart mean the layers learn at very different speeds.")
    train_after_drawing(s, lambda: s.frame(seconds))


live_views()

# ----- 2. histograms over the recorded snapshots ------------------------------------------------------------
st.header("2 · Weight and gradient histograms over time")
t = s.trainer
snaps = t.snapshots
epochs = [e for e, _, _ in snaps]
last = epochs[-1]
if ss.get(K + "snap") not in epochs or ss.get(K + "snap") == ss.get(K + "snap_last"):
    ss[K + "snap"] = last  # follow the newest snapshot unless an older one was picked
ss[K + "snap_last"] = last
st.caption(f"Snapshots of epochs 0 to {last} ({len(snaps)} kept; long runs keep every 2nd, 4th, … epoch). "
           "While playing, this section shows the snapshots up to the "
           "last time the page was redrawn: pause, or move the slider, to see the newest.")
if len(epochs) > 1:
    epoch = st.select_slider("Snapshot at epoch", epochs, key=K + "snap")
else:
    epoch = epochs[0]
    st.info("Only the starting weights so far: press Step or Play to record more snapshots.")
idx = epochs.index(epoch)
n_layers = len(t.sizes) - 1
labels = layer_labels(n_layers)
# This snapshot alone for the panels (each its own range), all snapshots for the over-time view (one range).
now = [histogram_stacks(snaps[idx:idx + 1], what) for what in ("weights", "gradients")]
plotly_chart(histogram_grid_figure(*now, 0, labels=[f"W{l + 1}" for l in range(n_layers)]),
             key=K + "hist_grid", width="stretch",
             label=f"Histograms of each layer's weights and gradients at epoch {epoch}, {n_layers} layers")
st.caption("Each panel has its own x range, ± the layer's largest value at this epoch (under the panel). Vanishing "
           "gradients show as tiny ranges on the first layers, exploding ones as huge ranges.")
if len(epochs) > 1:
    w_stacks, g_stacks = histogram_stacks(snaps, "weights"), histogram_stacks(snaps, "gradients")
    layer = st.selectbox("Layer to follow over time", list(range(n_layers)), index=0, key=K + "layer",
                         format_func=lambda l: labels[l])
    plotly_chart(histogram_time_figure(w_stacks[layer], g_stacks[layer], mark_epoch=epoch), key=K + "hist_time",
                 width="stretch", label=f"Histograms of layer {layer + 1}'s weights and gradients over the epochs, "
                                        f"stacked by epoch, epoch {epoch} marked")
    st.caption("The same histograms for every snapshot, stacked by epoch (darker = more weights in that bin; the "
               "dotted line is the snapshot shown above), like TensorBoard's histogram view.")
st.subheader(f"Every weight's gradient at epoch {epoch}")
plotly_chart(gradient_heatmaps(snaps[idx][2]), key=K + "grad_maps", width="stretch",
             label=f"Heat maps of every weight's gradient at epoch {epoch}, one per layer: rows from-unit, "
                   "columns to-unit")
st.caption("One panel per layer, rows = from-unit, columns = to-unit, bottom row = bias; each panel has its own "
           "colour scale (written under it).")

# ----- 3. zero initialisation ------------------------------------------------------------------------------
st.header("3 · All-zero weights: every hidden unit stays a copy")
st.markdown(
    "Start every weight at 0 and all units of a layer compute the same thing, receive the same gradient and "
    "make the same update: they stay identical forever, and the layer is as good as one unit. Random starting "
    "weights **break the symmetry**. The measure below is the largest difference between two units' incoming "
    "weights (and biases) in a layer, after training."
)
c1, c2 = st.columns(2)
act = c1.segmented_control("Hidden activation", ["sigmoid", "tanh", "relu"], default="sigmoid", required=True,
                           key=K + "sym_act")
n_epochs = c2.segmented_control("Epochs", [50, 150, 300], default=150, required=True, key=K + "sym_epochs")
sym_key = (act, n_epochs)
if ss.get(K + "sym_key") != sym_key:
    ss[K + "sym"] = symmetry_runs(activation=act, epochs=n_epochs)
    ss[K + "sym_key"] = sym_key
cols = st.columns(2, gap="large")
for col, (init, run) in zip(cols, ss[K + "sym"].items()):
    with col:
        tr = run.trainer
        st.subheader(INITIALIZERS[init].label)
        gaps = ", ".join(f"{g:.3g}" for g in run.gaps)
        st.markdown(f"Largest difference between units, per hidden layer: **{gaps}**  \n"
                    f"Largest change of any weight: {run.moved:.3g}  ·  test accuracy {tr.history.test_metric[-1]:.0%}")
        grid = views.grid_for(tr, res=40)
        plotly_chart(network_figure(**views.network_kwargs(tr, grid), aspect=0.6),
                     key=K + "sym_net." + init, width="stretch", config={"displayModeBar": False},
                     label=f"Network diagram after training from {init} weights: each unit's output map and its "
                           "weights")
if ss[K + "sym"]["zeros"].moved == 0:
    st.caption(f"With {act} and all-zero weights nothing moves at all: f(0) = 0 for the hidden units and the output "
               "weights are 0 too, so every weight's gradient is exactly 0. The sigmoid (σ(0) = ½) at least lets "
               "the weights move — in lockstep.")
else:
    st.caption("Zero init: the weights did move, but every unit of a layer moved the same way (difference 0): "
               "the thumbnails in a column are identical. Random init: each unit learned its own feature.")
