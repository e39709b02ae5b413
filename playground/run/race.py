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

Who races and what ends a race, and their share-link codec, are ``race_setup``.
"""
from __future__ import annotations

import threading
import time

import numpy as np

from playground.run.config import Config, format_value
from playground.run.sizes import network_sizes
from playground.base.memory import racer_history_cap
from playground.run.race_setup import (DEFAULT_TARGET, LETTERS, MAX_RACERS, MIN_RACERS, RACE_FIELDS, SHARED_FIELDS,
                                       Target)
from playground.run.pace import Pacer, pace_text
from playground.run.session import FRAME_SECONDS, LIVE_GATE, MAX_EPOCHS_PER_FRAME, frame_limits, pause_if_idle
from playground.run.trainer import Trainer, build_data
from playground.run.history import HISTORY_CAP

__all__ = ["Race"]


# ----- the race ---------------------------------------------------------------------------------


class Race:
    """2–4 trainers on shared data and (where shapes allow) shared starting weights.

    Args:
        configs: one Config per racer; they must agree on ``SHARED_FIELDS``.
        data: optional full dataset (drawn or uploaded) instead of the configs' dataset.
        target: what counts as finishing (default: test accuracy ≥ 95 %).
        names: display names, one per racer (default: what differs, e.g. "lr 0.3").
    """

    def __init__(self, configs: list[Config], data=None, target: Target = DEFAULT_TARGET, names=None,
                 trainers: list[Trainer] | None = None):
        """``trainers``: racers already built (and perhaps trained: ``whatif.branch``), one per config,
        sharing ``data``; the race starts at their (common) epoch."""
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
        if trainers is not None:
            self.trainers, self.shared_start = list(trainers), [True] * len(configs)
        else:
            first = Trainer(configs[0], data=self.data, **records)
            self.trainers, self.shared_start = [first], [True]
            for cfg in configs[1:]:
                same = (network_sizes(cfg, self.data) == first.sizes and cfg.init == configs[0].init
                        and cfg.init_scale == configs[0].init_scale)
                params = [(W.copy(), b.copy()) for W, b in first.initial] if same else None
                self.trainers.append(Trainer(cfg, data=self.data, params=params, **records))
                self.shared_start.append(same)
        self.names = list(names) if names else _labels(configs, len(self.trainers[0].X_train))
        self.epoch = min(t.epoch for t in self.trainers)  # rounds completed: every racer still running is here
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
