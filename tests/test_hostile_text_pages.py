"""Every page, run with hostile text in every input a user controls: nothing of it renders as markup.

Inputs: link values and link keys (every page), a race spec and finish line, a lesson id, the
Losses page's text boxes (bound to the link), an uploaded CSV's file name, column names and class
names, the Playground with that table in use and in the drawing tool (its class pills).

What is checked, in every element the page sent (Streamlit's protos, walked field by field):

* Markdown text (bodies, labels, Markdown options, help, tab/expander labels, metric values …): no hostile value survives
  in a form Markdown would act on: an unescaped ``[..](..)`` link or image to evil.example, an
  unescaped ``<img``/``<a`` tag, ``**bold**``, ``:red[…]``, ``$\\alpha$``, or ``javascript:``.
  Plain-text elements (``st.code``, ``st.text``, data frames, a text box's own value) may show
  the value as typed and are skipped.
* Plotly figures (``st.plotly_chart`` specs and the live charts' data): no raw ``<img``/``<a``
  tag from the input in any string (Plotly reads a small HTML subset there).
  A static chart's accessible name (``keys.name_chart``) may hold the value as typed: the browser sets it
  as an ``aria-label`` attribute, plain text.
"""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from apptest_util import open_page as _open

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = ["[x](//evil.example/a)", "![i](//evil.example/i.png)", "<img src=//evil.example/i.png>",
           "<a href=//evil.example>x</a>", "**bold**", ":red[x]", "$\\alpha$", "javascript:alert(1)"]

#: Markdown that would act, unescaped (a backslash before the active character disarms it).
MD_LEAKS = [re.compile(p) for p in (
    r"(?<!\\)\]\((?<!\\)[^)]*evil\.example",  # a link or image to evil.example
    r"(?<!\\)<(img|a)\b",  # an HTML tag (Markdown autolinks and raw HTML both start with an unescaped <)
    r"(?<!\\)\*(?<!\\)\*bold",
    r"(?<!\\):red(?<!\\)\[",
    r"(?<!\\)\$\\+alpha",
    r"javascript:alert",  # escaped, the colon carries a backslash and a zero-width space
)]
PLOTLY_LEAK = re.compile(r"<(img|a)\b[^>]*evil\.example")
#: Proto fields whose text is plain (shown as typed, never Markdown): skipped.
PLAIN_FIELDS = {"code_text", "text", "value", "default", "raw_value", "data", "arrow_data", "query_string",
                "page_script_hash", "id", "form_id", "key", "url_path", "page_name", "icon", "language",
                "formatted_value", "set_value", "string_value", "string_trigger_value", "column_order",
                "js_content", "css_content", "js_source_path", "css_source_path", "component_name"}
PLAIN_ELEMENTS = {"code", "text", "arrow_data_frame", "arrow_table", "json", "html", "empty", "data_frame"}
#: Widgets whose options are plain text (Streamlit 1.67, checked in a browser): a selectbox or a
#: multiselect shows "[x](//evil.example/a)" as typed, with no link.  Radio, select_slider, pills and
#: segmented_control options are Markdown and are checked.
PLAIN_OPTIONS = {"selectbox", "multiselect"}


def _strings(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def _plotly_strings(raw: str):
    try:
        return list(_strings(json.loads(raw)))
    except ValueError:
        return [("", raw)]


def _elements(node):
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield node.type, proto
    for child in getattr(node, "children", {}).values():
        yield from _elements(child)


def leaks(at: AppTest) -> list[str]:
    """Every place where a hostile value renders as markup."""
    found = []
    for kind, proto in _elements(at._tree):
        if kind in PLAIN_ELEMENTS:
            continue
        d = MessageToDict(proto, preserving_proto_field_name=True)
        for path, s in _strings(d):
            field = path.rsplit(".", 1)[-1].split("[")[0]
            if field in ("spec", "figure") or "plotly" in path:
                for p2, s2 in _plotly_strings(s):
                    if PLOTLY_LEAK.search(s2):
                        found.append(f"{kind}{path}{p2}: {s2[:90]!r}")
                continue
            if field == "bytes":  # a live chart's figure, JSON (where "<" may arrive as "\\u003c")
                try:
                    text = base64.b64decode(s).decode("utf-8")
                except ValueError:
                    continue
                if text.startswith('{"mode":"name"'):  # a static chart's name (keys.name_chart): set with
                    continue  # setAttribute("aria-label"), plain text that no browser parses as markup
                found += [f"{kind}{path} (live chart){p2}: {s2[:90]!r}" for p2, s2 in _plotly_strings(text)
                          if PLOTLY_LEAK.search(s2)]
                continue
            if field in PLAIN_FIELDS or field == "options" and kind in PLAIN_OPTIONS:
                continue
            for rx in MD_LEAKS:
                if rx.search(s):
                    found.append(f"{kind}{path}: {s[:120]!r}")
                    break
    return found


def test_oracle_catches_markup_and_passes_escaped_text():
    from playground.base.text import escape_markdown

    for v in HOSTILE:
        assert any(rx.search(f"got {v}") for rx in MD_LEAKS), v
        assert not any(rx.search(f"got {escape_markdown(v)}") for rx in MD_LEAKS), v


def _hostile_link(fields: list[str]) -> dict:
    """Hostile values in the given fields, and hostile link keys."""
    q = {f: HOSTILE[i % len(HOSTILE)] for i, f in enumerate(fields)}
    q.update({h: "1" for h in HOSTILE})
    return q


PLAY_FIELDS = ["dataset", "seed", "hidden", "activation", "optimizer", "loss", "init", "reg", "engine", "dtype",
               "features", "lr", "hide", "lock", "present"]
PAGES_WITH_LINKS = ["home", "activations", "backprop", "generalisation", "gradients", "perceptron", "digits",
                    "data", "lessons"]


@pytest.mark.timeout(600)
def test_playground_link_values_and_keys():
    at = _open("pages/play.py", _hostile_link(PLAY_FIELDS))
    assert at.warning, "the hostile link gave no warning at all"
    assert leaks(at) == []


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", ["play", "race"])
@pytest.mark.parametrize("n", [150, 1000])
def test_many_link_keys_give_one_warning(page, n):
    """Link-key flooding: a page shows one box for all unknown keys (or for a link over the field cap)."""
    at = _open(f"pages/{page}.py", {f"k{i}": "1" for i in range(n)})
    shown = [w.value for w in at.warning]
    want = "unknown settings ignored \\(150\\)" if n == 150 else "link has more than 200 fields"
    assert len(shown) == 1 and want in shown[0], [w[:90] for w in shown]
    assert leaks(at) == []


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", ["play", "race"])
def test_many_bad_values_give_at_most_a_few_boxes(page):
    from playground.run.config import FIELDS
    from playground.base.text import MAX_MESSAGES

    query = {f: HOSTILE[i % len(HOSTILE)] for i, f in enumerate(FIELDS)}
    query.update({f"k{i}": "1" for i in range(3)})
    at = _open(f"pages/{page}.py", query)
    assert len(at.warning) == MAX_MESSAGES, [w.value[:60] for w in at.warning]
    head, *rest = at.warning[-1].value.split("\n- ")
    assert re.fullmatch(r".* reset: 2\d more\\?:", head) and len(rest) >= 20, head  # the rest, in one box
    assert leaks(at) == []


@pytest.mark.timeout(600)
@pytest.mark.parametrize("spec", [
    {"race": "[click me](//evil.example/x)|lr:0.1", "dataset": "![i](//evil.example/i.png)"},
    {"race": "lr:0.1|lr:<img src=//evil.example/i.png>;optimizer:**bold**", "race_target": ":red[x]",
     "seed": "$\\alpha$", "<a href=//evil.example>x</a>": "javascript:alert(1)"},
    {"race": "|".join(HOSTILE), "race_target": "[x](//evil.example/a)"},
], ids=["link-and-image", "tags-and-keys", "every-value"])
def test_race_spec(spec):
    at = _open("pages/race.py", spec)
    assert at.warning, "the hostile race gave no warning at all"
    assert leaks(at) == []


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", PAGES_WITH_LINKS)
def test_other_pages_link_values_and_keys(page):
    query = _hostile_link(["lesson", "dataset", "seed"])
    at = _open(f"pages/{page}.py", query)
    assert leaks(at) == []


def _bound_keys(page: str) -> list[str]:
    """The widget keys a page binds to its link (``bind="query-params"``), read from its source."""
    src = (ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8")
    calls = re.findall(r"\w+\((?:[^()]|\([^()]*\))*?bind=\"query-params\"", src, re.S)
    return sorted({k for c in calls for k in re.findall(r'key="([^"]+)"', c)})


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", ["activations", "losses", "perceptron"])
def test_bound_controls_with_hostile_link_values(page):
    keys = _bound_keys(page)
    assert len(keys) >= 5, keys
    for shift in range(2):  # every key gets two different hostile values
        at = _open(f"pages/{page}.py", {k: HOSTILE[(i + shift) % len(HOSTILE)] for i, k in enumerate(keys)})
        assert leaks(at) == []


@pytest.mark.timeout(600)
def test_losses_text_boxes():
    at = _open("pages/losses.py", {"loss.scores": HOSTILE[0] + HOSTILE[2], "loss.target": HOSTILE[4] + HOSTILE[5]})
    assert at.error, "the hostile numbers gave no error message"
    assert leaks(at) == []


FILE_NAME = "![i](//evil.example/i.png) **bold**"
LABELS = (HOSTILE[0], HOSTILE[1], HOSTILE[3], HOSTILE[6])
CSV = ("[x](//evil.example/a),<img src=//evil.example/i.png>,:red[x]\n" + "".join(
    f"{i / 10:.1f},{(i * 7 % 11) / 10:.1f},{LABELS[i % 4]}\n" for i in range(60))).encode()


@pytest.mark.timeout(900)
def test_uploaded_table_on_data_page_and_playground():
    at = _open("pages/data.py")
    at.file_uploader(key="data_file").set_value((FILE_NAME + ".csv", CSV, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert leaks(at) == []
    at.button(key="data_use").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["user_data"].class_names, "the table was not stored"
    assert leaks(at) == []

    at.switch_page("pages/play.py").run()
    at.selectbox(key="pg.source").set_value("@uploaded").run()  # sources.UPLOADED
    assert not at.exception, [e.value for e in at.exception]
    assert leaks(at) == []
    at.selectbox(key="pg.source").set_value("@drawn").run()  # sources.DRAWN: a canvas from the uploaded table
    assert not at.exception, [e.value for e in at.exception]
    pills = [el for kind, el in _elements(at._tree) if kind == "button_group"]
    assert pills, "no class pills: the drawing tool did not open on the uploaded table"
    assert leaks(at) == []


@pytest.mark.timeout(600)
def test_imported_model_file_name_and_config():
    """A model file with a hostile name: once unreadable, once with hostile keys and values in its config."""
    from playground.run import modelio
    from playground.run.config import Config
    from playground.run.trainer import Trainer

    doc = json.loads(modelio.to_json(Trainer(Config(dataset="xor", hidden=(3,)))))
    doc["config"] += "&" + "&".join(f"{h}=1" for h in HOSTILE) + "&seed=" + HOSTILE[0]
    at = _open("pages/play.py")
    for raw in (b"{" + HOSTILE[1].encode(), json.dumps(doc).encode()):
        at.file_uploader(key="pg.import").set_value((HOSTILE[0] + ".json", raw, "application/json")).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any("evil" in w.value for w in at.warning), [w.value[:80] for w in at.warning]
        assert leaks(at) == []


@pytest.mark.timeout(900)
@pytest.mark.parametrize("page", ["play", "race", "digits", "losses"])
def test_every_text_box(page):
    """Each text box of the page, typed into with each hostile value in turn (a seed box keeps 32 characters)."""
    at = _open(f"pages/{page}.py")
    keys = [t.key for t in at.text_input]
    assert keys, "no text box on the page"
    for value in HOSTILE:
        for key in keys:
            at.text_input(key=key).input(value).run()
            assert not at.exception, [e.value for e in at.exception]
            assert leaks(at) == [], (key, value)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page,keys", [
    ("predict", ["dataset", "seed", "pred", "pred_curve", "pred_acc", "pred_epochs"]),
    ("whatif", ["dataset", "seed", "branch_at", "whatif"]),
    ("chain", ["dataset", "seed", "weight", "point"]),
])
def test_new_pages_link_values_and_keys(page, keys):
    """Predict, What-if and Chain rule: hostile values of their own keys and hostile keys are reported as text."""
    at = _open(f"pages/{page}.py", _hostile_link(keys))
    assert at.warning, "the hostile link gave no warning at all"
    assert leaks(at) == []
