"""NumPy and PyTorch side by side: one training step of the same network in both engines.

Thin page: ``playground.run.sidebyside`` runs the step.  Opened from the Playground with
its share link, it uses the Playground's current weights (``playground.app.carry``);
a link opened cold uses the link's starting weights.  Without torch it says so.
"""
from urllib.parse import parse_qsl

import streamlit as st

from playground.app import carry
from playground.run import sidebyside
from playground.base.text import capped, escape_markdown
from playground.app.ui import data_table, entry_guard

entry_guard()

K = "sbs."
ss = st.session_state

st.title("One step in NumPy and in PyTorch")
st.caption("The same network, the same weights, the same mini-batch, in float64: the NumPy engine computes every "
           "gradient with hand-written backprop (δ = ∂L/∂z, ∂L/∂W = aᵀδ, δ ← (δWᵀ) ⊙ f′(z)); the PyTorch engine "
           "builds the same forward pass and calls `loss.backward()`. Below, every gradient from both, and the "
           "difference.")
s, link_warnings = carry.session_for_link(ss, st.query_params, K + "session")
for w in capped(escape_markdown(m) for m in link_warnings):
    st.warning(f"Link setting reset: {w}", icon=":material/link_off:")
t = s.trainer
own = s is ss.get(carry.PLAYGROUND_KEY)
st.page_link("pages/play.py", label="Back to the Playground", icon=":material/hub:",
             query_params=dict(parse_qsl(s.share_query())))
missing = sidebyside.torch_missing()
if missing:
    st.info(missing, icon=":material/info:")
    st.stop()

r = sidebyside.compare_step(t)
c = t.cfg
st.markdown(f"**Network** {escape_markdown('-'.join(map(str, t.sizes)))} · **loss** {escape_markdown(c.loss)} · "
            f"**optimizer** {escape_markdown(c.optimizer)}, "
            f"learning rate {c.lr:g} · **weights** "
            + (f"the Playground's, at epoch {t.epoch:,}" if own else "the link's starting weights (epoch 0)")
            + f" · **mini-batch** the first {r.batch:,} training points")
m = st.columns(4)
m[0].metric("Loss, NumPy", f"{r.loss_numpy:.10f}")
m[1].metric("Loss, PyTorch", f"{r.loss_torch:.10f}")
m[2].metric("Largest gradient difference", f"{r.max_grad_diff():.1e}")
m[3].metric("Largest difference after the step", f"{r.max_weight_diff():.1e}")
st.success("Both engines agree to rounding error (float64 keeps about 16 significant digits): autograd computes "
           "exactly the chain rule that the NumPy code spells out by hand." if r.max_grad_diff() < 1e-9 else
           "The engines differ by more than rounding error here.", icon=":material/balance:")
st.subheader("Per layer", anchor=False)
data_table(r.layer_rows(), formats={k: "%.2e" for k in (
    "largest |gradient|", "largest |NumPy − PyTorch| gradient", "largest |NumPy − PyTorch| new weight")})
st.subheader("Every gradient", anchor=False)
rows = r.every_gradient()
if len(rows["parameter"]) >= sidebyside.ROW_CAP:
    st.caption(f"The first {sidebyside.ROW_CAP:,} parameters (the per-layer table covers them all).")
data_table(rows, height=420, formats={"NumPy ∂L/∂θ": "%.12f", "PyTorch ∂L/∂θ": "%.12f", "|difference|": "%.1e"})
st.caption("w[l] i→j is the weight from unit i of layer l−1 (the inputs for l = 1) to unit j of layer l; b[l] the "
           "biases. Dropout is off for the comparison: its random masks would differ between the engines. The "
           "step includes the weight penalty and gradient clipping, as training does.")
