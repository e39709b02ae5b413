"""A run as a GIF: frames capped, the setup on the title card, every task drawn."""
import io

import numpy as np
import pytest
from PIL import Image

from playground.viz import animate
from playground.run.config import Config
from playground.run.trainer import Trainer


@pytest.mark.parametrize("cfg", [
    Config(dataset="xor", hidden=(4,)),
    Config(dataset="spiral3", loss="ce", hidden=(8,), activation=("relu",)),
    Config(dataset="reg-gauss", loss="mse"),
    Config(dataset="iris", loss="ce"),
], ids=lambda c: c.dataset)
def test_gif_of_a_run(cfg):
    t = Trainer(cfg)
    t.run(epochs=120)
    data = animate.gif(t)
    img = Image.open(io.BytesIO(data))
    assert img.format == "GIF" and img.size == animate.SIZE
    assert img.n_frames == 1 + min(animate.FRAME_CAP, len(t.snapshots))
    assert img.info["duration"] == animate.TITLE_MS and img.info.get("loop") == 0
    img.seek(img.n_frames - 1)
    assert len(np.unique(np.asarray(img.convert("RGB")).reshape(-1, 3), axis=0)) > 10  # a picture, not a blank frame


def test_frames_are_capped_and_span_the_run():
    t = Trainer(Config(dataset="circle", hidden=(3,)))
    t.run(epochs=150)
    epochs = animate.frame_epochs(t, 10)
    assert len(epochs) == 10 and epochs[0] == 0 and epochs[-1] == t.snapshots[-1][0]
    assert epochs == sorted(epochs)
    assert len(animate.frames(t, 5)) == 6


def test_title_card_writes_the_setup():
    t = Trainer(Config(dataset="circle", hidden=(4, 2), optimizer="adam", lr=0.01, reg="l2", reg_rate=0.003))
    t.run(epochs=3)
    lines = animate.setup_lines(t)
    text = " ".join(lines)
    assert "circle" in text and "2-4-2-1" in text and "adam" in text and "learning rate 0.01" in text
    assert "L2 0.003" in text and "Trained 3 epochs" in text
    card = animate.frames(t)[0]
    assert card.size == animate.SIZE and len(np.unique(np.asarray(card).reshape(-1, 3), axis=0)) > 2  # text drawn on it


def test_nothing_recorded():
    t = Trainer(Config(dataset="circle"))
    t.snapshots.clear()
    with pytest.raises(ValueError, match="train at least one epoch"):
        animate.gif(t)
