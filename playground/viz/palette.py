"""The app's colours: the one home of the class colours, the class marker shapes and the colour maps.

Two families, as TF Playground paints them:

* **Marks** (data points, weights and links, curves) are saturated.  Class 0 is orange and class 1
  blue, TF Playground's (the orange a shade deeper, so an orange point stands out on its own pale
  region); classes 2–9 were chosen so that every pair stays apart for normal vision, deuteranopia
  and protanopia.  No ten hues stay apart for everyone, so each class also has its own marker
  shape (``CLASS_SYMBOLS``): circle, square, triangle, ...
* **Areas** (the boundary behind the points) are pale: each class's pale colour (``pale``) is its
  own hue at CIELAB lightness 89 and chroma at most 24, fading to the neutral grey where the network
  is unsure.  Every mark is darker than L* 63, so a point stands clear of every region, its own
  class's included, in any of the three ways of seeing.

``tests/test_palette.py`` measures it through the boundary figure itself: the CIEDE2000 difference
(``colour.py``) between every class's points and every colour the boundary can paint under them,
between classes, and between the two binary regions, under normal vision, simulated deuteranopia and
simulated protanopia; ``bench/palette_contrast.py`` prints the figures.

    >>> rgb = colorize(np.array([[-1.0, 0.0, 1.0]]), -1, 1, "diverging")
    >>> rgb[0].tolist()
    [[232, 119, 15], [232, 234, 235], [8, 119, 189]]
    >>> pale(ORANGE), pale(BLUE)
    ('#ffd6b9', '#c4e2ff')
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from playground.viz.colour import lab_to_srgb, srgb_to_lab

__all__ = [
    "ORANGE", "BLUE", "NEUTRAL", "CLASS_COLORS", "CLASS_SYMBOLS", "PALE_CLASS_COLORS", "DIVERGING", "POINT_SCALE",
    "PALETTES", "hex_to_rgb", "make_lut", "colorize", "pale", "class_marker", "class_image",
]

ORANGE = "#e8770f"  # negative / class 0: TF Playground's orange (#f59322) a shade deeper
BLUE = "#0877bd"  # positive / class 1: TF Playground's blue
NEUTRAL = "#e8eaeb"  # "undecided" (output 0) between the two

#: One colour per class, up to the 10 digits: orange, blue, teal, crimson, plum, tan, raspberry, ochre,
#: royal blue, sky blue.  Every one is darker than L* 63; every pair differs by ΔE00 ≥ 12 in all three
#: ways of seeing (≥ 21 among the first four), which the marker shapes back up; the pale regions of the
#: first five differ by ≥ 11 for normal vision.
CLASS_COLORS: tuple[str, ...] = (
    ORANGE, BLUE, "#24786a", "#910826", "#6a2e70", "#bb7354", "#be2b5d", "#886400", "#0424de", "#4c93ff",
)
#: One Plotly marker shape per class, in the same order.
CLASS_SYMBOLS: tuple[str, ...] = (
    "circle", "square", "triangle-up", "diamond", "x", "triangle-down", "cross", "star", "pentagon", "hexagram",
)
_POINT_MID = "#7a7d80"  # the middle of a regression target's range: a mid grey, darker than any area

#: Marks' diverging map (weights, gradients, links) as a Plotly colorscale: −1 orange, 0 grey, +1 blue.
DIVERGING: list[list] = [[0.0, ORANGE], [0.5, NEUTRAL], [1.0, BLUE]]
#: Regression points' colour by target, as a Plotly colorscale: low orange, middle grey, high blue.
POINT_SCALE: list[list] = [[0.0, ORANGE], [0.5, _POINT_MID], [1.0, BLUE]]

PALE_LIGHTNESS, PALE_CHROMA = 89.0, 24.0  # CIELAB L* and the largest chroma of the areas


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#f59322"`` → ``(245, 147, 34)``."""
    h = color.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"colour must be '#rrggbb', got {color!r}")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def make_lut(stops: Sequence[str], n: int = 257) -> np.ndarray:
    """A (n, 3) uint8 lookup table interpolating linearly (in RGB) through evenly spaced colours.

    257 entries rather than 256: an odd count has an exact middle entry, so a
    value of exactly 0 on a symmetric scale gets exactly the neutral grey.
    """
    rgb = np.array([hex_to_rgb(c) for c in stops], dtype=np.float64)
    pos = np.linspace(0.0, 1.0, len(stops))
    t = np.linspace(0.0, 1.0, n)
    return np.column_stack([np.interp(t, pos, rgb[:, c]) for c in range(3)]).round().astype(np.uint8)


def pale(color: str) -> str:
    """A mark's colour as an area: the same CIELAB hue at ``PALE_LIGHTNESS``, chroma ≤ ``PALE_CHROMA``."""
    _, a, b = srgb_to_lab(hex_to_rgb(color))
    c = float(np.hypot(a, b))
    scale = min(c, PALE_CHROMA) / c if c > 0 else 0.0
    r, g, b = np.round(lab_to_srgb(np.array([PALE_LIGHTNESS, a * scale, b * scale]))).astype(int).tolist()
    return f"#{r:02x}{g:02x}{b:02x}"


PALE_CLASS_COLORS: tuple[str, ...] = tuple(pale(c) for c in CLASS_COLORS)

#: Named lookup tables for `colorize`: "diverging" for marks, "boundary" for the plane behind the points
#: (binary output and regression prediction), "points" for regression points (``POINT_SCALE``).
PALETTES: dict[str, np.ndarray] = {
    "diverging": make_lut([ORANGE, NEUTRAL, BLUE]),
    "boundary": make_lut([PALE_CLASS_COLORS[0], NEUTRAL, PALE_CLASS_COLORS[1]]),
    "points": make_lut([c for _, c in POINT_SCALE]),
}


def colorize(values: np.ndarray, vmin: float, vmax: float, palette: str | np.ndarray = "diverging") -> np.ndarray:
    """Map values (h, w) to colours (h, w, 3) uint8 through a lookup table (257 colours).

    ``vmin`` gets the first colour, ``vmax`` the last, values outside are
    clamped; a non-finite value gets the middle colour.  ``palette`` is a name
    in `PALETTES` or an (n, 3) uint8 table from `make_lut`.
    """
    lut = lookup_table(palette)
    return np.take(lut, colour_indices(values, vmin, vmax, len(lut)), axis=0)


def lookup_table(palette: str | np.ndarray) -> np.ndarray:
    """A palette as its (n, 3) uint8 table: a name in `PALETTES`, or a table from `make_lut`."""
    lut = PALETTES[palette] if isinstance(palette, str) else np.asarray(palette, np.uint8)
    if lut.ndim != 2 or lut.shape[1] != 3:
        raise ValueError(f"palette must be a name in {list(PALETTES)} or an (n, 3) uint8 table; got shape {lut.shape}")
    return lut


def colour_indices(values: np.ndarray, vmin: float, vmax: float, n_colours: int, dtype=np.intp) -> np.ndarray:
    """Which of ``n_colours`` table entries `colorize` gives each value: the nearest on the scale ``vmin``–``vmax``,
    clamped; a non-finite value the middle one.  ``dtype``: the indices' type (``np.uint8`` needs ≤ 256 colours)."""
    if not (np.isfinite(vmin) and np.isfinite(vmax) and vmax > vmin):
        raise ValueError(f"colorize needs finite vmin < vmax; got vmin={vmin!r}, vmax={vmax!r}")
    n = n_colours - 1
    idx = np.asarray(values, np.float32) - np.float32(vmin)
    idx *= np.float32(n / (vmax - vmin))
    idx += np.float32(0.5)  # round to the nearest table entry
    np.clip(idx, 0, n, out=idx)  # also sends ±inf to the ends
    idx[np.isnan(idx)] = n / 2
    return idx.astype(dtype)


def class_marker(c: int) -> dict:
    """Class ``c``'s colour and marker shape, as a Plotly marker's ``color`` and ``symbol``."""
    return {"color": CLASS_COLORS[c % len(CLASS_COLORS)], "symbol": CLASS_SYMBOLS[c % len(CLASS_SYMBOLS)]}


def class_image(probs: np.ndarray, discretize: bool = False) -> np.ndarray:
    """(res, res, K) class probabilities → (res, res, 3) uint8: the winning class's pale colour.

    Intensity rises from the neutral grey at chance level (p = 1/K) to the full
    pale colour at p = 1, so uncertain regions fade out; ``discretize`` gives the full pale colour.
    """
    k = probs.shape[-1]
    colours = np.array([hex_to_rgb(PALE_CLASS_COLORS[c % len(PALE_CLASS_COLORS)]) for c in range(k)], np.float32)
    win = probs.argmax(axis=-1)
    if discretize:
        t = np.ones(win.shape + (1,), np.float32)
    else:
        p = np.take_along_axis(probs, win[..., None], axis=-1)
        t = np.clip((p - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0).astype(np.float32)
    neutral = np.array(hex_to_rgb(NEUTRAL), np.float32)
    return (neutral + t * (colours[win] - neutral)).round().astype(np.uint8)
