"""One user's Playground run: config, trainer, transport state.  Plain Python, no Streamlit.

The page wires widgets to these methods; keeping the logic here lets tests
drive it without a browser.  Every transport action is *idempotent* given the
arguments the button was drawn with (``step_from(epoch)`` steps to ``epoch + 1``;
pressing it twice for the same drawn epoch steps once) because Streamlit can fire
a button's callback twice beside a fast-ticking fragment (docs/live-updates.md).

Per-session resource caps live here too: training time per drawn frame,
epochs per frame, and how long Play runs without anyone touching a control.
"""
from __future__ import annotations

import dataclasses
import threading
import time
import weakref
from contextlib import contextmanager

from playground.run.config import Config, normalize
from playground.run.sizes import dataset_info, task_of, work_problem
from playground.data.datasets import DATASETS, MIN_POINTS, Data
from playground.data import drawn
from playground.core.losses import default_loss, losses_for_task
from playground.run.pace import Pace, Pacer, pace_text, parse_pace
from playground.run.trainer import Trainer

__all__ = ["PlaygroundSession", "FrameGate", "LIVE_GATE", "idle_notice", "pause_if_idle", "pause_hidden",
           "HIDDEN_NOTICE", "LIVE_FIELDS", "FRAME_SECONDS", "ROUND_SECONDS",
           "MAX_EPOCHS_PER_FRAME", "IDLE_PAUSE_SECONDS", "frame_limits"]

#: Fields that change the running network without a reset (TF Playground changes them live too).
LIVE_FIELDS = frozenset({"lr", "reg", "reg_rate", "dropout", "clip", "max_epochs", "target_loss", "patience",
                         "speed"})
#: Server time one drawn frame may spend training (bounds CPU per session).
FRAME_SECONDS = 0.15
#: Training time one round of frames shares when several sessions play: with N training, a frame's share is
#: ROUND_SECONDS / N (at most FRAME_SECONDS), as fast as possible and at a pace alike (no minimum).  Measured
#: on one core with twelve students (docs/measurements.md): 0.15 gave each 6.5 updates/s and ~55 epochs/s,
#: 0.2 gave 5 updates/s and ~60 epochs/s, 0.25 gave 4.2 updates/s and no more epochs.
ROUND_SECONDS = 0.2
MAX_EPOCHS_PER_FRAME = 5_000
#: Play pauses itself after this long without any control being touched (forgotten tabs).
IDLE_PAUSE_SECONDS = 15 * 60
#: Built-in datasets standing in for user data of each kind in the config (they fix the task).
_PROXY = {"binary": "circle", "multiclass": "blobs", "regression": "reg-plane"}


def frame_limits(pacer: Pacer, speed: str, epoch: int, seconds: float, share: float, now: float) -> tuple[int, float]:
    """(epochs, seconds) one live frame may train at ``speed`` (a link's value) from ``epoch``: what the
    pace asks for (``MAX_EPOCHS_PER_FRAME`` as fast as possible) within the frame's ``seconds``, the
    cap and the gate's ``share``."""
    pace = parse_pace(speed) or Pace("max")
    allowed = pacer.allow(pace, epoch, now)
    limit = MAX_EPOCHS_PER_FRAME if allowed is None else min(allowed, MAX_EPOCHS_PER_FRAME)
    return limit, min(float(seconds), FRAME_SECONDS, share)


class FrameGate:
    """Training in all sessions of one server process takes turns; training time is shared.

    Why: one Python process runs every session's script on one GIL, beside the event loop that
    sends the drawn frames to the browsers.  With 20 sessions each training 0.15 s a frame at once,
    every frame took seconds and the event loop was starved: the browsers saw almost no updates
    (bench/load_test.py).  Only *training* takes a turn (``PlaygroundSession.frame``,
    ``Race.tick``): drawing a frame (figures, Streamlit elements) touches nothing but the session's
    own trainer and figures and runs outside the gate, beside the others' training.  With N
    sessions training in the last ``ACTIVE_SECONDS`` a turn gets ``ROUND_SECONDS / N`` of training
    (at most ``FRAME_SECONDS``), so as fast as possible the server trains about as much a second in
    total whatever N is, and every session's frames keep coming.  At a paced speed a frame trains the
    epochs its pace asks for, within that share: no minimum.

    ``turn(owner)`` is a context manager yielding the training seconds of this turn; ``owner`` is
    the session or race (its several live fragments count once).  A turn not granted within
    ``wait_limit`` seconds goes ahead anyway rather than stall a page; a thread already in a
    turn that asks again goes ahead at once (the turn is not re-entrant, the training is).
    """

    ACTIVE_SECONDS = 1.0

    def __init__(self, wait_limit: float = 10.0):
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._waiting: dict[int, int] = {}  # id(owner) -> turns of it asked for and not over
        self._active: dict[int, tuple] = {}  # id(owner) -> (when it last asked for a turn, a weak reference or None)
        self.wait_limit = wait_limit
        self._inside = threading.local()  # .depth: turns this thread holds

    @property
    def sessions_waiting(self) -> int:
        """Sessions in or waiting for a turn now."""
        return len(self._waiting)

    @property
    def sessions_training(self) -> int:
        """Sessions that asked for a turn within the last ``ACTIVE_SECONDS`` (at least the ones waiting)."""
        now = time.monotonic()
        with self._guard:
            for key in [k for k, (when, ref) in self._active.items()
                        if now - when > self.ACTIVE_SECONDS or (ref is not None and ref() is None)]:
                del self._active[key]  # not training lately, or gone
            return max(len(self._active), len(self._waiting))

    @property
    def held(self) -> bool:
        return self._lock.locked()

    @contextmanager
    def turn(self, owner: object):
        key = id(owner)
        with self._guard:
            self._waiting[key] = self._waiting.get(key, 0) + 1
            self._active[key] = (time.monotonic(), _weak(owner))
        depth = getattr(self._inside, "depth", 0)
        got = depth == 0 and self._lock.acquire(timeout=self.wait_limit)
        self._inside.depth = depth + 1
        try:
            yield min(FRAME_SECONDS, ROUND_SECONDS / max(1, self.sessions_training))
        finally:
            self._inside.depth = depth
            with self._guard:
                left = self._waiting.get(key, 1) - 1
                if left > 0:
                    self._waiting[key] = left
                else:
                    self._waiting.pop(key, None)
            if got:
                self._lock.release()


def _weak(owner: object):
    try:
        return weakref.ref(owner)
    except TypeError:  # a str or a plain object() (tests): counted for ACTIVE_SECONDS
        return None


#: The one gate of this process: every live frame's training runs inside ``LIVE_GATE.turn``.
LIVE_GATE = FrameGate()


def idle_notice(last_touch: float) -> str:
    """The auto-pause message when no control was touched for IDLE_PAUSE_SECONDS, else ""."""
    if time.monotonic() - last_touch > IDLE_PAUSE_SECONDS:
        return (f"Paused after {IDLE_PAUSE_SECONDS // 60} minutes without interaction, "
                "to keep the server free for others. Press Play to continue.")
    return ""


def pause_if_idle(owner) -> bool:
    """Pause ``owner`` (a session or a race) with the idle notice when nobody has touched a control
    for IDLE_PAUSE_SECONDS; True if it did."""
    notice = idle_notice(owner.last_touch)
    if notice:
        owner.playing, owner.notice = False, notice
    return bool(notice)


#: Why a live page stopped training when its tab went to the background.
HIDDEN_NOTICE = "Paused while this tab was in the background. Press Play to continue."


def pause_hidden(owner) -> None:
    """Pause ``owner`` (a session or a race): its tab went to the background, nobody is watching."""
    owner.playing, owner.notice = False, HIDDEN_NOTICE


class PlaygroundSession:
    """Holds the config and the trainer; applies control changes; runs frames."""

    def __init__(self, cfg: Config, data: Data | None = None, data_name: str = ""):
        self.data, self.data_name = data, data_name
        self.cfg = cfg
        self.trainer = Trainer(cfg, data)
        self.playing = False
        self._pacer = Pacer()  # the epochs each frame may train at the config's speed (run/pace.py)
        self.last_touch = time.monotonic()
        self.notice = ""  # one-line status for the page (auto-pause, resets)
        # Held while training. A click's page run can start before the frame it interrupts has
        # stopped (with runner.fastReruns, Streamlit's default, it starts on a new thread at once and
        # the old one stops at its next yield point), so a Step must not train the same network
        # beside the frame.
        self._training = threading.Lock()
        self._step_to: int | None = None  # the epoch a Step still in progress stops at (see step_from)

    @property
    def speed(self) -> str:
        """The pace of Play: the config's ``speed`` (a link value, see ``run/pace.py``)."""
        return self.cfg.speed

    @speed.setter
    def speed(self, value: str) -> None:  # a link value or a Speed label of old ("10 epochs / frame")
        self.cfg = dataclasses.replace(self.cfg, speed=pace_text(value))
        self.trainer.cfg = self.cfg
        self._pacer.restart()

    # ----- controls -------------------------------------------------------------------------------
    def touch(self) -> None:
        self.last_touch = time.monotonic()

    def apply(self, raw: dict) -> tuple[str, list[str]]:
        """Apply control values; returns ("none" | "live" | "reset", warnings).

        Values go through ``config.normalize`` like a link, so a control can never
        produce a config the library would reject.
        """
        self.touch()
        merged = {**dataclasses.asdict(self.cfg), **raw}
        if "loss" not in raw and merged["dataset"] in DATASETS:
            task, k = dataset_info(merged["dataset"])
            if merged["loss"] not in losses_for_task(task, k):
                merged["loss"] = default_loss(task, k)  # a new kind of dataset: its usual loss, silently
        cfg, warnings = normalize(merged, data=self.data, keep=self.cfg)  # too much work: the change is refused
        refused = {w.field for w in warnings} & set(merged)
        if refused:  # keep what the user had, not the defaults normalize() falls back to
            cfg = dataclasses.replace(cfg, **{f: getattr(self.cfg, f) for f in refused})
        changed = {f.name for f in dataclasses.fields(Config) if getattr(cfg, f.name) != getattr(self.cfg, f.name)}
        if not changed:
            return "none", warnings
        self.cfg = cfg
        if changed <= LIVE_FIELDS:
            self._apply_live(cfg)
            return "live", warnings
        self.reset()
        return "reset", warnings

    def _apply_live(self, cfg: Config) -> None:
        t = self.trainer
        t.cfg = cfg
        t.lr = cfg.lr
        for name in ("reg", "reg_rate", "dropout", "clip"):
            setattr(t.net, name, getattr(cfg, name))
        t.resume()  # a new stop condition may allow more epochs
        self._pacer.restart()

    def use_data(self, data: Data | None, name: str = "") -> str:
        """Switch to user data (drawn or uploaded), or back to the config's dataset with None.

        The config keeps a built-in dataset of the same kind (its ``dataset`` field
        then only fixes the task, so the loss choices stay valid).  Returns a message
        when the data cannot be used (the current data is then kept).
        """
        if data is not None:
            if len(data) < MIN_POINTS:
                return f"at least {MIN_POINTS} points are needed to train, there are {len(data)}"
            task = task_of(data)[0]
            changes = {}
            if dataset_info(self.cfg.dataset)[0] != task:
                changes["dataset"] = _PROXY[task]
            if self.cfg.loss not in losses_for_task(task, data.n_classes):
                changes["loss"] = default_loss(task, data.n_classes)
            cfg = normalize({**dataclasses.asdict(self.cfg), **changes})[0] if changes else self.cfg
            problem = work_problem(cfg, data)
            if problem:
                return problem
            self.cfg = cfg
        elif self.data is not None:  # back to the config's dataset: within the work cap as a link would be
            self.cfg = normalize(dataclasses.asdict(self.cfg))[0]
        self.data, self.data_name = data, (name if data is not None else "")
        self.reset()
        return ""

    def adopt(self, trainer: Trainer) -> None:
        """Continue from a trainer built elsewhere (an imported model file)."""
        self.cfg, self.trainer, self.playing = trainer.cfg, trainer, False
        self.touch()

    def reset(self) -> None:
        """New trainer from the config: same seed ⇒ same data and starting weights."""
        self.trainer, self._step_to = Trainer(self.cfg, self.data), None
        self._pacer.restart()
        self.touch()

    # ----- transport (idempotent for the epoch the button was drawn with) -----------------------------
    def play(self) -> None:
        self.touch()
        self.notice = ""
        if self.trainer.stopped:
            self.trainer.resume()
        self.playing, self._step_to = not self.trainer.diverged, None
        self._pacer.restart()

    def pause(self) -> None:
        self.touch()
        self.playing, self._step_to = False, None

    def pause_hidden(self) -> None:
        """The tab went to the background: pause and say why."""
        pause_hidden(self)

    def step_from(self, drawn_epoch: int, seconds: float = FRAME_SECONDS, clock=time.perf_counter) -> int:
        """Pause and advance to ``drawn_epoch + 1``; returns epochs completed now (0 if already there).

        Trains at most ``seconds`` here; an epoch too long for that goes on in the next live frames
        (``playing`` stays on until it completes, then play stops), so the click's page run
        answers quickly whatever the network.  Pressing again for the same drawn epoch aims
        at the same target: it steps once.
        """
        self.touch()
        self.playing = False  # a frame still training sees this within one chunk and lets go of the lock
        with self._training:
            t = self.trainer
            t.resume()
            target = drawn_epoch + 1
            if t.epoch >= target:
                return 0
            done = t.train_for(min(float(seconds), FRAME_SECONDS), max_epochs=target - t.epoch, clock=clock)
            if t.epoch < target and not t.stopped:
                self._step_to, self.playing = target, True  # the live frames finish the epoch
            return done

    def new_seed_from(self, drawn_seed: str) -> str:
        """The next seed after the drawn one (deterministic, so a double click gives the same data)."""
        nxt = str(int(drawn_seed) + 1) if drawn_seed.isdigit() and len(drawn_seed) < 30 else "1"
        self.apply({"seed": nxt})
        return nxt

    def frame(self, seconds: float = FRAME_SECONDS, between=None, slice_seconds: float = 0.04,
              clock=time.perf_counter) -> int:
        """Train for one drawn frame while playing; returns epochs completed.

        A frame trains what the pace (``speed``) asks for since the previous frame, within
        ``seconds`` (at most ``FRAME_SECONDS``) and its share of the server's ``LIVE_GATE``, whose
        turn it holds while it trains (``frame_limits``).  Training stops between mini-batches, even
        mid-epoch (``Trainer.train_for``), so one frame costs at most its budget whatever the network.
        ``between``, if given, is called after every ``slice_seconds`` of training: a page passes
        something that lets its framework stop the frame there, so a click on Pause does not wait
        for the whole frame.  The frame also ends after the chunk of mini-batches in progress as
        soon as play stops or the run is replaced (Pause, Step, Reset, a new setting): the click's
        page run may already be drawing beside this frame (Streamlit's fast reruns), and what it
        draws must be the last word.  A Step longer than one frame (``step_from``) is finished here.
        """
        if not self.playing or pause_if_idle(self):
            return 0
        t = self.trainer
        with LIVE_GATE.turn(self) as share, self._training:
            if self._step_to is not None:  # a Step finishing: its epoch, as fast as the frame allows
                limit, seconds = max(0, self._step_to - t.epoch), min(float(seconds), FRAME_SECONDS, share)
            else:
                limit, seconds = frame_limits(self._pacer, self.speed, t.epoch, seconds, share, clock())
            done = t.train_for(seconds, max_epochs=limit, clock=clock, between=between, between_every=slice_seconds,
                               keep_going=lambda: self.playing and self.trainer is t) if limit else 0
        if self.trainer is t and (t.stopped or (self._step_to is not None and t.epoch >= self._step_to)):
            self.playing, self._step_to = False, None
        return done

    def share_query(self) -> str:
        """The link: the config, plus drawn points when there are few enough to fit."""
        q = self.cfg.to_query()
        if self.data is not None and self.data_name == "drawn":
            pts = drawn.encode(self.data)
            if pts:
                q += "&pts=" + pts
        return q

    def __repr__(self) -> str:
        return f"PlaygroundSession({self.cfg.dataset}, epoch {self.trainer.epoch}, playing={self.playing})"
