"""Static check: every text a page hands to a Markdown-rendering Streamlit call is safe.

Streamlit renders Markdown (links, images, ``:red[…]``, ``$…$``) in alert and caption
bodies, headers, ``st.markdown``/``st.write``, widget labels, options and their
``format_func`` results, ``help=`` tooltips, tab, expander and popover labels, metric
labels, column-config labels and ``st.table`` cells.  Each such argument in the pages
must be *safe*:

* a string or number literal, or a module constant holding one;
* an f-string (or ``+``/``%`` of parts) whose every interpolated part is safe;
* a call of the one escaping function, ``playground.base.text.escape_markdown`` (any alias);
* a number: ``len/int/float/round/abs(…)``, or a value formatted with a numeric format
  spec (``{x:.3f}``, ``{n:,}``, ``{p:.0%}``), which fails for text;
* text written by the project, from the small explicit allow-list below (``SAFE_SOURCES``):
  registry descriptions and labels, never anything a user typed;
* a local name every assignment of which is safe.

``test_checker_flags_user_text`` proves the checker can fail (``st.warning(user_text)``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "streamlit_app.py", *sorted((ROOT / "playground" / "app" / "ui").glob("*.py"))]

#: Calls whose first argument (and ``body=``) is rendered as Markdown.
BODY = {"markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success", "toast",
        "write", "table", "expander", "popover", "tabs", "spinner", "status", "dialog"}
#: Widgets whose label (first argument, ``label=``) is Markdown.
LABELLED = {"button", "toggle", "checkbox", "radio", "selectbox", "multiselect", "slider", "select_slider",
            "text_input", "number_input", "text_area", "file_uploader", "pills", "segmented_control",
            "page_link", "download_button", "metric", "color_picker", "date_input", "time_input",
            "data_editor", "dataframe", "link_button", "form_submit_button", "camera_input", "chat_input",
            "TextColumn", "NumberColumn", "SelectboxColumn", "CheckboxColumn", "Column", "ProgressColumn",
            "LinkColumn", "ListColumn", "LineChartColumn", "BarChartColumn", "ImageColumn"}
#: Widgets whose options render Markdown: the options' second positional place, unless format_func is given.
#: (st.selectbox and st.multiselect show their options as plain text: checked in a browser, Streamlit 1.67.)
OPTIONED = {"radio", "select_slider", "pills", "segmented_control"}
NOT_LABELS = {"dataframe", "data_editor"}  # first argument is data (shown as plain cells)
ESCAPERS = {"escape_markdown"}
NUMBERS = {"len", "int", "float", "round", "abs", "range", "sum", "min", "max"}
#: Fields that hold numbers wherever the pages read them (epoch counters, sizes): shown as they are.
NUMERIC_FIELDS = {"epoch", "epochs", "best_epoch", "max_epochs", "n_wrong", "n_test", "n_rows", "position"}
#: Project-written text: registries and their fields (no user input ever reaches them).  Matched
#: against the dotted start of an expression (``rc.PRESETS[p].label`` starts with ``rc.PRESETS``).
SAFE_SOURCES = {
    # registries (names, labels, descriptions, lesson texts) and page constants
    "ACTIVATIONS", "TRAINABLE", "TARGETS", "DATASETS", "OPTIMIZERS", "ENGINE_SPECS", "INITIALIZERS", "LOSSES",
    "LOSS_CURVES", "FEATURES", "LESSONS", "PAGES", "PAGE_PATHS", "SECTIONS", "PLAYGROUND", "rs.PRESETS",
    "classroom.CONTROLS", "WORKED", "ROUND_NOTE", "GRADIENT_PRESETS", "XOR_SOURCES", "GATES", "PACES",
    "SPEED_HELP", "pace_label",
    "str.upper", "goals.EXAMPLES",
    # library functions writing project text and numbers only (lab tables, verdicts, lesson solutions)
    "forward_rows", "gradient_rows", "update_rows", "run_rows", "fit_verdict", "solution_text", "update_markdown",
    "range_text", "realdata.quick_metrics", "convergence_text", "MIN_POINTS",
    "state.steps",  # the Playground's slider steps: numbers only
    # debug-the-network puzzles, the point-sizing note, warped space, the animation, NumPy beside PyTorch
    "PUZZLES", "DIAGNOSES", "fix_text", "goal_text", "drivers.explanation", "animate.HELP", "warp.explanation",
    "sidebyside.torch_missing",
    # the keyboard shortcuts' caption (playground.app.ui) and the loss-curve shapes a student can predict
    "SHORTCUTS_HELP", "pr.CURVES",
}


#: Page-local names that hold only project text or numbers there (a lab's worked example, a loop over
#: a registry, a helper's parameter that every caller gives a literal).  Pages that show user text
#: (play, race, data, lessons' link, losses' text boxes) keep this list short; review each entry.
SAFE_LOCALS = {
    "activations.py": {"label", "name", "depth"},  # registry labels of the demo's activations; a layer count
    "backprop.py": {"chosen", "label", "p", "fmt", "check"},  # worked-example parameter names; labs.fmt(number)
    "data.py": {"label"},  # _playground_link(label): every call passes a literal
    "generalisation.py": {"label", "run"},  # the lab's run names and results
    "gradients.py": {"act", "epoch", "epochs", "labels", "p", "LRS"},  # presets, activation names, epoch numbers, LRs
    "lessons.py": {"lesson", "p", "result"},  # LESSONS[...] / PUZZLES[...]; a check's result: measured numbers
    # with the project's labels (its detail is escaped where shown)
    "losses.py": {"slopes", "what"},  # fitted numbers; _numbers(what=…): a literal at every call
    "perceptron.py": {"epochs", "p", "where"},  # the perceptron's numbers; the XOR explanation
    "play.py": {"val", "row", "label", "value"},  # val: a number; row (live_numbers): literal labels, numbers
    "play_panels.py": {"label", "fname", "scripts", "steps"},  # edit-form labels, script names, LR steps
    "live.py": {"step_help", "reset_help"},  # transport_bar's tooltips: a literal at every call
    "present.py": {"cells"},  # data_table's st.table: every text escaped by _cells (numbers as they are);
    # test_pages_data's presenting case reads a hostile CSV's cells back as typed
}


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.IfExp):  # (st.success if won else st.info)(text)
        f = f.body
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _root(node: ast.AST) -> str:
    """The dotted start of an expression: ``rc.PRESETS[p].label`` -> ``rc.PRESETS``."""
    chain: list[str] = []
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        if isinstance(node, ast.Attribute):
            chain.append(node.attr)
        else:
            chain.clear()  # only the attributes between the name and the first [..] or (..) count
        node = node.value if not isinstance(node, ast.Call) else node.func
    return ".".join([node.id, *reversed(chain)]) if isinstance(node, ast.Name) else ""


def _base_name(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else ""


def _numeric_spec(spec: ast.AST | None) -> bool:
    if not isinstance(spec, ast.JoinedStr) or not all(isinstance(v, ast.Constant) for v in spec.values):
        return False
    text = "".join(v.value for v in spec.values)
    return bool(text) and text[-1] in "dfFgGeE%n,_xXob" or text.endswith(("d", ","))


class Checker:
    def __init__(self, tree: ast.Module, safe_locals: set[str] = frozenset()):
        self.tree = tree
        self.safe_locals = set(safe_locals)
        self.escapers = set(ESCAPERS)
        self.assigned: dict[str, list[ast.AST]] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "playground.base.text":
                self.escapers |= {a.asname or a.name for a in node.names if a.name in ESCAPERS}
            if isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) else []
            for t in targets:
                if isinstance(t, ast.Tuple) and isinstance(getattr(node, "value", None), ast.Tuple) \
                        and len(t.elts) == len(node.value.elts):  # a, b = x, y
                    for el, v in zip(t.elts, node.value.elts):
                        if isinstance(el, ast.Name):
                            self.assigned.setdefault(el.id, []).append(v)
                    continue
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        self.assigned.setdefault(n.id, []).append(
                            node.value if isinstance(t, ast.Name) and node.value is not None else None)
            if isinstance(node, ast.For):  # an element of a safe collection is safe (comprehensions: in safe())
                it = node.iter
                pairs = [(node.target, it)]
                if isinstance(it, ast.Call) and _call_name(it) == "zip" and isinstance(node.target, ast.Tuple) \
                        and len(node.target.elts) == len(it.args):  # for a, (b, c) in zip(x, y): a from x, b, c from y
                    pairs = list(zip(node.target.elts, it.args))
                for target, source in pairs:
                    for n in ast.walk(target):
                        if isinstance(n, ast.Name):
                            self.assigned.setdefault(n.id, []).append(source)
            if isinstance(node, (ast.FunctionDef, ast.Lambda)):
                for a in node.args.args + node.args.kwonlyargs:
                    self.assigned.setdefault(a.arg, []).append(None)  # an argument: unknown
        self._seen: set[str] = set()
        self.bound_safe: set[str] = set()  # a format_func's parameter while its options are safe

    def safe(self, node: ast.AST | None) -> bool:
        if node is None:
            return True
        if isinstance(node, ast.Constant):
            return node.value is None or isinstance(node.value, (str, int, float, bool))
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return (node.conversion == -1 and _numeric_spec(node.format_spec)) or self.safe(node.value)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)) and any(
                    isinstance(v, ast.Constant) and type(v.value) in (int, float) for v in (node.left, node.right)):
                return True  # arithmetic with a number is a number
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            bound = {n.id for g in node.generators if self.safe(g.iter) for n in ast.walk(g.target)
                     if isinstance(n, ast.Name)} - self.bound_safe  # loop names over safe collections
            self.bound_safe |= bound
            try:
                return self.safe(node.elt)
            finally:
                self.bound_safe -= bound
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.safe(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.Starred):
            return self.safe(node.value)
        if isinstance(node, ast.Compare) or isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return True  # a bool
        if isinstance(node, ast.UnaryOp):
            return self.safe(node.operand)
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in self.escapers or name in NUMBERS and isinstance(node.func, ast.Name):
                return True
            if name in ("list", "tuple", "sorted", "reversed", "enumerate", "zip", "str", "capped") \
                    and isinstance(node.func, ast.Name):
                return all(self.safe(a) for a in node.args)
            if name == "get" and isinstance(node.func, ast.Attribute):  # {...}.get(k, default): a value or the default
                return self.safe(node.func.value) and all(self.safe(a) for a in node.args[1:])
            if name in ("replace", "upper", "lower", "capitalize", "strip") and isinstance(node.func, ast.Attribute):  # "12.5%".replace(...)
                return self.safe(node.func.value) and all(self.safe(a) for a in node.args)
            if name == "join" and isinstance(node.func, ast.Attribute):
                return self.safe(node.func.value) and all(self.safe(a) for a in node.args)
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            root = _root(node)
            if any(root == s or root.startswith(s + ".") for s in SAFE_SOURCES) or root in self.safe_locals:
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.functions:
                return self.returns_safe(node.func)  # a page's own helper: safe if all it returns is
            base = _base_name(node)  # a field of a local name that only ever holds project text
            if base and base in self.safe_locals:
                return True
            if base and base != _root(node) and self.safe(ast.Name(base)):
                return True
        if isinstance(node, ast.Subscript):  # an element or a slice of safe text or a safe collection
            if self.safe(node.value):
                return True
        if isinstance(node, ast.Attribute) and node.attr in NUMERIC_FIELDS or \
                isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and node.slice.value in NUMERIC_FIELDS:
            return True
        if isinstance(node, ast.Name):
            if node.id in SAFE_SOURCES or node.id in self.bound_safe or node.id in self.safe_locals:
                return True
            values = self.assigned.get(node.id)
            if not values or node.id in self._seen:
                return False
            self._seen.add(node.id)
            try:
                return all(v is not None and self.safe(v) for v in values)
            finally:
                self._seen.discard(node.id)
        return False

    def returns_safe(self, func: ast.AST, options: ast.AST | None = None) -> bool:
        """A format_func: a lambda whose body, or a function whose every return, is safe (the
        lambda's parameter counts as safe when the options it is given are)."""
        if isinstance(func, ast.Lambda):
            params = {a.arg for a in func.args.args} if options is not None and self.safe(options) else set()
            self.bound_safe |= params
            try:
                return self.safe(func.body)
            finally:
                self.bound_safe -= params
        if isinstance(func, ast.Name) and func.id in self.functions:
            if func.id in self._seen:
                return False
            self._seen.add(func.id)
            try:
                rets = [n.value for n in ast.walk(self.functions[func.id]) if isinstance(n, ast.Return)]
                return bool(rets) and all(self.safe(r) for r in rets)
            finally:
                self._seen.discard(func.id)
        if isinstance(func, ast.Name) and func.id in self.escapers or func is None:
            return True
        if isinstance(func, ast.Attribute) and func.attr in ("get", "__getitem__"):
            return self.safe(func.value)  # {...}.get / names.__getitem__: the values of a safe mapping
        return self.safe(func)

    def problems(self) -> list[str]:
        out = []
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            checks: list[tuple[str, ast.AST]] = []
            fmt_options = None
            if name in BODY:
                args = node.args if name == "write" else node.args[:1]
                checks += [("body", a) for a in args] + [("body", kw[k]) for k in ("body",) if k in kw]
            if name in LABELLED:
                if name not in NOT_LABELS:
                    checks += [("label", a) for a in node.args[:1]]
                checks += [("label", kw[k]) for k in ("label",) if k in kw]
            if name in BODY | LABELLED:
                checks += [(k, kw[k]) for k in ("help", "placeholder", "caption", "captions") if k in kw]
            if name == "metric":  # a metric's value and delta are Markdown too
                checks += [("value", a) for a in node.args[1:3]] + [(k, kw[k]) for k in ("value", "delta") if k in kw]
            if name in OPTIONED:
                options = kw.get("options", node.args[1] if len(node.args) > 1 else None)
                if "format_func" in kw:
                    checks.append(("format_func", kw["format_func"]))
                    fmt_options = options
                elif options is not None:
                    checks.append(("options", options))
            if name == "tabs":
                checks = [("tabs", node.args[0])] if node.args else []
            for what, arg in checks:
                ok = self.returns_safe(arg, fmt_options) if what == "format_func" else self.safe(arg)
                if not ok:
                    out.append(f"line {node.lineno}: {name}(… {what}={ast.unparse(arg)[:70]} …)")
        return out


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_markdown_arguments_are_literals_or_escaped(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert Checker(tree, SAFE_LOCALS.get(path.name, set())).problems() == []


@pytest.mark.parametrize("code", [
    "st.warning(user_text)",
    "st.warning(f'Link: {w}')",
    "col.caption('Got ' + name)",
    "st.radio('Class', names)",
    "col.metric('Loss', loss_text)",
    "st.pills('Class', range(3), format_func=lambda i: names[i])",
    "st.button('Go', help=f'{w!r}')",
    "st.tabs([name, 'b'])",
    "st.metric(label, 3)",
    "with st.expander(f'About {name}'):\n    pass",
    "from playground.base.text import escape_markdown\nfor w in ws:\n    st.warning(w)",
    "st.radio('Pick', ['a', 'b'], captions=names)",
    "(st.success if won else st.info)(summary['headline'])",
    "st.column_config.TextColumn(name, help='x')",
    "with st.spinner(f'Loading {file.name}'):\n    pass",
])
def test_checker_flags_user_text(code):
    assert Checker(ast.parse(code)).problems() != [], code


@pytest.mark.parametrize("code", [
    "st.warning('literal')",
    "from playground.base.text import escape_markdown as esc\nst.warning(f'Link: {esc(w)}')",
    "st.metric('Loss', f'{loss:.3f}')",
    "st.caption(f'{n:,} epochs, {len(xs)} points')",
    "st.selectbox('Class', ['a', 'b'])",
    "from playground.base.text import escape_markdown\nst.pills('Class', range(3), format_func=lambda i: escape_markdown(names[i]))",
])
def test_checker_passes_safe_text(code):
    assert Checker(ast.parse(code)).problems() == [], code
