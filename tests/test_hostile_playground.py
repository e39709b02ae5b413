"""The Playground page opened with hostile share links: it never breaks, names every bad field, keeps its caps.

Hypothesis generates query dicts that mix good settings with bad ones (NaN, ±inf,
huge and negative numbers, unknown names, enormous lists such as ``hidden=64,…``
a thousand times, unicode, HTML/JS snippets, over-long values), unknown keys,
repeated keys and malformed drawn points (``pts=``).  An oracle here knows which
fields are bad.  Every link is opened in one AppTest session (the page re-decodes
a link that changed under it, as with in-app navigation): much faster than a new
app per link, and it also checks that nothing from one link leaks into the next.

After each run: no exception; a "Link setting reset: <field> …" warning for every
bad field and none for a good one; good values arrive; bad fields hold their
defaults; caps hold (≤ 8 hidden layers of ≤ 64 neurons); the address bar holds
the normalised link only (no hostile text echoed back); the metrics are finite.
"""
from __future__ import annotations

import base64
import math
import struct
from pathlib import Path
from urllib.parse import parse_qsl

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from playground.core.activations import TRAINABLE
from playground.run.config import FIELDS, Config, from_query, to_query
from playground.run.sizes import CAPS, dataset_info
from playground.data.datasets import DATASETS
from playground.core.losses import losses_for_task


def shown(md: str) -> str:
    """The text a person sees for escaped Markdown source (the page escapes untrusted text)."""
    return re.sub(r"\\([^A-Za-z0-9\s])", r"\1", md).replace("\u200b", "")  # escapes and link breakers

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 240  # seconds per script run: the machine is shared
LINK_RESET = "Link setting reset: "
DEFAULT = Config()
EXAMPLES = 100

# ----- values ------------------------------------------------------------------------------------------
# Good values: (text in the link, value the Config must hold).  Small networks and data keep runs quick.
GOOD: dict[str, list[tuple[str, object]]] = {
    "dataset": [(d, d) for d in ("circle", "xor", "gauss", "spiral", "moons", "blobs", "reg-plane", "iris")],
    "noise": [("0", 0), ("25", 25), ("50", 50), (" 10 ", 10), ("20.0", 20)],
    "train": [("10", 10), ("50", 50), ("90", 90)],
    "batch": [("1", 1), ("10", 10), ("30", 30), ("10000", 10_000)],
    "seed": [("1", "1"), ("abc_-9", "abc_-9"), ("Z" * 32, "Z" * 32), ("-", "-")],
    "features": [("x1", ("x1",)), ("x1,x2,x1sq,sinx2", ("x1", "x2", "x1sq", "sinx2")), ("X1X2", ("x1x2",))],
    "hidden": [("", ()), ("4", (4,)), ("8,8", (8, 8)), ("3,5,2", (3, 5, 2)), (",".join(["64"] * 8), (64,) * 8)],
    "activation": [(a, (a,)) for a in TRAINABLE] + [("RELU", ("relu",))],
    "optimizer": [("sgd", "sgd"), ("adam", "adam"), ("Momentum", "momentum")],
    "lr": [("0.00001", 1e-5), ("0.3", 0.3), ("10", 10.0), ("1e-3", 1e-3)],
    "reg": [("none", "none"), ("l1", "l1"), ("L2", "l2")],
    "reg_rate": [("0", 0.0), ("0.003", 0.003), ("10", 10.0)],
    "dropout": [("0", 0.0), ("0.5", 0.5), ("0.9", 0.9)],
    "init": [("uniform", "uniform"), ("he", "he"), ("zeros", "zeros")],
    "engine": [("numpy", "numpy")],
    "points": [("0", 0), ("50", 50), ("300", 300)],
    "classes": [("3", 3), ("5", 5)],
    "init_scale": [("0", 0.0), ("2.5", 2.5)],
    "clip": [("0", 0.0), ("1.5", 1.5), ("1e6", 1e6)],
    "dtype": [("float32", "float32"), ("float64", "float64")],
    "shuffle": [("0", False), ("yes", True)],
    "max_epochs": [("0", 0), ("5", 5), ("1000000", 1_000_000)],
    "target_loss": [("0", 0.0), ("0.05", 0.05)],
    "patience": [("0", 0), ("100000", 100_000)],
    "standardize": [("1", True), ("off", False)],
    "device": [("cpu", "cpu")],
}
assert set(GOOD) == set(FIELDS) - {"loss"}  # a good loss depends on the dataset: loss is only ever bad here

# Refused by every field: no number, name, list or flag survives these.
HOSTILE_ANY = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "javascript:alert(1)",
    "☃", "ünïcødé ☃", "\u202e", "'; DROP TABLE links;--", "{{7*7}}", "${jndi:ldap://x/a}", "../../etc/passwd",
    "1\x00", "ｘｏｒ\u0301", "x" * (CAPS["value_chars"] + 1), "9" * 5000, "[a](javascript:alert(1))",
]
INT_BAD = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "-1", "2.5", "", "0x10", "1,5", "--1", "½",
           "1e308", "9" * 25]
FLOAT_BAD = ["nan", "-nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "-1", "", "0x10", "1/2", "--1"]
CHOICE_BAD = ["banana", "", "circle,xor", "XOR2", "cuda:0", "float16", "ＸＯＲ", "none,none"]
BOOL_BAD = ["2", "-1", "maybe", "", "nan", "truee"]
BAD: dict[str, list[str]] = {
    **{f: INT_BAD for f in ("noise", "train", "batch", "points", "classes", "max_epochs", "patience")},
    **{f: FLOAT_BAD for f in ("lr", "reg_rate", "dropout", "init_scale", "clip", "target_loss")},
    **{f: CHOICE_BAD for f in ("dataset", "loss", "optimizer", "reg", "init", "engine", "dtype", "device")},
    **{f: BOOL_BAD for f in ("shuffle", "standardize")},
    "seed": ["", "a b", "a" * 33, "é", "a/b", "1.5", "-" * 33],
    "features": ["", "x3", "x1,x1", ",,,", "sin(x1)", "X1,<b>"],
    "hidden": ["0", "65", "-1", "4,0", "1.5", "nan", ",".join(["64"] * 9), ",".join(["64"] * 1000), "64," * 1000,
               "1e3", "4;2", "9" * 25, "inf,inf", "-64,-64"],
    "activation": ["step", "sign", "softmax", "swish", "tanh,banana", "", ",,", ",".join(["relu"] * 9)],
}
OVER = {"noise": ["51", "1000000"], "train": ["9", "91", "100"], "batch": ["0", "10001"], "lr": ["0", "10.5", "1e308"],
        "reg_rate": ["10.01", "1e308"], "dropout": ["0.95", "1"], "points": ["5", "19", "10001"], "classes": ["2", "6"],
        "init_scale": ["100.5", "1e9"], "clip": ["1e7"], "max_epochs": ["1000001", "1e12"], "target_loss": ["-1e-9"],
        "patience": ["100001"]}
for _f, _values in OVER.items():
    BAD[_f] = BAD[_f] + _values
assert set(BAD) == set(FIELDS)

UNKNOWN_KEYS = ["evil", "__proto__", "constructor", "hidden[]", "Hidden", "LR", "<script>alert(1)</script>",
                "dataset ", "x" * 300, "☃", "", "onerror"]


def _pts(kind: bytes, k: int, points: list[tuple[int, int, int]]) -> str:
    raw = b"\x01" + kind + bytes([k]) + b"".join(struct.pack("<3h", *p) for p in points)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_PTS = [
    "", "!!!", "AAAA", "%%%", "<script>alert(1)</script>", "A" * 5000,
    _pts(b"c", 9, [(0, 0, 0)] * 4),  # 9 classes
    _pts(b"c", 2, [(0, 0, 0), (100, 100, 1), (-100, 0, 5), (0, 100, 0)]),  # label 5 of 2 classes
    _pts(b"c", 2, [(0, 0, 0), (30000, 0, 1), (0, 100, 0), (100, 0, 1)]),  # outside the plane
    _pts(b"r", 0, [(0, 0, 10), (100, 0, 20), (0, 100, 30)]),  # only 3 points: too few to train
    _pts(b"z", 2, [(0, 0, 0)] * 4),  # unknown kind
    _pts(b"c", 2, [(0, 0, 0)] * 4)[:-3],  # truncated
]


# ----- generated links ---------------------------------------------------------------------------------
class Case:
    """A link and what the oracle expects of it."""

    def __init__(self, query: dict, bad: set[str], good: dict[str, object], unknown: list[str], pts: bool):
        self.query, self.bad, self.good, self.unknown, self.pts = query, bad, good, unknown, pts

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        return f"Case(query={self.query!r}, bad={sorted(self.bad)})"


@st.composite
def cases(draw) -> Case:
    bad_fields = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True))
    good_fields = draw(st.lists(st.sampled_from(sorted(set(GOOD) - set(bad_fields))), max_size=5, unique=True))
    query: dict = {}
    good: dict[str, object] = {}
    for f in good_fields:
        text, expected = draw(st.sampled_from(GOOD[f]))
        query[f], good[f] = text, expected
    for f in bad_fields:
        query[f] = draw(st.one_of(st.sampled_from(BAD[f]), st.sampled_from(HOSTILE_ANY)))
    # A repeated key: the last value is the one that counts (as st.query_params reads it).
    if draw(st.booleans()):
        f = draw(st.sampled_from(sorted(query)))
        other = draw(st.sampled_from(HOSTILE_ANY)) if f in good else draw(st.sampled_from(GOOD.get(f, [("", "")])))[0]
        if f in good or f != "loss":
            query[f] = [other, query[f]]
    unknown = draw(st.lists(st.sampled_from(UNKNOWN_KEYS), max_size=2, unique=True))
    for k in unknown:
        query[k] = draw(st.sampled_from(HOSTILE_ANY + ["1"]))
    with_pts = draw(st.booleans())
    if with_pts:
        query["pts"] = draw(st.sampled_from(BAD_PTS))
    return Case(query, set(bad_fields), good, unknown, with_pts)


# ----- the check ---------------------------------------------------------------------------------------
def _short(key: str) -> str:
    return key if len(key) <= 40 else key[:37] + "…"


def _within_caps(cfg: Config) -> None:
    assert len(cfg.hidden) <= CAPS["hidden_layers"] and all(1 <= h <= CAPS["neurons"] for h in cfg.hidden)
    assert 1 <= len(cfg.activation) <= CAPS["hidden_layers"] and set(cfg.activation) <= set(TRAINABLE)
    assert 0 < cfg.lr <= CAPS["lr"] and 0 <= cfg.reg_rate <= CAPS["reg_rate"] and 0 <= cfg.dropout <= 0.9
    assert 1 <= cfg.batch <= CAPS["points"] and (cfg.points == 0 or 20 <= cfg.points <= CAPS["points"])
    assert 0 <= cfg.max_epochs <= CAPS["max_epochs"] and 0 <= cfg.init_scale <= 100
    assert all(math.isfinite(v) for v in (cfg.lr, cfg.reg_rate, cfg.dropout, cfg.init_scale, cfg.clip,
                                          cfg.target_loss))
    assert cfg.dataset in DATASETS and cfg.loss in losses_for_task(*dataset_info(cfg.dataset))


@pytest.fixture(scope="module")
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/play.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


RUNS: list[Case] = []


def check(at: AppTest, case: Case) -> None:
    at.query_params.clear()
    at.query_params.update(case.query)
    at.run()
    RUNS.append(case)
    assert not at.exception, [e.value for e in at.exception]
    s = at.session_state["pg.session"]
    cfg, t = s.cfg, s.trainer
    boxes = [shown(w.value).removeprefix(LINK_RESET) for w in at.warning if shown(w.value).startswith(LINK_RESET)]
    # A few boxes at most: past MAX_MESSAGES, the last box lists the rest ("12 more:\n- …\n- …").
    warnings = [m for b in boxes for m in (b.split("\n- ")[1:] if re.match(r"\d+ more:\n- ", b) else [b])]

    # Every bad field is named, no good one is; unknown keys and bad points are reported.  A link over the
    # character cap is cut there, whatever its form (the page passes a dict): fields past the cut are absent.
    cut = sum(len(k) + len(str(v[-1] if isinstance(v, list) else v)) + 2 for k, v in case.query.items()
              if k != "pts") > CAPS["query_chars"]
    if cut:
        assert warnings[0].startswith("link is ") and "only the first" in warnings[0], warnings
    for f in case.bad if not cut else ():
        assert any(w.startswith(f + " ") for w in warnings), (f, case.query.get(f), warnings)
    for f in case.good:
        assert not any(w.startswith(f + " ") for w in warnings), (f, case.query.get(f), warnings)
    for k in case.unknown if not cut else ():  # all unknown keys in one warning
        assert any(w.startswith("unknown setting") and repr(_short(k)) in w for w in warnings), (k, warnings)
    if case.pts:
        assert any(w.startswith("drawn points not loaded: ") for w in warnings), warnings
        assert s.data is None and "pts" not in at.query_params
    n_expected = (len(case.bad) + bool(case.unknown)) * (not cut) + case.pts
    assert len(warnings) >= n_expected, warnings

    # Good values arrive, bad ones fall back to their defaults; the page applies exactly the decoded link.
    for f, value in case.good.items():
        assert getattr(cfg, f) == value, (f, getattr(cfg, f), value)
    for f in case.bad - {"loss", "activation"}:
        assert getattr(cfg, f) == getattr(DEFAULT, f), (f, getattr(cfg, f))
    if "activation" in case.bad:
        assert cfg.activation == DEFAULT.activation
    last = {k: v[-1] if isinstance(v, list) else v for k, v in case.query.items() if k != "pts"}
    assert cfg == from_query(last)[0]

    # Caps, the trainer built from them, and an address bar with nothing but the normalised link.
    _within_caps(cfg)
    assert t.cfg == cfg and t.sizes[1:-1] == list(cfg.hidden) and t.epoch == 0
    assert at.query_params == dict(parse_qsl(to_query(cfg), keep_blank_values=True))
    m = {x.label: x.value for x in at.metric}
    assert m["Epoch"] == "0" and math.isfinite(float(m["Training loss"])) and math.isfinite(float(m["Test loss"]))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(case=cases())
@example(case=Case({"hidden": ",".join(["64"] * 1000), "lr": "nan", "dataset": "<script>alert(1)</script>"},
                   {"hidden", "lr", "dataset"}, {}, [], False))
@example(case=Case({"hidden": "64," * 1000, "activation": "relu," * 1000, "seed": "<img src=x onerror=alert(1)>"},
                   {"hidden", "activation", "seed"}, {}, [], False))
@example(case=Case({"noise": "inf", "batch": "-1e999", "train": "1e308", "init_scale": "1e999", "pts": "!!!"},
                   {"noise", "batch", "train", "init_scale"}, {}, [], True))
@example(case=Case({"dataset": "reg-plane", "loss": "ce", "hidden": ",".join(["64"] * 8), "clip": "-inf"},
                   {"loss", "clip"}, {"dataset": "reg-plane", "hidden": (64,) * 8}, [], False))
@example(case=Case({"__proto__": "1", "constructor": "<svg/onload=alert(1)>", "x" * 300: "1", "device": "tpu"},
                   {"device"}, {}, ["__proto__", "constructor", "x" * 300], False))
def test_hostile_link_on_the_playground(app, case):
    check(app, case)


def test_enough_hostile_links_ran():
    if not RUNS:
        pytest.skip("run together with test_hostile_link_on_the_playground")
    assert len(RUNS) >= EXAMPLES
    # The generated links really were hostile in every way this file promises.
    texts = [v for c in RUNS for vs in c.query.values() for v in (vs if isinstance(vs, list) else [vs])]
    assert any("<script>" in v for v in texts) and any(v in ("nan", "inf", "-inf") for v in texts)
    assert any(len(v) > CAPS["value_chars"] for v in texts) and any("☃" in v for v in texts)
    assert sum(c.pts for c in RUNS) >= 10 and sum(bool(c.unknown) for c in RUNS) >= 10
