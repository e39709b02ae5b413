"""The Playground's figures (viz/boundary, curves, network_figure, activation_figure), palette and png:
each figure holds the numbers it was given, validates, and carries no NaN data."""
from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.core.activations import ACTIVATIONS
from playground.data.datasets import generate
from playground.viz.activation_figure import activation_figure, plain_formula
from playground.viz.boundary import boundary_figure
from playground.viz.curves import MAX_CURVE_POINTS, decimate, grad_norm_figure, loss_figure
from playground.viz.data_figures import dataset_preview
from playground.viz.network_figure import LINK_MARKERS, gradient_heatmaps, network_figure
from playground.viz.plotly_dicts import describe
from playground.viz.palette import (BLUE, CLASS_COLORS, CLASS_SYMBOLS, NEUTRAL, ORANGE, PALE_CLASS_COLORS, POINT_SCALE,
                                    colorize, hex_to_rgb)
from playground.viz.png import PNG_SIGNATURE, app_icon, data_uri, encode_png
from playground.run.trainer import Trainer
from playground.run.views import boundary_values, grid_for, network_kwargs, neuron_maps, preactivation_ranges
from test_views import RES, blobs, circle, iris, reg  # noqa: F401  (the same small trained networks)


# ------------------------------------------------------------------------------------- helpers
def decode_png(png: bytes) -> np.ndarray:
    """A minimal PNG reader for what encode_png writes (8-bit RGB/RGBA, filter 0), checking every CRC."""
    assert png[:8] == PNG_SIGNATURE
    pos, chunks = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    w, h, depth, color, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and color in (2, 6)
    c = 3 if color == 2 else 4
    rows = np.frombuffer(zlib.decompress(chunks[1][1]), np.uint8).reshape(h, 1 + w * c)
    assert (rows[:, 0] == 0).all()  # filter "none" on every row
    return rows[:, 1:].reshape(h, w, c)


def decode_uri(uri: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return decode_png(base64.b64decode(uri[len(prefix):]))


def check(fig: go.Figure) -> dict:
    """Rebuild with Plotly's validation on (catches misspelt properties) and check no data is NaN.

    NaN is allowed only as the separator between line segments: every third
    value of a links trace (x0, x1, NaN) or every sixth of an outline trace.
    """
    assert isinstance(fig, go.Figure)
    spec = fig.to_plotly_json()
    go.Figure(spec)  # raises on any invalid property
    for tr in spec["data"]:
        for key in ("x", "y", "z"):
            v = tr.get(key)
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                bad = np.flatnonzero(np.isnan(v.ravel()))
                if bad.size:
                    assert tr.get("mode") == "lines", f"NaN in {tr['type']}.{key}"
                    period = 3 if (bad[0] == 2 and np.all(bad % 3 == 2)) else 6
                    assert np.all(bad % period == period - 1)
                assert not np.isinf(v).any()
        marker = tr.get("marker") or {}
        if isinstance(marker.get("color"), np.ndarray):
            assert np.isfinite(marker["color"]).all()
    return spec


def _boundary(t: Trainer, cols=(0, 1), **kw) -> tuple[go.Figure, np.ndarray, object]:
    g = grid_for(t, res=RES, cols=cols)
    v = boundary_values(t, g)
    fig = boundary_figure(v, g, (t.train.X, t.train.y), (t.test.X, t.test.y), task=t.task,
                          n_classes=t.n_classes, class_names=t.data.class_names, **kw)
    return fig, v, g


# ------------------------------------------------------------------------------------------ png
@pytest.mark.parametrize("channels", [3, 4])
def test_png_round_trip(channels):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (7, 13, channels), dtype=np.uint8)
    png = encode_png(img)
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR" and struct.unpack(">II", png[16:24]) == (13, 7)  # width, height
    np.testing.assert_array_equal(decode_png(png), img)
    np.testing.assert_array_equal(decode_uri(data_uri(png)), img)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3)), np.zeros((4, 4), np.uint8), np.zeros((0, 4, 3), np.uint8),
                                 np.zeros((4, 4, 2), np.uint8)])
def test_png_rejects_what_it_cannot_encode(bad):
    with pytest.raises(ValueError, match=r"\(h, w, 3\|4\) uint8"):
        encode_png(bad)


def test_app_icon_is_a_blue_disc_on_orange():
    img = decode_png(app_icon(32))
    assert img.shape == (32, 32, 3)
    assert tuple(img[16, 16]) == hex_to_rgb(BLUE) and tuple(img[0, 0]) == hex_to_rgb(ORANGE)


def test_colorize_maps_ends_middle_and_outside():
    v = np.array([[-1.0, 0.0, 1.0, -7.0, 9.0, np.nan]])
    rgb = colorize(v, -1, 1)
    assert rgb.shape == (1, 6, 3) and rgb.dtype == np.uint8
    expect = [hex_to_rgb(ORANGE), hex_to_rgb(NEUTRAL), hex_to_rgb(BLUE),
              hex_to_rgb(ORANGE), hex_to_rgb(BLUE), hex_to_rgb(NEUTRAL)]  # clamped; NaN → middle
    assert [tuple(p) for p in rgb[0]] == expect
    quarter = colorize(np.array([0.5]), -1, 1)[0]  # half way from grey to blue
    mid = (np.array(hex_to_rgb(NEUTRAL)) + np.array(hex_to_rgb(BLUE))) / 2
    assert np.abs(quarter.astype(int) - mid).max() <= 1
    with pytest.raises(ValueError, match="vmin < vmax"):
        colorize(v, 1, 1)


# ------------------------------------------------------------------------------------- boundary
def test_boundary_binary_heatmap_holds_the_values(circle):
    fig, v, g = _boundary(circle, title="circle")
    check(fig)
    heat = fig.data[0]  # transparent: it is there for hovering
    assert heat.type == "heatmap" and heat.opacity == 0
    np.testing.assert_array_equal(heat.z, v)
    np.testing.assert_array_equal(heat.x, g.xs.astype(np.float32))
    assert heat.zmin == -1 and heat.zmax == 1
    assert heat.colorscale[0][1] == ORANGE and heat.colorscale[-1][1] == BLUE
    # What is seen is a pale picture of the output, one pixel per grid point, y_max in its top row.
    (img,) = fig.layout.images
    np.testing.assert_array_equal(decode_uri(img.source), colorize(v, -1, 1, "boundary")[::-1])
    dx = g.xs[1] - g.xs[0]
    assert img.x == pytest.approx(g.xs[0] - dx / 2) and img.sizex == pytest.approx(dx * RES)
    assert img.y == pytest.approx(g.ys[-1] + dx / 2) and img.sizey == pytest.approx(dx * RES)
    assert (img.xref, img.yref, img.sizing, img.layer) == ("x", "y", "stretch", "below")
    train = [tr for tr in fig.data[1:] if "(train)" in tr.hovertemplate]
    test = [tr for tr in fig.data[1:] if "(test)" in tr.hovertemplate]
    assert sum(len(tr.x) for tr in train) == len(circle.train.X)
    assert sum(len(tr.x) for tr in test) == len(circle.test.X)
    assert {tr.marker.line.color for tr in train} == {"white"}
    assert all(tr.marker.line.color != "white" for tr in test)
    pos = next(tr for tr in train if tr.name == "positive")
    assert pos.marker.color == BLUE
    np.testing.assert_array_equal(pos.x, circle.train.X[circle.train.y == 1, 0].astype(np.float32))
    assert "x1 = %{x:.2f}" in pos.hovertemplate and "positive (train)" in pos.hovertemplate
    assert list(fig.layout.xaxis.range) == [-6, 6] and list(fig.layout.yaxis.range) == [-6, 6]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.uirevision == "boundary"
    assert fig.layout.xaxis.title.text == "x1" and fig.layout.title.text == "circle"


def test_boundary_discretize_and_hide_test(circle):
    fig, v, _ = _boundary(circle, discretize=True, show_test=False)
    check(fig)
    np.testing.assert_array_equal(fig.data[0].z, np.where(v >= 0, 1, -1))
    np.testing.assert_array_equal(decode_uri(fig.layout.images[0].source)[::-1],
                                  colorize(np.where(v >= 0, 1, -1), -1, 1, "boundary"))  # the pale ends
    assert not any("(test)" in (tr.hovertemplate or "") for tr in fig.data)


def test_boundary_without_hover_is_the_points_alone(circle):
    """While training the live view drops the hover heatmap: frame to frame only the picture changes."""
    from plotly.io.json import to_json_plotly

    a, v, g = _boundary(circle, hover=False)
    check(a)
    assert all(tr.type == "scatter" for tr in a.data)
    b = boundary_figure(-v, g, (circle.train.X, circle.train.y), (circle.test.X, circle.test.y), task="binary",
                        class_names=circle.data.class_names, hover=False)  # another frame: the network's output changed
    assert to_json_plotly(a.to_plotly_json()["data"]) == to_json_plotly(b.to_plotly_json()["data"])
    assert a.layout.images[0].source != b.layout.images[0].source
    np.testing.assert_array_equal(decode_uri(a.layout.images[0].source), colorize(v, -1, 1, "boundary")[::-1])


def test_boundary_multiclass_image(blobs):
    fig, v, g = _boundary(blobs)
    check(fig)
    assert all(tr.type == "scatter" for tr in fig.data)  # no hover heatmap for classes
    (img,) = fig.layout.images
    dx = g.xs[1] - g.xs[0]
    assert img.x == pytest.approx(g.xs[0] - dx / 2) and img.y == pytest.approx(g.ys[-1] + dx / 2)
    pixels = decode_uri(img.source)[::-1]  # the picture's top row is y_max
    assert pixels.shape == (RES, RES, 3)
    palette = np.array([hex_to_rgb(c) for c in PALE_CLASS_COLORS[:4]])
    win = v.argmax(axis=-1)
    grey = np.array(hex_to_rgb(NEUTRAL))
    # Grey at chance (p = 1/4), the class's pale colour at p = 1, linear in between.
    t = np.clip((v.max(axis=-1) - 0.25) / 0.75, 0, 1)[..., None]
    expect = grey + t * (palette[win] - grey)
    assert np.abs(pixels - expect).max() <= 1
    assert pixels[0, 0].tolist() == np.round(expect[0, 0]).tolist()  # grid row 0 = y_min
    disc = decode_uri(_boundary(blobs, discretize=True)[0].layout.images[0].source)[::-1]
    np.testing.assert_array_equal(disc, palette[win])  # discretize: exactly the winning class's pale colour
    names = [tr.name for tr in fig.data if tr.showlegend]
    assert names == ["class 0", "class 1", "class 2", "class 3", "test points"]
    train = [tr for tr in fig.data if "(train)" in tr.hovertemplate]  # saturated points, a shape per class
    assert [tr.marker.color for tr in train] == list(CLASS_COLORS[:4])
    assert [tr.marker.symbol for tr in train] == list(CLASS_SYMBOLS[:4])


def test_boundary_regression_shares_one_colour_scale(reg):
    fig, v, _ = _boundary(reg)
    spec = check(fig)
    np.testing.assert_array_equal(fig.data[0].z, v)
    lo, hi = spec["layout"]["coloraxis"]["cmin"], spec["layout"]["coloraxis"]["cmax"]
    assert (fig.data[0].zmin, fig.data[0].zmax) == (lo, hi)  # the hover heatmap's scale is the bar's
    np.testing.assert_array_equal(decode_uri(fig.layout.images[0].source)[::-1], colorize(v, lo, hi, "boundary"))
    assert spec["layout"]["coloraxis"]["colorscale"] == POINT_SCALE  # points saturated, the plane pale
    pts = [tr for tr in fig.data[1:]]
    assert [tr.marker.coloraxis for tr in pts] == ["coloraxis", "coloraxis"]
    np.testing.assert_array_equal(pts[0].marker.color, reg.train.y.astype(np.float32))
    y = np.concatenate([reg.train.y, reg.test.y])
    assert spec["layout"]["coloraxis"]["cmin"] == pytest.approx(y.min())
    assert spec["layout"]["coloraxis"]["cmax"] == pytest.approx(y.max())


def test_boundary_real_data_draws_the_chosen_columns(iris):
    fig, _, g = _boundary(iris, cols=(2, 3))
    check(fig)
    train = [tr for tr in fig.data if "(train)" in tr.hovertemplate]
    setosa = next(tr for tr in train if tr.name == "setosa")
    np.testing.assert_array_equal(setosa.x, iris.train.X[iris.train.y == 0, 2].astype(np.float32))
    np.testing.assert_array_equal(setosa.y, iris.train.X[iris.train.y == 0, 3].astype(np.float32))
    assert fig.layout.xaxis.title.text == g.labels[0] and "petal length" in g.labels[0]
    assert list(fig.layout.xaxis.range) == pytest.approx(g.domain[:2])


def test_boundary_rejects_unknown_task(circle):
    g = grid_for(circle, res=RES)
    with pytest.raises(ValueError, match="task must be"):
        boundary_figure(np.zeros((RES, RES)), g, (circle.train.X, circle.train.y), task="ranking")


# --------------------------------------------------------------------------------------- curves
def test_loss_figure_short_history_is_exact(circle):
    fig = loss_figure(circle.history, task="binary")
    check(fig)
    h = circle.history
    names = [tr.name for tr in fig.data]
    assert names == ["training loss", "test loss", "training accuracy", "test accuracy"]
    # no legend (it wrapped into two rows on a narrow projector chart): a one-line key above, a colour a split
    assert fig.layout.showlegend is False and fig.layout.annotations[1].text == (
        f"<span style='color:{fig.data[0].line.color}'>━━</span> training\u2003"
        f"<span style='color:{fig.data[1].line.color}'>━━</span> test")
    spec = loss_figure(h, task="binary", spec=True)  # its accessible name: the curves, not the legend's keys
    assert describe(spec["data"], spec["layout"]) == (f"loss against epoch: training loss {h.train_loss[-1]:.3g}, "
        f"test loss {h.test_loss[-1]:.3g}, training accuracy {h.train_metric[-1]:.3g}, "
        f"test accuracy {h.test_metric[-1]:.3g} at epoch {h.epoch[-1]}")
    np.testing.assert_array_equal(fig.data[0].x, np.asarray(h.epoch, np.float32))
    np.testing.assert_allclose(fig.data[1].y, h.test_loss, rtol=1e-6)
    np.testing.assert_allclose(fig.data[3].y, h.test_metric, rtol=1e-6)
    # the metric panel is named above it, horizontally (a rotated title beside the short panel was cut)
    assert fig.data[2].yaxis == "y2" and fig.layout.annotations[0].text == "accuracy"
    assert fig.layout.yaxis.type == "linear" and loss_figure(h, log_y=True, task="binary").layout.yaxis.type == "log"


def test_loss_figure_regression_shows_r2(reg):
    fig = loss_figure(reg.history, task="regression")
    check(fig)
    assert fig.layout.annotations[0].text == "R²" and fig.data[3].name == "test R²"


def _long_history(n: int = 20_000) -> SimpleNamespace:
    epochs = np.arange(n)
    loss = 1.0 / (1 + epochs / 100.0)
    loss[12_345] = 50.0  # a spike plain striding would miss
    return SimpleNamespace(epoch=epochs.tolist(), train_loss=loss.tolist(), test_loss=(loss * 1.1).tolist(),
                           train_metric=np.linspace(0.5, 1, n).tolist(), test_metric=np.linspace(0.4, 0.9, n).tolist(),
                           grad_norms=np.column_stack([loss, loss / 10]).tolist())


def test_loss_figure_decimates_long_histories_keeping_spikes_and_the_end():
    h = _long_history()
    fig = loss_figure(h, task="binary")
    check(fig)
    for tr in fig.data:
        assert len(tr.x) <= MAX_CURVE_POINTS
        assert tr.x[-1] == h.epoch[-1] and tr.x[0] == 0
    assert fig.data[0].y[-1] == np.float32(h.train_loss[-1])
    assert 50.0 in fig.data[0].y and 12_345 in fig.data[0].x


def test_grad_norm_figure(circle):
    fig = grad_norm_figure(circle.history)
    check(fig)
    norms = np.asarray(circle.history.grad_norms)
    assert len(fig.data) == norms.shape[1] == 3
    for l, tr in enumerate(fig.data):
        np.testing.assert_allclose(tr.y, norms[:, l], rtol=1e-6)
    assert fig.layout.yaxis.type == "log"
    long = grad_norm_figure(_long_history(), log_y=False, layer_labels=("W1", "W2"))
    assert [tr.name for tr in long.data] == ["W1", "W2"] and all(len(tr.x) <= MAX_CURVE_POINTS for tr in long.data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=3000), st.integers(4, 500))
def test_decimate_keeps_ends_and_extremes(values, cap):
    y = np.array(values)
    idx = decimate(y, cap)
    assert len(idx) <= max(cap, 4) and idx[0] == 0 and idx[-1] == len(y) - 1
    assert np.all(np.diff(idx) > 0)
    assert y[idx].max() == y.max() and y[idx].min() == y.min()


def _decimate_reference(y, cap):
    """Min–max decimation as plainly as it can be written: each run of the interior points keeps the first
    lowest and first highest of its points, NaN never chosen unless the run has nothing else (its first point,
    a gap in the line); plus the first and last points."""
    n = len(y)
    if n <= cap:
        return list(range(n))
    size = -(-(n - 2) // max(cap // 2 - 1, 1))
    keep = {0, n - 1}
    for start in range(1, n - 1, size):
        run = [(v, i) for i, v in enumerate(y[start:min(start + size, n - 1)], start) if v == v]
        if run:
            keep.add(min(run, key=lambda p: (p[0], p[1]))[1])
            keep.add(max(run, key=lambda p: (p[0], -p[1]))[1])
        else:
            keep.add(start)
    return sorted(keep)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3) | st.sampled_from([0.0, 1.0, float("nan")]), min_size=2, max_size=3000),
       st.integers(4, 500))
def test_decimate_takes_the_first_lowest_and_highest_of_each_run(values, cap):
    """Both paths (curves without NaN, the live charts' case, and the NaN-safe one) against the plain rule."""
    y = np.array(values)
    assert decimate(y, cap).tolist() == _decimate_reference(values, cap)
    gap = [values[0], *[float("nan")] * len(values), *values[1:]]  # a run with nothing but NaN
    assert decimate(np.array(gap), cap).tolist() == _decimate_reference(gap, cap)
    finite = np.nan_to_num(y, nan=0.5)
    assert decimate(finite, cap).tolist() == _decimate_reference(finite.tolist(), cap)


# -------------------------------------------------------------------------------------- network
def _links(fig):
    return next(tr for tr in fig.data if tr.name == "links")


def test_network_links_and_neurons_carry_values(circle):
    kw = network_kwargs(circle, grid_for(circle, res=RES))
    fig = network_figure(**kw)
    check(fig)
    links = _links(fig)
    sizes = kw["sizes"]
    assert len(links.customdata) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) == 18
    for (kind, l, i, j), text in zip(links.customdata, links.hovertext):
        assert kind == "w"
        w, g = circle.params[l][0][i, j], circle.last_grads[l][0][i, j]
        assert f"w[{l + 1}] {i + 1}→{j + 1} = {w:.3f}" in text and f"∂L/∂w = {g:.3g}" in text
    neurons = next(tr for tr in fig.data if tr.name == "neurons")
    assert len(neurons.customdata) == sum(sizes[1:])
    for (kind, l, j), text in zip(neurons.customdata, neurons.hovertext):
        assert kind == "b" and f"b = {circle.params[l][1][j]:.3f}" in text
    inputs = next(tr for tr in fig.data if tr.name == "inputs")
    assert [list(c) for c in inputs.customdata] == [["input", 0], ["input", 1]]
    assert len(fig.layout.images) == sum(sizes)  # a thumbnail per node, inputs included
    thumb = decode_uri(fig.layout.images[0].source)
    assert thumb.shape[0] == thumb.shape[1] and 20 <= thumb.shape[0] <= 40
    labels = [a.text for a in fig.layout.annotations]
    assert labels == ["Input", "Hidden 1<br>4 tanh", "Hidden 2<br>2 tanh", "Output<br>tanh"]  # 3+ columns: two lines
    assert fig.layout.uirevision == "network" and fig.layout.yaxis.scaleanchor == "x"


def test_network_input_thumbnail_shows_x1_over_the_plane(circle):
    fig = network_figure(**network_kwargs(circle, grid_for(circle, res=RES)))
    x1 = decode_uri(fig.layout.images[0].source).astype(int)
    # x1 grows to the right: orange on the left edge, blue on the right, the same down each column
    assert (x1[:, 0] == hex_to_rgb(ORANGE)).all() and (x1[:, -1] == hex_to_rgb(BLUE)).all()
    assert (x1 == x1[:1]).all()
    x2 = decode_uri(fig.layout.images[1].source).astype(int)
    assert (x2[0] == hex_to_rgb(BLUE)).all() and (x2[-1] == hex_to_rgb(ORANGE)).all()  # PNG row 0 = top = +x2


@pytest.mark.parametrize("color_by", ["weight", "gradient"])
def test_network_link_colour_and_width_follow_the_value(circle, color_by):
    fig = network_figure(circle.sizes, ("X₁", "X₂"), circle.params, circle.last_grads, color_by=color_by)
    check(fig)
    src = circle.params if color_by == "weight" else circle.last_grads
    values = np.concatenate([np.asarray(W).ravel() for W, _ in src])
    line_traces = [tr for tr in fig.data if tr.mode == "lines"]
    def links_in(colour):  # the palette's orange and blue, faded: "rgba(r,g,b,alpha)"
        prefix = "rgba({},{},{},".format(*hex_to_rgb(colour))
        return sum(len(tr.x) // 3 for tr in line_traces if tr.line.color.startswith(prefix))

    blue, orange = links_in(BLUE), links_in(ORANGE)
    assert (blue, orange) == ((values >= 0).sum(), (values < 0).sum())
    widths = [tr.line.width for tr in line_traces]
    assert max(widths) == pytest.approx(6.0) and min(widths) >= 0.75
    assert not fig.layout.images  # no maps given: plain squares coloured by bias
    neurons = next(tr for tr in fig.data if tr.name == "neurons")
    np.testing.assert_allclose(neurons.marker.color, np.concatenate([b for _, b in circle.params]), rtol=1e-6)


def test_network_multiclass_output_thumbnails_use_class_colours(blobs):
    fig = network_figure(**network_kwargs(blobs, grid_for(blobs, res=RES)))
    check(fig)
    assert fig.layout.annotations[-1].text == "Output · softmax"
    outs = [decode_uri(im.source) for im in fig.layout.images[-4:]]
    for c, img in enumerate(outs):  # each output unit fades from grey to its class colour
        target = np.array(hex_to_rgb(CLASS_COLORS[c]))
        grey = np.array(hex_to_rgb(NEUTRAL))
        d = np.abs(img.reshape(-1, 3).astype(int) - target).sum(1)
        assert d.min() < np.abs(grey - target).sum() / 2


def test_network_real_data_labels(iris):
    fig = network_figure(**network_kwargs(iris, grid_for(iris, res=RES)))
    check(fig)
    text = next(tr for tr in fig.data if tr.mode == "text")
    assert list(text.text) == list(iris.train.feature_names)


def test_network_at_the_caps_builds():
    sizes = [64] + [64] * 8 + [10]
    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes[:-1], sizes[1:])]
    maps = [rng.normal(size=(20, 20, n)).astype(np.float32) for n in sizes]
    fig = network_figure(sizes, [f"px{i}" for i in range(64)], params, params, neuron_maps=maps,
                         activation_names=("relu",) * 8, output_label="softmax", color_by="gradient")
    links = _links(fig)
    assert len(links.customdata) == LINK_MARKERS  # of 64·64·8 + 64·10 links, the strongest get markers
    strongest = min(abs(params[l][0][i, j]) for _, l, i, j in links.customdata)
    weaker = sum(int((np.abs(W) < strongest).sum()) for W, _ in params)
    assert weaker == 64 * 64 * 8 + 64 * 10 - LINK_MARKERS
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    assert sum(len(tr.x) // 3 for tr in lines) == 64 * 64 * 8 + 64 * 10  # every link is drawn
    assert not fig.layout.images  # 586 nodes: over the thumbnail limit
    assert fig.layout.annotations[1].text == "Hidden 1<br>64 relu"
    assert not any(tr.mode == "text" for tr in fig.data)  # 64 input labels would overlap


def test_network_rejects_mismatched_parameters(circle):
    with pytest.raises(ValueError, match=r"layer 0: W \(2, 4\)"):
        network_figure([3, 4, 2, 1], (), circle.params)
    with pytest.raises(ValueError, match="color_by must be"):
        network_figure(circle.sizes, (), circle.params, color_by="bias")


# ------------------------------------------------------------------------------------ gradients
def test_gradient_heatmaps_hold_the_gradients(circle):
    fig = gradient_heatmaps(circle.last_grads)
    check(fig)
    assert len(fig.data) == 2 * len(circle.last_grads)
    for l, (gW, gb) in enumerate(circle.last_grads):
        w, b = fig.data[2 * l], fig.data[2 * l + 1]
        np.testing.assert_allclose(w.z, gW, rtol=1e-6)
        np.testing.assert_allclose(b.z[0], gb, rtol=1e-6)
        m = max(np.abs(gW).max(), np.abs(gb).max())
        assert w.zmax == pytest.approx(m) and w.zmin == pytest.approx(-m) and b.zmax == w.zmax
        assert "∂L/∂w from %{y} to %{x}" in w.hovertemplate and "∂L/∂b" in b.hovertemplate
        yaxis = fig.layout[f"yaxis{'' if l == 0 else l + 1}"]
        assert yaxis.ticktext[-1] == "bias" and yaxis.tickvals[-1] == gW.shape[0] + 1
    assert fig.layout.annotations[0].text.startswith("layer 1<br>2 → 4<br>±")
    bars = [tr for tr in fig.data if tr.showscale]  # one colour legend, on the last layer's weights
    assert len(bars) == 1 and bars[0] is fig.data[-2] and list(bars[0].colorbar.ticktext) == ["−scale", "0", "+scale"]
    labelled = gradient_heatmaps(circle.last_grads, layer_labels=("a", "b", "c"))
    assert [a.text.split("<br>")[0] for a in labelled.layout.annotations] == ["a", "b", "c"]


def test_gradient_heatmaps_all_zero_layer():
    grads = [(np.zeros((3, 2)), np.zeros(2))]
    fig = gradient_heatmaps(grads)
    check(fig)
    assert fig.data[0].zmax == 1.0  # a placeholder scale, not a division by zero


# ----------------------------------------------------------------------------------- activation
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_figure_for_every_registry_entry(name):
    act = ACTIVATIONS[name]
    fig = activation_figure(name)
    check(fig)
    f, d = fig.data[0], fig.data[1]
    z = f.x.astype(np.float64)
    lim = {"sigmoid": 6, "softplus": 6, "silu": 7}.get(name, 5)  # wide enough to show saturation
    assert z[0] == -lim and z[-1] == lim
    np.testing.assert_allclose(f.y, act.fn(z), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(d.y, act.grad(z, act.fn(z)), rtol=1e-5, atol=1e-6)
    title = fig.layout.title.text
    assert title.startswith(act.label) and "\\" not in title and "{" not in title
    assert len(fig.layout.shapes) == len(act.saturates)


def test_activation_figure_marks_what_the_neurons_see(circle):
    lo, hi, sample = preactivation_ranges(circle)[0]
    fig = activation_figure("tanh", z_range=(lo, hi), z_sample=sample, show_derivative=False)
    check(fig)
    assert [tr.name for tr in fig.data] == ["f(z)", "z of the neurons"]
    band = fig.layout.shapes[-1]
    assert (band.x0, band.x1) == (pytest.approx(lo), pytest.approx(hi))
    np.testing.assert_allclose(fig.data[1].x, np.clip(sample, -5, 5), rtol=1e-6)
    wide = activation_figure("relu", z_range=(-3.0, 20.0))
    assert list(wide.layout.xaxis.range) == [-22, 22]
    capped = activation_figure("relu", z_range=(-300.0, 2.0))
    assert list(capped.layout.xaxis.range) == [-50, 50]


def test_plain_formula():
    assert plain_formula(ACTIVATIONS["sigmoid"].latex) == "σ(z) = 1/(1 + e⁻ᶻ)"
    assert plain_formula(r"f'(z) = 1 - \tanh^2 z") == "f′(z) = 1 − tanh² z"
    assert plain_formula(r"\sqrt{2/\pi}\,x^{ab}") == "√(2/π) x^(ab)"


# -------------------------------------------------------------------------------------- preview
@pytest.mark.parametrize("name", ["circle", "blobs", "reg-gauss", "iris"])
def test_dataset_preview(name):
    data = generate(name, 0, np.random.default_rng(0))
    img = decode_uri(dataset_preview(data, size=48))
    assert img.shape == (48, 48, 3)
    colours = {tuple(p) for p in img.reshape(-1, 3)}
    assert hex_to_rgb(NEUTRAL) in colours  # background
    if name == "circle":
        assert hex_to_rgb(ORANGE) in colours and hex_to_rgb(BLUE) in colours
        centre = img[20:28, 20:28].reshape(-1, 3)  # the disc in the middle is class 1, blue
        assert not any(tuple(p) == hex_to_rgb(ORANGE) for p in centre)
    if name == "blobs":
        top = img[:16].reshape(-1, 3)  # class 0 (orange) sits at the top
        assert any(tuple(p) == hex_to_rgb(ORANGE) for p in top)
        assert not any(tuple(p) == hex_to_rgb(CLASS_COLORS[2]) for p in top)


def test_figures_serialise_numbers_as_typed_arrays(circle):
    """Plotly 7 sends float32 arrays as base64 typed arrays: no long JSON number lists."""
    import plotly.io as pio

    g = grid_for(circle, res=RES)
    maps = neuron_maps(circle, g)
    fig = boundary_figure(boundary_values(circle, g, maps), g, (circle.train.X, circle.train.y), None, task="binary")
    text = pio.to_json(fig)
    assert '"dtype":"f4"' in text.replace(" ", "")
    assert not re.search(r"\[(-?\d+\.\d+,){50,}", text)


# ---------------------------------------------------------------------------- what live views send
def test_live_figures_send_what_plotly_would(circle):
    """``spec=True`` (the plain dict, no Figure built) and a Figure both reach the browser as the same
    JSON as Plotly's own ``to_plotly_json`` would give (``ui.live_plotly`` reads neither through it)."""
    from plotly.io.json import to_json_plotly

    from playground.app.ui.charts import _figure_dict

    g = grid_for(circle, res=RES)
    maps = neuron_maps(circle, g)
    makers = {
        "loss": lambda **kw: loss_figure(circle.history, **kw),
        "gradient norms": lambda **kw: grad_norm_figure(circle.history, **kw),
        "network": lambda **kw: network_figure(**network_kwargs(circle, g, maps), color_by="gradient", **kw),
        "boundary": lambda **kw: boundary_figure(boundary_values(circle, g, maps), g, (circle.train.X, circle.train.y),
                                                 (circle.test.X, circle.test.y), task="binary", hover=False, **kw),
    }
    for name, make in makers.items():
        fig, spec = make(), make(spec=True)
        assert isinstance(fig, go.Figure) and set(spec) == {"data", "layout"}, name
        check(go.Figure(spec))
        plotly_json = json.loads(to_json_plotly(fig.to_plotly_json()))
        assert json.loads(to_json_plotly(_figure_dict(fig, None))) == plotly_json, name
        assert json.loads(to_json_plotly(_figure_dict(spec, None))) == plotly_json, name
