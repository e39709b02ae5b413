"""The network as TF Playground draws it, and its per-layer gradients as heatmaps.

Colours: orange < 0 < blue (``palette.DIVERGING``).  Display numbering is 1-based
("Hidden 1", "w[1] 2→3"); ``customdata`` holds 0-based indices into ``params`` for click handlers.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from playground.core.activations import ACTIVATIONS
from playground.viz.palette import BLUE, CLASS_COLORS, DIVERGING, NEUTRAL, ORANGE, hex_to_rgb, make_lut
from playground.viz.plotly_dicts import GL_POINTS, f32, figure, safe_text
from playground.viz.png import picture_source

__all__ = ["network_figure", "gradient_heatmaps", "LINK_MARKERS", "THUMBNAIL_NODES"]

THUMBNAIL_NODES = 300  # above this many nodes the diagram draws plain squares, no thumbnails
_NODE_LINE = "#8a9096"
_LINK_BUCKETS = 6  # link widths are drawn in this many steps (1 … 6 px): one trace per (sign, step)
LINK_MARKERS = 2_000  # most links given a hover/click marker: the strongest ones
_MAX_LINK_PX = 6.0


def _map_range(kind: str, maps: np.ndarray) -> tuple[float, float]:
    """Colour range of one layer's thumbnails.

    A bounded activation keeps its own range (tanh −1…1; sigmoid 0…1, so 0.5
    is grey), so colours mean the same thing all through training; unbounded
    ones (ReLU, linear) use ±max|value| of the layer.
    """
    act = ACTIVATIONS.get(kind)
    if act is not None and act.out_range[0] >= -1.0 and act.out_range[1] <= 1.0:
        return act.out_range
    m = float(np.abs(maps).max()) if maps.size else 0.0
    m = m if math.isfinite(m) and m > 1e-9 else 1.0
    return -m, m


_CLASS_LUTS = [make_lut([NEUTRAL, c]) for c in CLASS_COLORS]


def _thumbnails(maps: np.ndarray, kind: str, px: int, pixels: bool = False) -> list[str | dict]:
    """(res, res, units) → one layout image source per unit (``png.picture_source``: a PNG data URI, or with
    ``pixels`` colour indices the live chart paints), ≤ px pixels a side, row 0 at the top.

    Inputs (x₁, x₁², sin x₁ …) each get their own ±max range; softmax outputs
    go from grey (p = 0) to their class colour (p = 1).
    """
    step = max(1, -(-maps.shape[0] // px))
    sub = maps[::-1][::step, ::step]  # picture rows run top-down, grid rows bottom-up
    units = range(maps.shape[2])
    if kind == "softmax":
        return [picture_source(sub[:, :, u], 0.0, 1.0, _CLASS_LUTS[u % len(_CLASS_LUTS)], pixels=pixels) for u in units]
    if kind == "input":
        return [picture_source(sub[:, :, u], *_map_range("", maps[:, :, u]), pixels=pixels) for u in units]
    lo, hi = _map_range(kind, maps)
    return [picture_source(sub[:, :, u], lo, hi, pixels=pixels) for u in units]


def _segments(xa, ya, xb, yb) -> tuple[np.ndarray, np.ndarray]:
    """Line segments as one x and one y array, NaN between segments (one trace draws them all)."""
    n = len(xa)
    x, y = np.empty((n, 3), np.float32), np.empty((n, 3), np.float32)
    x[:, 0], x[:, 1], x[:, 2] = xa, xb, np.nan
    y[:, 0], y[:, 1], y[:, 2] = ya, yb, np.nan
    return x.ravel(), y.ravel()


def _layer_name(c: int, n_layers: int, sizes, activation_names, output_label, sep: str) -> str:
    if c == 0:
        return "Input"
    if c == n_layers:
        return f"Output{sep}{output_label}" if output_label else "Output"
    act = activation_names[c - 1] if c - 1 < len(activation_names) else ""
    return f"Hidden {c}{sep}{sizes[c]} {act}".rstrip()


def _link_traces(sizes, params, grads, color_by: str, cx, cy, half: float) -> list[dict]:
    """Every weight as a line, bucketed into ≤ 2 × _LINK_BUCKETS traces by sign and width, plus hover markers."""
    parts = []
    for l in range(len(sizes) - 1):
        fi, fo = sizes[l], sizes[l + 1]
        ii, jj = np.repeat(np.arange(fi), fo), np.tile(np.arange(fo), fi)
        parts.append((np.full(fi * fo, l), ii, jj, cy[l][ii], cy[l + 1][jj], np.full(fi * fo, cx[l] + half),
                      np.full(fi * fo, cx[l + 1] - half), np.asarray(params[l][0], np.float64).ravel(),
                      np.asarray(grads[l][0], np.float64).ravel()))
    layer, ii, jj, ya, yb, xa, xb, wv, gv = (np.concatenate(p) for p in zip(*parts))
    value = np.nan_to_num(wv if color_by == "weight" else gv)
    mag = np.abs(value)
    top = float(mag.max()) if mag.size else 0.0
    bucket = np.minimum((mag / top * _LINK_BUCKETS).astype(np.intp), _LINK_BUCKETS - 1) if top > 0 \
        else np.zeros(len(mag), np.intp)
    # Thousands of overlapping links would paint a solid block: fade them as they crowd.
    fade = min(1.0, (200.0 / max(len(value), 1)) ** 0.4)
    data: list[dict] = []
    for k in range(_LINK_BUCKETS):  # weakest first, so the strongest links are drawn on top
        frac = (k + 1) / _LINK_BUCKETS
        for positive, color in ((False, ORANGE), (True, BLUE)):
            sel = (bucket == k) & ((value >= 0) == positive)
            if not sel.any():
                continue
            x, y = _segments(xa[sel], ya[sel], xb[sel], yb[sel])
            r, g, b = hex_to_rgb(color)
            data.append({"type": "scatter", "mode": "lines", "x": x, "y": y, "hoverinfo": "skip",
                         "showlegend": False,
                         "line": {"color": f"rgba({r},{g},{b},{(0.35 + 0.65 * frac) * fade:.3f})",
                                  "width": max(0.75, _MAX_LINK_PX * frac)}})
    # Hover/click markers at link midpoints.  In a big network the links are far too dense to
    # point at one, and thousands of hover strings would cost more than the rest of the frame:
    # only the LINK_MARKERS strongest (the ones that stand out) get a marker.
    keep = slice(None) if len(mag) <= LINK_MARKERS else np.sort(np.argpartition(-mag, LINK_MARKERS)[:LINK_MARKERS])
    layer, ii, jj, wv, gv = layer[keep], ii[keep], jj[keep], wv[keep], gv[keep]
    hover = [f"w[{l + 1}] {i + 1}→{j + 1} = {w:.3f}<br>∂L/∂w = {g:.3g}"
             for l, i, j, w, g in zip(layer.tolist(), ii.tolist(), jj.tolist(), wv.tolist(), gv.tolist())]
    data.append({"type": "scattergl" if len(hover) > GL_POINTS else "scatter", "mode": "markers",
                 "x": f32((xa[keep] + xb[keep]) / 2), "y": f32((ya[keep] + yb[keep]) / 2),
                 "hovertext": hover, "hoverinfo": "text", "showlegend": False, "name": "links",
                 "customdata": [["w", l, i, j] for l, i, j in zip(layer.tolist(), ii.tolist(), jj.tolist())],
                 "marker": {"size": 9, "color": "rgba(0,0,0,0)"}})
    return data


def _node_images(neuron_maps, kinds, cx, cy, node: float, pixels: bool = False) -> tuple[list[dict], dict]:
    """Thumbnails as layout images (data coordinates, square) and one outline trace for all nodes."""
    n_cols = len(cy)
    offset = n_cols - len(neuron_maps)
    if offset not in (0, 1):
        raise ValueError(f"neuron_maps needs {n_cols} entries (inputs first) or {n_cols - 1}; got {len(neuron_maps)}")
    half = node / 2
    px = 40 if sum(len(c) for c in cy) <= 60 else 20
    images = []
    for c in range(offset, n_cols):
        maps = np.asarray(neuron_maps[c - offset], np.float32)
        for j, uri in enumerate(_thumbnails(maps, kinds[c], px, pixels)):
            images.append({"source": uri, "xref": "x", "yref": "y", "x": cx[c] - half, "y": cy[c][j] + half,
                           "sizex": node, "sizey": node, "sizing": "stretch", "layer": "below"})
    ox = np.concatenate([np.full(len(y), cx[c]) for c, y in enumerate(cy)])
    oy = np.concatenate(cy)
    gap = np.full_like(ox, np.nan)
    corners_x = np.stack([ox - half, ox + half, ox + half, ox - half, ox - half, gap], 1)
    corners_y = np.stack([oy + half, oy + half, oy - half, oy - half, oy + half, gap], 1)
    outline = {"type": "scatter", "mode": "lines", "x": f32(corners_x.ravel()), "y": f32(corners_y.ravel()),
               "line": {"color": _NODE_LINE, "width": 1}, "hoverinfo": "skip", "showlegend": False}
    return images, outline


def _node_markers(sizes, params, grads, input_labels, cx, cy, size_px: float, thumbs: bool, names) -> list[dict]:
    """A hover/click marker per node: inputs ["input", j]; neurons ["b", layer, j] with bias and ∂L/∂b.

    Over thumbnails the markers are invisible; without them they are the
    nodes, coloured by bias (orange < 0 < blue).
    """
    n_layers = len(sizes) - 1
    line = {"width": 0 if thumbs else 1, "color": _NODE_LINE}
    clear = "rgba(0,0,0,0)"
    inputs = {"type": "scatter", "mode": "markers", "x": f32(np.full(sizes[0], cx[0])), "y": f32(cy[0]),
              "hovertext": [f"input {safe_text(input_labels[j]) if j < len(input_labels) else j + 1}" for j in range(sizes[0])],
              "hoverinfo": "text", "customdata": [["input", j] for j in range(sizes[0])],
              "showlegend": False, "name": "inputs",
              "marker": {"symbol": "square", "size": size_px, "color": clear if thumbs else NEUTRAL, "line": line}}
    bias = np.concatenate([np.asarray(b, np.float64).ravel() for _, b in params])
    gbias = np.concatenate([np.asarray(g, np.float64).ravel() for _, g in grads])
    where = [(c, j) for c in range(1, n_layers + 1) for j in range(sizes[c])]
    bmax = float(np.abs(bias).max()) if bias.size else 0.0
    bmax = bmax or 1.0
    neurons = {"type": "scatter", "mode": "markers",
               "x": f32(np.concatenate([np.full(sizes[c], cx[c]) for c in range(1, n_layers + 1)])),
               "y": f32(np.concatenate(cy[1:])), "hoverinfo": "text", "showlegend": False, "name": "neurons",
               "hovertext": [f"{names[c]}, neuron {j + 1}<br>b = {bv:.3f}<br>∂L/∂b = {gb:.3g}"
                             for (c, j), bv, gb in zip(where, bias.tolist(), gbias.tolist())],
               "customdata": [["b", c - 1, j] for c, j in where],
               "marker": {"symbol": "square", "size": size_px, "line": line,
                          **({"color": clear} if thumbs else
                             {"color": f32(bias), "colorscale": DIVERGING, "cmin": -bmax, "cmax": bmax})}}
    return [inputs, neurons]


def network_figure(sizes, input_labels, params, grads=None, *, color_by: str = "weight", neuron_maps=None,
                   activation_names=(), output_label: str = "", aspect: float = 0.55,
                   spec: bool = False, pixels: bool = False) -> go.Figure | dict:
    """TF-Playground-style diagram of the network: nodes in columns, a link for every weight.

    Args:
        sizes: units per layer, inputs first, e.g. ``[2, 4, 2, 1]``.
        input_labels: a name per input (X₁, X₁², … or column names).
        params, grads: ``[(W, b), ...]`` with W (fan_in, fan_out); grads the same
            shapes (∂C/∂W, ∂C/∂b), or None.
        color_by: "weight" or "gradient": what sets each link's colour (sign:
            orange < 0, blue > 0) and width (∝ |value|, the largest ~6 px).
        neuron_maps: each node's output over the input plane, a list of
            (res, res, units) arrays, inputs first (len(sizes) entries) or
            without the inputs (len(sizes) − 1); drawn as ~40 px thumbnails
            (skipped above 300 nodes, where nodes are squares coloured by bias).
        activation_names, output_label: for the column titles and thumbnail colour ranges.
        aspect: height / width of the plot area the figure will get; nodes are
            spaced to fill it (the axes keep equal scale so thumbnails stay square).
        spec: return the plain dict (see ``figure``).
        pixels: the thumbnails as colour indices that the live chart paints in the browser
            (``png.picture_source``): for ``live_plotly`` only.

    Clicks: every link has an invisible marker at its midpoint with hover text
    and ``customdata = ["w", layer, i, j]`` (W[layer][i, j], 0-based); every
    neuron one with ``["b", layer, j]`` (b[layer][j]); inputs ``["input", j]``.
    Above ``LINK_MARKERS`` links only the strongest that many get a marker
    (64-wide layers draw links far closer together than a pointer can pick).
    """
    sizes = [int(n) for n in sizes]
    n_layers = len(sizes) - 1
    if n_layers < 1 or len(params) != n_layers:
        raise ValueError(f"network_figure needs one (W, b) per layer: sizes {sizes} want {n_layers}, got {len(params)}")
    for l, (W, b) in enumerate(params):
        if np.shape(W) != (sizes[l], sizes[l + 1]) or np.shape(b) != (sizes[l + 1],):
            raise ValueError(f"layer {l}: W {np.shape(W)} / b {np.shape(b)} do not match sizes {sizes}")
    if color_by not in ("weight", "gradient"):
        raise ValueError(f"color_by must be 'weight' or 'gradient', got {color_by!r}")
    if grads is None:
        grads = [(np.zeros(np.shape(W)), np.zeros(np.shape(b))) for W, b in params]

    # Geometry, in data units: columns 1 apart, the tallest column fills aspect × width.
    width_u = n_layers + 1.0
    height_u = aspect * width_u
    node = min(0.8 * height_u / max(sizes), 0.42)
    cx = np.arange(n_layers + 1, dtype=np.float64)
    # A short column beside a tall one keeps a comfortable spacing instead of huddling in the middle.
    pitch = max(height_u / max(sizes), 0.3)
    cy = [((n - 1) / 2.0 - np.arange(n)) * min(height_u / n, pitch) for n in sizes]
    show_inputs = 0 < sizes[0] <= 16 and len(input_labels) == sizes[0]
    label_room = 0.08 * width_u if show_inputs else 0.0
    size_px = float(np.clip(node * 640.0 / (width_u + label_room), 4, 60))  # 640 px: a guess at the drawn width
    sep = " · " if n_layers <= 2 else "<br>"  # three or more columns of labels overlap on one line
    names = [_layer_name(c, n_layers, sizes, activation_names, output_label, sep) for c in range(n_layers + 1)]

    data = _link_traces(sizes, params, grads, color_by, cx, cy, node / 2)
    images: list[dict] = []
    thumbs = neuron_maps is not None and sum(sizes) <= THUMBNAIL_NODES
    if thumbs:
        kinds = ["input", *activation_names[:n_layers - 1], output_label]
        images, outline = _node_images(neuron_maps, kinds + [""] * (n_layers + 1 - len(kinds)), cx, cy, node, pixels)
        data.append(outline)
    data += _node_markers(sizes, params, grads, input_labels, cx, cy, size_px, thumbs,
                          [n.split(sep)[0] for n in names])
    if show_inputs:
        data.append({"type": "scatter", "mode": "text", "x": f32(np.full(sizes[0], cx[0] - node / 2 - 0.03)),
                     "y": f32(cy[0]), "text": [safe_text(v) for v in input_labels], "textposition": "middle left",
                     "hoverinfo": "skip", "showlegend": False, "textfont": {"size": 13}})
    top_y = height_u / 2 + 0.02 * width_u
    annotations = [{"x": cx[c], "y": top_y, "xref": "x", "yref": "y", "text": names[c], "showarrow": False,
                    "yanchor": "bottom", "font": {"size": 13}} for c in range(n_layers + 1)]
    axis = {"visible": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    layout = {"uirevision": "network", "hovermode": "closest", "showlegend": False, "images": images,
              "annotations": annotations, "margin": {"l": 5, "r": 5, "t": 5, "b": 5},
              "xaxis": {**axis, "range": [-0.5 - label_room, n_layers + 0.5]},
              "yaxis": {**axis, "range": [-height_u / 2 - 0.02 * width_u, height_u / 2 + 0.17 * width_u],  # two title lines, also at 1.5× type
                        "scaleanchor": "x", "scaleratio": 1}}
    return figure(data, layout, spec)


# ---------------------------------------------------------------------------------- gradients
def gradient_heatmaps(grads, *, layer_labels=(), spec: bool = False) -> go.Figure | dict:
    """One heatmap per layer of ∂C/∂W (rows = from-units, columns = to-units), side by side.

    Each layer has its own symmetric diverging scale (orange < 0 < blue, ±max
    |gradient| of that layer, quoted in its title), because gradients of
    different layers can differ by orders of magnitude.  The bias gradient
    ∂C/∂b is an extra bottom row labelled "bias".  Units are numbered from 1.  ``spec``: the plain dict
    (see ``plotly_dicts.figure``), what a live chart sends without building a Figure.
    """
    n_layers = len(grads)
    crowded = n_layers > 4  # deep nets: short titles, fewer ticks, so the panels stay legible
    fan_out = np.array([max(np.shape(gb)[0], 2) for _, gb in grads], np.float64)
    fan_out = np.maximum(fan_out, fan_out.max() / 2)  # a narrow layer's panel still holds its title
    gap = 0.06 if not crowded else 0.025
    widths = fan_out / fan_out.sum() * (1.0 - gap * (n_layers - 1))
    data, annotations, layout = [], [], {}
    left = 0.0
    for l, (gW, gb) in enumerate(grads):
        gW, gb = np.asarray(gW, np.float64), np.asarray(gb, np.float64)
        fi, fo = gW.shape
        m = max(float(np.abs(gW).max(initial=0.0)), float(np.abs(gb).max(initial=0.0)))
        m = m if math.isfinite(m) and m > 0 else 1.0
        ax = "" if l == 0 else str(l + 1)
        common = {"xaxis": f"x{ax}", "yaxis": f"y{ax}", "colorscale": DIVERGING, "zmin": -m, "zmax": m,
                  "showscale": False, **({"xgap": 1, "ygap": 1} if max(fi, fo) <= 16 else {})}
        cols = f32(np.arange(1, fo + 1))
        data.append({"type": "heatmap", "z": f32(np.nan_to_num(gW)), "x": cols, "y": f32(np.arange(1, fi + 1)),
                     "hovertemplate": "∂L/∂w from %{y} to %{x} = %{z:.3g}<extra></extra>", **common})
        data.append({"type": "heatmap", "z": f32(np.nan_to_num(gb))[None, :], "x": cols, "y": f32([fi + 1]),
                     "hovertemplate": "∂L/∂b of unit %{x} = %{z:.3g}<extra></extra>", **common})
        if l == n_layers - 1:  # one colour legend: every panel spans its own ±scale (in its title)
            data[-2].update(showscale=True, colorbar={"title": {"text": "∂L/∂w"}, "thickness": 12, "len": 0.9,
                                                      "tickvals": [-m, 0, m], "ticktext": ["−scale", "0", "+scale"]})
        ticks = [1, fi + 1] if crowded else [*range(1, fi + 1, max(1, math.ceil(fi / 5))), fi + 1]
        domain = [left, min(left + widths[l], 1.0)]
        tickfont = {"size": 10 if crowded else 12}
        layout[f"xaxis{ax}"] = {"domain": domain, "anchor": f"y{ax}", "side": "top", "showgrid": False,
                                "tickfont": tickfont, "title": {"text": "to unit" if l == 0 else ""},
                                **({"dtick": 1} if fo <= 5 else {"tickvals": [1, fo]})}
        layout[f"yaxis{ax}"] = {"anchor": f"x{ax}", "autorange": "reversed", "showgrid": False, "tickfont": tickfont,
                                "showticklabels": not crowded or l == 0,
                                "tickvals": ticks, "ticktext": [str(t) for t in ticks[:-1]] + ["bias"],
                                "title": {"text": "from unit" if l == 0 else ""}}
        label = f"W{l + 1}" if crowded else f"layer {l + 1}<br>{fi} → {fo}"  # three short lines: narrow panels
        label = layer_labels[l] if l < len(layer_labels) else label
        annotations.append({"x": (domain[0] + domain[1]) / 2, "y": -0.02, "xref": "paper", "yref": "paper",
                            "yanchor": "top", "showarrow": False, "font": {"size": 11 if crowded else 13},
                            "text": f"{label}<br>±{m:.1g}" if crowded else f"{label}<br>±{m:.2g}"})
        left = domain[1] + gap
    layout.update(uirevision="gradients", annotations=annotations, margin={"l": 55, "r": 10, "t": 45, "b": 72})
    return figure(data, layout, spec)

