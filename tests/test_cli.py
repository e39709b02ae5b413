"""``python -m playground``: train, example and bench, run as a user would (in a subprocess)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from playground.app.cli import ascii_chart, main, resolve_config
from playground.run.config import Config, to_query

ROOT = Path(__file__).resolve().parents[1]
TIMING = {"seconds", "epochs_per_second"}


def run(*args, check=True):
    p = subprocess.run([sys.executable, "-m", "playground", *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def run_json(*args):
    p = run(*args)
    return json.loads(p.stdout), p.stderr


def numbers(res):
    return {k: v for k, v in res.items() if k not in TIMING}


def test_train_json_keys_types_and_learning():
    res, err = run_json("train", "--dataset", "xor", "--hidden", "4", "--epochs", "300", "--json")
    assert err == ""
    types = {"epochs": int, "train_loss": float, "test_loss": float, "train_accuracy": float,
             "test_accuracy": float, "seconds": float, "epochs_per_second": float, "diverged": bool,
             "config": str, "warnings": list, "note": str, "first_epoch_loss": float}
    for key, t in types.items():
        assert isinstance(res[key], t), (key, res[key])
    assert res["epochs"] == 300 and not res["diverged"] and res["warnings"] == []
    assert res["test_accuracy"] >= 0.9 and res["train_accuracy"] >= 0.95
    assert res["train_loss"] < res["first_epoch_loss"] < res["initial_loss"]
    assert res["config"] == to_query(Config(dataset="xor", hidden=(4,)))
    assert "r2" not in res


def test_link_with_full_url_gives_the_same_run_as_options_and_is_reproducible():
    url = "https://playground.example.org/?dataset=xor&hidden=3&lr=0.1&seed=7&noise=10#top"
    by_link = run_json("train", "--link", url, "--epochs", "60", "--json")[0]
    again = run_json("train", "--link", url, "--epochs", "60", "--json")[0]
    by_opts = run_json("train", "--dataset", "xor", "--hidden", "3", "--lr", "0.1", "--seed", "7",
                       "--noise", "10", "--epochs", "60", "--json")[0]
    assert numbers(by_link) == numbers(again)
    assert numbers(by_link) == numbers(by_opts)
    assert "seed=7" in by_link["config"] and "lr=0.1" in by_link["config"]


def test_bad_value_is_a_warning_and_the_run_goes_on():
    p = run("train", "--lr", "nan", "--hidden", "4,99", "--epochs", "20", "--json")
    res = json.loads(p.stdout)
    assert any("lr" in w and "nan" in w for w in res["warnings"])
    assert any(w.startswith("hidden") for w in res["warnings"])
    assert "lr=0.03" in res["config"] and "hidden=4,2" in res["config"]
    assert res["epochs"] == 20
    assert "warning: lr" in p.stderr


def test_regression_reports_r2():
    res, _ = run_json("train", "--dataset", "reg-plane", "--hidden", "3", "--epochs", "40", "--json")
    assert "loss=mse" in res["config"]
    assert 0.9 < res["r2"] <= 1.0 and "test_accuracy" not in res


def test_readable_summary_has_chart():
    out = run("train", "--dataset", "xor", "--hidden", "4", "--epochs", "30").stdout
    assert "accuracy" in out and "training loss by epoch" in out and "*" in out
    assert "link:  ?dataset=xor" in out


@pytest.mark.parametrize("args", [["train", "--bogus", "1"], [], ["example", "D"], ["train", "--epochs", "x"],
                                  ["example", "A", "--epochs", "3"], ["bench", "--seconds", "0"]])
def test_unusable_command_lines_exit_2(args):
    p = run(*args, check=False)
    assert p.returncode == 2
    assert "error" in p.stderr


def test_explicit_options_override_the_link_and_both_spellings_work():
    cfg, warnings = resolve_config("dataset=xor&lr=0.1&hidden=5", {"lr": "0.3", "reg_rate": "0.01"})
    assert (cfg.dataset, cfg.lr, cfg.hidden, cfg.reg_rate, warnings) == ("xor", 0.3, (5,), 0.01, [])
    # A new dataset from the command line brings its own default loss, without a warning.
    cfg, warnings = resolve_config("dataset=xor", {"dataset": "reg-plane"})
    assert cfg.loss == "mse" and warnings == []
    cfg, warnings = resolve_config("dataset=reg-plane", {"dataset": "xor"})
    assert cfg.loss == "square" and warnings == []
    # A loss the link chose itself is kept, and reported if it no longer fits.
    cfg, warnings = resolve_config("dataset=xor&loss=bce", {"hidden": "3"})
    assert cfg.loss == "bce" and warnings == []
    cfg, warnings = resolve_config("dataset=reg-gauss&loss=huber", {"dataset": "xor"})
    assert cfg.loss == "square" and any("huber" in w for w in warnings)
    cfg, _ = resolve_config("?dataset=xor&lr=abc", {})
    assert cfg.lr == 0.03


def test_reg_rate_spellings_in_process(capsys):
    for flag in ("--reg_rate", "--reg-rate"):
        assert main(["train", "--reg", "l2", flag, "0.002", "--epochs", "2", "--json"]) == 0
        assert "reg=l2&reg_rate=0.002" in json.loads(capsys.readouterr().out)["config"]


def test_example_a_json():
    d, _ = run_json("example", "A", "--json")
    assert round(d["y_hat"], 4) == 1.2332
    assert round(d["dC_dw11"], 4) == 0.1455
    assert d["eta"] == 0.1 and d["check"]["ok"] is True
    assert d["new_hidden"][0][0] == pytest.approx(0.8 - 0.1 * d["dC_dw11"], abs=1e-15)
    assert list(d["factors"]) == ["∂C/∂ŷ", "∂ŷ/∂a11", "∂a11/∂h11", "∂h11/∂w11"]


def test_example_a_readable_layout(capsys):
    assert main(["example", "a", "--lr", "0.5"]) == 0
    out = capsys.readouterr().out
    for text in ("h11", "a13", "∂a11/∂h11", "∂C/∂w11", "0.145479", "Exact values", "central diff"):
        assert text in out


def test_example_b_json_one_method_and_comparison(capsys):
    assert main(["example", "B", "--gradient", "analytic", "--epochs", "5", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["method"] == "analytic" and len(d["losses"]) == 6 and d["dtype"] == "float32"
    assert isinstance(d["prediction"], float) and len(d["params"]) == 2
    assert main(["example", "B", "--epochs", "10", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) >= {"numeric", "analytic", "max_param_diff"} and d["max_param_diff"] < 1e-3


def test_example_c_json_shows_the_bug():
    d, _ = run_json("example", "C", "--json")
    assert d["correct"]["check"]["ok"] is True
    assert d["broadcast_bug"]["check"]["mismatched"] == ["W0[1,2]", "W0[2,1]"]
    assert d["correct"]["y_hat"] == pytest.approx(0.69028, abs=5e-6)


def test_bench_json_rows_have_numbers():
    d, _ = run_json("bench", "--json", "--seconds", "0.2")
    rows = {r["key"]: r for r in d["rows"]}
    for key in ("engine_batch10", "engine_full", "engine_deep", "grid_default", "grid_deep"):
        assert rows[key]["value"] > 0 and rows[key]["status"] in ("PASS", "MISS")
        assert rows[key]["target"] > 0
    assert rows["trainer_default_10"]["value"] > 0
    assert rows["torch_ratio"]["status"] in ("PASS", "MISS", "SKIP")
    for r in d["rows"]:
        assert (r["value"] is None) == (r["status"] == "SKIP")


def test_ascii_chart():
    lines = ascii_chart([4.0, 3.0, 2.0, 1.0], width=4, height=4)
    assert lines[0].endswith("|*") and lines[3].endswith("|   *") and lines[-1].endswith("+----")
    assert "log scale" in ascii_chart([1000.0, 1.0, 0.1])[-1]
    assert ascii_chart([float("nan")]) == []
