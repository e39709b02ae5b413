"""Golden tests: today's behaviour, pinned to the bit, so that a refactoring or a change to training
internals that alters anything a user can see fails here.

What is pinned (data in ``tests/golden/*.json``):

* ``training.json``: for each share link, the run the app and ``python -m playground train`` make
  (``Trainer(from_query(link))``, N epochs): a sha256 of the exact bytes of the training data, of the
  weights at epoch 0 and after N epochs, every epoch's training and test loss as ``repr`` of the float
  (exact, round-trippable), the final accuracy or R², the stop reason, and the final weights rounded
  to 1e-9 (used only to say *how* a hash mismatch differs).
* ``race.json``: race links (``race.parse_race`` → ``Race``, stepped in lockstep): the same per racer,
  plus the race's summary (winner, ranking, epochs at which the target was reached) and warnings.
* The live path: the same links played through ``PlaygroundSession.frame`` (one epoch a frame,
  frames far shorter than an epoch, the app's own frames) and races through ``Race.frame`` must give
  exactly the stored trajectories: frame boundaries decide when a picture is drawn, never what is
  computed.  These read ``training.json``/``race.json`` and store nothing.
* ``cli.json``: ``python -m playground train --link … --json`` for a few links: its numbers must be
  the very numbers of the library run above (checked against ``training.json``), so only the CLI-only
  fields are stored.
* ``pages.json``: each page's rendered text under ``streamlit.testing`` (titles, headers, markdown,
  captions, metrics, widget labels, alerts) for the default link and one shared link, with
  time-dependent parts (seconds, epochs/s, timestamps) replaced by placeholders.

Regenerating (only when a change of behaviour is intended; review the diff of the JSON files)::

    PLAYGROUND_REGOLD=1 python -m pytest tests/test_golden.py -p no:cacheprovider

writes the files afresh from the current code (entries of removed cases are dropped) and passes; the
live-frame tests are skipped then.  Without it, any difference fails and
the message says which link, which epoch and what differs.

Exactness: the hashes are of exact float bytes, so they are exact for one machine's NumPy/BLAS
build.  Every case here is small enough that BLAS runs its kernels single-threaded (checked with
1, 2 and 4 OpenBLAS threads), so thread counts do not matter; another CPU family or BLAS build may
still round float32 sums differently.  On such a machine, ``PLAYGROUND_GOLDEN_TOLERANT=1`` compares
the rounded weights (1e-9 absolute) and the losses to 1e-9 relative instead of the exact bytes.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.run.config import from_query
from playground.run.race import Race
from playground.run.race_setup import parse_race
from playground.run.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
REGOLD = os.environ.get("PLAYGROUND_REGOLD") == "1"
TOLERANT = os.environ.get("PLAYGROUND_GOLDEN_TOLERANT") == "1"
ROUND = 9  # decimals of the stored rounded weights (the fallback comparison)

# The app runs without torch: the torch cases, and the pages that offer PyTorch when it is installed
# (their text was stored with torch installed), are skipped then.
HAS_TORCH = importlib.util.find_spec("torch") is not None
PAGES_SHOWING_TORCH = ("play", "digits")

# ----- the cases -------------------------------------------------------------------------------------
#: (name, share link, epochs).  Small nets and sets: fast, and BLAS stays single-threaded.
TRAINING = [
    ("default", "", 60),
    ("xor-relu-momentum-x1x2", "dataset=xor&hidden=4&activation=relu&optimizer=momentum&features=x1,x2,x1x2", 45),
    ("gauss-no-hidden-bce", "dataset=gauss&noise=20&hidden=&loss=bce&lr=0.1", 45),
    ("spiral-all-features-adam", "dataset=spiral&noise=10&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"
     "&hidden=8,8&activation=tanh,relu&optimizer=adam&lr=0.01&batch=5", 24),
    ("spiral3-rmsprop-elu", "dataset=spiral3&hidden=8&activation=elu&optimizer=rmsprop&lr=0.003&batch=20", 30),
    ("blobs4-nesterov-gelu-xavier", "dataset=blobs&classes=4&noise=30&hidden=6&activation=gelu"
     "&optimizer=nesterov&lr=0.01&init=xavier", 30),
    ("reg-plane-linear", "dataset=reg-plane&points=200&hidden=3&activation=linear&lr=0.01", 30),
    ("reg-gauss-huber-silu-he-l2", "dataset=reg-gauss&points=300&loss=huber&hidden=6,3&activation=silu"
     "&init=he&reg=l2&reg_rate=0.001&batch=30", 30),
    ("iris-adam-softplus", "dataset=iris&hidden=8&activation=softplus&optimizer=adam&lr=0.01&batch=16", 60),
    ("diabetes-mae", "dataset=diabetes&loss=mae&hidden=4&optimizer=adam&lr=0.01&batch=32&train=70", 24),
    ("circle-l1-float64", "dataset=circle&noise=10&reg=l1&reg_rate=0.01&dtype=float64", 36),
    ("circle-dropout", "dataset=circle&hidden=8,4&dropout=0.2&optimizer=adam&lr=0.01", 36),
    ("xor-batch1-noshuffle-float64", "dataset=xor&points=100&hidden=3&batch=1&shuffle=0&dtype=float64", 30),
    ("moons-sine-clip-normal", "dataset=moons&hidden=5&activation=sine&init=normal&init_scale=0.5&clip=1"
     "&lr=0.3", 30),
    ("leaky-sigmoid-per-layer", "dataset=circle&noise=30&train=80&hidden=5,3&activation=leaky_relu,sigmoid"
     "&loss=bce&seed=abc", 30),
    ("gauss-max-epochs-stop", "dataset=gauss&points=100&max_epochs=5&hidden=2&init=zeros", 30),
    ("gauss-full-batch-large-lr", "dataset=gauss&batch=10000&lr=3&hidden=4", 30),
    ("torch-default", "engine=torch", 30),
    ("torch-xor-momentum-float64", "engine=torch&dataset=xor&hidden=4&optimizer=momentum&dtype=float64", 30),
    ("torch-spiral3-adam-dropout", "engine=torch&dataset=spiral3&hidden=8&optimizer=adam&lr=0.01&dropout=0.1", 24),
]

#: (name, race link, rounds).
RACES = [
    ("preset-optimizers", "dataset=circle&race=optimizers", 30),
    ("custom-xor-loss-target", "dataset=xor&hidden=4&race=lr:0.01|lr:0.1;optimizer:momentum|activation:relu"
     "&race_target=loss:0.2", 30),
    ("preset-batch-sizes", "dataset=spiral&noise=10&race=batch-sizes", 15),
    ("shapes-differ-one-diverges", "dataset=reg-plane&points=200&race=hidden:2|hidden:4,4;init:xavier"
     "|reg:l2;reg_rate:0.01|lr:10;activation:relu&race_target=loss:0.01", 20),
]

#: (training case name, extra CLI arguments): the CLI must reproduce the library run.
CLI = [("default", []), ("iris-adam-softplus", []), ("circle-l1-float64", ["--seed", "7"])]


# ----- helpers -----------------------------------------------------------------------------------------
def sha(arrays) -> str:
    """sha256 of arrays' dtype, shape and exact bytes, in order."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def flat(params) -> list:
    return [a for W, b in params for a in (W, b)]


def rounded(params) -> list:
    return [np.round(np.asarray(a, np.float64), ROUND).ravel().tolist() for a in flat(params)]


def exact(values) -> list[str]:
    """Floats as ``repr`` (exact round trip; ``nan``/``inf`` kept)."""
    return [repr(float(v)) for v in values]


def trainer_record(t: Trainer, epoch0: str) -> dict:
    h = t.history
    return {
        "data_sha256": sha([t.X_train, t.T_train, t.X_test, t.T_test]),
        "weights0_sha256": epoch0,
        "weights_sha256": sha(flat(t.params)),
        "epochs": t.epoch,
        "sizes": list(t.sizes),
        "train_loss": exact(h.train_loss),
        "test_loss": exact(h.test_loss),
        "train_metric": repr(float(h.train_metric[-1])),
        "test_metric": repr(float(h.test_metric[-1])),
        "stop_reason": t.stop_reason,
        "diverged": t.diverged,
        "weights_rounded": rounded(t.params),
    }


def run_link(link: str, epochs: int) -> dict:
    cfg, warnings = from_query(link)
    assert not warnings, warnings  # a golden link is a valid link
    t = Trainer(cfg)
    w0 = sha(flat(t.params))
    t.run(epochs=epochs)
    return {"link": link, "config": cfg.to_query(), **trainer_record(t, w0)}


def run_race(link: str, rounds: int) -> dict:
    setup = parse_race(link)
    race = Race(setup.configs(), target=setup.target)  # as the Race page builds it
    w0 = [sha(flat(t.params)) for t in race.trainers]
    race.step(rounds)
    s = race.summary()
    return {
        "link": link, "normalised": setup.to_query(), "warnings": list(setup.warnings),
        "names": race.names, "shared_start": race.shared_start, "epoch": race.epoch,
        "winner": s["winner"], "ranking": s["ranking"], "reached": race.reached, "headline": s["headline"],
        "racers": [trainer_record(t, w) for t, w in zip(race.trainers, w0)],
    }


def load(name: str) -> dict:
    path = GOLDEN / f"{name}.json"
    if not path.exists():
        pytest.fail(f"{path.name} is missing: generate it with PLAYGROUND_REGOLD=1 (see this file's docstring)")
    return json.loads(path.read_text())


_regold: dict[str, dict] = {}


def store(file: str, key: str, value) -> None:
    """Under PLAYGROUND_REGOLD=1: put ``value`` into the golden file (written after every store)."""
    data = _regold.setdefault(file, {})
    data[key] = value
    GOLDEN.mkdir(exist_ok=True)
    old = json.loads((GOLDEN / f"{file}.json").read_text()) if (GOLDEN / f"{file}.json").exists() else {}
    if not data.keys() >= old.keys():  # keep the other cases of a partial run (-k), drop none silently
        data = {**old, **data}
    (GOLDEN / f"{file}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def golden(file: str, key: str, actual):
    """The stored value (or ``actual`` itself while regenerating)."""
    if REGOLD:
        store(file, key, actual)
        return actual
    data = load(file)
    if key not in data:
        pytest.fail(f"{key!r} is not in {file}.json: regenerate with PLAYGROUND_REGOLD=1")
    return data[key]


def first_difference(a: list, b: list) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"epoch {i}: stored {x}, now {y}"
    return f"lengths differ: stored {len(a)}, now {len(b)}"


def assert_same_run(want: dict, got: dict, what: str) -> None:
    """Everything equal, the hashes included; on a mismatch, say where the trajectories part."""
    if TOLERANT:
        for k in ("train_loss", "test_loss"):
            assert len(want[k]) == len(got[k]), (what, k)
            np.testing.assert_allclose([float(v) for v in got[k]], [float(v) for v in want[k]], rtol=1e-9,
                                       err_msg=f"{what}: {k}")
        for w, g in zip(want["weights_rounded"], got["weights_rounded"]):
            np.testing.assert_allclose(g, w, atol=2 * 10.0 ** -ROUND, rtol=0, err_msg=f"{what}: weights")
        rest = {k for k in want if not k.endswith("sha256") and k not in ("train_loss", "test_loss", "weights_rounded",
                                                                            "train_metric", "test_metric")}
        assert {k: got[k] for k in rest} == {k: want[k] for k in rest}, what
        return
    for k in ("data_sha256", "weights0_sha256"):
        assert got[k] == want[k], f"{what}: {k} differs: the data or the initial weights changed"
    for k in ("train_loss", "test_loss"):
        assert got[k] == want[k], f"{what}: {k} differs at {first_difference(want[k], got[k])}"
    if got["weights_sha256"] != want["weights_sha256"]:
        worst = max((float(np.max(np.abs(np.subtract(g, w)))) for w, g in
                     zip(want["weights_rounded"], got["weights_rounded"])), default=0.0)
        pytest.fail(f"{what}: the final weights' bytes differ (losses equal); largest change of a "
                    f"weight rounded to 1e-{ROUND}: {worst:.3g}")
    assert got == want, what


def needs_torch(link: str):
    if "engine=torch" in link and not HAS_TORCH:
        pytest.skip("torch is not installed")


# ----- training runs -------------------------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("name,link,epochs", TRAINING, ids=[c[0] for c in TRAINING])
def test_training_trajectory(name, link, epochs):
    needs_torch(link)
    got = run_link(link, epochs)
    assert_same_run(golden("training", name, got), got, name)


@pytest.mark.timeout(60)
def test_training_cases_cover_the_registries():
    """The cases above keep covering every optimizer, activation family, loss, init, dtype and engine."""
    from playground.core.activations import TRAINABLE
    from playground.core.initializers import INITIALIZERS
    from playground.core.losses import LOSSES
    from playground.core.optimizers import OPTIMIZERS

    cfgs = [from_query(link)[0] for _, link, _ in TRAINING]
    cfgs += [c for _, link, _ in RACES for c in parse_race(link).configs()]
    assert {c.optimizer for c in cfgs} == set(OPTIMIZERS)
    assert {c.reg for c in cfgs} == {"none", "l1", "l2"}
    assert {c.dtype for c in cfgs} == {"float32", "float64"}
    assert {c.engine for c in cfgs} == {"numpy", "torch"}
    assert {c.loss for c in cfgs} == set(LOSSES)
    assert {c.init for c in cfgs} == set(INITIALIZERS)
    assert set(TRAINABLE) - {a for c in cfgs for a in c.activations()} == set()
    assert any(len(set(c.activation)) > 1 for c in cfgs) and any(c.dropout for c in cfgs)


# ----- races ---------------------------------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("name,link,rounds", RACES, ids=[c[0] for c in RACES])
def test_race_lockstep(name, link, rounds):
    got = run_race(link, rounds)
    want = golden("race", name, got)
    assert len(got["racers"]) == len(want["racers"]), name
    for i, (w, g) in enumerate(zip(want["racers"], got["racers"])):
        assert_same_run(w, g, f"{name}, racer {'ABCD'[i]}")
    assert {k: v for k, v in got.items() if k != "racers"} == {k: v for k, v in want.items() if k != "racers"}, name
    # Lockstep: every racer that did not stop is at the race's epoch.
    assert all(r["epochs"] == got["epoch"] for r in got["racers"] if not r["stop_reason"])


# ----- live frames: the same trajectory, however training is cut into frames ---------------------------
#: Training cases replayed through the live path (``PlaygroundSession.frame``, as a playing page does).
LIVE = ["default", "circle-dropout", "spiral-all-features-adam", "xor-batch1-noshuffle-float64",
        "gauss-max-epochs-stop", "torch-default"]
#: (speed, seconds per frame): one epoch a frame; frames far shorter than an epoch; the app's own frames.
FRAMES = [("1 epoch / frame", 0.15), ("As fast as possible", 1e-6), ("As fast as possible", 0.15)]


def _live_session_run(link: str, epochs: int, speed: str, seconds: float):
    from playground.run.session import PlaygroundSession

    s = PlaygroundSession(from_query(link)[0])
    s.speed = speed
    s.play()
    breaks = []
    for _ in range(100 * epochs):  # bounded: a frame that trains nothing must not loop forever
        if s.trainer.epoch >= epochs or not s.playing:
            break
        s.frame(seconds, between=lambda: breaks.append(s.trainer.epoch), slice_seconds=0.0)
    return s.trainer


@pytest.mark.timeout(60)
@pytest.mark.parametrize("speed,seconds", FRAMES, ids=["epoch-frames", "tiny-frames", "app-frames"])
@pytest.mark.parametrize("name", LIVE)
def test_live_frames_follow_the_golden_trajectory(name, speed, seconds):
    """Frame boundaries decide when a picture is drawn, never what is computed."""
    link, epochs = next((c[1], c[2]) for c in TRAINING if c[0] == name)
    needs_torch(link)
    if REGOLD:
        pytest.skip("compares with training.json; nothing to store")
    want = load("training")[name]
    t = _live_session_run(link, epochs, speed, seconds)
    n = min(t.epoch, want["epochs"])
    assert t.epoch >= want["epochs"] or t.stop_reason == want["stop_reason"], (t.epoch, t.stop_reason)
    assert exact(t.history.train_loss[:n + 1]) == want["train_loss"][:n + 1], f"{name}: training loss differs"
    assert exact(t.history.test_loss[:n + 1]) == want["test_loss"][:n + 1], f"{name}: test loss differs"
    if t.epoch == want["epochs"]:
        assert sha(flat(t.params)) == want["weights_sha256"], f"{name}: final weights differ"
    if speed == "1 epoch / frame":
        assert t.epoch == want["epochs"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["custom-xor-loss-target", "shapes-differ-one-diverges"])
def test_race_frames_follow_the_golden_race(name):
    """The Race page's frames (many short ones) give the race ``step`` gives."""
    link, rounds = next((c[1], c[2]) for c in RACES if c[0] == name)
    if REGOLD:
        pytest.skip("compares with race.json; nothing to store")
    want = load("race")[name]
    setup = parse_race(link)
    race = Race(setup.configs(), target=setup.target)
    for _ in range(100 * rounds):
        if race.epoch >= rounds or not race.running:
            break
        race.frame(1e-6)
    assert race.epoch == want["epoch"] and race.reached == want["reached"]
    for i, (t, w) in enumerate(zip(race.trainers, want["racers"])):
        assert exact(t.history.train_loss) == w["train_loss"], f"{name}, racer {'ABCD'[i]}"
        assert sha(flat(t.params)) == w["weights_sha256"], f"{name}, racer {'ABCD'[i]}"


# ----- the command line --------------------------------------------------------------------------------
@pytest.mark.timeout(60)
@pytest.mark.parametrize("name,extra", CLI, ids=[c[0] for c in CLI])
def test_cli_reproduces_the_library(name, extra):
    case = next(c for c in TRAINING if c[0] == name)
    link, epochs = case[1], case[2]
    p = subprocess.run([sys.executable, "-m", "playground", "train", *(["--link", link] if link else []),
                        "--epochs", str(epochs), "--json", *extra], cwd=ROOT, capture_output=True, text=True, timeout=50,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0 and p.stderr == "", p.stderr
    res = json.loads(p.stdout)
    lib = run_link(link + "".join(f"&{a[2:]}={b}" for a, b in zip(extra[::2], extra[1::2])), epochs)
    # The CLI's numbers are the library's, exactly (JSON keeps a float's repr).
    assert repr(res["train_loss"]) == lib["train_loss"][-1] and repr(res["test_loss"]) == lib["test_loss"][-1]
    assert repr(res["initial_loss"]) == lib["train_loss"][0] and repr(res["first_epoch_loss"]) == lib["train_loss"][1]
    metric = "r2" if "r2" in res else "test_accuracy"
    assert repr(res[metric]) == lib["test_metric"]
    assert res["config"] == lib["config"] and res["epochs"] == lib["epochs"]
    shown = {k: v for k, v in res.items() if k not in ("seconds", "epochs_per_second")}
    assert shown == golden("cli", name, shown)
    if not extra:  # the very run stored for the library
        want = golden("training", name, lib)
        assert lib["weights_sha256"] == want["weights_sha256"] and lib["train_loss"] == want["train_loss"]


# ----- pages: the rendered text ----------------------------------------------------------------------
#: page url -> {variant: query parameters}.  Pages that read no link keys have only their default.
#: A list value is a repeated key (how a multiselect is bound to the address: ``?k=a&k=b``).
PAGE_LINKS: dict[str, dict[str, dict]] = {
    "home": {"default": {}},
    "play": {"default": {}, "shared": {"dataset": "xor", "noise": "10", "hidden": "3", "activation": "relu",
                                       "lr": "0.1", "features": "x1,x2,x1x2", "optimizer": "adam",
                                       "hide": "noise,seed", "lock": "optimizer"}},
    "perceptron": {"default": {}, "shared": {"perc.mp.gate": "OR", "perc.mp.theta": "1.0", "perc.gate": "XOR",
                                             "perc.lr": "0.5", "perc.seed": "3", "perc.xor.hidden": "3"}},
    "backprop": {"default": {}},
    "activations": {"default": {}, "shared": {"act.names": ["relu", "gelu"], "act.zmax": "4", "act.depth": "5",
                                              "act.between": "relu", "act.rise": ["-3.0", "-1.5"],
                                              "act.target": "abs", "act.units": "12"}},
    "gradients": {"default": {}},
    "losses": {"default": {}, "shared": {"loss.y": "1.0", "loss.delta": "2.0", "loss.out_n": "5",
                                         "loss.scores": "1, 2, 3", "loss.T": "0.5"}},
    "generalisation": {"default": {}},
    "data": {"default": {}},
    "digits": {"default": {}},
    "lessons": {"default": {}, "shared": {"lesson": "xor-hidden"}},
    "race": {"default": {}, "shared": dict(p.split("=", 1) for p in RACES[1][1].split("&"))},
    "room": {"default": {}, "join": {"join": "k7rm4"}},
}
#: (page url, variant): buttons (by label) clicked one after another after the link opened.
PAGE_CLICKS = {("play", "shared"): ("Step", "Step"), ("race", "shared"): ("Step", "Step")}
#: Pages whose first picture trains for N epochs *or* a time budget, whichever ends first:
#: page url -> (session-state key of its PlaygroundSession, N).  On a machine too slow for N
#: epochs in the budget the text cannot match, and the case is skipped, saying so.
TIME_CAPPED = {"gradients": ("gr.session", 20)}

_TEXT = ("title", "header", "subheader", "markdown", "caption", "latex", "code", "info", "warning", "error",
         "success", "exception", "progress")
_WIDGETS = ("selectbox", "slider", "select_slider", "number_input", "text_input", "text_area", "toggle",
            "checkbox", "radio", "multiselect", "button_group", "color_picker", "date_input")
_LABELS = ("button", "download_button", "link_button", "page_link", "file_uploader", "form_submit_button")
_TIME = [  # anything that depends on the clock, replaced by a placeholder
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"), "<timestamp>"),
    (re.compile(r"[\d,]+(\.\d+)?(\s|\u202f)*(epochs?|rounds?)\s*/\s*s(ec(ond)?)?\b"), "<rate> epochs/s"),
    (re.compile(r"\b\d+(\.\d+)?(\s|\u202f)*(ms|s|seconds?|sec|min)\b(?!\w)"), "<time>"),
]


def normalise(text: str) -> str:
    for pattern, placeholder in _TIME:
        text = pattern.sub(placeholder, text)
    return text


def _chart_text(proto) -> str:
    """A Plotly chart's words: title, axis titles, trace names (not its numbers)."""
    try:
        spec = json.loads(proto.spec)
    except (AttributeError, ValueError):
        return ""

    def title(obj):
        t = (obj or {}).get("title")
        return (t.get("text") if isinstance(t, dict) else t) or ""

    layout = spec.get("layout", {})
    words = [title(layout)] + [title(v) for k, v in sorted(layout.items()) if k.startswith(("xaxis", "yaxis"))]
    words += [str(tr.get("name", "")) for tr in spec.get("data", [])]
    return " | ".join(w for w in words if w)


def page_text(at) -> list[str]:
    """What a person reads on the page, in order: one line per element, ``type: text``."""
    lines = []
    for where, block in (("sidebar", at.sidebar), ("main", at.main)):
        for el in block:
            kind = el.type
            if kind in _TEXT:
                text = str(el.value)
            elif kind == "metric":
                text = f"{el.label} = {el.value}" + (f" ({el.delta})" if getattr(el, "delta", "") else "")
            elif kind in _WIDGETS:
                options = getattr(el, "options", None)
                text = f"{el.label} = {el.value!r}" + (f" of {list(options)!r}" if options else "")
            elif kind in _LABELS:
                text = str(el.label)
            elif kind in ("dataframe", "table"):
                text = el.value.to_csv()
            elif kind in ("expander", "tab", "popover"):
                text = getattr(el, "label", None) or getattr(getattr(el.proto, kind, None), "label", "")
            elif kind == "plotly_chart":
                text = _chart_text(el.proto)
            elif kind in ("bidi_component", "image", "html"):
                text = ""  # drawn pictures and style sheets: their presence only
            else:
                continue  # layout blocks
            if getattr(el, "disabled", False):
                text += " [disabled]"
            lines.append(f"{where} {kind}: {normalise(text)}".rstrip())
    return lines


def open_page(url: str, query: dict, clicks=()):
    from streamlit.testing.v1 import AppTest

    from playground.app.pages import PAGES

    path = next(p.path for p in PAGES if p.url == url)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=50).run()
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    for label in clicks:
        found = [b for b in at.button if b.label == label]
        assert len(found) == 1, f"one {label!r} button expected on {url}"
        found[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.timeout(60)
def test_every_page_has_a_golden_case():
    from playground.app.pages import PAGES

    assert {p.url for p in PAGES} == set(PAGE_LINKS)


PAGE_CASES = [(url, variant) for url, variants in PAGE_LINKS.items() for variant in variants]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("url,variant", PAGE_CASES, ids=[f"{u}-{v}" for u, v in PAGE_CASES])
def test_page_text(url, variant):
    import difflib

    if url in PAGES_SHOWING_TORCH and not HAS_TORCH:
        pytest.skip("the page's text was stored with torch installed (it then offers the PyTorch engine)")
    clicks = PAGE_CLICKS.get((url, variant), ())
    at = open_page(url, PAGE_LINKS[url][variant], clicks)
    if url in TIME_CAPPED:
        key, epochs = TIME_CAPPED[url]
        if at.session_state[key].trainer.epoch != epochs:
            pytest.skip(f"the {url} page trained {at.session_state[key].trainer.epoch} of {epochs} epochs "
                        "in its time budget (machine too busy): its text cannot match")
    got = page_text(at)
    want = golden("pages", f"{url}:{variant}", got)
    if got != want:
        diff = "\n".join(list(difflib.unified_diff(want, got, "stored", "now", lineterm="", n=1))[:40])
        pytest.fail(f"the text of page {url} ({variant} link) changed:\n{diff}")


@pytest.mark.timeout(60)
def test_golden_files_hold_only_current_cases():
    """No stored entry outlives its case; under PLAYGROUND_REGOLD=1 stale entries are removed."""
    current = {
        "training": {c[0] for c in TRAINING}, "race": {c[0] for c in RACES}, "cli": {c[0] for c in CLI},
        "pages": {f"{u}:{v}" for u, v in PAGE_CASES},
    }
    for file, keys in current.items():
        path = GOLDEN / f"{file}.json"
        data = json.loads(path.read_text()) if path.exists() else {}
        stale = set(data) - keys
        if REGOLD and stale:
            path.write_text(json.dumps({k: v for k, v in data.items() if k in keys}, indent=1, ensure_ascii=False,
                                       sort_keys=True) + "\n")
        elif not REGOLD:
            assert not stale, f"{file}.json has entries for cases that no longer exist: {sorted(stale)}"
            assert keys <= set(data), f"{file}.json lacks {sorted(keys - set(data))}: regenerate it"
