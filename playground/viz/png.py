"""Tiny PNG encoder: RGB pixels → PNG bytes → ``data:`` URI.

The network diagram draws every neuron as a small image of its output over the
input plane; the boundary is one picture of the plane; the data picker shows a
thumbnail of each dataset.  Plotly can place images in a figure's layout as
``data:`` URIs, so all that is needed is RGB pixels → PNG bytes, which zlib and
struct do in a few lines (no Pillow):

    PNG = signature · IHDR(width, height, 8-bit RGB) · IDAT(zlib(rows)) · IEND
    each row = filter byte 0 ("none") followed by its R, G, B bytes

    >>> encode_png(np.zeros((2, 3, 3), np.uint8))[:8] == PNG_SIGNATURE
    True
"""
from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

from playground.viz.palette import colorize, colour_indices, lookup_table

__all__ = ["PNG_SIGNATURE", "encode_png", "data_uri", "app_icon", "picture_source"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, payload: bytes) -> bytes:
    """length · type · data · CRC-32 of (type · data), as the PNG spec lays out every chunk."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def encode_png(rgb: np.ndarray, level: int = 6) -> bytes:
    """PNG bytes of an (h, w, 3) RGB or (h, w, 4) RGBA uint8 image.

    Every row uses filter 0 ("none"): smooth thumbnails compress well enough
    and the encoder stays a few NumPy calls (~0.1 ms for 40×40).
    """
    img = np.asarray(rgb)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] not in (3, 4) or 0 in img.shape[:2]:
        raise ValueError(f"encode_png needs a non-empty (h, w, 3|4) uint8 array; got {img.dtype} {img.shape}")
    h, w, c = img.shape
    rows = np.zeros((h, 1 + w * c), np.uint8)  # column 0 is each row's filter byte
    rows[:, 1:] = img.reshape(h, w * c)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2 if c == 3 else 6, 0, 0, 0)  # 8 bits, RGB(A), no interlace
    return PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) \
        + _chunk(b"IEND", b"")


def data_uri(png: bytes) -> str:
    """``data:image/png;base64,…``: how Plotly layout images and ``<img>`` take inline pictures."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def picture_source(values: np.ndarray, vmin: float, vmax: float, palette: str | np.ndarray = "diverging", *,
                   pixels: bool = False) -> str | dict:
    """A layout image's ``source`` for ``values`` (rows top-down) coloured as `colorize` colours them: a PNG
    ``data:`` URI; or, with ``pixels``, the colours' indices and the table, ``{"pixels": {"index": (h, w) uint8,
    "lut": (256, 3) uint8}}``, which the live chart paints in the browser (``assets/live_plotly.js``), so the
    server encodes no PNG for a live frame (the figure is then for ``live_plotly`` only).  Painted, the last of
    a 257-colour table's entries shows as the one before it (1/256 of the scale apart)."""
    if not pixels:
        return data_uri(encode_png(np.ascontiguousarray(colorize(values, vmin, vmax, palette)), level=1))
    lut = lookup_table(palette)
    idx = colour_indices(values, vmin, vmax, len(lut), np.uint16 if len(lut) > 256 else np.uint8)
    if len(lut) > 256:
        np.minimum(idx, 255, out=idx)
    return {"pixels": {"index": np.ascontiguousarray(idx, dtype=np.uint8), "lut": lut[:256]}}


def app_icon(size: int = 32) -> bytes:
    """The app's favicon as PNG bytes: a blue disc on orange, TF Playground's circle dataset as a
    trained network draws it.  Made here rather than named as a Material icon, which the browser
    would fetch from fonts.gstatic.com: a classroom may be offline."""
    y, x = np.mgrid[-1:1:size * 1j, -1:1:size * 1j]
    return encode_png(colorize(np.tanh(6 * (0.6 - np.hypot(x, y))), -1, 1))
