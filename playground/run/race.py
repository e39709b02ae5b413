"""Race mode: 2–4 configurations trained side by side on the same data and the same starting weights.

Racers differ only in what a race is about (``RACE_FIELDS``: optimizer,
learning rate, activation, batch, network, regularisation, …); the data, its
split and the seed are shared, so differences in the curves come from the
choice under test.  When two racers' networks have the same shape and
initialiser, the later one starts from racer A's exact weights.

Training is epoch-synchronised: ``step(n)`` and ``frame(seconds)`` advance the
racers round by round, one epoch each per round, so every live racer is at the
race's epoch (a diverged one stays where it stopped); while a frame has left a
round of slow racers part-way, some may be one epoch ahead, waiting for the others.

    >>> from playground.run.config import Config
    >>> r = Race([Config(dataset="gauss", lr=0.3), Config(dataset="gauss", lr=0.0001)])
    >>> _ = r.step(20); r.summary()["winner"]
    0

Share links carry the race as the base config plus racer overrides::

    ?dataset=circle&…&race=optimizer:sgd|optimizer:adam;lr:0.01&race_target=accuracy:0.95

Racers are separated by ``|``, a racer's fields by ``;`` (``base``: no change);
``race=`` may also name a preset (``race=learning-rates``).  ``parse_race`` never raises.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote

import numpy as np

from playground.run.config import CAPS, Config, format_value, from_query, network_sizes, normalize, query_pairs
from playground.base.memory import racer_history_cap
from playground.run.pace import Pacer, pace_text
from playground.run.session import FRAME_SECONDS, LIVE_GATE, MAX_EPOCHS_PER_FRAME, frame_limits, pause_if_idle
from playground.run.trainer import HISTORY_CAP, Trainer, build_data

__all__ = [
    "Race", "Preset", "PRESETS", "Target", "TARGETS", "RaceSetup", "RACE_FIELDS", "SHARED_FIELDS",
    "MIN_RACERS", "MAX_RACERS", "COLORS", "EDITOR_FIELDS", "parse_race", "race_configs", "race_query",
    "overrides_of", "racer_rows", "setup_from_rows", "resized",
]

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
    that would be too much work (``config.work_problem``).
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

    def with_speed(self, speed: str) -> "RaceSetup":
        """The same race at another pace (``speed``, a link value): only the link changes."""
        return dataclasses.replace(self, base=dataclasses.replace(self.base, speed=pace_text(speed)))


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


# ----- the race ---------------------------------------------------------------------------------


class Race:
    """2–4 trainers on shared data and (where shapes allow) shared starting weights.

    Args:
        configs: one Config per racer; they must agree on ``SHARED_FIELDS``.
        data: optional full dataset (drawn or uploaded) instead of the configs' dataset.
        target: what counts as finishing (default: test accuracy ≥ 95 %).
        names: display names, one per racer (default: what differs, e.g. "lr 0.3").
    """

    def __init__(self, configs: list[Config], data=None, target: Target = DEFAULT_TARGET, names=None):
        configs = list(configs)
        if not MIN_RACERS <= len(configs) <= MAX_RACERS:
            raise ValueError(f"a race needs {MIN_RACERS}–{MAX_RACERS} configs, got {len(configs)}")
        for k in SHARED_FIELDS:
            values = {format_value(getattr(c, k)) for c in configs}
            if len(values) > 1:
                raise ValueError(f"racers must share {k} (same data, split and seed); got {sorted(values)}")
        self.configs, self.target = configs, target
        self.data = data if data is not None else build_data(configs[0])[0]
        # The racers share one run's records: no replay snapshots (the page shows none), one history's points.
        records = {"snapshot_bytes": 0, "history_cap": racer_history_cap(HISTORY_CAP, len(configs))}
        first = Trainer(configs[0], data=self.data, **records)
        self.trainers, self.shared_start = [first], [True]
        for cfg in configs[1:]:
            same = (network_sizes(cfg, self.data) == first.sizes and cfg.init == configs[0].init
                    and cfg.init_scale == configs[0].init_scale)
            params = [(W.copy(), b.copy()) for W, b in first.initial] if same else None
            self.trainers.append(Trainer(cfg, data=self.data, params=params, **records))
            self.shared_start.append(same)
        self.names = list(names) if names else _labels(configs, len(first.X_train))
        self.epoch = 0  # rounds completed: every racer still running is at this epoch
        self.reached: list[int | None] = [None] * len(configs)
        self.playing = False
        self.speed = configs[0].speed  # the pace of Play (a link value, run/pace.py): the base config's
        self._pacer = Pacer()
        self.last_touch = time.monotonic()
        self.notice = ""
        self.grids: dict = {}  # (racer, resolution) -> views.Grid, built on first draw
        self._training = threading.Lock()  # a Step's page run never trains beside a frame (see PlaygroundSession)
        self._step_to: int | None = None  # the round a Step still in progress stops at (see step_from)
        self._check_targets()

    # ----- stepping ------------------------------------------------------------------------------
    @property
    def running(self) -> list[int]:
        """Racers that can still train (not diverged, no stop condition)."""
        return [i for i, t in enumerate(self.trainers) if not t.stopped]

    def _round(self) -> bool:
        live = self.running
        if not live:
            return False
        for i in live:
            if self.trainers[i].epoch <= self.epoch:  # not already through this round (a frame stopped mid-round)
                self.trainers[i].step(1)
        self._end_round()
        return True

    def _end_round(self) -> None:
        self.epoch += 1
        self._check_targets()

    def step(self, epochs: int = 1) -> int:
        """Advance every running racer by ``epochs`` epochs, round by round; returns rounds run."""
        done = 0
        with self._training:
            while done < epochs and self._round():
                done += 1
        return done

    def frame(self, seconds: float = FRAME_SECONDS, max_epochs: int | None = None, until=None,
              clock=time.perf_counter) -> int:
        """Rounds for one drawn frame, in about ``seconds`` of training in total; returns rounds completed.

        A round is one epoch of every running racer.  The time left is shared among the racers
        still in the round, and each stops between mini-batches, even mid-epoch
        (``Trainer.train_for``): a round of slow racers spreads over several frames, racers that
        finished their epoch wait for the others, and the weights are those of ``step``.  Ends early
        once ``until()`` (if given) is true, checked after every chunk of mini-batches.
        """
        limit = MAX_EPOCHS_PER_FRAME if max_epochs is None else max(1, int(max_epochs))
        t_end, done = clock() + seconds, 0
        keep_going = None if until is None else (lambda: not until())
        with self._training:
            while done < limit:
                live = self.running
                if not live:
                    break
                behind = [i for i in live if self.trainers[i].epoch <= self.epoch]
                for j, i in enumerate(behind):
                    now = clock()
                    if j and now >= t_end:  # out of time: the racers left wait for the next frame (the first always moves)
                        break
                    share = (t_end - now) / (len(behind) - j)
                    self.trainers[i].train_for(max(0.0, share), max_epochs=1, keep_going=keep_going, clock=clock)
                    if until is not None and until():
                        break
                if all(self.trainers[i].epoch > self.epoch or self.trainers[i].stopped for i in live):
                    self._end_round()
                    done += 1
                if clock() >= t_end or (until is not None and until()):
                    break
        return done

    def _check_targets(self) -> None:
        for i, t in enumerate(self.trainers):
            h = t.history
            if self.reached[i] is None and self.target.reached(h.test_loss[-1], h.test_metric[-1]):
                self.reached[i] = t.epoch

    # ----- transport for a page (idempotent for the epoch a button was drawn with) ----------------
    def play(self) -> None:
        self.last_touch, self.notice = time.monotonic(), ""
        self.playing, self._step_to = bool(self.running), None
        self._pacer.restart()

    def set_speed(self, speed: str) -> None:
        """A new pace (a link value or an old Speed label), from the next frame on; the race goes on."""
        self.speed = pace_text(speed)
        self._pacer.restart()

    def pause(self) -> None:
        self.last_touch, self.playing, self._step_to = time.monotonic(), False, None

    def step_from(self, drawn_epoch: int, seconds: float = FRAME_SECONDS, clock=time.perf_counter) -> int:
        """Pause and advance to ``drawn_epoch + 1``; a double-fired click steps once.

        Trains at most about ``seconds`` here; a round too long for that goes on in the next live
        frames (``playing`` stays on until the round completes), as ``PlaygroundSession.step_from``."""
        self.pause()
        target = drawn_epoch + 1
        if self.epoch >= target:
            return 0
        done = self.frame(min(float(seconds), FRAME_SECONDS), target - self.epoch, clock=clock)
        if self.epoch < target and self.running:
            self._step_to, self.playing = target, True
        return done

    def tick(self, seconds: float = FRAME_SECONDS, max_epochs: int | None = None, clock=time.perf_counter) -> int:
        """One frame while playing: the rounds the race's pace (``speed``) asks for, or ``max_epochs``,
        within ``seconds`` and the ``LIVE_GATE`` share (``session.frame_limits``), in a turn of the
        gate; pauses when every racer has stopped, a Step's round is complete, or nobody touched a
        control."""
        if not self.playing or pause_if_idle(self):
            return 0
        with LIVE_GATE.turn(self) as share:
            if self._step_to is not None:
                max_epochs = max(1, min(max_epochs or MAX_EPOCHS_PER_FRAME, self._step_to - self.epoch))
            if max_epochs is None:
                limit, seconds = frame_limits(self._pacer, self.speed, self.epoch, seconds, share, clock())
            else:
                limit, seconds = max_epochs, min(float(seconds), FRAME_SECONDS, share)
            # Pause or Step may come from a click's page run while this frame still trains: stop after
            # the chunk in progress, so the racers do not move on after the click.
            done = self.frame(seconds, limit, until=lambda: not self.playing, clock=clock) if limit else 0
        if not self.running or (self._step_to is not None and self.epoch >= self._step_to):
            self.playing, self._step_to = False, None
        return done

    # ----- results -------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.trainers[0].task

    def summary(self) -> dict:
        """Who reached the target first and when, one ranking of all racers, divergences.

        ``ranking``: racer indices best first, by the epoch each reached the target
        (those that have not come after those that have, diverged racers after the
        rest of their group), then by the race's metric (the target's: test accuracy
        or R², higher is better, or test loss, lower is better).  Equal results
        share a rank (1, 1, 3).  ``first``: the racers ranked 1 that reached the
        target, None of them if nobody has; ``winner``: the first of them.  The
        headline and the table both read this one ranking.
        """
        racers = []
        for i, t in enumerate(self.trainers):
            h = t.history
            note = ""
            if t.diverged:
                note = (f"diverged at epoch {t.epoch + 1} (learning rate {t.lr:g}); "
                        f"weights kept from epoch {t.epoch}")
            elif t.stop_reason:
                note = f"stopped: {t.stop_reason}"
            racers.append({"name": self.names[i], "epochs": t.epoch, "train_loss": h.train_loss[-1],
                           "test_loss": h.test_loss[-1], "test_metric": h.test_metric[-1],
                           "reached_at": self.reached[i], "diverged": t.diverged, "note": note,
                           "same_start": self.shared_start[i]})
        keys = [self._rank_key(r) for r in racers]
        ranking = sorted(range(len(racers)), key=lambda i: keys[i])  # stable: racer order among equals
        for pos, i in enumerate(ranking):
            tied = pos and keys[ranking[pos - 1]] == keys[i]
            racers[i]["rank"] = racers[ranking[pos - 1]]["rank"] if tied else pos + 1
        first = [i for i in ranking if racers[i]["rank"] == 1 and racers[i]["reached_at"] is not None]
        winner = first[0] if first else None
        return {"epoch": self.epoch, "target": self.target.label(self.task), "winner": winner, "first": first,
                "ranking": ranking, "racers": racers, "headline": self._headline(racers, ranking, first)}

    def _rank_key(self, r: dict) -> tuple:
        """Sort key of one racer's summary: earlier to the target, then the better metric, first."""
        value = r["test_loss"] if self.target.metric == "loss" else -r["test_metric"]
        value = float(value) if np.isfinite(value) else float("inf")  # a NaN must not scramble the order
        reached = r["reached_at"]
        return (reached is None, reached or 0, r["diverged"], value)

    def _metric_name(self) -> str:
        if self.target.metric == "loss":
            return "test loss"
        return "test R²" if self.task == "regression" else "test accuracy"

    def _score(self, r: dict) -> str:
        """The race's metric of one racer as shown: "98.4%", "0.912" (R²) or "0.0213" (loss)."""
        if self.target.metric == "loss":
            return f"{r['test_loss']:.4f}"
        v = r["test_metric"]
        return f"{v:.3f}" if self.task == "regression" else f"{v:.1%}"

    def rows(self, summary: dict | None = None) -> list[dict]:
        """The summary as table rows for a page: one per racer, in racer order, with the summary's rank."""
        s = summary or self.summary()
        metric = "Test R²" if self.task == "regression" else "Test accuracy"
        return [{"Racer": f"{LETTERS[i]} · {r['name']}", "Rank": r["rank"],
                 "Reached target at": "—" if r["reached_at"] is None else f"epoch {r['reached_at']}",
                 "Test loss": round(r["test_loss"], 4),
                 metric: f"{r['test_metric']:.3f}" if self.task == "regression" else f"{r['test_metric']:.1%}",
                 "Epochs": r["epochs"], "Same start as A": "yes" if r["same_start"] else "no: other shape or init",
                 "Note": r["note"]} for i, r in enumerate(s["racers"])]

    def _headline(self, racers, ranking, first) -> str:
        label, metric = self.target.label(self.task), self._metric_name()
        if not first:
            lead = [i for i in ranking if racers[i]["rank"] == 1]
            names = " and ".join(racers[i]["name"] for i in lead)
            return (f"Epoch {self.epoch}: nobody has reached {label} yet; ahead so far on {metric}: "
                    f"{names} ({self._score(racers[lead[0]])}).")
        at = racers[first[0]]["reached_at"]
        finishers = [i for i in ranking if racers[i]["reached_at"] is not None]
        epochs = [racers[i]["reached_at"] for i in finishers]
        shared = {e for e in epochs if epochs.count(e) > 1}  # epochs where the metric decided the order
        names = " and ".join(racers[i]["name"] for i in first)
        how = ""
        if len(first) > 1:
            how = f", with the same {metric} ({self._score(racers[first[0]])})"
        elif at in shared:
            how = f", with the better {metric} ({self._score(racers[first[0]])})"
        others = [f"{racers[i]['name']} at epoch {racers[i]['reached_at']}"
                  + (f" ({metric} {self._score(racers[i])})" if racers[i]["reached_at"] in shared else "")
                  for i in finishers if i not in first]
        rest = f" Then {', '.join(others)}." if others else ""
        return f"{names} reached {label} first, at epoch {at}{how}.{rest}"

    def __repr__(self) -> str:
        return f"Race({len(self.trainers)} racers: {', '.join(self.names)}; epoch {self.epoch})"


def _labels(configs: list[Config], n_train: int) -> list[str]:
    """Short names from the fields that differ between racers: "optimizer adam · lr 0.01"."""
    differ = [k for k in RACE_FIELDS if len({format_value(getattr(c, k)) for c in configs}) > 1]
    out = []
    for c in configs:
        parts = []
        for k in differ:
            v = getattr(c, k)
            if k == "batch" and v >= n_train:
                parts.append("full batch")
            elif k == "hidden":
                parts.append(f"hidden {format_value(v) or 'none'}")
            else:
                parts.append(f"{k.replace('_', ' ')} {format_value(v)}")
        out.append(" · ".join(parts) or "base")
    return out
