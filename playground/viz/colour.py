"""Colour science in NumPy: sRGB ↔ CIELAB, the CIEDE2000 colour difference, colour-blindness simulation.

What the palette (``palette.py``) builds its pale boundary colours with, and what the tests measure
it by.  Colours are arrays of 8-bit sRGB triples, shape (..., 3); every function works elementwise
over the leading axes.

* sRGB → linear light → CIE XYZ (D65) → CIELAB, as IEC 61966-2-1 and CIE 15 define them.
* ``delta_e2000``: the CIEDE2000 difference (Sharma, Wu and Dalal 2005 give the formula and test
  data).  About 1 is just noticeable side by side; a small point on a background needs far more.
* ``simulate``: how a colour looks with protanopia or deuteranopia (no working L or M cones), by
  Machado, Oliveira and Fernandes (2009): a 3 × 3 matrix on linear RGB, severity 1.0.  Together
  these two are ~6 % of men.

    >>> lab = srgb_to_lab(np.array([255, 255, 255]))
    >>> [round(float(v), 3) for v in lab]
    [100.0, 0.0, 0.0]
    >>> round(float(delta_e2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485]))), 4)
    2.0425
"""
from __future__ import annotations

import numpy as np

__all__ = ["VISIONS", "srgb_to_linear", "linear_to_srgb", "srgb_to_lab", "lab_to_srgb", "delta_e2000",
           "simulate", "difference"]

#: Machado et al. (2009), Table 1, severity 1.0: linear RGB → linear RGB as the dichromat sees it.
_MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}
#: The ways of seeing the palette is checked under.
VISIONS: tuple[str, ...] = ("normal", "deuteranopia", "protanopia")

_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_WHITE = _RGB_TO_XYZ.sum(axis=1)  # D65, Y = 1
_EPS, _KAPPA = 216 / 24389, 24389 / 27


def srgb_to_linear(rgb) -> np.ndarray:
    """8-bit sRGB (0–255) → linear light (0–1)."""
    c = np.asarray(rgb, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin) -> np.ndarray:
    """Linear light → sRGB (0–255, float; clipped into the gamut)."""
    c = np.clip(np.asarray(lin, np.float64), 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def _lab_from_linear(lin: np.ndarray) -> np.ndarray:
    t = (lin @ _RGB_TO_XYZ.T) / _WHITE
    f = np.where(t > _EPS, np.cbrt(t), (_KAPPA * t + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def srgb_to_lab(rgb) -> np.ndarray:
    """8-bit sRGB → CIELAB (L* 0–100, a*, b*) under D65."""
    return _lab_from_linear(srgb_to_linear(rgb))


def lab_to_srgb(lab) -> np.ndarray:
    """CIELAB → 8-bit sRGB (float, clipped into the gamut)."""
    lab = np.asarray(lab, np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    t = np.where(f ** 3 > _EPS, f ** 3, (116 * f - 16) / _KAPPA)
    return linear_to_srgb((t * _WHITE) @ _XYZ_TO_RGB.T)


def delta_e2000(lab1, lab2) -> np.ndarray:
    """CIEDE2000 colour difference between CIELAB colours (kL = kC = kH = 1)."""
    lab1, lab2 = np.broadcast_arrays(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64))
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where(c1p == 0, 0.0, np.degrees(np.arctan2(b1, a1p)) % 360)
    h2p = np.where(c2p == 0, 0.0, np.degrees(np.arctan2(b2, a2p)) % 360)
    dLp, dCp = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    L_bar, c_bar_p = (L1 + L2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180, np.where(h_sum < 360, h_sum + 360, h_sum - 360), h_sum) / 2
    h_bar = np.where(c1p * c2p == 0, h_sum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar_p, 1 + 0.015 * c_bar_p * t
    r_t = -2 * np.sqrt(c_bar_p ** 7 / (c_bar_p ** 7 + 25.0 ** 7)) \
        * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2))))
    return np.sqrt((dLp / s_l) ** 2 + (dCp / s_c) ** 2 + (dHp / s_h) ** 2 + r_t * (dCp / s_c) * (dHp / s_h))


def simulate(rgb, vision: str) -> np.ndarray:
    """8-bit sRGB as seen with ``vision`` (one of ``VISIONS``), as 8-bit sRGB (float)."""
    rgb = np.asarray(rgb, np.float64)
    if vision == "normal":
        return rgb
    if vision not in _MACHADO:
        raise ValueError(f"vision must be one of {VISIONS}, got {vision!r}")
    return linear_to_srgb(srgb_to_linear(rgb) @ _MACHADO[vision].T)


def difference(rgb1, rgb2, vision: str = "normal") -> np.ndarray:
    """CIEDE2000 between 8-bit sRGB colours as someone with ``vision`` sees them (broadcasts)."""
    return delta_e2000(srgb_to_lab(simulate(rgb1, vision)), srgb_to_lab(simulate(rgb2, vision)))
