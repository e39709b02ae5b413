"""Digits: a softmax MLP learns to read 8×8 handwritten digits, live."""
import streamlit as st

from playground.viz import data_figures as figs
from playground.run import realdata
from playground.core.activations import TRAINABLE
from playground.core.engines import ENGINE_SPECS, available_engines
from playground.core.initializers import INITIALIZERS
from playground.core.optimizers import OPTIMIZERS
from playground.run.session import PlaygroundSession
from playground.base.text import escape_markdown
from playground.app.ui import entry_guard, live_fragment, live_plotly, train_after_drawing, transport_bar

entry_guard()  # a deep link to /digits must run under the entry script's navigation

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
BATCHES = (1, 4, 8, 16, 32, 64, 128, 256)
CLASSES = [str(d) for d in range(10)]

st.title("Handwritten digits")
st.caption(
    "1,797 scanned digits, 8×8 pixels each: the 64 pixel values are the network's inputs, and "
    "10 softmax outputs give the probability of each digit. Half the images train the net; "
    "the other half test it on digits it has never seen."
)

# ----- settings ----------------------------------------------------------------------------------
with st.expander("Network and training", expanded=True):
    c = st.columns(4)
    hidden = c[0].text_input("Hidden layers", "32", key="digits_hidden",
                             help="Neurons per hidden layer, comma-separated: '32' or '64,32'. "
                                  "Empty = no hidden layer (softmax regression).")
    activation = c[1].selectbox("Activation", TRAINABLE, index=TRAINABLE.index("relu"),
                                key="digits_activation")
    optimizer = c[2].selectbox("Optimizer", list(OPTIMIZERS), index=list(OPTIMIZERS).index("adam"),
                               format_func=lambda n: OPTIMIZERS[n].label, key="digits_optimizer")
    lr = c[3].select_slider("Learning rate", LEARNING_RATES, value=0.01, key="digits_lr")
    c = st.columns(4)
    batch = c[0].select_slider("Batch size", BATCHES, value=32, key="digits_batch")
    epochs = c[1].number_input("Epochs (0 = no limit)", 0, 100_000, 100, step=10, key="digits_epochs")
    engine = c[2].radio("Engine", available_engines(), horizontal=True, key="digits_engine",
                        format_func=lambda n: ENGINE_SPECS[n].label)
    init = c[3].selectbox("Initial weights", list(INITIALIZERS), index=list(INITIALIZERS).index("he"),
                          key="digits_init")

raw, warnings = realdata.digits_settings(hidden, activation, optimizer, lr, batch, epochs, engine, init)
state = st.session_state
if "digits_session" not in state:
    state.digits_session = PlaygroundSession(realdata.digits_config()[0])
session = state.digits_session
# lr and the epoch limit change the running net; anything else builds a new one (as in TF Playground)
_, more = session.apply(raw)
for w in warnings + more:
    st.warning(escape_markdown(w))


def _reset():
    session.pause()
    session.reset()


trainer = session.trainer
transport_bar(lambda: session, epoch=trainer.epoch, reset=_reset, key="digits",
              play_disabled=session.playing or trainer.diverged, pause_disabled=not session.playing,
              step_disabled=trainer.diverged, step_help="Pause and train one epoch",
              reset_help="Pause; new starting weights from the seed; epoch 0", extra=(4,))
if trainer.note:
    st.info(escape_markdown(trainer.note))


@live_fragment(session, run_every=0.3)
def live(seconds: float) -> None:
    draw(session.trainer)
    train_after_drawing(session, lambda: session.frame(seconds))


def draw(trainer) -> None:
    h = trainer.history
    m = st.columns(4)
    m[0].metric("Epoch", f"{trainer.epoch:,}")
    m[1].metric("Test accuracy", f"{h.test_metric[-1]:.1%}".replace("%", " %"))
    m[2].metric("Train accuracy", f"{h.train_metric[-1]:.1%}".replace("%", " %"))
    m[3].metric("Test loss", f"{h.test_loss[-1]:.3f}")
    if session.notice:
        st.info(escape_markdown(session.notice))
    if trainer.message:
        st.error(escape_markdown(trainer.message))
    elif trainer.stop_reason:
        st.success(f"Stopped: {escape_markdown(trainer.stop_reason)}. Raise the epoch limit to train on.")

    c = st.columns(2)
    with c[0]:
        live_plotly(figs.history_figure(h.epoch, {"train": h.train_loss, "test": h.test_loss},
                                        "cross-entropy loss"), key="digits-loss", height=260,
                    watch_visibility=True)
    with c[1]:
        live_plotly(figs.history_figure(h.epoch, {"train": h.train_metric, "test": h.test_metric},
                                        "accuracy", percent=True), key="digits-acc", height=260)

    pred, _ = realdata.predictions(trainer, "test")
    wrong = realdata.misclassified(trainer, limit=18)
    c = st.columns([2, 3])
    with c[0]:
        st.subheader("Confusion matrix (test set)")
        cm = realdata.confusion_matrix(trainer.test.y, pred, 10)
        live_plotly(figs.confusion_figure(cm, CLASSES), key="digits-confusion", height=380)
        st.caption("Row = the true digit, column = the net's answer. Correct answers lie on the "
                   "diagonal; a bright cell off it is a confusion, e.g. 8 read as 1.")
    with c[1]:
        st.subheader(f"Mistakes: {wrong.n_wrong} of {wrong.n_test} test digits")
        if wrong.n_wrong:
            live_plotly(figs.digit_grid_figure(wrong.images, wrong.true, wrong.predicted,
                                               wrong.confidence, cols=6, tile_px=76),
                        key="digits-wrong", height=380)
            st.caption("Most confident mistakes first: true → predicted (the probability the "
                       "net gave its wrong answer).")
        else:
            st.write("None: every test digit is classified correctly.")

    if trainer.cfg.hidden:
        st.subheader("What the first-layer neurons look for")
        names, caption = None, "Each tile is one hidden neuron's 64 incoming weights, laid out like the image"
    else:  # no hidden layer: the first layer is the output layer, one template per digit
        st.subheader("What each output neuron looks for")
        names, caption = [f"digit {d}" for d in CLASSES], "Each tile is one digit's 64 incoming weights"
    live_plotly(figs.weight_images_figure(realdata.first_layer_images(trainer.params), cols=16,
                                          tile_px=56, names=names),
                key="digits-weights", height=200)
    st.caption(f"{caption}: blue pixels push the neuron up, orange pixels push it down (each tile "
               "scaled to its own largest |w|, shown in its title).")


live()
