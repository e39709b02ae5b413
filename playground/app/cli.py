"""``python -m playground``: train from the command line, run the worked examples, benchmark.

    python -m playground train --dataset xor --hidden 4 --epochs 300
    python -m playground train --link 'https://…/?dataset=spiral&hidden=8,8' --lr 0.01 --json
    python -m playground example A
    python -m playground example B --gradient numeric --json
    python -m playground bench --seconds 0.5

``train`` takes every ``Config`` field as an option named exactly as in share
links (``--reg_rate`` and ``--reg-rate`` both work).  Values go through
``config.normalize``, so a bad value gets the same warning as a bad link (on
stderr, and in ``--json``'s ``warnings``) and falls back to its default; only
unusable command lines (unknown options, a missing command) exit with code 2.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

from playground.run.config import FIELDS, Config, from_query, normalize, to_query
from playground.run.sizes import dataset_info
from playground.core.losses import default_loss
from playground.base.runtime import apply_app_settings

__all__ = ["main", "build_parser", "resolve_config", "train_result", "ascii_chart"]

_HELP = {  # the public link keys (docs/links-and-cli.md), in a line each
    "dataset": "built-in data: circle, xor, gauss, spiral, moons, blobs, spiral3, reg-plane, reg-gauss, or a real set",
    "noise": "noise, percent 0–50",
    "train": "share of the data used for training, percent 10–90",
    "batch": "mini-batch size",
    "seed": "makes data and starting weights reproducible",
    "features": "input features, comma list of x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2",
    "hidden": "neurons per hidden layer, comma list (e.g. 4,2); empty for none",
    "activation": "hidden activation: one name, or a comma list per layer",
    "loss": "output + loss pair: square, bce, ce, mse, mae, huber",
    "optimizer": "sgd, momentum, nesterov, rmsprop, adam",
    "lr": "learning rate",
    "reg": "regularisation: none, l1, l2",
    "reg_rate": "regularisation rate ≥ 0",
    "dropout": "dropout rate on hidden layers, 0–0.9",
    "init": "initialiser: zeros, uniform, normal, xavier, he",
    "engine": "numpy or torch",
}


def _fmt_default(v) -> str:
    if isinstance(v, tuple):
        return ",".join(map(str, v))
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m playground",
                                description="Neural Playground from the command line.")
    sub = p.add_subparsers(dest="command", metavar="{train,example,bench}")

    t = sub.add_parser("train", help="train a network from options or a share link",
                       description="Train one run. Options are the share-link fields; explicit options "
                                   "override --link. Bad values are reported and replaced by defaults.")
    t.set_defaults(sub_parser=t)
    t.add_argument("--link", help="a share link: a query string or a full URL")
    t.add_argument("--epochs", type=int, default=500, help="epochs to train (default 500)")
    t.add_argument("--seconds", type=float, help="also stop after this many seconds of training")
    t.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    cfg_opts = t.add_argument_group("run settings (the same names as in share links)")
    defaults = Config()
    for name in FIELDS:
        flags = [f"--{name}"] + ([f"--{name.replace('_', '-')}"] if "_" in name else [])
        cfg_opts.add_argument(*flags, dest=name, metavar="V", default=None,
                              help=f"{_HELP.get(name, name.replace('_', ' '))} "
                                   f"(default {_fmt_default(getattr(defaults, name))!r})")

    e = sub.add_parser("example", help="the curriculum's worked examples A, B, C",
                       description="A: one forward pass and the chain rule; B: training by finite "
                                   "differences vs backprop; C: a hand-trained sigmoid net and the "
                                   "broadcast bug.")
    e.set_defaults(sub_parser=e)
    e.add_argument("which", type=str.upper, choices=["A", "B", "C"], help="which example")
    e.add_argument("--gradient", choices=["numeric", "analytic"],
                   help="B: one method only (default: both, compared)")
    e.add_argument("--method", choices=["correct", "broadcast_bug"],
                   help="C: one method only (default: both, with the gradient check)")
    e.add_argument("--lr", type=float, help="learning rate (defaults: A 0.1, B 0.01, C 1)")
    e.add_argument("--epochs", type=int, help="B: epochs (default 100)")
    e.add_argument("--dtype", choices=["float32", "float64"], help="B: precision (default float32, as the textbook)")
    e.add_argument("--json", action="store_true", help="print one JSON object")

    b = sub.add_parser("bench", help="epochs/second and decision-grid timings against targets",
                       description="Measure the engines; prints PASS/MISS per row and always exits 0.")
    b.set_defaults(sub_parser=b)
    b.add_argument("--seconds", type=float, default=1.0, help="time per measurement (default 1)")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    return p


# ----- train ------------------------------------------------------------------------------------
def resolve_config(link: str | None, options: dict[str, str]) -> tuple[Config, list[str]]:
    """The run's Config: the link's settings, then explicit options on top; never raises.

    The link is decoded by ``from_query`` (its own warnings kept); its settings
    that differ from the defaults are merged with the options and the whole
    is normalised once more, so cross-field repairs (e.g. the loss of a new
    dataset) see the final values.
    """
    base, warnings = from_query(link) if link else (Config(), [])
    default = Config()
    raw = {f: getattr(base, f) for f in FIELDS if getattr(base, f) != getattr(default, f)}
    if base.loss == default_loss(*dataset_info(base.dataset)):
        raw.pop("loss", None)  # implied by the link's dataset: let a new --dataset imply its own
    cfg, more = normalize({**raw, **options})
    return cfg, warnings + more


def _finite_or_none(obj):
    """JSON has no NaN or infinity: such numbers become null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite_or_none(v) for v in obj]
    return obj


def train_result(cfg: Config, warnings: list[str], epochs: int, seconds: float | None = None):
    """Train one run; returns ``(result dict, trainer)``.  The dict is what ``--json`` prints."""
    from playground.run.trainer import Trainer  # local: keeps `--help` fast

    trainer = Trainer(cfg)
    trainer.run(epochs=epochs, seconds=seconds)
    h = trainer.history
    out = {
        **trainer.summary(),
        "config": to_query(cfg),
        "warnings": list(warnings),
        "note": trainer.note,
        "first_epoch_loss": h.train_loss[1] if len(h) > 1 and h.epoch[1] == 1 else None,
        "initial_loss": h.train_loss[0],
    }
    return _finite_or_none(out), trainer


def ascii_chart(values, width: int = 60, height: int = 6) -> list[str]:
    """A small plain-ASCII line chart of ``values`` (e.g. a loss curve), labelled max and min.

    Positive values spanning more than two decades are drawn on a log scale (a
    loss curve is then not a cliff and a flat line); the last line says so.
    """
    vals = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not vals:
        return []
    lo, hi = min(vals), max(vals)
    log = lo > 0 and hi / lo > 100
    scale = math.log10 if log else (lambda v: v)
    n = len(vals)
    cols = [scale(vals[round(i * (n - 1) / max(width - 1, 1))]) for i in range(min(width, n))]
    s_lo, s_hi = scale(lo), scale(hi)
    span = s_hi - s_lo or 1.0
    rows = [[" "] * len(cols) for _ in range(height)]
    for c, v in enumerate(cols):
        rows[height - 1 - round((v - s_lo) / span * (height - 1))][c] = "*"
    labels = [f"{hi:.4g}"] + [""] * (height - 2) + [f"{lo:.4g}"]
    w = max(map(len, labels))
    return ([f"{lab:>{w}} |{''.join(r)}".rstrip() for lab, r in zip(labels, rows)]
            + [f"{'':>{w}} +{'-' * len(cols)}" + (" (log scale)" if log else "")])


def _print_summary(res: dict, trainer) -> None:
    cfg = trainer.cfg
    sizes = "-".join(map(str, trainer.sizes))
    print(f"{cfg.dataset}: {sizes} network, {', '.join(cfg.activations()) or 'no hidden layer'}, "
          f"loss {cfg.loss}, {cfg.optimizer} lr {cfg.lr:g}, batch {cfg.batch}, engine {res['engine']}")
    print(f"link:  ?{res['config']}")
    eps = res["epochs_per_second"]
    print(f"{res['epochs']} epochs in {res['seconds']:.2f} s" + (f" ({eps:,.0f} epochs/s)" if eps else ""))
    print(f"loss       train {res['train_loss']:.4g}   test {res['test_loss']:.4g}")
    if "r2" in res:
        print(f"R²         train {res['train_r2']:.4f}   test {res['r2']:.4f}   (test RMSE {res['rmse']:.4g})")
    else:
        print(f"accuracy   train {res['train_accuracy']:.1%}   test {res['test_accuracy']:.1%}")
    for line in (res["message"], res["stop_reason"] if not res["diverged"] else "", res["note"]):
        if line:
            print(line)
    chart = ascii_chart(trainer.history.train_loss)
    if chart:
        print("\ntraining loss by epoch:")
        print("\n".join(chart))


def _train(args) -> int:
    options = {f: getattr(args, f) for f in FIELDS if getattr(args, f) is not None}
    cfg, warnings = resolve_config(args.link, options)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    apply_app_settings()  # train at the app's speed (one BLAS/torch thread: see runtime.py)
    res, trainer = train_result(cfg, warnings, args.epochs, args.seconds)
    if args.json:
        print(json.dumps(res))
    else:
        _print_summary(res, trainer)
    return 0


# ----- example ----------------------------------------------------------------------------------
def _example(args) -> int:
    from playground.teach import examples as ex
    from playground.teach import worked

    which = args.which
    misplaced = [f"{flag} applies to example {only} only" for flag, val, only in
                 [("--gradient", args.gradient, "B"), ("--epochs", args.epochs, "B"),
                  ("--dtype", args.dtype, "B"), ("--method", args.method, "C")]
                 if val is not None and which != only]
    if misplaced:
        args.sub_parser.error("; ".join(misplaced))
    try:
        if which == "A":
            res = ex.example_a(**_given(eta=args.lr))
            out, text = worked.to_plain(res), _render_a(res)
        elif which == "B":
            kw = _given(epochs=args.epochs, lr=args.lr, dtype=args.dtype)
            if args.gradient:
                res = ex.example_b(args.gradient, **kw)
                out, text = worked.to_plain(res), _render_b([res])
            else:
                res = ex.compare_b(**kw)
                out, text = worked.to_plain(res), _render_b([res.numeric, res.analytic], res)
        else:
            runs = [ex.example_c(m, **_given(lr=args.lr)) for m in ([args.method] if args.method else worked.C_METHODS)]
            out = worked.to_plain(runs[0]) if args.method else {r.method: worked.to_plain(r) for r in runs}
            text = _render_c(runs)
    except ValueError as err:  # e.g. --lr 0: say what was wrong
        args.sub_parser.error(str(err))
    print(json.dumps(_finite_or_none(out)) if args.json else text)
    return 0


def _given(**kw) -> dict:
    return {k: v for k, v in kw.items() if v is not None}


def _table(rows, head=None) -> str:
    rows = [list(map(str, r)) for r in ([head] if head else []) + list(rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _render_a(r) -> str:
    out = ["Example A: 2-3-1, sigmoid hidden, linear output, C = (y − ŷ)², x = (1, 1), y = 0, no biases",
           f"η = {r.eta:g}.  {r.note}", ""]
    out.append(_table([(k, how, f"{v:.6f}") for k, how, v in r.steps()], ("quantity", "computed as", "exact")))
    out += ["", "every weight: gradient (backprop, forward and central differences, ε = "
            f"{r.eps:g}), updated value"]
    names = r.weight_names()
    grads, upd = r.gradients, r.updated
    out.append(_table([(n, f"{grads[n]:.6f}", f"{r.numeric_forward[n]:.6f}", f"{r.numeric_central[n]:.6f}",
                        f"{upd[n]:.6f}", f"{r.rounded['gradients'][n]:.2f}") for n in names],
                      ("weight", "∂C/∂w", "forward diff", "central diff", "w new", "∂C/∂w (2 dp)")))
    out.append(f"\ngradient check: max relative error {r.check.max_rel_error:.2e} "
               f"({'agree' if r.check.ok else 'MISMATCH: ' + ', '.join(r.check.mismatched)})")
    return "\n".join(out)


def _render_b(runs, cmp=None) -> str:
    r0 = runs[0]
    out = [f"Example B: 2-3-1 with biases, sigmoid hidden, linear output, MSE, x = (1, 1), target 0, "
           f"lr {r0.lr:g}, {r0.epochs} epochs, {r0.dtype}"]
    step = max(1, r0.epochs // 10)
    epochs = sorted(set(range(0, r0.epochs + 1, step)) | {r0.epochs})
    out.append(_table([(e, *(f"{r.losses[e]:.6g}" for r in runs)) for e in epochs],
                      ("epoch", *(f"loss ({r.method})" for r in runs))))
    for r in runs:
        (Wh, bh), (Wo, bo) = r.params
        out += ["", f"final parameters ({r.method}):",
                f"  W_hidden = {_fmt_arr(Wh, 13)}", f"  b_hidden = {_fmt_arr(bh)}",
                f"  W_out    = {_fmt_arr(Wo[:, 0])} (column)", f"  b_out    = {_fmt_arr(bo)}",
                f"  prediction for (1, 1): {r.prediction:.6f}"]
    if cmp is not None:
        out += ["", f"numeric vs analytic: max parameter difference {cmp.max_param_diff:.2e}, "
                    f"max loss difference {cmp.max_loss_diff:.2e}, prediction difference {cmp.prediction_diff:.2e}"]
    return "\n".join(out)


def _fmt_arr(a, indent: int = 0) -> str:
    """An array on one line, or a matrix with its later rows indented by ``indent``."""
    import numpy as np

    text = np.array2string(np.asarray(a), precision=6, separator=", ")
    return text.replace("\n", "\n" + " " * indent)


def _render_c(runs) -> str:
    r = runs[0]
    out = ["Example C: 2-2-1, sigmoid/sigmoid, no biases, E = ½(y − ŷ)², lr "
           f"{r.lr:g}, x = (0.35, 0.9), target 0.5.  W0 row j = weights into hidden unit j.",
           _table([("hidden pre-activations z = W0·x", _fmt_arr(r.z_hidden)),
                   ("hidden activations σ(z)", _fmt_arr(r.a_hidden)),
                   ("output pre-activation", f"{r.z_out:.6f}"), ("output ŷ = σ(·)", f"{r.y_hat:.6f}"),
                   ("error ½(y − ŷ)²", f"{r.error:.6f}"), ("δ_out = (ŷ − y)ŷ(1 − ŷ)", f"{r.delta_out:.6f}"),
                   ("δ_hidden = δ_out·W1·σ'(z)", _fmt_arr(r.delta_hidden))])]
    for r in runs:
        out += ["", f"[{r.method}] gradients and one update:",
                f"  ∂E/∂W0 = {_fmt_arr(r.grad_W0, 11)}",
                f"  ∂E/∂W1 = {_fmt_arr(r.grad_W1)}",
                f"  W0 new = {_fmt_arr(r.new_W0, 11)}",
                f"  W1 new = {_fmt_arr(r.new_W1)}", f"  error after the update: {r.new_error:.6f}",
                f"  gradient check vs central differences: max relative error {r.check.max_rel_error:.2e} → "
                + ("PASS" if r.check.ok else "FAIL, wrong: " + ", ".join(r.check.mismatched))]
    return "\n".join(out)


# ----- bench ------------------------------------------------------------------------------------
def _bench(args) -> int:
    from playground.run import bench

    if not (math.isfinite(args.seconds) and args.seconds > 0):
        args.sub_parser.error(f"--seconds must be a number > 0, got {args.seconds!r}")
    apply_app_settings()  # measure what the app runs (one BLAS/torch thread: see runtime.py)
    report = bench.run(seconds=args.seconds)
    print(json.dumps(_finite_or_none(bench.to_json(report))) if args.json else bench.format_report(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m playground`` and the ``playground`` script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        print("\nerror: choose a command: train, example or bench", file=sys.stderr)
        return 2
    if args.command == "train":
        if args.epochs < 0 or (args.seconds is not None and not args.seconds > 0):
            args.sub_parser.error(f"--epochs must be ≥ 0 and --seconds > 0; got --epochs {args.epochs}, --seconds {args.seconds}")
        return _train(args)
    if args.command == "example":
        return _example(args)
    return _bench(args)
