"""Numerical trouble on the Playground: huge learning rates, huge initial weights, exploding Adam, batch 1 with
heavy dropout.

Whatever happens, training either stops with the divergence message (which
names the learning rate) or carries on with finite numbers; no figure the
Playground draws ever receives NaN or ±inf; and Reset, after lowering the
learning rate, gives a run that trains normally.  Checked on
``PlaygroundSession`` (fast, every case) and through the page with AppTest.

The one NaN a figure may hold on purpose: ``network_figure._segments`` and the node
outlines of ``network_figure._node_images`` separate line segments with NaN (one
trace draws them all).  Those separators sit at fixed positions (every 3rd or
6th value) of the x/y arrays of ``mode="lines"`` traces; every other number —
data arrays, marker colours, heatmap z, layout ranges — must be finite, and no
hover text or label may read "nan" or "inf".
"""
from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_util import button as _button
from apptest_util import open_page
from playground.viz.activation_figure import activation_figure
from playground.viz.boundary import boundary_figure
from playground.viz.curves import grad_norm_figure, loss_figure
from playground.viz.network_figure import gradient_heatmaps, network_figure
from playground.run import views
from playground.run.config import Config, from_query
from playground.run.session import PlaygroundSession
from playground.run.trainer import Trainer
from playground.base.text import escape_markdown

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 240

# name -> (config, epochs to try).  Each is a way a student can make training blow up.
TROUBLE = {
    "sgd-lr10-regression": (Config(dataset="reg-plane", loss="mse", hidden=(8, 8), activation=("relu",), lr=10.0), 40),
    "sgd-lr10-classification": (Config(dataset="circle", lr=10.0), 40),
    "sgd-lr10-multiclass": (Config(dataset="spiral3", loss="ce", activation=("relu",), lr=10.0), 40),
    "sgd-lr10-regression-float64": (Config(dataset="reg-gauss", loss="mse", hidden=(8,), activation=("linear",),
                                           lr=10.0, dtype="float64"), 40),
    "huge-init": (Config(dataset="circle", init_scale=100.0), 40),
    "huge-init-regression": (Config(dataset="reg-gauss", loss="mse", hidden=(8, 8), activation=("linear",),
                                    init_scale=100.0), 40),
    "huge-init-softmax": (Config(dataset="blobs", loss="ce", hidden=(16, 16), activation=("relu",), init_scale=100.0), 40),
    "exploding-adam-deep-relu": (Config(dataset="circle", hidden=(8,) * 8, activation=("relu",), optimizer="adam",
                                        lr=10.0), 30),
    "exploding-adam-regression": (Config(dataset="reg-plane", loss="mse", hidden=(8,) * 8, activation=("relu",),
                                         optimizer="adam", lr=10.0), 30),
    "batch1-dropout0.9": (Config(dataset="circle", batch=1, dropout=0.9, lr=1.0), 6),
    "batch1-dropout0.9-regression": (Config(dataset="reg-gauss", loss="mse", batch=1, dropout=0.9, lr=1.0,
                                            activation=("relu",)), 6),
}
CALM = {"lr": 0.003, "init_scale": 0.0}  # what a student lowers before pressing Reset


# ----- every number in a figure ---------------------------------------------------------------------------
_TYPED = {"f4": np.float32, "f8": np.float64, "i1": np.int8, "u1": np.uint8, "i2": np.int16, "u2": np.uint16,
          "i4": np.int32, "u4": np.uint32}
_BAD_WORD = re.compile(r"(?<![a-z0-9])[-+]?(nan|inf|infinity)(?![a-z])", re.IGNORECASE)


def _decode(obj):
    """A Plotly typed-array spec ({"dtype", "bdata"}) as a NumPy array, else None."""
    if isinstance(obj, dict) and "bdata" in obj and "dtype" in obj:
        return np.frombuffer(base64.b64decode(obj["bdata"]), _TYPED[obj["dtype"]]).astype(np.float64)
    return None


def _walk(obj, path=""):
    """Yield (path, float64 array) for every number and (path, str) for every string in a figure's JSON."""
    arr = _decode(obj)
    if arr is not None:
        yield path, arr
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fiub":
            yield path, obj.astype(np.float64).ravel()
        else:
            for i, v in enumerate(obj.ravel().tolist()):
                yield from _walk(v, f"{path}[{i}]")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]")
    elif isinstance(obj, bool) or obj is None:
        return
    elif isinstance(obj, (int, float, np.number)):
        yield path, np.array([float(obj)])
    elif isinstance(obj, str):
        yield path, obj


def _separators_only(values: np.ndarray) -> bool:
    """NaN exactly at every p-th position (p = 3 for link segments, 6 for node outlines), all else finite."""
    nan = np.flatnonzero(np.isnan(values))
    if not len(nan):
        return bool(np.isfinite(values).all())
    period = int(nan[0]) + 1
    return (period in (3, 6) and len(values) % period == 0
            and np.array_equal(nan, np.arange(period - 1, len(values), period))
            and bool(np.isfinite(np.delete(values, nan)).all()))


def assert_finite_figure(fig, what: str) -> None:
    spec = fig.to_plotly_json()
    separators = {f".data[{i}].{axis}" for i, tr in enumerate(spec["data"])
                  if tr.get("type") == "scatter" and tr.get("mode") == "lines" for axis in ("x", "y")}
    for path, value in _walk(spec):
        if isinstance(value, str):
            if value.startswith("data:") or path.endswith("hovertemplate"):
                continue  # images; templates hold %{…} placeholders, not numbers
            assert not _BAD_WORD.search(value), f"{what}{path} reads {value[:120]!r}"
        elif path in separators:
            assert _separators_only(value), f"{what}{path}: NaN outside the segment separators, or ±inf"
        else:
            assert np.isfinite(value).all(), f"{what}{path} holds {value[~np.isfinite(value)][:5]}"


def playground_figures(t: Trainer):
    """Every figure the Playground page draws for trainer ``t`` (both options of each view switch)."""
    grid = views.grid_for(t, 40)
    maps = views.neuron_maps(t, grid)
    vals = views.boundary_values(t, grid, maps)
    out = {}
    for discretize in (False, True):
        out[f"boundary(discretize={discretize})"] = boundary_figure(
            vals, grid, (t.train.X, t.train.y), (t.test.X, t.test.y), task=t.task, n_classes=t.n_classes,
            discretize=discretize, class_names=t.data.class_names)
    for color_by in ("weight", "gradient"):
        out[f"network({color_by})"] = network_figure(**views.network_kwargs(t, grid, maps),
                                                      color_by=color_by, aspect=0.6)
    out["network(no thumbnails)"] = network_figure(**views.network_kwargs(t), color_by="gradient")
    for log_y in (False, True):
        out[f"loss(log_y={log_y})"] = loss_figure(t.history, log_y=log_y, task=t.task)
    out["gradient heatmaps"] = gradient_heatmaps(t.last_grads)
    out["gradient norms"] = grad_norm_figure(t.history)
    acts = t.cfg.activations()
    for layer, (lo, hi, sample) in enumerate(views.preactivation_ranges(t)):
        out[f"activation(layer {layer + 1})"] = activation_figure(acts[layer], z_range=(lo, hi),
                                                                  z_sample=sample)
    return out


def assert_finite_state(t: Trainer) -> None:
    h = t.history
    for name in ("train_loss", "test_loss", "train_metric", "test_metric"):
        assert np.isfinite(getattr(h, name)).all(), name
    if t.task == "regression":
        assert np.isfinite(h.test_rmse).all()
    assert np.isfinite(np.asarray(h.grad_norms, np.float64)).all()
    for W, b in [*t.params, *t.last_grads]:
        assert np.isfinite(W).all() and np.isfinite(b).all()


def train_through_trouble(s: PlaygroundSession, epochs: int) -> None:
    """Press Play and draw frames until the run stops itself or has trained ``epochs`` epochs."""
    s.speed = "1 epoch / frame"
    s.play()
    for _ in range(1000 * epochs):  # a frame may end mid-epoch (its time budget): count epochs, not frames
        if s.trainer.epoch >= epochs or not s.playing:
            break
        s.frame()


# ----- the session ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TROUBLE)
def test_trouble_stops_cleanly_or_carries_on_finite(name):
    cfg, epochs = TROUBLE[name]
    s = PlaygroundSession(cfg)
    train_through_trouble(s, epochs)
    t = s.trainer
    if t.diverged:
        assert "learning rate" in t.message and f"{cfg.lr:g}" in t.message and t.stop_reason == "diverged"
        assert not s.playing and t.epoch == len(t.history) - 1  # put back to the last finite epoch
        s.play()  # Play cannot restart a diverged run ...
        assert not s.playing
        assert s.step_from(t.epoch) == 0  # ... and neither can Step
    else:
        assert t.message == "" and t.epoch == epochs and s.playing
    assert_finite_state(t)
    for what, fig in playground_figures(t).items():
        assert_finite_figure(fig, f"{name}: {what}")


def test_learning_rate_10_diverges_with_the_message():
    """At least the plain-SGD regression case really diverges (the message path above is exercised)."""
    s = PlaygroundSession(TROUBLE["sgd-lr10-regression"][0])
    train_through_trouble(s, 40)
    t = s.trainer
    assert t.diverged and not s.playing and t.epoch == 0
    assert t.message.startswith("Training diverged at epoch 1: the loss became")
    assert "Try a lower learning rate (now 10)" in t.message and "press Reset" in t.message
    assert len(t.history) == 1 and t.params is not None


@pytest.mark.parametrize("name", TROUBLE)
def test_reset_after_lowering_the_learning_rate_trains_normally(name):
    cfg, epochs = TROUBLE[name]
    s = PlaygroundSession(cfg)
    train_through_trouble(s, epochs)
    kind, warnings = s.apply(CALM)
    assert warnings == [] and kind in ("live", "reset")
    s.pause()
    s.reset()
    t = s.trainer
    assert t.epoch == 0 and not t.diverged and t.message == "" and t.cfg.lr == CALM["lr"]
    assert t.history.train_loss == Trainer(s.cfg).history.train_loss  # same seed: same starting point
    target = 10 if cfg.batch == 1 else 30
    s.speed = "10 epochs / frame"
    s.play()
    for _ in range(10 * target):  # a frame trains 10 epochs, or fewer when they take over FRAME_SECONDS
        if t.epoch >= target:
            break
        s.frame()
    assert s.playing and not t.diverged and t.epoch >= target
    assert_finite_state(t)
    if cfg.dropout < 0.5:  # 90 % dropout makes the training loss too noisy to compare
        assert t.history.train_loss[-1] < t.history.train_loss[0]


# ----- bugs found ---------------------------------------------------------------------------------------
HUGE_DEEP_INIT = "dataset=reg-plane&loss=mse&hidden=8,8,8,8,8,8,8,8&activation=relu&init_scale=100"


def test_starting_weights_with_a_non_finite_loss_do_not_crash():
    cfg, warnings = from_query(HUGE_DEEP_INIT)
    assert warnings == []
    t = Trainer(cfg)  # AttributeError: 'Trainer' object has no attribute 'params'
    assert t.diverged and "initial" in t.message and t.epoch == 0
    assert_finite_state(t)


def test_playground_page_survives_starting_weights_with_a_non_finite_loss():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.query_params.update(dict(p.split("=") for p in HUGE_DEEP_INIT.split("&")))
    at.switch_page("pages/play.py").run()
    assert not at.exception, [e.value for e in at.exception][:1]
    assert any("initial" in e.value for e in at.error)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_float64_losses_beyond_float32_range_stay_finite_in_figures():
    cfg = Config(dataset="reg-gauss", loss="mse", hidden=(64,) * 7, activation=("relu",), init_scale=100.0,
                 dtype="float64")
    t = Trainer(cfg)
    assert not t.diverged and t.history.train_loss[0] > 3.5e38  # finite in float64, beyond float32
    for what, fig in {"loss": loss_figure(t.history, task=t.task),
                      "gradient norms": grad_norm_figure(t.history),
                      "gradient heatmaps": gradient_heatmaps(t.last_grads)}.items():
        assert_finite_figure(fig, what)


# ----- the page -----------------------------------------------------------------------------------------
def _open(link: str) -> AppTest:
    return open_page("pages/play.py", dict(p.split("=", 1) for p in link.split("&")))


def _assert_page_finite(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for m in at.metric:
        if m.label != "Epoch":
            number = float(m.value.rstrip("%").replace(",", ""))
            assert math.isfinite(number), (m.label, m.value)


PAGE_TROUBLE = {  # as fast as possible: the trouble comes within the few runs AppTest makes
    "sgd-lr10-regression": "dataset=reg-plane&loss=mse&hidden=8,8&activation=relu&lr=10&speed=max",
    "exploding-adam-deep-relu": "dataset=reg-plane&loss=mse&hidden=8,8,8,8,8,8,8,8&activation=relu&optimizer=adam&lr=10&speed=max",
    "huge-init-regression": "dataset=reg-gauss&loss=mse&hidden=8,8&activation=linear&init_scale=100&speed=max",
    "batch1-dropout0.9": "dataset=circle&batch=1&dropout=0.9&lr=1&speed=max",
}


@pytest.mark.parametrize("name", PAGE_TROUBLE)
def test_page_through_trouble_and_back(name):
    at = _open(PAGE_TROUBLE[name])
    s = at.session_state["pg.session"]
    _button(at, "Play").click().run()
    for _ in range(4):  # every run draws a frame; the fragment's timer does not tick under AppTest
        at.run()
        _assert_page_finite(at)
        if s.trainer.stopped:
            break
    t = s.trainer
    errors = [e.value for e in at.error]
    if t.diverged:
        assert any("learning rate" in e for e in errors), errors
        assert _button(at, "Play").disabled and _button(at, "Step").disabled and not s.playing
    else:
        assert errors == [] and t.epoch > 0
        _button(at, "Pause").click().run()
    assert_finite_state(t)
    # Lower the learning rate (a live change), press Reset, press Play: a normal run.
    at.select_slider(key="pg.lr").set_value(0.001).run()
    if at.session_state["pg.session"].cfg.init_scale:
        at.query_params["init_scale"] = "0"  # a huge initial scale is fixed in the link (no control for it)
        at.run()
    _button(at, "Reset").click().run()
    s = at.session_state["pg.session"]
    t = s.trainer
    assert t.epoch == 0 and not t.diverged and s.cfg.lr == 0.001
    assert not _button(at, "Play").disabled and [e.value for e in at.error] == []
    _button(at, "Play").click().run()
    at.run()
    t = at.session_state["pg.session"].trainer
    assert t.epoch > 0 and not t.diverged and [e.value for e in at.error] == []
    _assert_page_finite(at)
    assert_finite_state(t)


# ----- data that overflowed, and weights typed by hand ----------------------------------------------------
def _overflowed_data():
    from playground.data.datasets import Data
    from playground.run.realdata import standardized
    big = np.linspace(1e307, 1.7e308, 40)  # finite, but their sum overflows: standardising gives NaN
    X = np.column_stack([np.arange(40.0), big])
    with np.errstate(over="ignore", invalid="ignore"):
        return standardized(Data(X, np.arange(40) % 2, "classification", 2, ("small", "big"), "t", ("a", "b")))


@pytest.mark.timeout(60)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_data_that_turned_nan_is_named_not_blamed_on_the_initial_scale():
    from playground.run.realdata import quick_metrics, quick_train
    data = _overflowed_data()
    assert np.isnan(data.X[:, 1]).all() and np.isfinite(data.X[:, 0]).all()
    t = quick_train(data, epochs=5)
    assert t.diverged and t.epoch == 0
    assert "initial scale" not in t.message, t.message
    assert "'big'" in t.message and "'small'" not in t.message and "NaN or infinite" in t.message, t.message
    # What the Data page shows for such a run: no value is "–", not a TypeError on None
    assert quick_metrics(t.summary()) == [("Epochs", "0"), ("Test accuracy", "–"), ("Train accuracy", "–")]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_inputs_beyond_float32_are_named():
    from playground.data.datasets import Data
    X = np.column_stack([np.arange(40.0), np.linspace(1e38, 3e39, 40), np.ones(40), np.arange(40.0) ** 2])
    t = Trainer(Config(dataset="blobs", loss="ce", standardize=False),
                data=Data(X, np.arange(40) % 2, "classification", 2, ("a", "huge", "one", "sq"), "t"))
    assert t.diverged and "'huge'" in t.message and "float32" in t.message and "initial" not in t.message


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1e300, -1001.0])
def test_the_weight_editor_refuses_non_finite_and_absurd_values(value):
    from playground.run.trainer import HAND_LIMIT
    t = Trainer(Config(dataset="xor", hidden=(4,)))
    t.run(epochs=3)
    before = [(W.copy(), b.copy()) for W, b in t.params]
    message = t.edit_param("w", 0, (1, 2), value)
    assert message and f"between {-HAND_LIMIT:g} and {HAND_LIMIT:g}" in message and "left as they were" in message
    for (W, b), (W0, b0) in zip(t.net.get_params(), before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)
    with pytest.raises(ValueError, match="finite"):
        bad = [(W.copy(), b.copy()) for W, b in before]
        bad[0][1][0] = float("inf")
        t.set_params(bad)
    assert t.step(2) == 2 and not t.diverged  # the weights really are the previous ones
    assert t.edit_param("b", 1, (0,), -HAND_LIMIT) == "" and t.net.get_params()[1][1][0] == -HAND_LIMIT


@pytest.mark.timeout(TIMEOUT)
def test_the_weight_editor_on_the_page_refuses_an_absurd_value_and_keeps_the_weights():
    # AppTest delivers the old value for an infinite one, so NaN/inf are checked on Trainer.edit_param above.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/play.py").run()
    session = at.session_state["pg.session"]
    before = [(W.copy(), b.copy()) for W, b in session.trainer.params]
    at.session_state["pg.edit"] = ["w", 0, 0, 1]  # what a click on a link sets
    at.run()
    box = next(n for n in at.number_input if n.label.startswith("Weight, layer 1: unit 1 → unit 2"))
    box.set_value(1e300)
    next(b for b in at.button if b.label == "Set").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = escape_markdown("a weight set by hand must be a finite number between -1000 and 1000")
    assert any(shown in e.value for e in at.error), [e.value for e in at.error]
    for (W, b), (W0, b0) in zip(session.trainer.net.get_params(), before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)
