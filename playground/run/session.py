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
from contextlib import contextmanager

from playground.run.config import Config, normalize
from playground.run.sizes import dataset_info, task_of, work_problem
from playground.data.datasets import DATASETS, MIN_POINTS, Data
from playground.data import drawn
from playground.core.losses import default_loss, losses_for_task
from playground.run.trainer import Trainer

__all__ = ["PlaygroundSession", "FrameGate", "LIVE_GATE", "idle_notice", "pause_if_idle", "pause_hidden",
           "HIDDEN_NOTICE", "LIVE_FIELDS", "FRAME_SECONDS", "MIN_FRAME_SECONDS", "MIN_TRAIN_SECONDS",
           "MAX_EPOCHS_PER_FRAME", "IDLE_PAUSE_SECONDS", "SPEEDS"]

#: Fields that change the running network without a reset (TF Playground changes them live too).
LIVE_FIELDS = frozenset({"lr", "reg", "reg_rate", "dropout", "clip", "max_epochs", "target_loss", "patience"})
#: Server time one drawn frame may spend training (bounds CPU per session).
FRAME_SECONDS = 0.15
#: With many sessions playing, each frame's share of FRAME_SECONDS, but never less than this.
MIN_FRAME_SECONDS = 0.03
#: A frame trains at least this long even when drawing it used up its budget (see FrameGate.training_seconds).
MIN_TRAIN_SECONDS = 0.01
MAX_EPOCHS_PER_FRAME = 5_000
#: Play pauses itself after this long without any control being touched (forgotten tabs).
IDLE_PAUSE_SECONDS = 15 * 60
#: Speed choices: label -> epochs per frame (None = as many as fit in FRAME_SECONDS).
#: Built-in datasets standing in for user data of each kind in the config (they fix the task).
_PROXY = {"binary": "circle", "multiclass": "blobs", "regression": "reg-plane"}
SPEEDS = {"1 epoch / frame": 1, "10 epochs / frame": 10, "100 epochs / frame": 100, "As fast as possible": None}


class FrameGate:
    """Live frames of all sessions in one server process take turns; training time is shared.

    Why: one Python process runs every session's script on one GIL, beside the event loop
    that sends the drawn frames to the browsers.  With 20 sessions each training 0.15 s a
    frame at once, every frame took seconds and the event loop was starved: the browsers
    saw almost no updates (bench/load_test.py).  Inside a turn a frame draws and trains
    alone (the others sleep: no CPU, no GIL), and with N sessions waiting it trains
    ``FRAME_SECONDS / N`` (at least ``MIN_FRAME_SECONDS``), so the server delivers about as
    many frames a second in total whatever N is, shared out among the sessions.

    ``turn(owner)`` is a context manager yielding the training seconds for this frame;
    ``owner`` is the session (its several live fragments count once).  A turn not granted
    within ``wait_limit`` seconds goes ahead anyway rather than stall a page.
    """

    def __init__(self, wait_limit: float = 10.0):
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._waiting: dict[int, int] = {}  # id(owner) -> fragments of it wanting a turn
        self.wait_limit = wait_limit
        self._turns = threading.local()  # .started: when this thread's turn began (perf_counter)

    @property
    def sessions_waiting(self) -> int:
        return len(self._waiting)

    @contextmanager
    def turn(self, owner: object):
        key = id(owner)
        with self._guard:
            self._waiting[key] = self._waiting.get(key, 0) + 1
        got = self._lock.acquire(timeout=self.wait_limit)
        self._turns.started = time.perf_counter()
        try:
            yield max(MIN_FRAME_SECONDS, FRAME_SECONDS / max(1, self.sessions_waiting))
        finally:
            self._turns.started = None
            with self._guard:
                left = self._waiting.get(key, 1) - 1
                if left > 0:
                    self._waiting[key] = left
                else:
                    self._waiting.pop(key, None)
            if got:
                self._lock.release()

    def training_seconds(self, seconds: float) -> float:
        """What is left of a frame's ``seconds`` for training once this thread's turn has drawn:
        the budget covers drawing and training.  At least ``MIN_TRAIN_SECONDS`` (a frame whose
        drawing took the whole budget still moves on); ``seconds`` outside a turn (tests, CLI)."""
        started = getattr(self._turns, "started", None)
        if started is None:
            return seconds
        return max(MIN_TRAIN_SECONDS, seconds - (time.perf_counter() - started))


#: The one gate of this process: every live page's ticking fragment runs inside ``LIVE_GATE.turn``.
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
        self.speed = "As fast as possible"
        self.last_touch = time.monotonic()
        self.notice = ""  # one-line status for the page (auto-pause, resets)
        # Held while training. A click's page run can start before the frame it interrupts has
        # stopped (with runner.fastReruns, Streamlit's default, it starts on a new thread at once and
        # the old one stops at its next yield point), so a Step must not train the same network
        # beside the frame.
        self._training = threading.Lock()
        self._step_to: int | None = None  # the epoch a Step still in progress stops at (see step_from)

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
        self.touch()

    # ----- transport (idempotent for the epoch the button was drawn with) -----------------------------
    def play(self) -> None:
        self.touch()
        self.notice = ""
        if self.trainer.stopped:
            self.trainer.resume()
        self.playing, self._step_to = not self.trainer.diverged, None

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
        """Train for one drawn frame (at most ``seconds``) while playing; returns epochs completed.

        Inside a ``LIVE_GATE`` turn the time the page spent drawing this frame is taken off
        ``seconds`` (``FrameGate.training_seconds``).  Training stops between mini-batches, even
        mid-epoch (``Trainer.train_for``), so one frame costs its budget whatever the network.
        ``between``, if given, is called after every ``slice_seconds`` of training: a page passes
        something that lets its framework stop the frame there, so a click on Pause does not wait
        for the whole frame.  The frame also ends after the chunk of mini-batches in progress as
        soon as play stops or the run is replaced (Pause, Step, Reset, a new setting): the click's
        page run may already be drawing beside this frame (Streamlit's fast reruns), and what it
        draws must be the last word.  A Step longer than one frame (``step_from``) is finished here.
        """
        if not self.playing or pause_if_idle(self):
            return 0
        per_frame = SPEEDS.get(self.speed)
        seconds = LIVE_GATE.training_seconds(min(float(seconds), FRAME_SECONDS))  # the cap holds whatever a caller asks
        limit = MAX_EPOCHS_PER_FRAME if per_frame is None else per_frame
        t = self.trainer
        with self._training:
            if self._step_to is not None:
                limit = min(limit, max(0, self._step_to - t.epoch))
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
