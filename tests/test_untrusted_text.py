"""Untrusted text never becomes markup: link values, file names, column names and class labels.

What a user can supply reaches the page as share-link values, an uploaded
file's name, its column names and its class labels.  None of it may be rendered
as HTML or as active Markdown (links, emphasis, colour directives, icons), or
handed to component JavaScript in a form that becomes markup.

* AppTest: hostile link values appear in the "Link setting reset" warnings as
  literal text; an uploaded file with a hostile name is named literally on the
  Data page and in the Playground's "Use uploaded data" toggle.
* Sources: no ``unsafe_allow_html``; every ``st.html`` call passes a constant
  string; the live-chart component's JavaScript writes no HTML.
* Figures: class labels and column names go into Plotly text (legend names,
  hover templates, axis titles), which Plotly reads as a small HTML subset.
* A real browser (``-m browser``): a hostile link and a hostile upload run no
  script and create no ``<img>``.

"Shown literally" in a Markdown body (``shown_literally``): the value appears
with every Markdown-active character backslash-escaped, or inside a code span.
Streamlit itself never renders raw HTML tags without ``unsafe_allow_html``
(the browser test checks that), so ``<`` and ``>`` alone are not required to
be escaped.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.viz import data_figures
from playground.viz import figures
from playground.run import views
from playground.run.config import Config
from playground.data.datasets import Data
from playground.run.trainer import Trainer

sys.path.insert(0, str(Path(__file__).parent))
from browser_util import chromium_fixture, streamlit_server_fixture  # noqa: E402


def shown(md: str) -> str:
    """The text a person sees for escaped Markdown source (the page escapes untrusted text)."""
    return re.sub(r"\\([^A-Za-z0-9\s])", r"\1", md).replace("\u200b", "")  # escapes and link breakers

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 240
LINK_RESET = "Link setting reset: "

# Characters that make Markdown in Streamlit do something: escapes, code, emphasis, links and
# directives (:red[…]), emoji and icon short codes (:material/…:), math ($), strike-through,
# entities, e-mail autolinks.
MD_ACTIVE = set("\\`*_[]:$~&@")


def _parse_markdown_text(body: str) -> list[tuple[str, bool]]:
    """The body as (character, was it backslash-escaped) pairs, CommonMark's escape rule."""
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and 33 <= ord(body[i + 1]) <= 126 and not body[i + 1].isalnum():
            out.append((body[i + 1], True))
            i += 2
        else:
            out.append((body[i], False))
            i += 1
    return out


def shown_literally(body: str, value: str) -> bool:
    """Does Markdown ``body`` show ``value`` as plain text (escaped, or in a code span)?"""
    longest_tick_run = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest_tick_run + 1)
    for pad in ("", " "):
        if f"{fence}{pad}{value}{pad}{fence}" in body:
            return True
    chars = _parse_markdown_text(body.replace("\u200b", ""))  # zero-width spaces only break autolinks
    text = "".join(c for c, _ in chars)
    start = text.find(value)
    while start >= 0:
        span = chars[start:start + len(value)]
        if all(escaped or c not in MD_ACTIVE for c, escaped in span):
            return True
        start = text.find(value, start + 1)
    return False


def test_shown_literally_oracle():
    assert shown_literally(r"got '\[click\]\(https\://x\)'", "[click](https://x)")
    assert shown_literally("got `[click](https://x)`", "[click](https://x)")
    assert not shown_literally("got '[click](https://x)'", "[click](https://x)")
    assert not shown_literally(r"got '\*\*bold**'", "**bold**")
    assert shown_literally("got '<img src=x onerror=alert(1)>'", "<img src=x onerror=alert(1)>")
    assert not shown_literally("got 'something else'", "<img src=x>")


# ----- share-link values in the Playground's warnings -------------------------------------------------------
def _playground(query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.query_params.update(query)
    at.switch_page("pages/play.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _warning_for(at: AppTest, field: str) -> str:
    found = [w.value for w in at.warning if shown(w.value).startswith(f"{LINK_RESET}{field} ")]
    assert len(found) == 1, [w.value for w in at.warning]
    return found[0]


def _no_html_markdown(at: AppTest) -> None:
    """No Markdown element of the page may render HTML; st.html bodies hold no user text."""
    for md in at.markdown:
        assert not md.proto.allow_html, md.value[:80]
    for el in at.get("html"):
        assert not el.proto.unsafe_allow_javascript
        assert "alert(" not in el.proto.body and "evil" not in el.proto.body and "onerror" not in el.proto.body


def test_html_in_link_values_is_shown_as_plain_text():
    values = {"dataset": "<script>alert(1)</script>", "seed": "<img src=x onerror=alert(1)>",
              "init": '"><svg onload=alert(1)>', "optimizer": "<iframe src=//evil.example></iframe>"}
    at = _playground(values)
    for field, value in values.items():
        body = _warning_for(at, field)
        assert value in shown(body) and shown_literally(body, value), body
    _no_html_markdown(at)
    s = at.session_state["pg.session"]
    assert s.cfg == Config() and all("<" not in v for v in at.query_params.values())


MARKDOWN_VALUES = {
    "dataset": "[click me](https://evil.example)",
    "optimizer": "**bold** _it_",
    "init": ":red[red text]",
    "reg": ":material/warning:",
    "engine": "$x^2$",
    "dtype": "`code`",
}


@pytest.mark.parametrize("field", MARKDOWN_VALUES)
def test_markdown_in_link_values_is_shown_literally(field):
    value = MARKDOWN_VALUES[field]
    at = _playground({field: value})
    body = _warning_for(at, field)
    assert shown_literally(body, value), body


# ----- an uploaded file: its name in the Data page and in the Playground ----------------------------------
HOSTILE_NAME = "**b** :red[x] _y <img src=x onerror=f()>"  # ≤ 40 characters: clean_name keeps it whole
HOSTILE_CSV = (
    "<b>x1</b>,[c](https://evil.example),<script>alert(5)</script>\n"
    + "".join(f"{x:.2f},{y:.2f},{lab}\n" for x, y, lab in zip(
        np.linspace(-2, 2, 40), np.cos(np.linspace(0, 9, 40)),
        ["<img src=x onerror=alert(6)>", '"<a href=""https://evil.example"">evil</a>"'] * 20))
).encode()


def test_uploaded_file_name_is_shown_literally():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    at.file_uploader(key="data_file").set_value((HOSTILE_NAME + ".csv", HOSTILE_CSV, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    at.button(key="data_use").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = at.session_state["user_data_name"]
    assert stored == HOSTILE_NAME  # clean_name keeps it: only folders, extension and control characters go
    data = at.session_state["user_data"]
    assert set(data.class_names) == {"<img src=x onerror=alert(6)>", '<a href="https://evil.example">evil</a>'}
    success = [s.value for s in at.success if s.value.startswith("Stored.")]
    assert len(success) == 1 and shown_literally(success[0], HOSTILE_NAME), success
    in_use = [m.value for m in at.markdown if m.value.startswith("**In use:**")]
    assert len(in_use) == 1 and shown_literally(in_use[0], HOSTILE_NAME), in_use
    _no_html_markdown(at)

    # The Playground offers the data under the same name, as a toggle whose label is Markdown.
    at.switch_page("pages/play.py").run()
    assert not at.exception, [e.value for e in at.exception]
    toggle = at.toggle(key="pg.uploaded")
    assert toggle.label.startswith("Use uploaded data: ") and shown_literally(toggle.label, HOSTILE_NAME)
    toggle.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    s = at.session_state["pg.session"]
    assert s.data_name == "uploaded" and s.trainer.data.class_names == data.class_names
    _no_html_markdown(at)


# ----- sources ---------------------------------------------------------------------------------------------
def _ui_sources() -> list[Path]:
    return sorted((ROOT / "pages").glob("*.py")) + [*sorted((ROOT / "playground" / "app" / "ui").glob("*.py")), ROOT / "streamlit_app.py"]


def _module_constants(tree: ast.Module) -> dict[str, object]:
    """Module-level NAME = "constant" assignments (names assigned once, to a string literal)."""
    assigned: dict[str, list] = {}
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
        for t in targets:
            if isinstance(t, ast.Name):
                assigned.setdefault(t.id, []).append(node)
    return {name: nodes[0].value.value for name, nodes in assigned.items()
            if len(nodes) == 1 and isinstance(nodes[0], ast.Assign) and nodes[0] in tree.body
            and isinstance(nodes[0].value, ast.Constant) and isinstance(nodes[0].value.value, str)}


def _call_name(node: ast.Call) -> str:
    parts, f = [], node.func
    while isinstance(f, ast.Attribute):
        parts.append(f.attr)
        f = f.value
    if isinstance(f, ast.Name):
        parts.append(f.id)
    return ".".join(reversed(parts))


KNOWN_UNSAFE_HTML: dict[str, str] = {}  # none left: pages/activations.py now uses Markdown maths


def _unsafe_html_params():
    for path in _ui_sources():
        rel = path.relative_to(ROOT).as_posix()
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_UNSAFE_HTML[rel])] if rel in KNOWN_UNSAFE_HTML else []
        yield pytest.param(path, id=rel, marks=marks)


@pytest.mark.parametrize("path", _unsafe_html_params())
def test_no_unsafe_allow_html(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [f"line {node.lineno}: {_call_name(node)}(…, unsafe_allow_html=…)" for node in ast.walk(tree)
           if isinstance(node, ast.Call) for kw in node.keywords
           if kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)]
    assert bad == []


@pytest.mark.parametrize("path", _ui_sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_html_calls_pass_only_constant_strings(path):
    """st.html / components.html bodies are literals or module constants: no user text can reach them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _module_constants(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if not (name.endswith(".html") or name == "html"):
            continue
        args = list(node.args) + [kw.value for kw in node.keywords if kw.arg in ("body", "html")]
        assert args, f"{path.name}:{node.lineno}: {name}() without a body"
        for a in args:
            ok = (isinstance(a, ast.Constant) and isinstance(a.value, str)) or \
                 (isinstance(a, ast.Name) and a.id in constants)
            assert ok, f"{path.name}:{node.lineno}: {name}() is given {ast.unparse(a)}, not a constant string"


def test_ui_st_html_bodies_are_only_style_sheets():
    for path in sorted((ROOT / "playground" / "app" / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, value in _module_constants(tree).items():
            if "<" in value:
                assert re.fullmatch(r"\s*<style>[^<]*</style>\s*", value), f"{path.name}: {name}"


def test_live_chart_javascript_writes_no_html():
    js = (ROOT / "playground" / "app" / "ui" / "assets" / "live_plotly.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setTimeout(\"", "srcdoc"):
        assert sink not in js, sink


# ----- figures: class labels and column names in Plotly text --------------------------------------------------
HOSTILE_LABELS = ("<img src=x onerror=alert(1)>", '<a href="https://evil.example">evil</a>', "<b>bold</b>%{x}")
_TEXT_KEYS = ("name", "text", "hovertext", "hovertemplate", "title")


def _strings(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(obj, np.ndarray) and obj.dtype.kind in "OU":
        yield from _strings(obj.tolist(), path)
    elif isinstance(obj, str) and not obj.startswith("data:"):
        yield path, obj


def _raw_user_markup(fig) -> list[str]:
    """Figure strings holding a user label's markup unescaped (Plotly would draw <a>, <b> …)."""
    found = []
    for path, s in _strings(fig.to_plotly_json()):
        for label in HOSTILE_LABELS:
            for tag in re.findall(r"<[^<>]*>", label):
                if tag in s:
                    found.append(f"{path}: {s[:80]!r}")
    return found


def _user_data() -> Data:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (np.arange(60) % 3).astype(np.int64)
    return Data(X, y, "classification", 3, HOSTILE_LABELS, "upload", HOSTILE_LABELS)


def test_playground_figures_escape_class_labels_and_column_names():
    t = Trainer(Config(dataset="iris", loss="ce", hidden=(3,)), _user_data())
    grid = views.grid_for(t, 20)
    maps = views.neuron_maps(t, grid)
    figs = [figures.boundary_figure(views.boundary_values(t, grid, maps), grid, (t.train.X, t.train.y),
                                    (t.test.X, t.test.y), task=t.task, n_classes=t.n_classes,
                                    class_names=t.data.class_names),
            figures.network_figure(**views.network_kwargs(t, grid, maps))]
    assert [s for f in figs for s in _raw_user_markup(f)] == []


def test_data_page_scatter_escapes_class_labels_and_column_names():
    d = _user_data()
    fig = data_figures.scatter_figure(d.X[:, 0], d.X[:, 1], d.y, d.task, d.class_names,
                                      d.feature_names[0], d.feature_names[1])
    assert _raw_user_markup(fig) == []


# ----- a real browser ---------------------------------------------------------------------------------------
server = streamlit_server_fixture("streamlit_app.py")
browser = chromium_fixture()
PWNED_LINK = ("play?dataset=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E"
              "&seed=%3Cscript%3Ewindow.__pwned%3D2%3C%2Fscript%3E")
ALERTS = "[data-testid=stAlert]"
EVIL_LINK = '"<a href=""https://evil.example"">evil</a>"'  # a CSV cell (quoted)


def _no_injection(page) -> None:
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("() => [...document.scripts].filter(s => s.text.includes('__pwned')).length") == 0
    assert page.locator("[data-testid=stException]").count() == 0


@pytest.mark.browser
def test_browser_hostile_link_runs_no_script(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server}/{PWNED_LINK}")
        page.get_by_text("Link setting reset: seed", exact=False).wait_for(timeout=180_000)
        page.wait_for_timeout(2_000)  # let the live charts mount as well
        _no_injection(page)
        texts = page.locator(ALERTS).all_inner_texts()
        texts = [t.replace("\u200b", "") for t in texts]
        assert any('<img src=x onerror="window.__pwned=1">' in t for t in texts), texts
        assert any("<script>window.__pwned=2</script>" in t for t in texts), texts
        assert "dataset=circle" in page.url and "__pwned" not in page.url  # the normalised link replaced it
    finally:
        page.close()


@pytest.mark.browser
def test_browser_markdown_link_value_is_not_a_link(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server}/play?optimizer=%5Bclick%5D(https%3A%2F%2Fevil.example)")
        page.get_by_text("Link setting reset: optimizer", exact=False).wait_for(timeout=180_000)
        assert page.locator(f'{ALERTS} a[href*="evil.example"]').count() == 0
        assert any("[click](https://evil.example)" in t.replace("\u200b", "")
                   for t in page.locator(ALERTS).all_inner_texts())
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_browser_race_link_is_not_a_link_or_image(server, browser):
    """The Race page's warnings quote the race spec and values: shown as text, no link, no remote image."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{server}/race?race=%5Bclick%20me%5D(%2F%2Fevil.example%2Fx)%7Clr%3A0.1"
                  "&dataset=!%5Bi%5D(%2F%2Fevil.example%2Fi.png)")
        page.get_by_text("Race setting reset: dataset", exact=False).wait_for(timeout=180_000)
        assert page.evaluate(EVIL_LINKS_JS) == 0
        assert page.locator('img[src*="evil.example"]').count() == 0
        texts = [t.replace("\u200b", "") for t in page.locator(ALERTS).all_inner_texts()]
        assert any("![i](//evil.example/i.png)" in t for t in texts), texts
    finally:
        page.close()


UPLOAD_NAME = "<img src=x onerror=window.__pwned=3>"
UPLOAD_CSV = (b"<b>x1</b>,x2,<script>window.__pwned=5</script>\n" + b"".join(
    f"{i / 10:.1f},{(i * 7 % 11) / 10:.1f},{('<img src=x onerror=window.__pwned=6>', 'b', EVIL_LINK)[i % 3]}\n".encode()
    for i in range(60)))
EVIL_LINKS_JS = """() => [...document.querySelectorAll('a')]
    .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
    .filter(h => h.includes('evil.example')).length"""


def _upload_then_playground(page, server: str) -> list[int]:
    """Upload UPLOAD_CSV as UPLOAD_NAME on /data, use it in the Playground; links to evil.example seen on each page."""
    page.goto(f"{server}/data")
    page.get_by_role("tab", name="Upload a table").click(timeout=180_000)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": f"{UPLOAD_NAME}.csv", "mimeType": "text/csv", "buffer": UPLOAD_CSV}])
    page.get_by_role("button", name="Use this data").click(timeout=120_000)
    page.get_by_text("Stored.", exact=False).wait_for(timeout=120_000)
    page.wait_for_timeout(2_000)  # the preview scatter (class labels in its legend)
    _no_injection(page)
    shown = page.locator(ALERTS).all_inner_texts()
    assert any(f"Uploaded: {UPLOAD_NAME}" in t for t in shown), shown
    links = [page.evaluate(EVIL_LINKS_JS)]
    # The Playground, in the same session: the toggle names the data literally; train on it.
    page.get_by_role("link", name="Open the Playground").first.click()
    toggle = page.get_by_text(f"Use uploaded data: {UPLOAD_NAME}", exact=True)
    toggle.wait_for(timeout=180_000)
    toggle.click()
    page.get_by_text("Training on your uploaded table", exact=False).wait_for(timeout=120_000)
    page.wait_for_timeout(3_000)  # boundary and legend (class labels) drawn by the live chart
    _no_injection(page)
    legend = page.evaluate("() => [...document.querySelectorAll('.legendtext')].map(e => e.textContent)")
    assert "<img src=x onerror=window.__pwned=6>" in legend, legend  # a class label, drawn as text
    links.append(page.evaluate(EVIL_LINKS_JS))
    return links


@pytest.mark.browser
def test_browser_hostile_upload_runs_no_script(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        _upload_then_playground(page, server)
    finally:
        page.close()


@pytest.mark.browser
def test_browser_class_label_is_not_a_link(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        assert _upload_then_playground(page, server) == [0, 0]
    finally:
        page.close()
