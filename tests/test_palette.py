"""Every point's class stays readable over any boundary, for normal vision and the two commonest colour blindnesses.

Measured through the boundary figure itself: the colours its picture can paint (every output from
−1 to +1, every class probability from chance to certain, every regression prediction, discretized
or not) against the colours of the points drawn on top, as CIEDE2000 differences (``viz/colour.py``)
under normal vision, simulated deuteranopia and simulated protanopia (Machado et al. 2009).
``bench/palette_contrast.py`` prints the same figures.

Thresholds (ΔE00; about 1 is just noticeable for large patches side by side, small marks need far more):

* a point against any colour the boundary paints, its own class's most confident region included: ≥ 20;
* the two binary regions against each other, so the boundary itself is seen: ≥ 20;
* points of different classes among the first four (binary, the 3-class spiral, 4 blobs): ≥ 20;
* points of any two of ten classes: ≥ 12, and every class has its own marker shape besides;
* the pale regions of the first five classes, for normal vision: ≥ 10 (pale colours this light cannot
  stay apart for a dichromat; the points' colours and shapes say the class there).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from playground.viz.boundary import boundary_figure
from playground.viz.colour import VISIONS, delta_e2000, difference, simulate, srgb_to_lab
from playground.viz.palette import (CLASS_COLORS, CLASS_SYMBOLS, PALE_CLASS_COLORS, PALE_LIGHTNESS, POINT_SCALE,
                                    hex_to_rgb, make_lut)
from test_figures import decode_uri

POINT_ON_AREA, AREAS, FIRST_FOUR, ANY_PAIR, REGIONS_OF_FIVE = 20.0, 20.0, 20.0, 12.0, 10.0
RES = 41


# ----------------------------------------------------------------------------------------- helpers
def _pixels(fig) -> np.ndarray:
    """The boundary picture's distinct colours, (n, 3)."""
    return np.unique(decode_uri(fig["layout"]["images"][0]["source"]).reshape(-1, 3), axis=0).astype(np.float64)


def _grid() -> SimpleNamespace:
    xs = np.linspace(-1, 1, RES)
    return SimpleNamespace(xs=xs, ys=xs, domain=(-1.0, 1.0, -1.0, 1.0), labels=("x1", "x2"), cols=(0, 1))


def _points(k: int, n: int = 40):
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (n, 2)), np.arange(n) % k


def _binary(discretize: bool):
    out = np.broadcast_to(np.linspace(-1, 1, RES), (RES, RES)).copy()  # every output from −1 to +1
    return boundary_figure(out, _grid(), _points(2), task="binary", discretize=discretize, spec=True)


def _multiclass(k: int, discretize: bool):
    """Every class winning with every confidence from chance (1/k) to certain, along the columns."""
    p = np.linspace(1.0 / k, 1.0, RES)
    probs = np.empty((RES, RES, k))
    for row in range(RES):
        win = row % k
        probs[row] = ((1 - p) / (k - 1))[:, None]
        probs[row, :, win] = p
    return boundary_figure(probs, _grid(), _points(k), task="multiclass", n_classes=k, discretize=discretize, spec=True)


def _class_points(fig) -> dict[int, tuple[np.ndarray, str]]:
    """class → (its points' colour, its marker shape), read from the figure's traces."""
    out = {}
    for tr in fig["data"]:
        if tr.get("legendgroup", "").startswith("class "):
            out[int(tr["legendgroup"].split()[1])] = (np.array(hex_to_rgb(tr["marker"]["color"]), np.float64),
                                                       tr["marker"]["symbol"])
    return out


def _scale_colours(scale, n: int = 101) -> np.ndarray:
    """A Plotly colorscale's colours at n evenly spaced values (Plotly interpolates linearly in RGB)."""
    return make_lut([c for _, c in scale], n).astype(np.float64)


def _min_difference(a: np.ndarray, b: np.ndarray, vision: str) -> float:
    return float(difference(a[:, None, :], b[None, :, :], vision).min())


# ----------------------------------------------------------------------------------- colour maths
def test_ciede2000_matches_sharmas_test_data():
    """Sharma, Wu and Dalal (2005), Table 1: pairs 1–3, 7, 13–16 (the hue-angle wrap), 17–20 and 25."""
    pairs = [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425), ((50, 3.1571, -77.2803), (50, 0, -82.7485), 2.8615),
             ((50, 2.8361, -74.02), (50, 0, -82.7485), 3.4412), ((50, 0, 0), (50, -1, 2), 2.3669),
             ((50, 2.49, -0.001), (50, -2.49, 0.0009), 7.1792), ((50, 2.49, -0.001), (50, -2.49, 0.001), 7.1792),
             ((50, 2.49, -0.001), (50, -2.49, 0.0011), 7.2195), ((50, 2.49, -0.001), (50, -2.49, 0.0012), 7.2195),
             ((50, 2.5, 0), (73, 25, -18), 27.1492), ((50, 2.5, 0), (61, -5, 29), 22.8977),
             ((50, 2.5, 0), (56, -27, -3), 31.9030), ((50, 2.5, 0), (58, 24, 15), 19.4535),
             ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644)]
    a, b, want = (np.array([p[i] for p in pairs], np.float64) for i in range(3))
    np.testing.assert_allclose(delta_e2000(a, b), want, atol=5e-5)
    np.testing.assert_allclose(delta_e2000(b, a), want, atol=5e-5)  # symmetric


def test_lab_of_reference_colours():
    lab = srgb_to_lab(np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 0, 255]]))
    np.testing.assert_allclose(lab, [[100, 0, 0], [0, 0, 0], [53.24, 80.09, 67.20], [32.30, 79.19, -107.86]],
                               atol=0.01)


def test_dichromat_simulation():
    """Greys look the same to everyone; the old palette's confusions show (its orange and olive were one
    colour to a deuteranope, its blue and purple one to a protanope); orange and blue stay far apart."""
    greys = np.array([[0, 0, 0], [128, 128, 128], [255, 255, 255]], np.float64)
    for vision in VISIONS:
        np.testing.assert_allclose(simulate(greys, vision), greys, atol=0.6)
    orange, olive, blue, purple = (np.array(hex_to_rgb(c), np.float64) for c in ("#f59322", "#bcbd22", "#0877bd",
                                                                                   "#9467bd"))
    assert difference(orange, olive) > 15 and difference(blue, purple) > 20
    assert difference(orange, olive, "deuteranopia") < 3 and difference(blue, purple, "protanopia") < 3
    for vision in VISIONS:
        assert difference(hex_to_rgb(CLASS_COLORS[0]), hex_to_rgb(CLASS_COLORS[1]), vision) > 45
    red = np.array([204, 51, 51.0])
    with pytest.raises(ValueError, match="vision must be one of"):
        simulate(red, "tritanopia")


# ---------------------------------------------------------------------------------------- the palette
@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("discretize", [False, True])
def test_binary_points_stand_out_from_any_region(vision, discretize):
    fig = _binary(discretize)
    areas, points = _pixels(fig), _class_points(fig)
    assert sorted(points) == [0, 1] and [points[c][1] for c in (0, 1)] == ["circle", "square"]
    for c, (colour, _) in points.items():
        assert _min_difference(colour[None], areas, vision) >= POINT_ON_AREA, (c, vision)
    pale = np.array([hex_to_rgb(c) for c in PALE_CLASS_COLORS[:2]], np.float64)
    assert len(areas) >= (2 if discretize else RES) and {tuple(p) for p in pale} <= {tuple(a) for a in areas}
    assert difference(pale[0], pale[1], vision) >= AREAS  # the two regions are told apart too
    assert difference(points[0][0], points[1][0], vision) >= FIRST_FOUR


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("k", [3, 4, 6, 10])
def test_multiclass_points_stand_out_from_any_region_and_from_each_other(vision, k):
    for discretize in (False, True):
        fig = _multiclass(k, discretize)
        areas, points = _pixels(fig), _class_points(fig)
        assert sorted(points) == list(range(k))
        colours = np.array([points[c][0] for c in range(k)])
        assert _min_difference(colours, areas, vision) >= POINT_ON_AREA, (k, vision, discretize)
    # Between classes: far apart among the first four, apart among all ten, and a shape each.
    d = difference(colours[:, None], colours[None], vision)
    np.fill_diagonal(d, np.inf)
    assert d[:4, :4].min() >= FIRST_FOUR and d.min() >= ANY_PAIR, (k, vision)
    assert len({points[c][1] for c in range(k)}) == k


@pytest.mark.parametrize("vision", VISIONS)
def test_regression_points_stand_out_from_the_prediction_under_them(vision):
    pred = np.broadcast_to(np.linspace(-3, 5, RES), (RES, RES)).copy()
    X, _ = _points(1)
    y = np.linspace(-3, 5, len(X))
    fig = boundary_figure(pred, _grid(), (X, y), task="regression", spec=True)
    assert fig["layout"]["coloraxis"]["colorscale"] == POINT_SCALE and fig["data"][1]["marker"]["coloraxis"]
    areas, points = _pixels(fig), _scale_colours(POINT_SCALE)
    assert len(areas) >= RES
    assert _min_difference(points, areas, vision) >= POINT_ON_AREA  # any target over any prediction


def test_the_palette_has_ten_of_everything_and_pale_areas():
    assert len(CLASS_COLORS) == len(CLASS_SYMBOLS) == len(PALE_CLASS_COLORS) == 10
    assert len(set(CLASS_COLORS)) == len(set(CLASS_SYMBOLS)) == 10
    marks = srgb_to_lab(np.array([hex_to_rgb(c) for c in CLASS_COLORS]))
    areas = srgb_to_lab(np.array([hex_to_rgb(c) for c in PALE_CLASS_COLORS]))
    assert marks[:, 0].max() < 63 and np.abs(areas[:, 0] - PALE_LIGHTNESS).max() < 2.0  # sRGB's edge
    hue = lambda lab: np.arctan2(lab[:, 2], lab[:, 1])  # noqa: E731
    # each area keeps its mark's hue, within 11° (sRGB's gamut clips the pale blue)
    assert np.abs(np.angle(np.exp(1j * (hue(marks) - hue(areas))))).max() < 0.2


def test_the_regions_of_five_classes_differ():
    pale = np.array([hex_to_rgb(c) for c in PALE_CLASS_COLORS[:5]], np.float64)
    d = difference(pale[:, None], pale[None])
    np.fill_diagonal(d, np.inf)
    assert d.min() >= REGIONS_OF_FIVE


def test_a_saturated_boundary_would_fail():
    """The check can fail: the old boundary painted confident regions in the points' own colour."""
    old = np.array(hex_to_rgb(CLASS_COLORS[0]), np.float64)
    assert _min_difference(old[None], old[None], "normal") < POINT_ON_AREA


def test_data_page_scatter_uses_the_same_marks():
    from playground.viz.data_figures import scatter_figure

    x = np.arange(9.0)
    fig = scatter_figure(x, x, np.arange(9) % 3, "classification")
    assert [(tr.marker.color, tr.marker.symbol) for tr in fig.data] == list(zip(CLASS_COLORS[:3], CLASS_SYMBOLS[:3]))
    reg = scatter_figure(x, x, x, "regression")
    assert [list(s) for s in reg.data[0].marker.colorscale] == [list(s) for s in POINT_SCALE]

