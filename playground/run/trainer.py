"""Training as a plain stepper: build data and network from a Config, then advance epoch by epoch.

    >>> from playground.run.config import Config
    >>> t = Trainer(Config(dataset="xor", hidden=(4,)))
    >>> t.run(epochs=50); t.history.test_loss[-1] < t.history.test_loss[0]
    50
    True

The UI decides how often to draw; the trainer never sleeps or draws.  After
each epoch it evaluates the whole training and test sets (loss, accuracy or
R²/RMSE) and the full-training-set gradient of every weight at the current
weights (per-layer norms go into the history; the matrices are ``last_grads``).
Non-finite values stop training: the weights go back to the last finite epoch
and ``message`` says what happened and what to try, so no plot receives NaN.
"""
from __future__ import annotations

import copy
import math
import time
from types import SimpleNamespace

import numpy as np

from playground.run.config import Config, rng_for
from playground.run.history import HISTORY_CAP, History
from playground.run.sizes import class_count, layer_sizes, task_of, working_bytes
from playground.run.trouble import data_trouble, divergence_message
from playground.data.datasets import Data, generate, split, standardize
from playground.core.engines import initial_params, make_engine
from playground.core.features import feature_matrix
from playground.core.losses import LOSSES
from playground.base.memory import SNAPSHOT_BYTES, snapshots_to_keep

__all__ = ["Trainer", "build_data", "SNAPSHOT_CAP", "HAND_LIMIT", "CHUNK_SECONDS"]

SNAPSHOT_CAP = 200  # weight snapshots kept for replay, at most (and at most memory.SNAPSHOT_BYTES of them)
#: Largest weight or bias magnitude a user may type on the network diagram (tanh(100) is 1 already).
HAND_LIMIT = 1000.0
#: ``train_for`` reads the clock after about this much training (a few mini-batches or a whole epoch).
CHUNK_SECONDS = 0.005


def _optimizer_copy(net) -> SimpleNamespace:
    """A copy of an engine's optimizer (and, for torch, of the one parameter its state is keyed by),
    readable where the engine is: ``.optimizer``, ``.flat``."""
    opt = copy.deepcopy(net.optimizer)
    groups = getattr(opt, "param_groups", None)
    return SimpleNamespace(optimizer=opt, flat=groups[0]["params"][0] if groups else None)


def _all_finite(params) -> bool:
    """Whether every weight and bias is a finite number.  A finite sum of all of them says so in one reduction
    a matrix (a NaN or an infinity makes the sum NaN or infinite); only a sum that is not finite, which
    huge finite float64 weights can also give, is checked element by element."""
    if math.isfinite(sum(float(np.add.reduce(a, axis=None)) for pair in params for a in pair)):
        return True
    return all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in params)


def build_data(cfg: Config, data: Data | None = None) -> tuple[Data, Data, Data]:
    """(full, train, test) for a config: generated from its seed, or the given data split by it."""
    if data is None:
        data = generate(cfg.dataset, cfg.noise, rng_for(cfg, "data"), n=cfg.points or None,
                        n_classes=class_count(cfg))
    train, test = split(data, cfg.train, rng_for(cfg, "split"))
    if data.X.shape[1] > 2 and cfg.standardize:
        train, test, _ = standardize(train, test)
    return data, train, test


class Trainer:
    """One run: data, network, optimizer state and history.

    Args:
        cfg: the run's configuration.
        data: optional full dataset (drawn or uploaded) used instead of ``cfg.dataset``.
        params: optional initial ``[(W, b), ...]`` instead of the seeded initialiser.
        snapshot_bytes: what the replay snapshots may hold in all (``memory.SNAPSHOT_BYTES``).
        history_cap: history points per curve before thinning (``HISTORY_CAP``).
    """

    def __init__(self, cfg: Config, data: Data | None = None, params=None, *, snapshot_bytes: int = SNAPSHOT_BYTES,
                 history_cap: int = HISTORY_CAP):
        self.cfg = cfg
        self.data, self.train, self.test = build_data(cfg, data)
        d = self.data
        task, k = task_of(d)
        self.task, self.n_classes = task, k
        self.loss = LOSSES[cfg.loss]
        self.dtype = np.dtype(cfg.dtype)
        self.X_train, self.X_test = self.inputs(self.train.X), self.inputs(self.test.X)
        self.T_train = self.loss.targets(self.train.y, k, self.dtype)
        self.T_test = self.loss.targets(self.test.y, k, self.dtype)
        self.sizes = layer_sizes(cfg, d.X.shape[1], k)
        if params is None:
            params = initial_params(cfg.init, self.sizes, rng_for(cfg, "init"), cfg.init_scale)
        self.initial = [(W.copy(), b.copy()) for W, b in params]
        self.net, self.note = make_engine(
            cfg.engine, self.sizes, cfg.activations(), cfg.loss, params, device=cfg.device,
            optimizer=cfg.optimizer, lr=cfg.lr, reg=cfg.reg, reg_rate=cfg.reg_rate,
            dropout=cfg.dropout, clip=cfg.clip, dtype=self.dtype,
        )
        self._rng = rng_for(cfg, "train")
        self.epoch = 0
        n = len(self.X_train)
        self._batch = min(cfg.batch, n)  # rows a mini-batch (batch is not a live setting: a new one resets)
        self._nb = -(-n // self._batch)  # mini-batches an epoch
        self._pos, self._epoch_data = 0, None  # the epoch in progress: mini-batches done, its shuffled (X, T)
        self._epoch_start = None  # (generator state, optimizer copy) before a split epoch, see saved_state
        self._batch_seconds: float | None = None  # measured time of one mini-batch (train_for's chunks)
        self._record_seconds = 0.0  # measured time of one _record (the evaluation after an epoch)
        self.history = History()
        self.history.cap = history_cap
        self.diverged = False
        self.stop_reason = ""  # set when a stop condition ends training
        self.message = ""
        self.best_epoch, self.best_loss, self.best_params = 0, float("inf"), None
        self.snapshots: list[tuple[int, list]] = []
        self._snap_every = 1
        self._snap_bytes, self._snap_keep = snapshot_bytes, None  # the number that fits: at the first snapshot
        self.seconds = 0.0
        self.removed: tuple[int, ...] = ()  # training points left out (set_removed)
        # What views read; _record replaces them with the evaluated state (kept if that is not finite).
        self.params = [(W.copy(), b.copy()) for W, b in params]
        self.last_grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
        t0 = time.perf_counter()
        if data_trouble(self):  # NaN/inf inputs: no weights can help, stop before the first epoch
            self._diverge(float("nan"))
        else:
            with np.errstate(over="ignore", invalid="ignore"):  # as in training: a non-finite start is reported, not warned
                self._record()  # if the starting loss is not finite, the history stays empty and training is blocked
        self._record_seconds = time.perf_counter() - t0

    def working_bytes(self) -> int:
        """The most bytes the network's working buffers reach while this run trains (``sizes.working_bytes``:
        a row per training and test point per layer, given back when it stops); what a training slot weighs
        (``capacity``).  The torch engine keeps tensors of its own of about that size and is weighed alike."""
        return working_bytes(self.sizes, len(self.X_train), len(self.X_test), self._batch, self.dtype.itemsize)

    # ----- inputs --------------------------------------------------------------------------------
    def inputs(self, X: np.ndarray) -> np.ndarray:
        """Network inputs for raw points: the chosen features for 2-D data, the columns otherwise."""
        if X.shape[1] == 2:
            return feature_matrix(X, self.cfg.features, self.dtype)
        return np.asarray(X, self.dtype)

    @property
    def lr(self) -> float:
        return self.net.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.net.lr = value

    # ----- stepping ------------------------------------------------------------------------------
    # An epoch may be trained in several calls (the frame budget stops it between mini-batches):
    # its shuffled rows and how many of its mini-batches are done are kept until it completes.
    # When all are done its evaluation (``_record``) is due; ``epoch`` counts evaluated epochs only.

    @property
    def batches_per_epoch(self) -> int:
        return self._nb

    @property
    def epoch_progress(self) -> float:
        """Fraction of the next epoch already trained: 0 between epochs, 1 when only its evaluation is left."""
        return self._pos / self.batches_per_epoch

    def _train_batches(self, k: int, split: bool = False) -> None:
        """Train the next ``k`` mini-batches of the epoch in progress (starting one if none is).

        ``split``: the epoch may be left part-way; its starting state is then kept (``saved_state``)."""
        pos = self._pos
        if pos == 0:
            self._epoch_start = (self._rng.bit_generator.state, _optimizer_copy(self.net)) if split else None
            if self.cfg.shuffle:
                order = self._rng.permutation(len(self.X_train))
                self._epoch_data = self.X_train[order], self.T_train[order]
            else:
                self._epoch_data = self.X_train, self.T_train
        stop = min(self._nb, pos + k)
        X, T = self._epoch_data
        self.net.train_epoch(X, T, self._batch, self._rng, pos, stop)
        self._pos = stop

    def saved_state(self):
        """``(shuffling generator state, net)`` as they were after the last evaluated epoch, whose weights
        are ``params``: what a saved model needs to continue exactly.  ``net`` (the engine, or a copy
        of its optimizer for an epoch in progress) is read for its ``optimizer`` (and ``flat``)."""
        if self._pos and self._epoch_start is not None:
            return self._epoch_start
        return self._rng.bit_generator.state, self.net

    def _end_epoch(self) -> None:
        """Count and evaluate the epoch whose mini-batches are all trained."""
        self._pos, self._epoch_data, self._epoch_start = 0, None, None
        self.epoch += 1
        self._record()

    def step(self, epochs: int = 1) -> int:
        """Train up to ``epochs`` epochs (fewer if a stop condition fires); returns how many ran.

        An epoch left part-way by ``train_for`` is finished first and counts as one."""
        done = 0
        t0 = time.perf_counter()
        nb = self.batches_per_epoch
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught by _record
            while done < epochs and not self.stop_reason:
                if self._pos < nb:
                    self._train_batches(nb - self._pos)
                self._end_epoch()
                done += 1
        self.seconds += time.perf_counter() - t0
        return done

    def train_for(self, seconds: float, *, max_epochs: int | None = None, keep_going=None, between=None,
                  between_every: float = 0.04, clock=time.perf_counter) -> int:
        """Train for about ``seconds`` (by ``clock``), stopping between mini-batches, even mid-epoch;
        returns the epochs completed.  Always does at least one piece of work, so every call makes progress.

        The work comes in pieces: chunks of mini-batches of about ``CHUNK_SECONDS`` (sized from the
        measured time of a mini-batch) and, once an epoch's mini-batches are done, its evaluation
        (``_record``); a piece that would not fit in what is left waits for the next call.  So a call
        takes about ``seconds``, or one piece when a single piece is longer; the largest pieces (one
        mini-batch, one evaluation) are bounded by ``CAPS['work']`` (``sizes.work_problem``).  An epoch shorter than
        a chunk is one piece with its evaluation, so runs of small networks stop at epoch boundaries.
        Stops after ``max_epochs`` completed epochs, when a stop condition fires, or when
        ``keep_going()`` (checked after every piece) is false.  ``between()`` is called
        after every ``between_every`` seconds, between pieces, with the trainer in a consistent
        state (a page lets its framework stop the run there).  The weights are those of training
        the same epochs in one go: slicing changes when the clock is read, never the arithmetic.
        """
        done, worked, limit = 0, False, float("inf") if max_epochs is None else max_epochs
        whole = False  # the last piece was a whole short epoch: its evaluation goes with it
        now = clock()
        t_end, next_break = now + seconds, now + between_every
        wall0 = time.perf_counter()
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught by _record
                while done < limit and not self.stop_reason:
                    if worked and not whole and (now >= t_end or (keep_going is not None and not keep_going())):
                        break
                    left, start = self.batches_per_epoch - self._pos, now
                    if not left:  # the epoch's evaluation is due
                        if worked and not whole and now + self._record_seconds > t_end:
                            break
                        self._end_epoch()
                        done, whole = done + 1, False
                        now = clock()
                        self._record_seconds = now - start
                    else:
                        per = self._batch_seconds
                        if per is None:  # nothing timed yet: one mini-batch (the cost model cannot guess overheads)
                            k = 1
                        else:
                            # A short epoch is trained whole: a run stops at epoch boundaries as before (a saved
                            # model continues exactly); only epochs longer than a chunk are split.
                            whole = left == self.batches_per_epoch and left * per <= CHUNK_SECONDS
                            if worked and now + (left * per + self._record_seconds if whole else per) > t_end:
                                break  # not even one more mini-batch fits (a short epoch: not all of it, evaluated)
                            k = left if whole else max(1, min(left, int(min(CHUNK_SECONDS, t_end - now) / max(per, 1e-9))))
                        self._train_batches(k, split=not whole)
                        now = clock()
                        self._batch_seconds = (now - start) / k
                    worked = True
                    if between is not None and not whole and now >= next_break and done < limit:
                        between()
                        now = clock()
                        next_break = now + between_every
        finally:
            self.seconds += time.perf_counter() - wall0
        return done

    def run(self, epochs: int | None = None, seconds: float | None = None) -> int:
        """Train for ``epochs`` epochs and/or ``seconds`` of wall time, whichever ends first."""
        if epochs is None and seconds is None:
            raise ValueError("run needs epochs or seconds")
        done, t_end = 0, time.perf_counter() + (seconds if seconds is not None else float("inf"))
        limit = epochs if epochs is not None else float("inf")
        while done < limit and not self.stopped and time.perf_counter() < t_end:
            done += self.step(1)
        return done

    @property
    def stopped(self) -> bool:
        return bool(self.stop_reason)

    def resume(self) -> None:
        """Clear a finished stop condition (not divergence) so training can go on."""
        if not self.diverged:
            self.stop_reason = ""

    # ----- evaluation ----------------------------------------------------------------------------
    def metrics(self, out: np.ndarray, data: Data) -> tuple[float, float]:
        """(accuracy or R², RMSE) of outputs against a split's labels."""
        if self.task == "regression":
            y = data.y.astype(np.float64)
            err = out[:, 0].astype(np.float64) - y
            ss_tot = float(((y - y.mean()) ** 2).sum()) or 1.0
            return 1.0 - float((err ** 2).sum()) / ss_tot, float(np.sqrt((err ** 2).mean()))
        return np.count_nonzero(self.loss.predict_class(out) == data.y) / len(out), float("nan")

    def _record(self) -> None:
        train_loss, test_loss, out_tr, out_te, grads = self.net.evaluate_splits(
            self.X_train, self.T_train, self.X_test, self.T_test)
        params = self.net.get_params()
        finite = math.isfinite(train_loss) and math.isfinite(test_loss) and _all_finite(params)
        if not finite:
            self._diverge(train_loss)
            return
        self.params, self.last_grads = params, grads
        train_m, _ = self.metrics(out_tr, self.train)
        test_m, rmse = self.metrics(out_te, self.test)
        norms = [math.sqrt(float(np.dot(gW.ravel(), gW.ravel())) + float(np.dot(gb, gb))) for gW, gb in grads]
        self.history.append(epoch=self.epoch, train_loss=train_loss, test_loss=test_loss,
                            train_metric=train_m, test_metric=test_m, test_rmse=rmse, grad_norms=norms)
        if test_loss < self.best_loss:
            self.best_epoch, self.best_loss, self.best_params = self.epoch, test_loss, params
        self._snapshot(params, grads)
        cfg = self.cfg
        if cfg.max_epochs and self.epoch >= cfg.max_epochs:
            self.stop_reason = f"reached max epochs ({cfg.max_epochs})"
        elif cfg.target_loss and test_loss <= cfg.target_loss:
            self.stop_reason = f"test loss {test_loss:.4g} reached the target {cfg.target_loss:g}"
        elif cfg.patience and self.epoch - self.best_epoch >= cfg.patience:
            self.stop_reason = (f"early stopping: no test-loss improvement for {cfg.patience} epochs; "
                                f"best was epoch {self.best_epoch}")

    def _snapshot(self, params, grads) -> None:
        if self.epoch % self._snap_every:
            return
        self.snapshots.append((self.epoch, params, grads))
        if self._snap_keep is None:
            size = sum(a.nbytes for pairs in (params, grads) for W, b in pairs for a in (W, b))
            self._snap_keep = snapshots_to_keep(size, self._snap_bytes, SNAPSHOT_CAP)
        if len(self.snapshots) > self._snap_keep:  # keep epoch 0, thin the rest, record half as often
            self.snapshots = self.snapshots[:1] + self.snapshots[2::2]
            self._snap_every *= 2

    def _diverge(self, loss: float) -> None:
        self.diverged = True
        self.stop_reason = "diverged"
        self.message = divergence_message(self, loss)
        if self.history.epoch:
            self.net.set_params(self.params)  # back to the last finite epoch
            self.epoch -= 1

    # ----- helpers for views ---------------------------------------------------------------------
    def restore_best(self) -> None:
        """Put back the weights that scored best on the test (validation) data."""
        if self.best_params is not None:
            self.net.set_params(self.best_params)
            self._record_current()

    def _record_current(self) -> None:
        self.params = self.net.get_params()
        _, _, self.last_grads = self.net.evaluate(self.X_train, self.T_train, grads=True)

    def set_params(self, params) -> None:
        """Replace the weights (e.g. a value typed on the network diagram).

        Raises ValueError, changing nothing, if a weight or bias is NaN or ±inf: a
        divergence later puts back the last weights set, so those must be finite.
        """
        if not all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in params):
            raise ValueError("weights and biases must be finite numbers (not NaN or ±inf)")
        self.net.set_params(params)
        self._record_current()

    def edit_param(self, kind: str, layer: int, index: tuple[int, ...], value: float) -> str:
        """Set one weight (``kind="w"``, ``index=(i, j)``: unit i → unit j) or bias (``"b"``,
        ``index=(j,)``) of ``layer`` by hand. Returns "" or, for a value outside
        ±HAND_LIMIT (or NaN/inf), why it was refused; the weights are then unchanged."""
        value = float(value)
        if not (math.isfinite(value) and abs(value) <= HAND_LIMIT):
            what = "a weight" if kind == "w" else "a bias"
            return (f"{value:g} cannot be used: {what} set by hand must be a finite number between "
                    f"{-HAND_LIMIT:g} and {HAND_LIMIT:g}. The weights were left as they were.")
        params = [(W.copy(), b.copy()) for W, b in self.params]  # self.params is also the replay's record
        (params[layer][0] if kind == "w" else params[layer][1])[tuple(index)] = value
        self.set_params(params)
        return ""

    def set_removed(self, removed) -> None:
        """Leave out these training points (indices into the split's training set) from now on; ``()``
        brings every one back.  Weights, optimizer state, history and epoch count go on: training
        continues from the same weights (an epoch in progress is dropped, its updates kept).
        Raises ValueError, changing nothing, for an index out of range or fewer than 2 points left."""
        full = self.__dict__.setdefault("_full_train", (self.train, self.X_train, self.T_train))
        n = len(full[1])
        drop = sorted({int(i) for i in removed})
        if drop and (drop[0] < 0 or drop[-1] >= n):
            raise ValueError(f"training point indices must be 0–{n - 1}")
        if n - len(drop) < 2:
            raise ValueError("at least 2 training points must stay")
        keep = np.ones(n, bool)
        keep[drop] = False
        self.removed = tuple(drop)
        self.train, self.X_train, self.T_train = full[0].subset(keep), full[1][keep], full[2][keep]
        self._batch = min(self.cfg.batch, len(self.X_train))
        self._nb = -(-len(self.X_train) // self._batch)
        self._pos, self._epoch_data, self._epoch_start = 0, None, None
        release = getattr(self.net, "release_buffers", None)
        if release is not None:
            release()
        self._record_current()

    def predict(self, X_raw: np.ndarray) -> np.ndarray:
        """Network output for raw points (features applied)."""
        return self.net.evaluate(self.inputs(X_raw), None)[1]

    def summary(self) -> dict:
        """The numbers the CLI prints and the app shows."""
        h = self.history

        def last(values):
            return values[-1] if values else None

        out = {
            "epochs": self.epoch,
            "train_loss": last(h.train_loss),
            "test_loss": last(h.test_loss),
            "seconds": round(self.seconds, 4),
            "epochs_per_second": round(self.epoch / self.seconds, 1) if self.seconds > 0 else None,
            "diverged": self.diverged,
            "stop_reason": self.stop_reason,
            "message": self.message,
            "engine": self.net.name,
        }
        if self.task == "regression":
            out.update(r2=last(h.test_metric), train_r2=last(h.train_metric), rmse=last(h.test_rmse))
        else:
            out.update(train_accuracy=last(h.train_metric), test_accuracy=last(h.test_metric))
        return out

    def __repr__(self) -> str:
        return f"Trainer({'-'.join(map(str, self.sizes))}, {self.cfg.dataset}, epoch {self.epoch}, {self.net.name})"
