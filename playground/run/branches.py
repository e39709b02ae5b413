"""What-if branches: from the current epoch, the same run twice, one setting changed.

The logic only: forking, the link, where the copies disagree; ``viz/whatif.py`` draws the disagreement.

``branch(parent, {"lr": 0.3})`` forks a trained `Trainer` into two racers of a `race.Race`:
"as it was" (nothing changed) and "what if" (the change).  Both start from the parent's
weights, epoch, history, optimizer state (when the optimizer is the same) and shuffling
generator, so they see the same mini-batches in the same order; the race's lockstep then
trains them epoch by epoch side by side.  A branch with nothing changed continues exactly as
the parent would have, bit for bit (tests/test_whatif.py)::

    >>> from playground.run.config import Config
    >>> from playground.run.trainer import Trainer
    >>> t = Trainer(Config(dataset="xor")); _ = t.step(5)
    >>> race = branch(t, {"lr": 0.3}); _ = race.step(3); race.epoch
    8

Share links carry the base config, the epoch to branch at and the change::

    ?dataset=xor&…&branch_at=120&whatif=lr:0.3

A link opened afresh trains the parent again from epoch 0 (same config and seed: the same
run) up to ``branch_at``, within ``REPLAY_SECONDS``.  ``parse_whatif`` never raises.
"""
from __future__ import annotations

import copy
import dataclasses
import time
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from playground.run.config import Config, format_value, from_query, query_pairs
from playground.base.memory import racer_history_cap
from playground.run.modelio import optimizer_state, set_optimizer_state
from playground.run.race import Race
from playground.run.race_setup import race_configs
from playground.run.session import LIVE_GATE
from playground.run.trainer import HISTORY_CAP, Trainer
from playground.run.views import boundary_values

__all__ = ["WHATIF_FIELDS", "MAX_BRANCH_AT", "REPLAY_SECONDS", "WhatIf", "fork", "branch", "parse_whatif",
           "whatif_query", "replay_parent", "disagreement", "change_text"]

#: What a branch may change: the settings that keep the network's shape (the weights carry over).
WHATIF_FIELDS = ("lr", "activation", "optimizer", "batch", "reg", "reg_rate", "dropout")
#: The latest epoch a link may branch at (the parent is trained again up to it).
MAX_BRANCH_AT = 100_000
#: Longest a fresh link may spend training the parent up to ``branch_at``.
REPLAY_SECONDS = 4.0
_NAMES = ("as it was", "what if")
_CHANGE_CHARS = 200


@dataclass(frozen=True)
class WhatIf:
    """A decoded what-if link: the parent's config, the change, the epoch to branch at, what was wrong."""

    base: Config
    change: dict
    branch_at: int
    warnings: tuple[str, ...] = ()

    def to_query(self) -> str:
        return whatif_query(self.base, self.change, self.branch_at)


def change_text(change: Mapping) -> str:
    """``lr 0.3`` · ``nothing changed``: the change in words."""
    return " · ".join(f"{k.replace('_', ' ')} {format_value(v)}" for k, v in change.items()) or "nothing changed"


def _clean_change(base: Config, change: Mapping) -> tuple[dict, list[str]]:
    """Only WHATIF_FIELDS, each checked as a race override is; returns (typed change, warnings)."""
    warnings, keep = [], {}
    for k, v in change.items():
        if k in WHATIF_FIELDS:
            keep[k] = v
        else:
            warnings.append(f"whatif: {str(k)[:40]!r} cannot be changed in a branch (the weights must fit); "
                            f"allowed: {', '.join(WHATIF_FIELDS)}")
    configs, more = race_configs(base, [keep])
    warnings += [m.replace("racer A: ", "whatif: ") for m in more]
    cfg = configs[0]
    return {k: getattr(cfg, k) for k in WHATIF_FIELDS if getattr(cfg, k) != getattr(base, k)}, warnings


def parse_whatif(query: str | Mapping | None) -> WhatIf:
    """Decode a what-if link (query string, URL or mapping); never raises."""
    pairs, warnings = query_pairs(query)
    pairs = [(k, str(v)) for k, v in pairs]
    change_text_ = next((v for k, v in reversed(pairs) if k == "whatif"), "")
    at_text = next((v for k, v in reversed(pairs) if k == "branch_at"), "0")
    rest = [(k, v) for k, v in pairs if k not in ("whatif", "branch_at")]
    base, more = from_query(dict(rest)) if rest else (Config(), [])
    warnings = list(warnings) + more
    at = 0
    if at_text.strip().isdigit() and len(at_text.strip()) <= 7 and int(at_text) <= MAX_BRANCH_AT:
        at = int(at_text)
    else:
        warnings.append(f"branch_at {at_text[:20]!r} is not valid; use a whole number of epochs from 0 to "
                        f"{MAX_BRANCH_AT:,}; branching at epoch 0")
    raw = {}
    text = change_text_[:_CHANGE_CHARS]
    if len(change_text_) > _CHANGE_CHARS:
        warnings.append(f"whatif is {len(change_text_)} characters long; only the first {_CHANGE_CHARS} were read")
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition(":")
        if not sep or not key.strip():
            warnings.append(f"whatif: {part[:40]!r} is not key:value (e.g. lr:0.3); ignored")
            continue
        raw[key.strip().lower()] = value.strip()  # race_configs reads batch "full" as the largest batch
    change, more = _clean_change(base, raw)
    return WhatIf(base, change, at, tuple(warnings + more))


def whatif_query(base: Config, change: Mapping, branch_at: int) -> str:
    what = ";".join(f"{k}:{format_value(v)}" for k, v in change.items())
    q = f"{base.to_query()}&branch_at={int(branch_at)}"
    return q + (f"&whatif={what}" if what else "")


def fork(parent: Trainer, change: Mapping | None = None, history_cap: int = HISTORY_CAP) -> Trainer:
    """A new trainer that continues ``parent`` from its last evaluated epoch, with ``change`` applied.

    It has the parent's data and split, weights, epoch, history and shuffling generator; the
    optimizer's running averages too when the optimizer is unchanged (a new optimizer starts
    fresh).  ``change`` must name WHATIF_FIELDS with valid values (``parse_whatif`` checks links).
    """
    change = dict(change or {})
    bad = set(change) - set(WHATIF_FIELDS)
    if bad:
        raise ValueError(f"a branch may change only {', '.join(WHATIF_FIELDS)}; got {sorted(bad)}")
    cfg = dataclasses.replace(parent.cfg, **change) if change else parent.cfg
    rng_state, net = parent.saved_state()
    child = Trainer(cfg, data=parent.data, params=parent.params, snapshot_bytes=0, history_cap=history_cap)
    child.epoch = parent.epoch
    child.history = copy.deepcopy(parent.history)
    child.history.cap = history_cap
    child.best_epoch, child.best_loss = parent.best_epoch, parent.best_loss
    child.best_params = copy.deepcopy(parent.best_params)
    child._rng.bit_generator.state = rng_state
    if cfg.optimizer == parent.cfg.optimizer:
        saved = optimizer_state(net, cfg.optimizer)
        if saved is not None:
            set_optimizer_state(child.net, saved)
    if "lr" not in change:
        child.lr = parent.lr  # a rate changed live on the Playground
    return child


def branch(parent: Trainer, change: Mapping | None = None) -> Race:
    """Two racers from ``parent``'s current epoch: "as it was" and "what if" (with ``change``)."""
    cap = racer_history_cap(HISTORY_CAP, 2)
    kids = [fork(parent, None, cap), fork(parent, change, cap)]
    names = list(_NAMES) if change else ["as it was", "what if: nothing changed"]
    return Race([k.cfg for k in kids], data=parent.data, names=names, trainers=kids)


def replay_parent(base: Config, branch_at: int, seconds: float = REPLAY_SECONDS) -> tuple[Trainer, str]:
    """The parent of a fresh link: ``base`` trained from epoch 0 to ``branch_at`` (the same run: same
    config and seed), whole epochs only, or as far as ``seconds`` allow, in turns with the other sessions'
    live frames (``session.LIVE_GATE``); returns (trainer, message or "")."""
    t = Trainer(base)
    end = time.perf_counter() + seconds
    while t.epoch < branch_at and not t.stopped and time.perf_counter() < end:
        # In turns of the server's frame gate: other sessions' live frames go on between them.
        with LIVE_GATE.turn(t) as share:
            t.run(epochs=branch_at - t.epoch, seconds=min(share, max(0.0, end - time.perf_counter())))
    msg = ""
    if t.epoch < branch_at:
        why = t.stop_reason or t.message or f"there was time for {t.epoch:,} epochs"
        msg = f"The run was trained again up to epoch {t.epoch:,} of {branch_at:,} ({why}); branching there."
    return t, msg


def disagreement(race: Race, grid) -> tuple[np.ndarray, float]:
    """Where the two racers' decisions differ on ``grid``: (res, res) bool and the share of the plane.

    Binary: the sign of the output; several classes: the winning class; regression: the predictions
    differ by more than a tenth of the targets' spread."""
    a, b = (boundary_values(t, grid) for t in race.trainers[:2])
    task = race.task
    if task == "multiclass":
        diff = a.argmax(axis=-1) != b.argmax(axis=-1)
    elif task == "regression":
        y = race.trainers[0].train.y
        spread = float(np.ptp(y)) or 1.0
        diff = np.abs(a - b) > 0.1 * spread
    else:
        diff = (a >= 0) != (b >= 0)
    return diff, float(diff.mean())
