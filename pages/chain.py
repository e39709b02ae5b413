"""The chain rule on any weight: click a weight and a training point; see the product that gives ∂L/∂w.

Thin page: ``playground.core.chainrule`` computes every factor (float64, on a copy of the network) and the
checks; this script draws them.  Opened from the Playground it takes a copy of the Playground's run at
its current epoch; the link (the Playground's keys plus ``weight`` and ``point``) rebuilds it at epoch 0.
"""
from urllib.parse import parse_qsl

import streamlit as st

from playground.core import chainrule as cr
from playground.viz.boundary import boundary_figure
from playground.viz.network_figure import network_figure
from playground.run import views
from playground.run.config import from_query
from playground.base.text import capped, escape_markdown
from playground.run.trainer import Trainer
from playground.app.ui import (address, data_table, page_params, entry_guard, live_plotly, page_url, stale_address, uninterrupted,
                           wrote_address)
from playground.run.branches import fork

entry_guard()

K = "cr."
ss = st.session_state
KEYS = ("weight", "point")
POINT_LABELS = {"batch": "The next mini-batch", "train": "The whole training set", "one": "One point"}


def _start(query: dict) -> None:
    cfg, warnings = from_query({k: v for k, v in query.items() if k not in KEYS})
    pg = ss.get("pg.session")
    if pg is not None and pg.trainer.cfg == cfg and pg.data is None and not pg.trainer.diverged:
        t = fork(pg.trainer)  # the Playground's run as it is now; stepping here leaves it alone
    else:
        t = Trainer(cfg)
    ref, msg = cr.parse_weight(query.get("weight"), t.sizes)
    rows, msg2 = cr.parse_rows(query.get("point"), len(t.X_train))
    ss[K + "trainer"], ss[K + "ref"] = t, ref
    ss[K + "warnings"] = warnings + [m for m in (msg, msg2) if m]
    ss[K + "rows"] = "one" if isinstance(rows, int) else rows
    ss[K + "point"] = rows if isinstance(rows, int) else 0
    _sync_pickers()
    _write_query()


def _sync_pickers() -> None:
    ref = ss[K + "ref"]
    ss[K + "layer"], ss[K + "to"] = ref.layer + 1, ref.j + 1
    ss[K + "from"] = "bias" if ref.kind == "b" else ref.i + 1


def _rows_value():
    return ss[K + "point"] if ss[K + "rows"] == "one" else ss[K + "rows"]


def _write_query() -> None:
    t = ss[K + "trainer"]
    q = f"{t.cfg.to_query()}&weight={ss[K + 'ref'].to_text()}&point={_rows_value()}"
    st.query_params.from_dict(dict(parse_qsl(q, keep_blank_values=True)))
    ss[K + "query"] = address()
    wrote_address(ss[K + "query"])


@uninterrupted
def _from_pickers() -> None:
    t = ss[K + "trainer"]
    layer = min(int(ss[K + "layer"]), len(t.sizes) - 1) - 1
    to = min(int(ss[K + "to"]), t.sizes[layer + 1]) - 1
    frm = ss[K + "from"]
    if frm == "bias":
        ss[K + "ref"] = cr.WeightRef("b", layer, -1, to)
    else:
        ss[K + "ref"] = cr.WeightRef("w", layer, min(int(frm), t.sizes[layer]) - 1, to)
    _sync_pickers()
    _write_query()


@uninterrupted
def _train(epochs: int) -> None:
    ss[K + "trainer"].run(epochs=epochs, seconds=1.0)


if K + "trainer" in ss and address() and address() != ss.get(K + "query") and stale_address(address()):
    _write_query()
elif K + "trainer" not in ss or (address() and address() != ss.get(K + "query")):
    _start(page_params())
t: Trainer = ss[K + "trainer"]

st.title("The chain rule on one weight")
st.caption("Backprop is the chain rule, multiplied out. Pick a weight (click it in the diagram, or choose it "
           "below) and the points it learns from: every factor of ∂L/∂w is shown with its number.")
for w in capped(escape_markdown(m) for m in ss[K + "warnings"]):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")

left, right = st.columns([1.3, 1])
with left:
    fig = network_figure(**views.network_kwargs(t), color_by="gradient", aspect=0.6, spec=True)
    click = live_plotly(cr.highlight(fig, ss[K + "ref"]), key="cr_network", height=380, events=True,
                        config={"displayModeBar": False})
    if click and click.get("customdata") and click["customdata"][0] in ("w", "b"):
        c = [str(v) for v in click["customdata"]]
        text = f"w{int(c[1]) + 1}.{int(c[2]) + 1}.{int(c[3]) + 1}" if c[0] == "w" else f"b{int(c[1]) + 1}.{int(c[2]) + 1}"
        ref, msg = cr.parse_weight(text, t.sizes)
        if not msg:
            ss[K + "ref"] = ref
            _sync_pickers()
            _write_query()
            st.rerun()
    p = st.columns(3)
    n_layers = len(t.sizes) - 1
    p[0].selectbox("Layer", list(range(1, n_layers + 1)), key=K + "layer", on_change=_from_pickers,
                   help="1 = the weights leaving the inputs.")
    layer = int(ss[K + "layer"]) - 1
    p[1].selectbox("From unit", ["bias", *range(1, t.sizes[layer] + 1)], key=K + "from", on_change=_from_pickers,
                   format_func=lambda v: "bias (input 1)" if v == "bias" else f"unit {v}")
    p[2].selectbox("To unit", list(range(1, t.sizes[layer + 1] + 1)), key=K + "to", on_change=_from_pickers,
                   format_func=lambda v: f"unit {v}")
with right:
    st.segmented_control("Points", list(POINT_LABELS), key=K + "rows", format_func=POINT_LABELS.get,
                         on_change=_write_query, required=True)
    if ss[K + "rows"] == "one":
        st.number_input("Training point", 0, len(t.X_train) - 1, key=K + "point", on_change=_write_query,
                        help="Or click a point in the plot.")
    if t.train.X.shape[1] == 2:
        grid = views.grid_for(t, 40)
        bfig = boundary_figure(views.boundary_values(t, grid), grid, (t.train.X, t.train.y), task=t.task,
                                       n_classes=t.n_classes, class_names=t.data.class_names, hover=False, spec=True)
        chosen = cr.explain(t, ss[K + "ref"], _rows_value()).rows[:200]
        bfig["data"].append({"type": "scatter", "mode": "markers", "x": t.train.X[chosen, 0].astype("float32"),
                             "y": t.train.X[chosen, 1].astype("float32"), "name": "used", "hoverinfo": "skip",
                             "marker": {"symbol": "circle-open", "size": 13, "line": {"color": "black", "width": 2}}})
        bfig["layout"]["showlegend"] = False
        pclick = live_plotly(bfig, key="cr_points", height=300, events=True, config={"displayModeBar": False})
        if pclick and pclick.get("x") is not None:
            row = cr.nearest_row(t, pclick["x"], pclick["y"])
            if row is not None:
                ss[K + "rows"], ss[K + "point"] = "one", row
                _write_query()
                st.rerun()
        st.caption("Ringed: the points whose gradients are added up. Click a point to pick it alone.")

e = cr.explain(t, ss[K + "ref"], _rows_value())
first = e.terms[0]
f = escape_markdown(e.activation)
st.subheader(f"∂L/∂w for the {escape_markdown(e.ref.label())} · epoch {t.epoch:,}", anchor=False)
if e.output_unit:
    st.latex(r"\frac{\partial L_n}{\partial w} = \underbrace{\delta_j}_{\partial L_n/\partial z_j}"
             r"\cdot \underbrace{a_i}_{\text{incoming}}"
             rf" = ({first.upstream:.6g}) \cdot ({first.incoming:.6g}) = {first.product:.6g}")
    st.caption(f"Unit {e.ref.j + 1:d} is an output unit: its δ = ∂L/∂z comes straight from the output-and-loss "
               f"pair ({escape_markdown(t.loss.label)}), e.g. ŷ − y. Numbers: training point {first.row:d}.")
else:
    st.latex(r"\frac{\partial L_n}{\partial w} = \underbrace{\frac{\partial L_n}{\partial a_j}}_{\text{upstream}}"
             r"\cdot \underbrace{f'(z_j)}_{\text{slope}} \cdot \underbrace{a_i}_{\text{incoming}}"
             rf" = ({first.upstream:.6g}) \cdot ({first.slope:.6g}) \cdot ({first.incoming:.6g}) = {first.product:.6g}")
    st.caption(f"Upstream: ∂L/∂aⱼ = Σₖ δₖ wⱼₖ, what every unit that unit {e.ref.j + 1:d} feeds sends back. "
               f"Slope: the derivative of {f} at zⱼ = {first.z:.4g}. Incoming: "
               + ("1 for a bias." if e.ref.kind == "b" else f"the activation of unit {e.ref.i + 1:d} below.")
               + f" Numbers: training point {first.row:d}.")
rows = [{"point": tm.row, "∂L/∂aⱼ or δⱼ": tm.upstream, "zⱼ": tm.z, "f′(zⱼ)": tm.slope, "aᵢ": tm.incoming,
         "∂Lₙ/∂w": tm.product} for tm in e.terms]
data_table(rows)
if len(e.rows) > len(e.terms):
    st.caption(f"The first {len(e.terms)} of {len(e.rows)} points; the sum below uses all of them.")
n = len(e.rows)
st.latex(rf"\frac{{\partial C}}{{\partial w}} = \frac{{1}}{{N}}\sum_{{n=1}}^{{N}} \frac{{\partial L_n}}{{\partial w}}"
         rf" = \frac{{{e.total:.6g}}}{{{n}}} = {e.mean:.8g}")
m = st.columns(4)
m[0].metric("Chain rule, mean over the points", f"{e.mean:.8g}")
m[1].metric("Engine's backward pass", f"{e.engine:.8g}", f"differs by {abs(e.mean - e.engine):.1e}",
            delta_color="off", delta_arrow="off", help=f"The run's own {escape_markdown(t.net.name)} engine at {escape_markdown(t.dtype.name)} on the same points: a "
                                    "float32 run differs in the 7th digit or so.")
m[2].metric("Finite difference", f"{e.numeric:.8g}", f"differs by {abs(e.mean - e.numeric):.1e}", delta_color="off",
            delta_arrow="off",
            help=f"(C(w + ε) − C(w − ε)) / 2ε with ε = {cr.FD_EPS:g}, in float64.")
m[3].metric("Gradient the optimizer uses", f"{e.optimizer_grad:.8g}",
            help="The mean plus the regulariser's term (λw for L2, λ·sign(w) for L1).")
if e.reg_term:
    st.caption(f"Regularisation adds {e.reg_term:.6g} ({escape_markdown(t.cfg.reg)}, λ = {t.cfg.reg_rate:g}, w = {e.weight:.6g}).")
if t.cfg.optimizer == "sgd":
    st.caption(f"Plain SGD then moves the weight by −η · {e.optimizer_grad:.6g} = {-t.lr * e.optimizer_grad:.6g} "
               f"(η = {t.lr:g}).")
for note in e.notes:
    st.caption(escape_markdown(note))
if ss[K + "rows"] == "batch":
    st.caption("The next mini-batch: the points the optimizer's next step will average, from the shuffle the run "
               "will draw next.")

b = st.columns([1, 1, 3], vertical_alignment="center")
b[0].button("Train 1 epoch", on_click=_train, args=(1,), width="stretch", icon=":material/skip_next:")
b[1].button("Train 10 epochs", on_click=_train, args=(10,), width="stretch", icon=":material/fast_forward:")
b[2].caption("Trains this page's copy of the run; the numbers above follow it.")
with st.expander("Share this view"):
    st.code(page_url(__file__, ss[K + "query"]), language=None, wrap_lines=True)
