"""The run configuration: one frozen record, validated in one place, round-tripped through URLs.

Share links are public (every key is listed in docs/links-and-cli.md): the
query names here must keep their meaning.  ``from_query`` never raises: a bad
field falls back to its default and is named in the returned warnings.  The
hard caps below hold whatever the source — a link, the command line or the UI.

    >>> cfg, warnings = from_query("dataset=xor&hidden=4&activation=tanh")
    >>> cfg.hidden, warnings
    ((4,), [])
    >>> from_query(to_query(cfg))[0] == cfg
    True
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from playground.core.activations import TRAINABLE
from playground.core.engines import ENGINE_SPECS
from playground.core.initializers import INITIALIZERS
from playground.run.sizes import CAPS, WORK_FIELDS, dataset_info, work_problem
from playground.core.losses import LOSSES, default_loss, losses_for_task
from playground.core.optimizers import OPTIMIZERS
from playground.base.text import summarise
from playground.run.pace import MAX_PER_FRAME, MAX_RATE, MIN_RATE, pace_text, parse_pace
from playground.run.config_parse import ConfigError, ConfigWarning, parse_value, short

__all__ = [
    "Config", "FIELDS", "ENGINES", "REGULARIZERS", "DTYPES", "LEARNING_RATES",
    "normalize", "format_value", "query_pairs", "from_query", "to_query", "config_json", "seed_int", "rng_entropy",
    "rng_for",
]

ENGINES = tuple(ENGINE_SPECS)
REGULARIZERS = ("none", "l1", "l2")
#: The learning rates the pages offer: TF Playground's choices.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DTYPES = ("float32", "float64")
_REPEATS_NAMED = 10  # repeated keys named one per message; beyond, one message for the rest
_SEED_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _dataset_names() -> tuple[str, ...]:
    from playground.data.datasets import DATASETS

    return tuple(DATASETS)


@dataclass(frozen=True)
class Config:
    """Everything that defines a run.  Defaults are TF Playground's defaults, and the app's."""

    dataset: str = "circle"
    noise: int = 0  # percent, 0–50
    train: int = 50  # percent of the data used for training, 10–90
    batch: int = 10
    seed: str = "1"
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: tuple[str, ...] = ("tanh",)  # one name for all layers, or one per layer
    loss: str = "square"
    optimizer: str = "sgd"
    lr: float = 0.03
    reg: str = "none"
    reg_rate: float = 0.0
    dropout: float = 0.0
    init: str = "uniform"
    engine: str = "numpy"
    # -- additions beyond the public table (also in links, also CLI options) --
    points: int = 0  # 0 = the dataset's own size (500 classification, 1,200 regression)
    classes: int = 3  # for blobs
    init_scale: float = 0.0  # 0 = the initialiser's default spread
    clip: float = 0.0  # max gradient norm, 0 = off
    dtype: str = "float32"
    shuffle: bool = True  # reshuffle every epoch (TF Playground keeps a fixed order)
    max_epochs: int = 0  # stop after this many epochs, 0 = never
    target_loss: float = 0.0  # stop when the test loss reaches this, 0 = never
    patience: int = 0  # early stopping: epochs without test-loss improvement, 0 = off
    standardize: bool = True  # z-score real datasets with training-set statistics
    device: str = "cpu"  # torch engine only: cpu or cuda
    speed: str = "auto"  # a live page's pace (run/pace.py): auto, max, epochs per second, or N/frame

    def __post_init__(self):
        problems = _check(self)
        if problems:
            raise ConfigError("; ".join(problems))

    # Derived facts every consumer needs -------------------------------------------------------
    def activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if len(self.activation) == 1:
            return self.activation * len(self.hidden)
        return self.activation

    @property
    def task(self) -> str:
        return dataset_info(self.dataset)[0]

    def replace(self, **changes) -> "Config":
        """A copy with some fields changed, validated like any other source."""
        cfg, warnings = normalize({**dataclasses.asdict(self), **changes})
        if warnings:
            raise ConfigError("; ".join(warnings))
        return cfg

    def to_query(self) -> str:
        return to_query(self)


FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Config))
_DEFAULT = Config.__new__(Config)
for _f in dataclasses.fields(Config):
    object.__setattr__(_DEFAULT, _f.name, _f.default)


def format_value(v: Any) -> str:
    """A config value as a link writes it: floats exactly (``repr``, so they come back bit for bit),
    whole floats without ``.0``, booleans as 1/0, tuples comma-separated."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return repr(v) if v != int(v) or abs(v) >= 1e15 else repr(float(v)).removesuffix(".0")
    if isinstance(v, tuple):
        return ",".join(format_value(x) for x in v)
    return str(v)


def _rules() -> dict[str, tuple]:
    """Single-field rules: name -> (predicate, message template).  Built lazily (registries)."""
    from playground.core.features import FEATURES

    names = _dataset_names()
    c = CAPS
    return {
        "dataset": (lambda v: v in names, f"dataset {{v!r}} is unknown; allowed: {', '.join(names)}"),
        "noise": (lambda v: 0 <= v <= 50, "noise must be 0–50 (percent), got {v!r}"),
        "train": (lambda v: 10 <= v <= 90, "train must be 10–90 (percent), got {v!r}"),
        "batch": (lambda v: 1 <= v <= c["points"], f"batch must be 1–{c['points']}, got {{v!r}}"),
        "seed": (lambda v: bool(_SEED_RE.match(str(v))), "seed must be 1–32 letters, digits, '-' or '_', got {v!r}"),
        "features": (lambda v: 0 < len(v) == len(set(v)) and all(f in FEATURES for f in v),
                     f"features must be distinct names from {', '.join(FEATURES)}, got {{v!r}}"),
        "hidden": (lambda v: len(v) <= c["hidden_layers"] and all(1 <= h <= c["neurons"] for h in v),
                   f"hidden must be at most {c['hidden_layers']} layers of 1–{c['neurons']} neurons, got {{v!r}}"),
        "activation": (lambda v: 0 < len(v) <= c["hidden_layers"] and all(a in TRAINABLE for a in v),
                       f"activation must be names from {', '.join(TRAINABLE)} (step/sign are for the perceptron page), got {{v!r}}"),
        "loss": (lambda v: v in LOSSES, f"loss {{v!r}} is unknown; allowed: {', '.join(LOSSES)}"),
        "optimizer": (lambda v: v in OPTIMIZERS, f"optimizer {{v!r}} is unknown; allowed: {', '.join(OPTIMIZERS)}"),
        "lr": (lambda v: 0 < v <= c["lr"], f"lr must be > 0 and ≤ {c['lr']:g}, got {{v!r}}"),
        "reg": (lambda v: v in REGULARIZERS, f"reg {{v!r}} is unknown; allowed: {', '.join(REGULARIZERS)}"),
        "reg_rate": (lambda v: 0 <= v <= c["reg_rate"], f"reg_rate must be 0–{c['reg_rate']:g}, got {{v!r}}"),
        "dropout": (lambda v: 0 <= v <= 0.9, "dropout must be 0–0.9, got {v!r}"),
        "init": (lambda v: v in INITIALIZERS, f"init {{v!r}} is unknown; allowed: {', '.join(INITIALIZERS)}"),
        "engine": (lambda v: v in ENGINES, f"engine {{v!r}} is unknown; allowed: {', '.join(ENGINES)}"),
        "points": (lambda v: v == 0 or 20 <= v <= c["points"], f"points must be 0 (dataset default) or 20–{c['points']}, got {{v!r}}"),
        "classes": (lambda v: 3 <= v <= 5, "classes must be 3–5, got {v!r}"),
        "init_scale": (lambda v: 0 <= v <= 100, "init_scale must be 0–100, got {v!r}"),
        "clip": (lambda v: 0 <= v <= 1e6, "clip must be 0–1e6, got {v!r}"),
        "dtype": (lambda v: v in DTYPES, f"dtype {{v!r}} is unknown; allowed: {', '.join(DTYPES)}"),
        "shuffle": (lambda v: isinstance(v, bool), "shuffle must be 0 or 1, got {v!r}"),
        "max_epochs": (lambda v: 0 <= v <= c["max_epochs"], f"max_epochs must be 0–{c['max_epochs']}, got {{v!r}}"),
        "target_loss": (lambda v: v >= 0, "target_loss must be ≥ 0, got {v!r}"),
        "patience": (lambda v: 0 <= v <= 100_000, "patience must be 0–100000, got {v!r}"),
        "standardize": (lambda v: isinstance(v, bool), "standardize must be 0 or 1, got {v!r}"),
        "device": (lambda v: v in ("cpu", "cuda"), "device must be cpu or cuda, got {v!r}"),
        "speed": (lambda v: parse_pace(v) is not None and pace_text(v) == v,
                  f"speed must be auto, max, N/frame (1–{MAX_PER_FRAME}) or epochs per second "
                  f"({MIN_RATE:g}–{MAX_RATE:g}), got {{v!r}}"),
    }


def _field_problem(name: str, value: Any) -> str | None:
    """The message if ``value`` breaks field ``name``'s own rule (type included), else None."""
    default = getattr(_DEFAULT, name)
    kind_ok = (isinstance(value, bool) if isinstance(default, bool)
               else isinstance(value, tuple) if isinstance(default, tuple)
               else isinstance(value, int) and not isinstance(value, bool) if isinstance(default, int)
               else _finite(value) if isinstance(default, float)
               else isinstance(value, str))
    ok, msg = _rules()[name]
    shown = format_value(value) if isinstance(value, tuple) else value
    if not kind_ok:
        return msg.format(v=shown)
    try:
        return None if ok(value) else msg.format(v=shown)
    except TypeError:
        return msg.format(v=shown)


def _cross_problems(cfg: Config) -> list[str]:
    """Rules that tie fields together."""
    p = []
    if len(cfg.activation) not in (1, len(cfg.hidden)):
        p.append(f"activation has {len(cfg.activation)} names for {len(cfg.hidden)} hidden layers; give one, or one per layer")
    task, k = dataset_info(cfg.dataset)
    if cfg.loss not in losses_for_task(task, k):
        p.append(f"loss {cfg.loss!r} does not fit the {task} dataset {cfg.dataset!r}; allowed: {', '.join(losses_for_task(task, k))}")
    return p


def _check(cfg: Config) -> list[str]:
    """Every rule a config must satisfy, as messages: what was wrong, the value, what is allowed."""
    p = [m for m in (_field_problem(f, getattr(cfg, f)) for f in FIELDS) if m]
    return p or _cross_problems(cfg)


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def normalize(raw: dict[str, Any], data=None, keep: Config | None = None) -> tuple[Config, list[ConfigWarning]]:
    """Build a valid Config from raw values; never raises.

    Each field that cannot be parsed or breaks a rule is replaced by its default
    and named in the warnings (``ConfigWarning.field``: no caller reads the text).
    Cross-field rules (loss vs dataset, one activation per layer) are repaired
    the same way.  Unknown keys are reported.
    A run that is too much work (``work_problem``, on ``data`` if given) gets its
    ``points`` (then ``hidden``) back to default, or, with ``keep`` (the config in
    use, a control change), its changed work fields back to ``keep``'s values.
    """
    warnings: list[ConfigWarning] = []
    values: dict[str, Any] = {}
    unknown = [key for key in raw if key not in FIELDS]
    if unknown:  # one message however many: a link may bring hundreds
        names = summarise([repr(short(k)) for k in unknown])
        warnings.append(ConfigWarning(
            f"unknown setting {names} ignored; known: {', '.join(FIELDS)}" if len(unknown) == 1 else
            f"unknown settings ignored ({len(unknown)}): {names}; known: {', '.join(FIELDS)}"))
    for key, value in raw.items():
        if key not in FIELDS:
            continue
        try:
            values[key] = parse_value(key, value, getattr(_DEFAULT, key))
        except ConfigError as e:
            warnings.append(ConfigWarning(str(e), key, f"using default {format_value(getattr(_DEFAULT, key))!r}"))
    if "loss" not in raw and values.get("dataset") in _dataset_names():
        values["loss"] = default_loss(*dataset_info(values["dataset"]))
    for key in list(values):
        msg = _field_problem(key, values[key])
        if msg:
            warnings.append(ConfigWarning(msg, key, f"using default {format_value(getattr(_DEFAULT, key))!r}"))
            del values[key]
    merged = {**_default_dict(), **values}
    # Cross-field repairs.
    if len(merged["activation"]) not in (1, len(merged["hidden"])):
        warnings.append(ConfigWarning(f"activation has {len(merged['activation'])} names for {len(merged['hidden'])} "
                                      "hidden layers", "activation", f"using {merged['activation'][0]!r} for all"))
        merged["activation"] = merged["activation"][:1]
    if len(set(merged["activation"])) == 1:
        merged["activation"] = merged["activation"][:1]
    task, k = dataset_info(merged["dataset"])
    if merged["loss"] not in losses_for_task(task, k):
        good = default_loss(task, k)
        warnings.append(ConfigWarning(f"loss {merged['loss']!r} does not fit the {task} dataset {merged['dataset']!r}",
                                      "loss", f"using {good!r}"))
        merged["loss"] = good
    warnings += _work_repair(merged, data, keep)
    try:
        return Config(**merged), warnings
    except ConfigError as e:  # not expected: every rule was checked above
        return Config(), warnings + [ConfigWarning(f"config reset to defaults: {e}")]


def _work_repair(merged: dict[str, Any], data, keep: Config | None) -> list[ConfigWarning]:
    """Bring a run within ``CAPS['work']`` (see ``normalize``); the warnings, as for any bad field."""
    from types import SimpleNamespace

    problem = work_problem(SimpleNamespace(**merged), data)
    if problem is None:
        return []
    changed = [f for f in WORK_FIELDS if keep is not None and merged[f] != getattr(keep, f)]
    if changed and work_problem(keep, data) is None:  # a control change: refuse it, keep what the user had
        shown = ", ".join(f"{f} {format_value(merged[f])}" for f in changed)
        merged.update({f: getattr(keep, f) for f in changed})
        if len(merged["activation"]) not in (1, len(merged["hidden"])):
            merged["activation"] = keep.activation
        return [ConfigWarning(f"{shown}: {problem}", changed[0],
                              f"kept {', '.join(f'{f} {format_value(getattr(keep, f))}' for f in changed)}")]
    warnings = []
    for field in ("points", "hidden"):  # the data size first: a link keeps the network it shows
        if problem is None or merged[field] == getattr(_DEFAULT, field) or (field == "points" and data is not None):
            continue
        warnings.append(ConfigWarning(f"{field} {format_value(merged[field])}: {problem}", field,
                                      f"using default {format_value(getattr(_DEFAULT, field))!r}"))
        merged[field] = getattr(_DEFAULT, field)
        if field == "hidden" and len(merged["activation"]) != 1:
            merged["activation"] = merged["activation"][:1]
        problem = work_problem(SimpleNamespace(**merged), data)
    return warnings


def _default_dict() -> dict[str, Any]:
    return {f: getattr(_DEFAULT, f) for f in FIELDS}


def query_pairs(query: str | Mapping | None) -> tuple[list[tuple[str, Any]], list[str]]:
    """The ``(key, value)`` pairs of a query string, a full URL, or a ``{name: value}`` mapping,
    within the caps whatever the form: at most ``CAPS['query_fields']`` fields (more: none are
    read) and ``CAPS['query_chars']`` characters (the rest is cut); never raises."""
    if query is None:
        return [], []
    warnings: list[str] = []
    fields, chars = CAPS["query_fields"], CAPS["query_chars"]
    too_many = [f"link has more than {fields} fields; all settings reset to defaults"]
    if isinstance(query, Mapping):
        if len(query) > fields:
            return [], too_many
        pairs, used = [], 0
        for k, v in query.items():
            v = v[-1] if isinstance(v, (list, tuple)) and v else v
            used += len(str(k)) + len(str(v)) + 2  # as "&k=v" in a link
            if used > chars:
                total = sum(len(str(k)) + len(str(v)) + 2 for k, v in query.items())
                warnings.append(f"link is {total} characters long; only the first {chars} were read")
                break
            pairs.append((str(k), v))
        return pairs, warnings
    text = str(query)
    if len(text) > chars:
        warnings.append(f"link is {len(text)} characters long; only the first {chars} were read")
        text = text[:chars]
    if "?" in text or "://" in text:
        text = urlsplit(text).query if "://" in text else text.split("?", 1)[1]
    text = text.split("#", 1)[0].lstrip("?")
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=fields), warnings
    except ValueError:
        return [], too_many


def from_query(query: str | Mapping | None) -> tuple[Config, list[str]]:
    """Decode a query string, a full URL, or a ``{name: value}`` mapping; never raises.

    The caps of ``query_pairs`` hold for every form.  Repeated keys keep the last value and are
    reported; values longer than ``CAPS['value_chars']`` are rejected before any parsing.
    """
    pairs, warnings = query_pairs(query)
    seen: dict[str, Any] = {}
    repeated: list[str] = []
    for k, v in pairs:
        if k in seen and k not in repeated:
            repeated.append(k)
        seen[k] = v
    for k in repeated[:_REPEATS_NAMED]:
        warnings.append(f"{short(k)!r} appears more than once; the last value is used")
    if len(repeated) > _REPEATS_NAMED:
        warnings.append(f"{len(repeated) - _REPEATS_NAMED} more keys appear more than once: "
                        f"{summarise([repr(short(k)) for k in repeated[_REPEATS_NAMED:]])}; the last values are used")
    cfg, more = normalize(seen)
    return cfg, warnings + more


def to_query(cfg: Config) -> str:
    """The normalised query string: every public field, plus additions that differ from default."""
    public = ("dataset", "noise", "train", "batch", "seed", "features", "hidden", "activation", "loss",
              "optimizer", "lr", "reg", "reg_rate", "dropout", "init", "engine")
    items = [(k, format_value(getattr(cfg, k))) for k in public]
    items += [(k, format_value(getattr(cfg, k))) for k in FIELDS if k not in public and getattr(cfg, k) != getattr(_DEFAULT, k)]
    return urlencode(items, safe=",")


def config_json(cfg: Config) -> str:
    """The config as JSON (every field), with its link for convenience."""
    import json

    return json.dumps({"link": to_query(cfg), **dataclasses.asdict(cfg)}, indent=2)


def seed_int(seed: str) -> int:
    """The integer behind a seed: digits are used as they are, text is hashed (stable across runs)."""
    s = str(seed)
    if s.isdigit():
        return int(s)
    return int.from_bytes(hashlib.sha256(s.encode()).digest()[:8], "little")


_STREAMS = {"data": 0, "split": 1, "init": 2, "train": 3}


def rng_entropy(cfg: Config, stream: str) -> list[int]:
    """The seed of one stream: ``np.random.default_rng(rng_entropy(cfg, s))`` is ``rng_for(cfg, s)``."""
    return [seed_int(cfg.seed), _STREAMS[stream]]


def rng_for(cfg: Config, stream: str) -> np.random.Generator:
    """An independent generator per purpose, so changing the network never changes the data."""
    return np.random.default_rng(rng_entropy(cfg, stream))
