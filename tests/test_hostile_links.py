"""Hostile share links, generated: ``from_query`` never raises, caps hold, every bad field is named.

Share links come from anywhere (a chat, a forum, a prankster), so the decoder is
property-tested over generated query strings mixing valid settings, hostile
values (NaN/inf, huge, negative, HTML/JS, unicode, percent-encoding garbage,
enormous lists, over-long values), unknown and repeated keys, and whole URLs
with fragments.  An independent oracle here knows which values are bad; the
test checks that each bad field falls back to its default and is named at the
start of a warning, that good values get through, and that the normalised link
round-trips exactly.  A sample of the configs also builds a Trainer and trains.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from playground.core.activations import TRAINABLE
from playground.run.config import DTYPES, ENGINES, FIELDS, REGULARIZERS, Config, from_query, to_query
from playground.run.sizes import CAPS, dataset_info
from playground.data.datasets import DATASETS
from playground.core.features import FEATURES
from playground.core.initializers import INITIALIZERS
from playground.core.losses import LOSSES, default_loss, losses_for_task
from playground.core.optimizers import OPTIMIZERS
from playground.run.trainer import Trainer

DEFAULT = Config()
INTS = {"noise": (0, 50), "train": (10, 90), "batch": (1, CAPS["points"]), "classes": (3, 5),
        "max_epochs": (0, CAPS["max_epochs"]), "patience": (0, 100_000)}
FLOATS = {"lr": (1e-9, CAPS["lr"]), "reg_rate": (0.0, CAPS["reg_rate"]), "dropout": (0.0, 0.9),
          "init_scale": (0.0, 100.0), "clip": (0.0, 1e6), "target_loss": (0.0, 1e300)}
CHOICES = {"dataset": tuple(DATASETS), "loss": tuple(LOSSES), "optimizer": tuple(OPTIMIZERS), "reg": REGULARIZERS,
           "init": tuple(INITIALIZERS), "engine": ENGINES, "dtype": DTYPES, "device": ("cpu", "cuda")}
BOOLS = ("shuffle", "standardize")
# Fields whose accepted value must arrive unchanged (loss and activation are also repaired across fields).
CHECKED = set(FIELDS) - {"loss", "activation"}

# Invalid for EVERY field (each survives strip(), none parses as a number, a name or a list of them).
HOSTILE_ANY = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "☃",
               "ünïcødé ☃", "\u202e", "'; DROP TABLE links;--", "{{7*7}}", "${jndi:ldap://x/a}", "../../etc/passwd",
               "\x00", "1\x00", "ｘｏｒ\u0301"]
RAW_GARBAGE = ["%", "%ZZ", "%E2%98", "%00", "%%%", "%u2603", "%C3%28", "%G1%"]  # inserted un-encoded
NUMBER_BAD = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999", "-1e999", "-3", "-0.5", "0x10", "1,5", "--1",
              "1e", "", " ", "1/2", "½"]
OVER = {"noise": ["51", "1000000"], "train": ["9", "91", "100"], "batch": ["0", "10001"], "lr": ["0", "10.5", "1e308"],
        "reg_rate": ["10.01", "1e308"], "dropout": ["0.95", "1"], "points": ["5", "19", "10001"], "classes": ["2", "6"],
        "init_scale": ["100.5", "1e9"], "clip": ["1e7"], "max_epochs": ["1000001", "1e12"], "target_loss": ["-1e-9"],
        "patience": ["100001"]}
FIELD_BAD = {
    **{f: ["banana", "", "circle,xor", "1", "XOR2", "cuda:0", "float16"] for f in CHOICES},
    **{f: ["2", "-1", "maybe", "", "nan", "truee"] for f in BOOLS},
    "seed": ["", "a b", "a" * 33, "é", "a/b", "a.b", "1.5", "-" * 33],
    "features": ["", "x3", "x1,x1", "x1,x9", ",,,", "x1,,x1", "sin(x1)"],
    "hidden": ["0", "65", "-1", "4,0", "1.5", "nan", ",".join(["64"] * 9), ",".join(["64"] * 1000), "1e3", "4;2",
               "9" * 25],
    "activation": ["step", "sign", "softmax", "swish", "tanh,banana", "", ",,", ",".join(["relu"] * 9)],
}
UNKNOWN_KEYS = ["evil", "__proto__", "constructor", "hidden[]", "Hidden", "LR", "", "<script>", "dataset ", "x" * 300]


@dataclass(frozen=True)
class Pair:
    key: str
    text: str
    bad: bool  # the oracle: this value must be refused
    expected: object = None  # for a good value: what the Config must hold
    raw: bool = False  # put into the query without percent-encoding


@dataclass(frozen=True)
class Link:
    pairs: tuple[Pair, ...]
    wrapper: str  # "bare", "question", "url"
    fragment: str = ""

    def query(self) -> str:
        return "&".join(f"{quote(p.key, safe='')}={p.text if p.raw else quote(p.text, safe='')}" for p in self.pairs)

    def text(self) -> str:
        q = self.query()
        if self.wrapper == "question":
            return "?" + q
        if self.wrapper == "url":
            return f"https://playground.example.org/app/?{q}#{quote(self.fragment, safe='=&')}"
        return q


# ----- strategies ----------------------------------------------------------------------------------
def _good(field: str):
    """(text, expected) of a value the field must accept."""
    if field in INTS:
        lo, hi = INTS[field]
        return st.integers(lo, hi).flatmap(lambda v: st.sampled_from([(str(v), v), (f"{v}.0", v), (f" {v} ", v)]))
    if field == "points":
        return st.one_of(st.just(("0", 0)), st.integers(20, CAPS["points"]).map(lambda v: (str(v), v)))
    if field in FLOATS:
        lo, hi = FLOATS[field]
        return st.floats(lo, hi, allow_nan=False).map(lambda v: (repr(v), v))
    if field in CHOICES:
        return st.sampled_from(CHOICES[field]).flatmap(lambda v: st.sampled_from([(v, v), (v.upper(), v)]))
    if field in BOOLS:
        return st.sampled_from([("1", True), ("0", False), ("true", True), ("OFF", False), ("yes", True), ("no", False)])
    if field == "seed":
        return st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True).map(lambda s: (s, s))
    if field == "features":
        return st.lists(st.sampled_from(list(FEATURES)), min_size=1, max_size=7, unique=True).map(
            lambda v: (",".join(v), tuple(v)))
    if field == "hidden":
        return st.lists(st.integers(1, CAPS["neurons"]), max_size=CAPS["hidden_layers"]).map(
            lambda v: (",".join(map(str, v)), tuple(v)))
    if field == "activation":
        return st.lists(st.sampled_from(TRAINABLE), min_size=1, max_size=CAPS["hidden_layers"]).map(
            lambda v: (",".join(v), None))
    raise AssertionError(f"no good-value strategy for {field}")


def _bad(field: str):
    """(text, raw) of a value the field must refuse."""
    own = FIELD_BAD.get(field, []) + (NUMBER_BAD + OVER[field] if field in OVER else [])
    if field in INTS or field == "points":
        own = own + ["2.5", "7.000001"]
    anything = st.one_of(
        st.sampled_from(HOSTILE_ANY),
        st.text(max_size=40).map(lambda s: "☃" + s),  # ☃ is no number, name or whitespace
        st.integers(CAPS["value_chars"] + 1, 3000).map(lambda n: "9" * n),  # over-long: refused before parsing
        st.text(min_size=1, max_size=20).map(lambda s: ("<b>" + s) * 20),
    )
    cooked = st.one_of(st.sampled_from(own), anything) if own else anything
    return st.one_of(cooked.map(lambda t: (t, False)), st.sampled_from(RAW_GARBAGE).map(lambda t: (t, True)))


GOOD = {f: _good(f) for f in FIELDS}  # built once: building strategies per draw is slow
BAD = {f: _bad(f) for f in FIELDS}


@st.composite
def pairs(draw) -> Pair:
    kind = draw(st.sampled_from(["good", "good", "bad", "bad", "bad", "unknown"]))
    if kind == "unknown":
        key = draw(st.one_of(st.sampled_from(UNKNOWN_KEYS), st.text(min_size=1, max_size=12)))
        if key in FIELDS:
            key = key + "_x"
        return Pair(key, draw(st.text(max_size=20)), bad=False)
    field = draw(st.sampled_from(FIELDS))
    if kind == "good":
        text, expected = draw(GOOD[field])
        return Pair(field, text, bad=False, expected=expected)
    text, raw = draw(BAD[field])
    return Pair(field, text, bad=True, raw=raw)


@st.composite
def links(draw) -> Link:
    ps = draw(st.lists(pairs(), max_size=16))
    if ps and draw(st.booleans()):  # repeat some keys, with a different value last
        for p in draw(st.lists(st.sampled_from(ps), max_size=3)):
            ps.append(Pair(p.key, "☃", bad=p.key in FIELDS))
    order = draw(st.permutations(ps)) if draw(st.booleans()) else ps
    return Link(tuple(order), draw(st.sampled_from(["bare", "question", "url"])),
                draw(st.text(max_size=30)))


# ----- the oracle ----------------------------------------------------------------------------------
def _final(link: Link) -> dict[str, Pair]:
    """The pair that decides each key: the last one (repeats are reported, the last value wins)."""
    out: dict[str, Pair] = {}
    for p in link.pairs:
        out[p.key] = p
    return out


def _within_caps(cfg: Config) -> None:
    assert len(cfg.hidden) <= CAPS["hidden_layers"] and all(1 <= h <= CAPS["neurons"] for h in cfg.hidden)
    assert 1 <= len(cfg.activation) <= CAPS["hidden_layers"] and set(cfg.activation) <= set(TRAINABLE)
    assert len(cfg.activations()) == len(cfg.hidden)
    assert 0 < cfg.lr <= CAPS["lr"] and 0 <= cfg.reg_rate <= CAPS["reg_rate"] and 0 <= cfg.dropout <= 0.9
    assert 0 <= cfg.noise <= 50 and 10 <= cfg.train <= 90 and 1 <= cfg.batch <= CAPS["points"]
    assert cfg.points == 0 or 20 <= cfg.points <= CAPS["points"]
    assert 0 <= cfg.max_epochs <= CAPS["max_epochs"] and 0 <= cfg.init_scale <= 100 and 0 <= cfg.clip <= 1e6
    assert all(math.isfinite(getattr(cfg, f)) for f in FLOATS)
    assert cfg.dataset in DATASETS and cfg.loss in losses_for_task(*dataset_info(cfg.dataset))
    assert 0 < len(cfg.features) == len(set(cfg.features)) and set(cfg.features) <= set(FEATURES)
    assert Config(**{f: getattr(cfg, f) for f in FIELDS}) == cfg  # passes its own validation again


def _check_link(link: Link) -> Config:
    text = link.text()
    cfg, warnings = from_query(text)  # must not raise
    assert isinstance(cfg, Config) and all(isinstance(w, str) and w for w in warnings)
    _within_caps(cfg)
    assert from_query(to_query(cfg)) == (cfg, [])  # the normalised link round-trips exactly
    if len(text) > CAPS["query_chars"]:  # cut at the cap: fields past the cut are simply absent
        assert any(w.startswith(f"link is {len(text)} characters long") for w in warnings)
        return cfg
    if link.wrapper != "bare":  # a URL, a '?' and a fragment change nothing
        assert from_query(link.query()) == (cfg, warnings)
    final = _final(link)
    for key in {p.key for p in link.pairs if sum(q.key == p.key for q in link.pairs) > 1}:
        shown = key if len(key) <= 40 else key[:37] + "…"  # long keys are shortened in messages
        assert f"{shown!r} appears more than once; the last value is used" in warnings, (key, warnings)
    for key, p in final.items():
        if key not in FIELDS:
            assert any(w.startswith("unknown setting") for w in warnings), (key, warnings)
        elif p.bad:
            assert any(w.startswith(f"{key} ") for w in warnings), (key, p.text[:50], warnings)
            want = default_loss(*dataset_info(cfg.dataset)) if key == "loss" else getattr(DEFAULT, key)
            assert getattr(cfg, key) == want, (key, p.text[:50])
        elif key in CHECKED:
            assert getattr(cfg, key) == p.expected, (key, p.text[:50], warnings)
    return cfg


HOSTILE_EXAMPLES = [
    Link((Pair("hidden", ",".join(["64"] * 1000), True),), "bare"),
    Link((Pair("dataset", "<script>alert(1)</script>", True), Pair("seed", "<img src=x onerror=alert(1)>", True)), "url",
         "hidden=64&lr=nan"),
    Link((Pair("lr", "nan", True), Pair("noise", "inf", True), Pair("batch", "-5", True), Pair("train", "1e999", True),
          Pair("dropout", "9" * 300, True)), "question"),
    Link((Pair("hidden", "4", False, (4,)), Pair("hidden", "65", True), Pair("evil", "1", False)), "bare"),
    Link((Pair("features", "%ZZ", True, raw=True), Pair("activation", "%E2%98", True, raw=True)), "url", "#"),
    Link(tuple(Pair("hidden", ",".join(["64"] * 1000), True) for _ in range(4)), "bare"),  # > 8,000 characters
]


@settings(max_examples=1000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(links())
def test_from_query_survives_hostile_links(link):
    _check_link(link)


for _ex in HOSTILE_EXAMPLES:  # the brief's named cases, always run first
    test_from_query_survives_hostile_links = example(_ex)(test_from_query_survives_hostile_links)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(links())
def test_trainer_builds_and_trains_from_hostile_links(link):
    cfg, _ = from_query(link.text())
    real = DATASETS[cfg.dataset].kind == "real"
    # Small data and the NumPy engine keep 30 runs quick; everything else is the link's own.
    small = cfg.replace(points=60 if real else 40, engine="numpy", device="cpu", batch=min(cfg.batch, 60))
    t = Trainer(small)
    t.run(epochs=3)
    h = t.history
    assert 1 <= len(h) <= 4 and h.epoch[0] == 0
    for series in (h.train_loss, h.test_loss, h.train_metric, h.test_metric):
        assert np.isfinite(series).all()
    assert all(np.isfinite(n).all() for n in h.grad_norms)
    assert t.diverged == bool(t.message)
