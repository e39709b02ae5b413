"""Training as a plain stepper: build data and network from a Config, then advance epoch by epoch.

    >>> from playground.config import Config
    >>> t = Trainer(Config(dataset="xor", hidden=(4,)))
    >>> t.run(epochs=50); t.history.test_loss[-1] < t.history.test_loss[0]
    True

The UI decides how often to draw; the trainer never sleeps or draws.  After
each epoch it evaluates the whole training and test sets (loss, accuracy or
R²/RMSE) and the full-training-set gradient of every weight at the current
weights (per-layer norms go into the history; the matrices are ``last_grads``).
Non-finite values stop training: the weights go back to the last finite epoch
and ``message`` says what happened and what to try, so no plot receives NaN.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .config import Config, rng_for
from .datasets import Data, generate, split, standardize
from .engines import initial_params, make_engine
from .features import feature_matrix
from .losses import LOSSES
from .memory import SNAPSHOT_BYTES, snapshots_to_keep

__all__ = ["History", "Trainer", "build_data", "HISTORY_CAP", "SNAPSHOT_CAP", "HAND_LIMIT"]

HISTORY_CAP = 20_000  # points per curve; beyond it the history is thinned (every other point)
SNAPSHOT_CAP = 200  # weight snapshots kept for replay, at most (and at most memory.SNAPSHOT_BYTES of them)
#: Largest weight or bias magnitude a user may type on the network diagram (tanh(100) is 1 already).
HAND_LIMIT = 1000.0


@dataclass
class History:
    """Per-epoch records.  ``metric`` is accuracy (classification) or R² (regression)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_metric: list[float] = field(default_factory=list)
    test_metric: list[float] = field(default_factory=list)
    test_rmse: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # one norm per layer

    def __post_init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}  # float64 copies of the lists, see array()
        self.cap = HISTORY_CAP  # points per curve before thinning (a race's racers share one cap)

    def append(self, **values) -> None:
        for k, v in values.items():
            getattr(self, k).append(v)
        if len(self.epoch) > self.cap:
            for k in self.__dataclass_fields__:
                lst = getattr(self, k)
                del lst[1:-1:2]  # keep first and last, drop every other in between
            self._arrays.clear()

    def array(self, name: str) -> np.ndarray:
        """One curve (``"train_loss"``, ``"epoch"``, ...) as a float64 array: do not modify it.

        Live charts ask for every curve several times a second; converting a 20,000-item list
        each time cost ~0.4 ms a curve, so the array is kept and only new points are converted.
        """
        values, arr = getattr(self, name), self._arrays.get(name)
        k = 0 if arr is None else len(arr)
        if k > len(values) or (k and (values[0] != arr[0] or values[k - 1] != arr[k - 1])):
            k = 0  # the list was changed other than by append: convert it all again
        if k == 0:
            arr = np.asarray(values, np.float64)
        elif k < len(values):
            arr = np.concatenate([arr, np.asarray(values[k:], np.float64)])
        self._arrays[name] = arr
        return arr

    def __len__(self) -> int:
        return len(self.epoch)


def build_data(cfg: Config, data: Data | None = None) -> tuple[Data, Data, Data]:
    """(full, train, test) for a config: generated from its seed, or the given data split by it."""
    if data is None:
        data = generate(cfg.dataset, cfg.noise, rng_for(cfg, "data"), n=cfg.points or None,
                        n_classes=cfg.classes if cfg.dataset == "blobs" else None)
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
        task, k = ("regression", 0) if d.task == "regression" else (("binary" if d.n_classes <= 2 else "multiclass"), d.n_classes)
        self.task, self.n_classes = task, k
        self.loss = LOSSES[cfg.loss]
        self.dtype = np.dtype(cfg.dtype)
        self.X_train, self.X_test = self.inputs(self.train.X), self.inputs(self.test.X)
        self.T_train = self.loss.targets(self.train.y, k, self.dtype)
        self.T_test = self.loss.targets(self.test.y, k, self.dtype)
        self.sizes = [self.X_train.shape[1], *cfg.hidden, self.loss.n_outputs(k)]
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
        # What views read; _record replaces them with the evaluated state (kept if that is not finite).
        self.params = [(W.copy(), b.copy()) for W, b in params]
        self.last_grads = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
        if self.data_trouble():  # NaN/inf inputs: no weights can help, stop before the first epoch
            self._diverge(float("nan"))
        else:
            self._record()  # if the starting loss is not finite, the history stays empty and training is blocked

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
    def step(self, epochs: int = 1) -> int:
        """Train up to ``epochs`` epochs (fewer if a stop condition fires); returns how many ran."""
        done = 0
        t0 = time.perf_counter()
        n, batch = len(self.X_train), min(self.cfg.batch, len(self.X_train))
        shuffle, rng, train_epoch = self.cfg.shuffle, self._rng, self.net.train_epoch
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught by _record
            while done < epochs and not self.stop_reason:
                if shuffle:
                    order = rng.permutation(n)
                    X, T = self.X_train[order], self.T_train[order]
                else:
                    X, T = self.X_train, self.T_train
                train_epoch(X, T, batch, rng)
                self.epoch += 1
                done += 1
                self._record()
        self.seconds += time.perf_counter() - t0
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
        finite = math.isfinite(train_loss) and math.isfinite(test_loss) and all(
            np.isfinite(W).all() and np.isfinite(b).all() for W, b in params)
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
        what = "NaN" if np.isnan(loss) else "infinite"
        trouble = self.data_trouble() if not self.history.epoch else ""
        if trouble:
            self.message = f"The data cannot be trained on: {trouble}. The starting weights are not the cause."
            return
        if not self.history.epoch:
            self.message = (
                f"The starting weights already give a{'' if what == 'NaN' else 'n'} {what} loss: the initial scale "
                f"({self.cfg.init_scale:g}) is too large for this network. Lower the initial scale or use fewer "
                f"layers, then press Reset."
            )
            return
        self.net.set_params(self.params)  # back to the last finite epoch
        self.message = (
            f"Training diverged at epoch {self.epoch}: the loss became {what}. The weights were put back "
            f"to epoch {self.epoch - 1}. Try a lower learning rate (now {self.lr:g}), a smaller initial "
            f"scale, gradient clipping, or a larger batch; then press Reset."
        )
        self.epoch -= 1

    def data_trouble(self) -> str:
        """What in the data makes the loss non-finite whatever the weights, or "" if nothing does:
        NaN/±inf values (e.g. an overflow while standardising values near 1e308), or values the
        network's number type cannot hold (float32 ends at ±3.4e38)."""
        names = self.data.feature_names
        for raw, used in ((self.train.X, self.X_train), (self.test.X, self.X_test)):
            bad = ~np.isfinite(raw).all(axis=0)
            if bad.any():
                return (f"feature column(s) {_listed(names, bad)} hold NaN or infinite values (an overflow: "
                        f"values too large to square and sum, or missing values); rescale those columns "
                        f"(e.g. other units) or leave them out")
            if not np.isfinite(used).all():
                big = np.abs(raw).max(axis=0) > np.finfo(self.dtype).max ** 0.5
                return (f"feature column(s) {_listed(names, big)} are too large for the network's "
                        f"{self.dtype.name} numbers (at most {np.finfo(self.dtype).max:.3g}, squares included); "
                        f"standardise the data or rescale those columns")
        for T in (self.T_train, self.T_test):
            if not np.isfinite(T).all():
                return (f"the targets hold NaN or infinite values, or values too large for "
                        f"{self.dtype.name} (at most {np.finfo(self.dtype).max:.3g}); standardise or "
                        f"rescale the target")
        return ""

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


def _listed(names, mask) -> str:
    """The names where ``mask`` is set, quoted (all columns' positions if names are missing)."""
    picked = [names[j] if j < len(names) else f"#{j + 1}" for j in np.flatnonzero(mask)] or list(names)
    shown = ", ".join(map(repr, picked[:5]))
    return shown + (f" and {len(picked) - 5} more" if len(picked) > 5 else "")
