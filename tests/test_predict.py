"""Predict, then reveal: painting, scoring, the biggest miss, curve shapes, and the link's keys."""
import numpy as np
import pytest

from playground.run.config import Config
from playground.run.prediction import (CELLS, CURVES, FILLS, Prediction, accuracy_verdict, biggest_miss, can_paint,
                                       cell_at, curve_shape, curve_verdict, decode_cells, encode_cells, fill,
                                       parse_prediction, score_cells, toggle_cell, truth_cells)
from playground.viz.predict import paint_figure, reveal_figure
from playground.run.trainer import History, Trainer


@pytest.fixture(scope="module")
def circle():
    t = Trainer(Config(dataset="circle"))
    t.step(150)
    return t


def test_predicting_the_networks_own_boundary_scores_100_percent(circle):
    truth = truth_cells(circle)
    s = score_cells(truth, truth)
    assert (s.percent, s.agree, s.total) == (100.0, 64, 64)
    assert biggest_miss(truth, truth, circle) == ""
    arr = np.array(truth).reshape(CELLS, CELLS)
    assert arr[3:5, 3:5].all() and not arr[0].any() and not arr[:, 0].any()  # a disc in the middle


def test_scores_count_cells_and_the_opposite_scores_zero(circle):
    truth = truth_cells(circle)
    assert score_cells(fill("invert", truth), truth).percent == 0.0
    one_off = toggle_cell(truth, 0)
    s = score_cells(one_off, truth)
    assert (s.agree, s.misses[0], sum(s.misses)) == (63, True, 1)
    with pytest.raises(ValueError):
        score_cells((True,) * 10, truth)


def test_the_biggest_miss_names_the_patch_the_side_and_what_the_data_says(circle):
    truth = truth_cells(circle)
    left = fill("left")
    text = biggest_miss(left, truth, circle)
    assert text.startswith("Biggest miss:") and "which you painted positive (blue)" in text
    assert "the network calls negative (orange)" in text and "left" in text
    corner = toggle_cell(truth, 0)  # one cell in the bottom-left corner: no point of the circle set lies there?
    text = biggest_miss(corner, truth, circle)
    assert "1 cell around the bottom left" in text


def test_clicks_map_to_cells_and_toggle_them():
    dom = (-6.0, 6.0, -6.0, 6.0)
    assert cell_at(-6, -6, dom) == 0 and cell_at(6, 6, dom) == 63 and cell_at(0.1, -5.9, dom) == 4
    assert cell_at(-5.9, 0.1, dom) == 4 * CELLS
    for bad in (("x", 0), (7, 0), (float("nan"), 0), (None, None)):
        assert cell_at(*bad, dom) is None
    cells = toggle_cell(None, 9)
    assert sum(cells) == 1 and cells[9] and toggle_cell(cells, 9) == (False,) * 64
    assert toggle_cell(cells, None) == cells and toggle_cell(cells, 64) == cells


def test_fills_are_the_shapes_they_name():
    for name in FILLS:
        assert len(fill(name)) == CELLS * CELLS
    left = np.array(fill("left")).reshape(CELLS, CELLS)
    assert left[:, :4].all() and not left[:, 4:].any()
    top = np.array(fill("top")).reshape(CELLS, CELLS)
    assert top[4:].all() and not top[:4].any()  # row 0 is the bottom
    assert fill("invert", fill("disc")) == fill("ring")


def test_cells_round_trip_through_the_link_and_bad_values_are_reported():
    for cells in (fill("disc"), fill("all"), fill("clear"), toggle_cell(None, 63)):
        text = encode_cells(cells)
        assert len(text) == 16 and decode_cells(text) == (cells, "")
    p = Prediction(fill("diagonal"), "plateau", 85, 300)
    assert parse_prediction(p.to_query()) == (p, [])
    p, warnings = parse_prediction("pred=<script>&pred_curve=wavy&pred_acc=120&pred_epochs=99999")
    assert p == Prediction() and not p.made
    text = " | ".join(warnings)
    assert "16 hexadecimal digits" in text and "allowed: " + ", ".join(CURVES) in text
    assert "whole number from 0 to 100" in text and "using 200" in text
    assert "pred=" not in Prediction(None, "smooth").to_query()


def _history(values):
    h = History()
    for i, v in enumerate(values):
        h.append(epoch=i, train_loss=v, test_loss=v, train_metric=0.5, test_metric=0.5, test_rmse=0.0, grad_norms=[])
    return h


def test_curve_shapes_are_recognised():
    n = np.arange(100)
    assert curve_shape(_history(np.exp(-n / 10) + 0.01)) == "smooth"
    assert curve_shape(_history(np.where(n < 40, 1.0 - n * 0.001, 0.1))) == "plateau"
    assert curve_shape(_history(np.full(100, 0.7))) == "flat"
    assert curve_shape(_history(np.linspace(1, 0.2, 100) + 0.1 * (n % 2))) == "bumpy"
    assert curve_shape(_history(np.linspace(1, 5, 100))) == "diverges"
    assert curve_shape(_history([1.0, float("nan"), 2.0])) == "diverges"
    assert curve_verdict("smooth", "smooth").startswith("Right")
    assert "You expected “hardly moves”" in curve_verdict("flat", "smooth")
    assert accuracy_verdict(90, 0.91).endswith("(spot on, off by 1 points).")
    assert "too optimistic" in accuracy_verdict(99, 0.6) and "too pessimistic" in accuracy_verdict(50, 0.9)


def test_figures_show_the_painted_cells_and_the_reveal(circle):
    cells = fill("disc")
    f = paint_figure(circle, cells, spec=True)
    assert np.nansum(f["data"][0]["z"]) == sum(cells)
    truth = truth_cells(circle)
    r = reveal_figure(circle, cells, truth, spec=True)
    names = [d.get("name") for d in r["data"]]
    assert "your boundary" in names
    wrong = score_cells(cells, truth).misses
    if any(wrong):
        assert len(r["data"][names.index("wrong cells")]["x"]) == sum(wrong)


def test_only_two_class_plane_data_can_be_painted():
    assert can_paint(Trainer(Config(dataset="xor"))) == ""
    assert "two classes" in can_paint(Trainer(Config(dataset="blobs", loss="ce")))
    assert "two classes" in can_paint(Trainer(Config(dataset="reg-plane", loss="mse")))


def test_a_lesson_can_require_a_prediction_first():
    from playground.teach.lessons import LESSONS, prediction_gate

    lesson = LESSONS["hidden-layers"]
    assert lesson.predict
    r = prediction_gate(lesson, set())
    assert not r.passed and "Predict first" in r.detail
    assert prediction_gate(lesson, {"circle"}) is None
    assert prediction_gate(LESSONS["xor-hidden"], set()) is None
