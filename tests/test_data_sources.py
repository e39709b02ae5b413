"""Uploaded and drawn data are choices of the Playground's Dataset selector ("Uploaded: <name>", "Drawn: <n>
points"): the sidebar names the data in use, hides what does not apply (noise, new data) and the share link says
what it carries (drawn points: yes, in pts=; an uploaded table: never). AppTest, no browser."""
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).parent))
from apptest_util import open_page  # noqa: E402
from upload_stub import fake_upload, run_data_page  # noqa: E402

from playground.data import drawn, sources  # noqa: E402
from playground.data.datasets import DATASETS, generate  # noqa: E402
from playground.run import realdata  # noqa: E402


# ----- the library ---------------------------------------------------------------------------------------
def test_choices_labels_and_what_applies():
    assert sources.choices(False) == [*DATASETS, sources.DRAWN]
    assert sources.choices(True) == [*DATASETS, sources.UPLOADED, sources.DRAWN]
    assert not any(sources.UPLOADED == n or sources.DRAWN == n for n in DATASETS)
    assert sources.selected(True, True, "xor") == sources.DRAWN  # drawing on an uploaded table is drawing
    assert sources.selected(False, True, "xor") == sources.UPLOADED and sources.selected(False, False, "xor") == "xor"
    assert sources.label(sources.DRAWN, "", 1) == "Drawn: 1 point"
    assert sources.label(sources.DRAWN, "", 1200) == "Drawn: 1,200 points"
    assert sources.label(sources.UPLOADED, "x" * 500, None) == "Uploaded: " + "x" * 59 + "…"
    assert sources.label("xor", "", None) == "xor"  # its description is a caption beside the selector, never cut
    synthetic = [n for n, d in DATASETS.items() if d.kind == "synthetic"]
    assert synthetic and all(sources.applies("noise", n) for n in synthetic)
    assert not any(sources.applies("noise", n) for n in DATASETS if n not in synthetic)
    assert all(sources.applies("new_data", n) for n in DATASETS)
    for user in (sources.UPLOADED, sources.DRAWN):
        assert not sources.applies("noise", user) and not sources.applies("new_data", user)
    with pytest.raises(ValueError, match="unknown data control"):
        sources.applies("lr", "xor")


def test_link_notes_say_what_a_link_carries():
    assert sources.link_note("xor", 0, "", "xor").startswith("Anyone opening this link gets the same data,")
    up = sources.link_note(sources.UPLOADED, 300, "good", "circle")
    assert "cannot carry your uploaded table “good”" in up and "“circle”" in up and "same data" not in up
    assert sources.link_note(sources.DRAWN, 12, "", "xor").startswith("This link carries your 12 drawn points:")
    many = sources.link_note(sources.DRAWN, drawn.MAX_LINK_POINTS + 1, "", "gauss")
    assert "too many for a link" in many and f"at most {drawn.MAX_LINK_POINTS}" in many and "“gauss”" in many


# ----- the Playground ------------------------------------------------------------------------------------
def _selector(at: AppTest):
    return at.selectbox(key="pg.source")


def _shown(at: AppTest) -> str:
    """What the Dataset selector reads now."""
    sel = _selector(at)
    return sel.options[sel.index]


def _share_link(at: AppTest) -> dict:
    """The Share link panel's link, as query values."""
    links = [c.value for c in at.code if "/play" in c.value]
    return {k: v[0] for k, v in parse_qs(urlsplit(links[0]).query).items()}


def _captions(at: AppTest) -> str:
    """The captions as they read (text.escape_markdown's backslashes dropped)."""
    return re.sub(r"\\(.)", r"\1", "\n".join(c.value for c in at.caption))


def _sliders(at: AppTest) -> set:
    return {w.key for w in at.slider}


def _buttons(at: AppTest) -> set:
    return {b.label for b in at.button}


@pytest.mark.timeout(600)
def test_uploaded_data_is_the_selected_dataset_and_the_link_says_it_is_not_carried():
    at = open_page("pages/play.py", {"dataset": "circle", "noise": "10"}, timeout=120)
    assert "Uploaded: good" not in _selector(at).options  # nothing uploaded yet
    assert "pg.noise" in _sliders(at) and "New data" in _buttons(at)
    table = generate("iris")
    realdata.store_user_data(at.session_state, table, "good.csv")
    at.run()
    assert "Uploaded: good" in _selector(at).options
    _selector(at).set_value(sources.UPLOADED).run()
    assert not at.exception, [e.value for e in at.exception]
    s = at.session_state["pg.session"]
    assert s.data_name == "uploaded" and s.trainer.data is table
    assert _shown(at) == "Uploaded: good"  # not "circle"
    assert "pg.noise" not in _sliders(at) and "New data" not in _buttons(at)
    link = _share_link(at)
    assert "pts" not in link and link["dataset"] == s.cfg.dataset  # a table cannot travel in a link…
    assert "cannot carry your uploaded table “good”" in _captions(at)  # …and the panel says so
    assert f"“{s.cfg.dataset}” data" in _captions(at) and "gets the same data" not in _captions(at)

    _selector(at).set_value("circle").run()  # back to a built-in dataset
    s = at.session_state["pg.session"]
    assert s.data is None and s.cfg.dataset == "circle" and _shown(at) == "circle"
    assert "pg.noise" in _sliders(at) and "cannot carry" not in _captions(at)
    assert "Anyone opening this link gets the same data, network and starting weights." in _captions(at)


@pytest.mark.timeout(600)
def test_drawn_points_are_the_selected_dataset_and_travel_in_the_link():
    at = open_page("pages/play.py", {"dataset": "gauss", "hidden": "2", "seed": "3"}, timeout=120)
    assert "Draw your own points" in _selector(at).options
    _selector(at).set_value(sources.DRAWN).run()
    assert not at.exception, [e.value for e in at.exception]
    canvas = at.session_state["pg.canvas"]
    assert 4 <= len(canvas) <= drawn.MAX_LINK_POINTS
    assert _shown(at) == f"Drawn: {len(canvas)} points"
    assert "pg.noise" not in _sliders(at) and "New data" not in _buttons(at)
    link = _share_link(at)
    points, msg = drawn.decode(link["pts"])
    assert msg == "" and np.allclose(points.X, canvas.X, atol=0.006) and (points.y == canvas.y).all()
    assert at.query_params["pts"] == link["pts"]  # the address bar holds the same link
    assert f"This link carries your {len(canvas)} drawn points:" in _captions(at)

    _selector(at).set_value("xor").run()
    s = at.session_state["pg.session"]
    assert s.data is None and s.cfg.dataset == "xor" and "pts" not in at.query_params
    assert "pg.noise" in _sliders(at) and not at.session_state["pg.draw"]


@pytest.mark.timeout(600)
def test_a_link_with_points_opens_with_drawn_selected():
    canvas = drawn.empty(n_classes=2)
    for x, y, label in [(-4, -4, 0), (-3, -4, 0), (4, 4, 1), (3, 4, 1), (-4, 3, 0)]:
        canvas, _ = drawn.add_point(canvas, x, y, label)
    at = open_page("pages/play.py", {"dataset": "xor", "pts": drawn.encode(canvas)}, timeout=120)
    assert _shown(at) == "Drawn: 5 points"


@pytest.mark.timeout(600)
def test_the_data_page_names_the_choice_the_playground_offers():
    raw = b"a,b,label\n" + b"".join(f"{i % 7 - 3},{i % 5 - 2},{'xy'[i % 2]}\n".encode() for i in range(40))
    with fake_upload("good.csv", raw):
        at = run_data_page()
        at.button(key="data_use").click().run()
    said = [s.value for s in at.success if s.value.startswith("Stored.")]
    assert said == ["Stored. In the Playground, choose “Uploaded: good” in the Dataset list."]
    at.switch_page("pages/play.py").run()
    assert "Uploaded: good" in _selector(at).options
