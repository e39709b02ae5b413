"""NumPy beside PyTorch: one step in float64 agrees to ~1e-12; the page, with and without torch."""
import pytest

from apptest_util import assert_no_exception, open_page
from playground.run import sidebyside
from playground.run.config import Config
from playground.core.engines import torch_available
from playground.run.trainer import Trainer

needs_torch = pytest.mark.skipif(not torch_available(), reason="PyTorch is not installed")


@needs_torch
@pytest.mark.parametrize("cfg", [
    Config(dataset="circle"),
    Config(dataset="spiral3", loss="ce", hidden=(16, 16), activation=("relu",), optimizer="adam", lr=0.01,
           reg="l2", reg_rate=0.01),
    Config(dataset="reg-plane", loss="huber", optimizer="rmsprop", clip=0.5, reg="l1", reg_rate=0.001),
    Config(dataset="circle", hidden=(8, 8, 8), activation=("gelu",), optimizer="nesterov", loss="bce"),
], ids=lambda c: f"{c.dataset}-{c.optimizer}")
def test_one_step_agrees(cfg):
    t = Trainer(cfg)
    t.run(epochs=2)
    r = sidebyside.compare_step(t)
    assert r.batch == cfg.batch
    assert r.max_grad_diff() < 1e-12 and r.max_weight_diff() < 1e-12
    assert abs(r.loss_numpy - r.loss_torch) < 1e-12
    # The step moved the weights (a real update was compared, not two copies of the start).
    assert max(abs(a - b).max() for (W, bb), pair in zip(t.params, r.after_numpy) for a, b in zip((W, bb), pair)) > 0
    rows = r.layer_rows()
    assert len(rows) == 2 * (len(t.sizes) - 1) and rows[0]["count"] == t.sizes[0] * t.sizes[1]
    cols = r.every_gradient()
    assert len(cols["parameter"]) == sum(W.size + b.size for W, b in t.params)
    assert max(cols["|difference|"]) < 1e-12


@needs_torch
def test_every_gradient_is_capped():
    t = Trainer(Config(dataset="circle", hidden=(64, 64, 64)))
    assert len(sidebyside.compare_step(t).every_gradient(cap=100)["parameter"]) == 100


@needs_torch
def test_page_uses_the_playgrounds_weights():
    at = open_page("pages/play.py", {"dataset": "xor", "hidden": "3"})
    at.session_state["pg.session"].trainer.run(epochs=3)
    at.switch_page("pages/sidebyside.py").run()
    assert_no_exception(at)
    assert any("the Playground's, at epoch 3" in m.value for m in at.markdown)
    values = {m.label: m.value for m in at.metric}
    assert values["Loss, NumPy"] == values["Loss, PyTorch"]
    assert float(values["Largest gradient difference"]) < 1e-12
    assert len(at.dataframe) == 2


def test_page_without_torch(monkeypatch):
    monkeypatch.setattr(sidebyside, "torch_available", lambda: False)
    assert "not installed" in sidebyside.torch_missing()
    at = open_page("pages/sidebyside.py", {"dataset": "circle"})
    assert any("PyTorch is not installed" in i.value for i in at.info)
    assert not at.metric
