"""How far apart the boundary palette keeps things, as CIEDE2000 ΔE: run ``python bench/palette_contrast.py``.

For normal vision and simulated deuteranopia and protanopia (Machado et al. 2009, ``viz/colour.py``)
it prints the smallest difference between

* a point and any colour the boundary can paint under it (binary output −1…+1, each of ten classes
  from chance to certain, regression predictions across the range), its own class's region included;
* two classes' points, among the first four and among all ten (ten also differ by marker shape);
* the two binary regions (the boundary itself), and the regions of the first five classes;

beside the same figures for the palette before issue 14 (saturated regions in the points' own colours).
``tests/test_palette.py`` asserts the thresholds through the figure itself; this prints the numbers.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground.viz import palette  # noqa: E402
from playground.viz.colour import VISIONS, difference  # noqa: E402

OLD_CLASSES = ("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
               "#17becf")  # the points before: and the regions were the same colours, full strength when sure


def _rgb(colours) -> np.ndarray:
    return np.array([palette.hex_to_rgb(c) for c in colours], np.float64)


def _ramps(areas: np.ndarray, steps: int = 21) -> np.ndarray:
    """Each area colour from the neutral grey (unsure) to full (certain), as the boundary paints it."""
    t = np.linspace(0, 1, steps)[:, None, None]
    neutral = np.array(palette.hex_to_rgb(palette.NEUTRAL), np.float64)
    return np.round(neutral + t * (areas[None] - neutral)).reshape(-1, 3)


def _pairs(colours: np.ndarray, vision: str) -> np.ndarray:
    d = difference(colours[:, None], colours[None], vision)
    np.fill_diagonal(d, np.inf)
    return d


def measure(points: np.ndarray, areas: np.ndarray, value_points: np.ndarray, value_areas: np.ndarray) -> dict:
    rows = {}
    for vision in VISIONS:
        d = _pairs(points, vision)
        rows[vision] = {
            "point vs area (binary)": difference(points[:2, None], _ramps(areas[:2])[None], vision).min(),
            "point vs area (10 classes)": difference(points[:, None], _ramps(areas)[None], vision).min(),
            "point vs area (regression)": difference(value_points[:, None], value_areas[None], vision).min(),
            "classes, first 4": d[:4, :4].min(),
            "classes, all 10": d.min(),
            "binary regions": difference(areas[0], areas[1], vision),
            "regions, first 5": _pairs(areas[:5], vision).min(),
        }
    return rows


def main() -> None:
    now = measure(_rgb(palette.CLASS_COLORS), _rgb(palette.PALE_CLASS_COLORS),
                  palette.PALETTES["points"].astype(np.float64), palette.PALETTES["boundary"].astype(np.float64))
    old_lut = palette.make_lut([OLD_CLASSES[0], palette.NEUTRAL, OLD_CLASSES[1]]).astype(np.float64)
    before = measure(_rgb(OLD_CLASSES), _rgb(OLD_CLASSES), old_lut, old_lut)
    names = list(now["normal"])
    print(f"{'smallest ΔE00':28s}" + "".join(f"{v:>14s}" for v in VISIONS) + "   before (normal / deutan / protan)")
    for name in names:
        print(f"{name:28s}" + "".join(f"{now[v][name]:14.1f}" for v in VISIONS)
              + "   " + " / ".join(f"{before[v][name]:.1f}" for v in VISIONS))


if __name__ == "__main__":
    main()
