"""A run as an animation for slides: the boundary, the loss curve and the epoch over the recorded snapshots.

Drawn without a browser: each frame's boundary is the replay's picture of the
plane (``replay.frame_at``) coloured with the app's colour maps (``png``),
scaled up with Pillow; the data points, the loss curves (training and test, up
to the frame's epoch) and the text are drawn with Pillow's ``ImageDraw``.  The
first frame is a title card with the setup written out.

Bounded so one download cannot starve the server: at most ``FRAME_CAP``
frames (snapshots picked evenly), a fixed ``SIZE`` of 720 × 405 pixels, and a
grid of at most ``GRID_RES`` cells a side (``views.grid_resolution`` makes it
coarser for big networks).  ``gif`` is 0.5–1 MB and takes about 1 s here (2 shared cores).

MP4 would need an encoder (ffmpeg / imageio) that the app does not install, so
the export is a GIF, which every slide program plays.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.run import replay
from playground.run import views
from playground.viz.palette import CLASS_COLORS, NEUTRAL, class_image, colorize, hex_to_rgb

__all__ = ["FRAME_CAP", "SIZE", "GRID_RES", "HELP", "frame_epochs", "setup_lines", "frames", "gif"]

FRAME_CAP = 40  # frames after the title card, at most
SIZE = (720, 405)  # pixels (16:9)
GRID_RES = 90  # cells a side of the plane's picture, at most
FRAME_MS, TITLE_MS, LAST_MS = 150, 2200, 2000  # how long frames show
HELP = (f"A GIF of this run for slides: a title card with the setup, then the boundary, the loss curves and the "
        f"epoch over the recorded snapshots (at most {FRAME_CAP} frames, {SIZE[0]}×{SIZE[1]} pixels).")

_INK, _GREY, _TRAIN, _TEST = (34, 34, 34), (120, 120, 120), (60, 110, 200), (230, 120, 20)


def _font(size: int):
    return ImageFont.load_default(size=size)


def frame_epochs(trainer, cap: int = FRAME_CAP) -> list[int]:
    """The recorded epochs the frames show: all snapshots, or ``cap`` of them picked evenly (first and last kept)."""
    epochs = replay.snapshot_epochs(trainer)
    if len(epochs) <= cap:
        return epochs
    idx = np.unique(np.linspace(0, len(epochs) - 1, max(2, cap)).round().astype(int))
    return [epochs[i] for i in idx]


def setup_lines(trainer) -> list[str]:
    """The setup in words, for the title card."""
    c = trainer.cfg
    hidden = (" x ".join(map(str, c.hidden)) + " hidden") if c.hidden else "no hidden layer"
    acts = ", ".join(dict.fromkeys(c.activations())) or "—"
    reg = f"{c.reg.upper()} {c.reg_rate:g}" if c.reg != "none" and c.reg_rate else "none"
    return [
        f"Data: {trainer.data.name}, noise {c.noise} %, {c.train} % for training, seed {c.seed}",
        f"Inputs: {', '.join(c.features) if trainer.train.X.shape[1] == 2 else f'{trainer.sizes[0]} columns'}",
        f"Network: {'-'.join(map(str, trainer.sizes))} ({hidden}), activation {acts}",
        f"Output + loss: {c.loss}; initialisation {c.init}",
        f"Training: {c.optimizer}, learning rate {c.lr:g}, batch {c.batch}, regularisation {reg}, dropout {c.dropout:g}",
        f"Trained {trainer.epoch:,} epochs; final test loss "
        + (f"{trainer.history.test_loss[-1]:.4f}" if trainer.history.test_loss else "—"),
    ]


def _plane_rgb(trainer, values: np.ndarray) -> np.ndarray:
    if trainer.task == "multiclass":
        return class_image(values, False)
    if trainer.task == "binary":
        return colorize(values, -1.0, 1.0, "boundary")  # pale, under saturated points
    y = np.concatenate([trainer.train.y, trainer.test.y]).astype(np.float64)
    lo, hi = float(y.min()), float(y.max())
    return colorize(values, lo, hi if hi > lo else lo + 1.0, "boundary")


def _title_card(lines: list[str]) -> Image.Image:
    img = Image.new("RGB", SIZE, (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, SIZE[0], 8], fill=hex_to_rgb(CLASS_COLORS[1]))
    d.text((36, 40), "Neural Playground: a training run", font=_font(30), fill=_INK)
    for i, line in enumerate(lines):
        d.text((36, 110 + 38 * i), line[:80], font=_font(18), fill=_INK)
    return img


def _curve_panel(d: ImageDraw.ImageDraw, box, trainer, upto: int) -> None:
    """Training and test loss against epoch in ``box`` (x0, y0, x1, y1), drawn up to epoch ``upto``."""
    x0, y0, x1, y1 = box
    h = trainer.history
    ep = np.asarray(h.epoch, np.float64)
    curves = [(np.asarray(h.train_loss, np.float64), _TRAIN, "train"),
              (np.asarray(h.test_loss, np.float64), _TEST, "test")]
    d.rectangle(box, outline=(200, 200, 200))
    if len(ep) < 2:
        return
    top = max(float(np.nanmax(c[0])) for c in curves) or 1.0
    span = max(float(ep[-1]), 1.0)

    def xy(e, v):
        return x0 + 8 + (x1 - x0 - 16) * e / span, y1 - 8 - (y1 - y0 - 16) * min(v / top, 1.0)

    shown = ep <= upto
    step = max(1, int(shown.sum()) // 400)  # at most ~400 segments a curve
    for values, colour, _ in curves:
        pts = [xy(e, v) for e, v in zip(ep[shown][::step], values[shown][::step]) if np.isfinite(v)]
        if len(pts) > 1:
            d.line(pts, fill=colour, width=3)
    d.line([xy(upto, 0)[0], y0 + 4, xy(upto, 0)[0], y1 - 4], fill=(210, 210, 210), width=1)
    f = _font(14)
    d.text((x0 + 6, y1 + 6), "0", font=f, fill=_GREY)
    d.text((x1 - 60, y1 + 6), f"{int(span):,}", font=f, fill=_GREY)
    d.text((x0 + 6, y0 - 20), f"loss (max {top:.3g})", font=f, fill=_GREY)
    for i, (_, colour, name) in enumerate(curves):
        d.line([x0 + 130 + 75 * i, y0 - 12, x0 + 150 + 75 * i, y0 - 12], fill=colour, width=3)
        d.text((x0 + 154 + 75 * i, y0 - 20), name, font=f, fill=_GREY)


def frames(trainer, cap: int = FRAME_CAP) -> list[Image.Image]:
    """The title card, then one picture per chosen snapshot."""
    if not trainer.snapshots:
        raise ValueError("nothing recorded yet: train at least one epoch")
    res = views.grid_resolution(trainer.sizes, GRID_RES)
    grid = views.grid_for(trainer, res)
    side = SIZE[1] - 70  # the plane's square
    px0, py0 = 20, 50
    x_lo, x_hi, y_lo, y_hi = grid.domain
    cols = list(grid.cols)
    X = np.asarray(trainer.train.X, np.float64)[:, cols]
    y = trainer.train.y
    u = ((X[:, 0] - x_lo) / (x_hi - x_lo) * side).round()
    v = ((y_hi - X[:, 1]) / (y_hi - y_lo) * side).round()
    if trainer.task == "regression":
        colours = [tuple(c) for c in colorize(np.asarray(y, np.float64), float(np.min(y)), float(np.max(y)) + 1e-12, "points")]
    else:
        colours = [hex_to_rgb(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in y]
    order = np.random.default_rng(0).permutation(len(X))[:600]  # at most 600 dots: the picture stays legible
    out = [_title_card(setup_lines(trainer))]
    h = trainer.history
    for epoch in frame_epochs(trainer, cap):
        f = replay.frame_at(trainer, grid, epoch)
        plane = Image.fromarray(_plane_rgb(trainer, f.boundary)[::-1]).resize((side, side), Image.Resampling.BILINEAR)
        img = Image.new("RGB", SIZE, (255, 255, 255))
        img.paste(plane, (px0, py0))
        d = ImageDraw.Draw(img)
        for i in order:
            cx, cy = px0 + u[i], py0 + v[i]
            if 0 <= cx - px0 <= side and 0 <= cy - py0 <= side:
                d.ellipse([cx - 4, cy - 4, cx + 4, cy + 4], fill=colours[i], outline=(255, 255, 255))
        d.rectangle([px0, py0, px0 + side, py0 + side], outline=hex_to_rgb(NEUTRAL))
        d.text((px0, 12), f"Epoch {f.epoch:,}", font=_font(26), fill=_INK)
        k = h.epoch.index(f.epoch) if f.epoch in h.epoch else None
        if k is not None:
            metric = "R²" if trainer.task == "regression" else "accuracy"
            val = f"{h.test_metric[k]:.3f}" if trainer.task == "regression" else f"{h.test_metric[k]:.1%}"
            d.text((px0 + side + 30, 60), f"training loss {h.train_loss[k]:.4f}   test loss {h.test_loss[k]:.4f}",
                   font=_font(16), fill=_INK)
            d.text((px0 + side + 30, 84), f"test {metric} {val}", font=_font(16), fill=_INK)
        _curve_panel(d, (px0 + side + 30, 150, SIZE[0] - 20, SIZE[1] - 40), trainer, f.epoch)
        d.text((px0 + side + 30, 16), f"{trainer.data.name} · {'-'.join(map(str, trainer.sizes))}",
               font=_font(16), fill=_GREY)
        out.append(img)
    return out


def gif(trainer, cap: int = FRAME_CAP) -> bytes:
    """The animation as GIF bytes (loops forever; title card and last frame stay longer)."""
    pics = frames(trainer, cap)
    durations = [TITLE_MS] + [FRAME_MS] * (len(pics) - 2) + [LAST_MS] if len(pics) > 1 else [TITLE_MS]
    # One palette for every frame, from the title card, the middle and the last frame side by side: quantizing
    # each frame with its own palette took ~70 ms a frame, mapping onto a shared one ~1 ms.
    sample = Image.new("RGB", (SIZE[0] * 3, SIZE[1]))
    for i, p in enumerate((pics[0], pics[len(pics) // 2], pics[-1])):
        sample.paste(p, (SIZE[0] * i, 0))
    palette = sample.quantize(colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    pal = [p.quantize(palette=palette, dither=Image.Dither.NONE) for p in pics]
    buf = io.BytesIO()
    pal[0].save(buf, format="GIF", save_all=True, append_images=pal[1:], duration=durations, loop=0,
                optimize=False, disposal=1)
    return buf.getvalue()
