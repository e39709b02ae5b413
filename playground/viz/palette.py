"""The app's colours: one home for the class colours, the class marker shapes and the colour maps.

Colours are TensorFlow Playground's: negative / class 0 orange ``#f59322``,
positive / class 1 blue ``#0877bd``, light grey ``#e8eaeb`` in between.

    >>> rgb = colorize(np.array([[-1.0, 0.0, 1.0]]), -1, 1, "diverging")
    >>> rgb[0].tolist()
    [[245, 147, 34], [232, 234, 235], [8, 119, 189]]
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = [
    "ORANGE", "BLUE", "NEUTRAL", "CLASS_COLORS", "DIVERGING", "PALETTES", "hex_to_rgb", "make_lut", "colorize",
]

ORANGE = "#f59322"  # TF Playground's negative label / class 0
BLUE = "#0877bd"  # positive label / class 1
NEUTRAL = "#e8eaeb"  # "undecided" (output 0) between the two

#: One colour per class, up to the 10 digits.  Classes 0 and 1 keep TF's orange
#: and blue so a class looks the same in the binary and the multi-class views;
#: the rest are the well-separated D3/Tableau category colours.
CLASS_COLORS: tuple[str, ...] = (
    ORANGE, BLUE, "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)

#: The diverging map as a Plotly colorscale: −1 orange, 0 grey, +1 blue (TF's d3 scale).
DIVERGING: list[list] = [[0.0, ORANGE], [0.5, NEUTRAL], [1.0, BLUE]]


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


#: Named lookup tables for `colorize`.
PALETTES: dict[str, np.ndarray] = {
    "diverging": make_lut([ORANGE, NEUTRAL, BLUE]),
}


def colorize(values: np.ndarray, vmin: float, vmax: float, palette: str | np.ndarray = "diverging") -> np.ndarray:
    """Map values (h, w) to colours (h, w, 3) uint8 through a lookup table (257 colours).

    ``vmin`` gets the first colour, ``vmax`` the last, values outside are
    clamped; a non-finite value gets the middle colour.  ``palette`` is a name
    in `PALETTES` or an (n, 3) uint8 table from `make_lut`.
    """
    lut = PALETTES[palette] if isinstance(palette, str) else np.asarray(palette, np.uint8)
    if lut.ndim != 2 or lut.shape[1] != 3:
        raise ValueError(f"palette must be a name in {list(PALETTES)} or an (n, 3) uint8 table; got shape {lut.shape}")
    if not (np.isfinite(vmin) and np.isfinite(vmax) and vmax > vmin):
        raise ValueError(f"colorize needs finite vmin < vmax; got vmin={vmin!r}, vmax={vmax!r}")
    n = len(lut) - 1
    idx = np.asarray(values, np.float32) - np.float32(vmin)
    idx *= np.float32(n / (vmax - vmin))
    idx += np.float32(0.5)  # round to the nearest table entry
    np.clip(idx, 0, n, out=idx)  # also sends ±inf to the ends
    idx[np.isnan(idx)] = n / 2
    return np.take(lut, idx.astype(np.intp), axis=0)
