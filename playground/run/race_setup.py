"""A race's setup: who races (2–4 racers, a base config plus each racer's overrides), the target that ends it,
the presets, and the race's part of a share link::

    ?dataset=circle&…&race=optimizer:sgd|optimizer:adam;lr:0.01&race_target=accuracy:0.95

Racers are separated by ``|``, a racer's fields by ``;`` (``base``: no change); ``race=`` may also name a
preset (``race=learning-rates``). Each racer's values go through the Playground's own parser and caps
(``config.normalize``), and are written back with its formatter. ``parse_race`` never raises.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote


from playground.run.config import Config, format_value, from_query, normalize, query_pairs
from playground.run.sizes import CAPS

__all__ = ["Preset", "PRESETS", "Target", "TARGETS", "DEFAULT_TARGET", "RaceSetup", "RACE_FIELDS", "SHARED_FIELDS", "MIN_RACERS", "MAX_RACERS", "COLORS", "EDITOR_FIELDS", "LETTERS", "FULL_BATCH", "parse_race", "race_configs", "race_query", "overrides_of", "racer_rows", "setup_from_rows", "resized"]


MIN_RACERS, MAX_RACERS = 2, 4
#: What racers may set differently.
RACE_FIELDS = ("optimizer", "lr", "activation", "batch", "hidden", "reg", "reg_rate", "dropout", "init",
               "features", "loss")
#: What every racer must share: the same data, split and seed.
SHARED_FIELDS = ("dataset", "noise", "train", "seed", "points", "classes", "standardize", "dtype", "engine")
FULL_BATCH = "full"  # racer value for batch = the whole training set
COLORS = ("#3366cc", "#dc3912", "#109618", "#990099")  # racers A–D, distinct from the boundary's orange/blue
_RACE_CHARS = 1_000  # longest accepted race= value
LETTERS = "ABCD"


@dataclass(frozen=True)
class Target:
    """What counts as finishing: test accuracy (R² for regression) ≥ value, or test loss ≤ value."""

    metric: str  # "accuracy" | "loss"
    value: float

    def reached(self, test_loss: float, test_metric: float) -> bool:
        return test_metric >= self.value if self.metric == "accuracy" else test_loss <= self.value

    def label(self, task: str = "binary") -> str:
        if self.metric == "loss":
            return f"test loss ≤ {self.value:g}"
        return f"test R² ≥ {self.value:g}" if task == "regression" else f"test accuracy ≥ {self.value:.0%}"

    def to_text(self) -> str:
        return f"{self.metric}:{self.value:g}"


TARGETS: dict[str, Target] = {
    "accuracy:0.95": Target("accuracy", 0.95), "accuracy:0.99": Target("accuracy", 0.99),
    "loss:0.05": Target("loss", 0.05), "loss:0.01": Target("loss", 0.01),
}
DEFAULT_TARGET = TARGETS["accuracy:0.95"]


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    description: str
    overrides: tuple[dict, ...]


PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("optimizers", "SGD vs Adam", "Plain gradient descent against Adam's per-weight adaptive steps.",
           ({"optimizer": "sgd"}, {"optimizer": "adam"})),
    Preset("activations", "sigmoid vs ReLU", "Saturating sigmoid against ReLU, same network and weights.",
           ({"activation": ("sigmoid",)}, {"activation": ("relu",)})),
    Preset("learning-rates", "Learning rates 0.003 / 0.03 / 0.3", "Too small, about right, and bold.",
           ({"lr": 0.003}, {"lr": 0.03}, {"lr": 0.3})),
    Preset("batch-sizes", "Batch 1 vs 10 vs full", "Stochastic, mini-batch and full-batch gradient descent.",
           ({"batch": 1}, {"batch": 10}, {"batch": FULL_BATCH})),
]}
DEFAULT_PRESET = "optimizers"


# ----- building racers from a base config and overrides -----------------------------------------
def _typed(key: str, value: Any) -> Any:
    """``full`` batch → the largest batch (the trainer uses the whole training set)."""
    return CAPS["points"] if key == "batch" and str(value).strip().lower() == FULL_BATCH else value


def race_configs(base: Config, overrides: list[dict]) -> tuple[list[Config], list[str]]:
    """One Config per racer: the base with that racer's overrides; never raises.

    A field outside ``RACE_FIELDS`` or a bad value is dropped (the racer keeps
    the base value) and reported as ``"racer B: …"``; so are the overrides of a racer
    that would be too much work (``sizes.work_problem``).
    """
    configs, warnings = [], []
    base_raw = dataclasses.asdict(base)
    for i, ov in enumerate(overrides):
        name = LETTERS[i] if i < len(LETTERS) else str(i + 1)
        changes = {}
        for k, v in ov.items():
            if k in RACE_FIELDS:
                changes[k] = _typed(k, v)
            else:
                why = "is shared by all racers" if k in SHARED_FIELDS else "is not a race setting"
                warnings.append(f"racer {name}: {str(k)[:40]!r} {why}; allowed: {', '.join(RACE_FIELDS)}")
        cfg, more = normalize({**base_raw, **changes}, keep=base)
        for k in SHARED_FIELDS:  # a repair could never touch these, but keep the promise explicit
            if getattr(cfg, k) != getattr(base, k):
                cfg = dataclasses.replace(cfg, **{k: getattr(base, k)})
        configs.append(cfg)
        warnings += [f"racer {name}: {m}" for m in more]
    return configs, warnings


def overrides_of(base: Config, cfg: Config) -> dict:
    """The race fields in which ``cfg`` differs from ``base`` (what a link must carry for it)."""
    return {k: getattr(cfg, k) for k in RACE_FIELDS if getattr(cfg, k) != getattr(base, k)}


@dataclass(frozen=True)
class RaceSetup:
    """A decoded race link: the base config, each racer's overrides, the target, and what was wrong."""

    base: Config
    overrides: tuple[dict, ...]
    target: Target
    warnings: tuple[str, ...]
    preset: str = ""  # the preset's name when the link named one

    def configs(self) -> list[Config]:
        return race_configs(self.base, list(self.overrides))[0]

    def to_query(self) -> str:
        return race_query(self.base, list(self.overrides), self.target, self.preset)


def parse_race(query: str | Mapping | None) -> RaceSetup:
    """Decode a race link (query string, URL or mapping); never raises.

    Bad racer items, unknown fields, bad values, too many or too few racers
    and a bad target are each reported in ``warnings`` and replaced by
    something valid (too few racers: the default preset).
    """
    pairs, warnings = query_pairs(query)  # the link caps, whatever form the query came in
    pairs = [(k, str(v)) for k, v in pairs]
    race_text = next((v for k, v in reversed(pairs) if k == "race"), None)
    target_text = next((v for k, v in reversed(pairs) if k == "race_target"), None)
    rest = [(k, v) for k, v in pairs if k not in ("race", "race_target")]
    base, more = from_query(dict(rest)) if rest else (Config(), [])
    warnings = list(warnings) + more

    target = DEFAULT_TARGET
    if target_text is not None:
        target = _parse_target(target_text, warnings)

    preset = ""
    if race_text is None or race_text.strip() == "":
        preset, overrides = DEFAULT_PRESET, list(PRESETS[DEFAULT_PRESET].overrides)
    elif race_text.strip().lower() in PRESETS:
        preset = race_text.strip().lower()
        overrides = list(PRESETS[preset].overrides)
    else:
        overrides = _parse_racers(race_text, warnings)
        if len(overrides) < MIN_RACERS:
            warnings.append(f"a race needs {MIN_RACERS}–{MAX_RACERS} racers, got {len(overrides)}; "
                            f"using the preset {PRESETS[DEFAULT_PRESET].label!r}")
            preset, overrides = DEFAULT_PRESET, list(PRESETS[DEFAULT_PRESET].overrides)
    configs, more = race_configs(base, overrides)
    warnings += more
    for i, c in enumerate(configs):
        twin = next((j for j in range(i) if configs[j] == c), None)
        if twin is not None:
            warnings.append(f"racer {LETTERS[i]} is the same as racer {LETTERS[twin]}: they will tie")
    clean = tuple(overrides_of(base, c) for c in configs) if not preset else tuple(overrides)
    return RaceSetup(base, clean, target, tuple(warnings), preset)


def _parse_target(text: str, warnings: list[str]) -> Target:
    metric, _, value = str(text).partition(":")
    metric = metric.strip().lower()
    try:
        v = float(value)
    except ValueError:
        v = float("nan")
    ok = (metric == "accuracy" and 0 < v <= 1) or (metric == "loss" and 0 < v < 1e6)
    if not ok:
        warnings.append(f"race_target {str(text)[:40]!r} is not valid; use accuracy:<0–1> or loss:<number>; "
                        f"using {DEFAULT_TARGET.to_text()!r}")
        return DEFAULT_TARGET
    return Target(metric, v)


def _parse_racers(text: str, warnings: list[str]) -> list[dict]:
    if len(text) > _RACE_CHARS:
        warnings.append(f"race is {len(text)} characters long; only the first {_RACE_CHARS} were read")
        text = text[:_RACE_CHARS]
    items = text.split("|")
    if len(items) > MAX_RACERS:
        warnings.append(f"race has {len(items)} racers; at most {MAX_RACERS} allowed, the rest were dropped")
        items = items[:MAX_RACERS]
    racers = []
    for i, item in enumerate(items):
        ov = {}
        for part in filter(None, (p.strip() for p in item.split(";"))):
            if part.lower() == "base":  # racer with the base config, written explicitly
                continue
            key, sep, value = part.partition(":")
            key = key.strip().lower()
            if not sep or not key:
                warnings.append(f"racer {LETTERS[i]}: {part[:40]!r} is not key:value; ignored")
            else:
                ov[key] = value.strip()
        racers.append(ov)  # an empty item is a racer with the base config
    return racers


def race_query(base: Config, overrides: list[dict], target: Target = DEFAULT_TARGET, preset: str = "") -> str:
    """The share link's query: the base config, ``race=`` (preset name or racers), ``race_target=``."""
    if preset in PRESETS:
        race = preset
    else:
        race = "|".join(";".join(f"{k}:{format_value(v)}" for k, v in ov.items()) or "base" for ov in overrides)
    return f"{base.to_query()}&race={quote(race, safe=',:;|')}&race_target={quote(target.to_text(), safe=':')}"


# ----- racers as table rows (the page's editor) ----------------------------------------------------
#: The columns of the racer table, in order.
EDITOR_FIELDS = ("optimizer", "lr", "activation", "batch", "hidden", "reg", "reg_rate")


def racer_rows(configs: list[Config]) -> list[dict]:
    """One row of plain values per racer (text for lists; batch "full" for the whole set)."""
    rows = []
    for i, c in enumerate(configs):
        row = {"racer": LETTERS[i]}
        for k in EDITOR_FIELDS:
            v = getattr(c, k)
            row[k] = (FULL_BATCH if v >= CAPS["points"] else str(v)) if k == "batch" else (
                format_value(v) if isinstance(v, tuple) else v)
        rows.append(row)
    return rows


def setup_from_rows(base: Config, rows: list[dict], target: Target = DEFAULT_TARGET) -> RaceSetup:
    """A race from edited table rows; never raises (a bad cell keeps the base value and is reported).

    An emptied cell (None) keeps the base value; an empty ``hidden`` means no hidden layer.
    """
    warnings = []
    rows = [r for r in rows if isinstance(r, Mapping)]
    if len(rows) > MAX_RACERS:
        warnings.append(f"{len(rows)} racers; at most {MAX_RACERS} allowed, the rest were dropped")
    rows = rows[:MAX_RACERS]
    overrides = [{k: r[k] for k in EDITOR_FIELDS if r.get(k) is not None} for r in rows]
    while len(overrides) < MIN_RACERS:
        overrides.append({})
    configs, more = race_configs(base, overrides)
    return RaceSetup(base, tuple(overrides_of(base, c) for c in configs), target, tuple(warnings + more))


def resized(setup: RaceSetup, n: int) -> RaceSetup:
    """The same race with ``n`` racers (clamped to 2–4): new racers copy the last one."""
    n = max(MIN_RACERS, min(MAX_RACERS, int(n)))
    configs = setup.configs()
    overrides = [overrides_of(setup.base, c) for c in configs]
    overrides = (overrides + [overrides[-1]] * n)[:n]
    return RaceSetup(setup.base, tuple(overrides), setup.target, ())
