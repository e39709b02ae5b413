"""Generalisation: under- and over-fitting, L1 vs L2, dropout, early stopping with the best checkpoint.

Thin page: each comparison is one deterministic call into ``playground.teach.generalisation``
(same seed ⇒ same data and starting weights for every net compared), cached
per settings; figures come from ``playground.viz.lab_figures`` and ``boundary``.
"""
import streamlit as st

from playground.app.ui import entry_guard, plotly_chart

entry_guard()

from playground.viz.boundary import boundary_figure  # noqa: E402
from playground.viz.lab_figures import curves_figure, weight_histograms_figure  # noqa: E402
from playground.teach.labs import play_query  # noqa: E402
from playground.teach.generalisation import (  # noqa: E402
    NEAR_ZERO, capacity_runs, dropout_runs, early_stopping_run, fit_verdict, regulariser_runs, run_rows,
)

K = "gen."
ss = st.session_state


# Deterministic results, the same for every visitor: a global cache is safe and saves the CPU.
@st.cache_data(max_entries=16, show_spinner="Training the networks…")
def _capacity(dataset, noise, train, epochs):
    return capacity_runs(dataset=dataset, noise=noise, train=train, epochs=epochs)


@st.cache_data(max_entries=16, show_spinner="Training with each penalty…")
def _regularisers(rate, epochs):
    return regulariser_runs(rate=rate, epochs=epochs)


@st.cache_data(max_entries=16, show_spinner="Training with and without dropout…")
def _dropout(rate, epochs):
    return dropout_runs(rate=rate, epochs=epochs)


@st.cache_data(max_entries=16, show_spinner="Training until the test loss stops improving…")
def _early(patience, max_epochs):
    return early_stopping_run(patience=patience, max_epochs=max_epochs)


def _boundary(run, *, show_test=True, best=False, title=""):
    return boundary_figure(run.best_boundary if best else run.boundary, run.grid, run.train,
                           run.test if show_test else None, task=run.task, n_classes=run.n_classes,
                           class_names=run.class_names, title=title)


def _playground_link(run, label="Open this network in the Playground"):
    st.page_link("pages/play.py", label=label, icon=":material/open_in_new:", query_params=play_query(run.cfg))


st.title("Generalisation")
st.markdown(
    "A network is trained on some examples and used on **new** ones. The *training* loss says how well it fits the "
    "first; the *test* loss (data it never trained on) says how well it **generalises**. **Underfitting**: poor "
    "even on the training data (too simple a model: high bias). **Overfitting**: near-perfect on the training "
    "data, poor on new data (it learned the noise: high variance). Every comparison below uses the same data and "
    "the same random seed, so only the one thing named differs."
)

# ----- 1. capacity ----------------------------------------------------------------------------------------
st.header("1 · Under- and over-fitting: too simple, small, big")
c = st.columns([1, 1.3, 1.3, 1, 1], vertical_alignment="bottom")
dataset = c[0].selectbox("Data", ["circle", "xor", "moons", "gauss", "spiral"], key=K + "dataset")
noise = c[1].slider("Noise (%)", 0, 50, 30, step=5, key=K + "noise")
train = c[2].slider("Training share (%)", 10, 50, 30, step=10, key=K + "train",
                    help="Of 200 points; the rest are the test data.")
epochs = c[3].selectbox("Epochs", [100, 200, 300, 500], index=2, key=K + "epochs")
show_test = c[4].toggle("Show test points", value=True, key=K + "show_test")
runs = _capacity(dataset, noise, train, epochs)
cols = st.columns(len(runs))
for col, (label, run) in zip(cols, runs.items()):
    with col:
        st.subheader(label)
        plotly_chart(_boundary(run, show_test=show_test), key=K + "cap." + label, width="stretch",
                     config={"displayModeBar": False},
                     label=f"Decision boundary of the {label} network over the training points"
                           + (" and the test points" if show_test else ""))
        h = run.history
        m1, m2 = st.columns(2)
        m1.metric("Training accuracy", f"{h.train_metric[-1]:.0%}")
        m2.metric("Test accuracy", f"{h.test_metric[-1]:.0%}")
        st.caption(fit_verdict(run))
plotly_chart(curves_figure({k: r.history for k, r in runs.items()}), key=K + "cap.curves", width="stretch", lines=True)
st.caption("Dashed: training loss, solid: test loss, one colour per network. More noise, fewer training points "
           "and a bigger network all pull the two curves of the big network apart. Filled dots: training points, "
           "dark-rimmed: test points.")
_playground_link(runs[list(runs)[-1]], "Open the big network in the Playground")

# ----- 2. L1 vs L2 --------------------------------------------------------------------------------------------
st.header("2 · L1 vs L2 penalties")
left, right = st.columns([1.1, 1])
with left:
    st.latex(r"\text{L1: } C + \lambda \sum |w| \quad\Rightarrow\quad w \leftarrow w - \eta\,\lambda\,\operatorname{sign}(w)"
             r" - \eta\,\frac{\partial C}{\partial w}")
    st.latex(r"\text{L2: } C + \tfrac{\lambda}{2} \sum w^2 \quad\Rightarrow\quad w \leftarrow w\,(1 - \eta\lambda)"
             r" - \eta\,\frac{\partial C}{\partial w}")
with right:
    st.markdown("L1 pulls every weight toward 0 by the **same** amount ηλ each step, so weights that the data does "
                "not need land on (nearly exactly) 0: a *sparse* network. L2 (**weight decay**) shrinks each weight "
                "in **proportion** to its size: big weights shrink a lot, small ones hardly, none reaches 0.")
c = st.columns(3)
rate = c[0].select_slider("λ (the same for both)", [0.001, 0.003, 0.01, 0.03], value=0.01, key=K + "rate")
reg_epochs = c[1].selectbox("Epochs", [100, 200, 300], index=1, key=K + "reg_epochs")
regs = _regularisers(rate, reg_epochs)
plotly_chart(weight_histograms_figure({k: r.weights for k, r in regs.items()}, tol=NEAR_ZERO),
             key=K + "reg.hist", width="stretch",
             label="Histograms of the trained network's weights, one a penalty: " + ", ".join(regs))
st.table(run_rows(regs), hide_index=True)
st.caption(f"A 2-16-16-1 ReLU network on the noisy circle data. |w| < {NEAR_ZERO:g}: weights L1 has switched off "
           "(with plain SGD they wobble within ηλ of 0 rather than sitting at exactly 0).")

# ----- 3. dropout -------------------------------------------------------------------------------------------
st.header("3 · Dropout")
st.markdown("During training each hidden unit is switched off with probability p, and the kept ones are scaled by "
            "1/(1 − p) so the expected activation stays the same; at test time every unit works. No unit can rely on "
            "a particular partner, which makes memorising the noise harder.")
c = st.columns(3)
p = c[0].select_slider("Dropout rate p", [0.1, 0.2, 0.3, 0.5, 0.7], value=0.5, key=K + "dropout")
d_epochs = c[1].selectbox("Epochs", [100, 200, 300, 500], index=2, key=K + "d_epochs")
drops = _dropout(p, d_epochs)
left, right = st.columns([1.4, 1])
with left:
    plotly_chart(curves_figure({k: r.history for k, r in drops.items()}), key=K + "drop.curves", width="stretch", lines=True)
with right:
    for label, run in drops.items():
        st.metric(f"{label}: test loss", f"{run.last_test_loss:.3f}",
                  help=f"Training loss {run.history.train_loss[-1]:.3f}")
    st.caption("The big 2-32-32-1 network. With dropout its training loss stays higher and noisier (every batch "
               "trains a different thinned network) but its test loss climbs far less.")

# ----- 4. early stopping -----------------------------------------------------------------------------------------
st.header("4 · Early stopping: keep the best checkpoint")
st.markdown("Watch the test (validation) loss while training; stop when it has not improved for *patience* epochs, "
            "and put back the weights of the best epoch, the checkpoint.")
c = st.columns(3)
patience = c[0].select_slider("Patience (epochs)", [5, 10, 20, 30, 50, 100], value=30, key=K + "patience")
max_epochs = c[1].selectbox("At most", [300, 500, 1000], index=1, key=K + "max_epochs",
                            format_func=lambda e: f"{e} epochs")
run = _early(patience, max_epochs)
plotly_chart(curves_figure({"early stopping": run.history}, best_epoch=run.best_epoch), key=K + "early.curves",
             width="stretch")
m = st.columns(4)
m[0].metric("Stopped at epoch", run.epoch)
m[1].metric("Best epoch", run.best_epoch)
m[2].metric("Test loss at the last epoch", f"{run.last_test_loss:.3f}")
m[3].metric("Test loss, best checkpoint restored", f"{run.restored_test_loss:.3f}",
            delta=f"{run.restored_test_loss - run.last_test_loss:.3f}", delta_color="inverse")
st.caption(run.stop_reason.capitalize() + "." if run.stop_reason else "Reached the epoch limit without stopping.")
left, right = st.columns(2)
with left:
    plotly_chart(_boundary(run, title=f"Last epoch ({run.epoch})"), key=K + "early.last", width="stretch",
                 config={"displayModeBar": False},
                 label=f"Decision boundary at the last epoch ({run.epoch}), over the training and test points")
with right:
    plotly_chart(_boundary(run, best=True, title=f"Best checkpoint (epoch {run.best_epoch}), restored"),
                 key=K + "early.best", width="stretch", config={"displayModeBar": False},
                 label=f"Decision boundary of the best checkpoint (epoch {run.best_epoch}), restored, over the "
                       "training and test points")
