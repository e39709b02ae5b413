// Keyboard shortcuts and a polite screen-reader announcer for Streamlit Components v2
// (Python side: playground/app/ui/keys.py, keyboard_shortcuts, announce and live_metrics).
//
// mode "keys": one keydown listener on the window (capture phase, so Streamlit's own "R = rerun"
// does not also fire) while the element is on the page. A key in `keys` sets the state value
// "key" to {key, seq, id} (state, not a trigger: a trigger arriving while a live fragment reruns
// would be dropped; Python acts in the state's callback and numbers keys to act once); keys typed into a text field, a select or a number box are ignored, and so is a key
// the focused control uses itself (Space on a button, arrows on a slider, radio or tab).
// mode "announce": a visually hidden role="status" aria-live="polite" region; a new text is
// written at most every `gap_ms` (the newest waits), always as textContent, never as markup.
// mode "metrics": the same announcer, and above it a live page's row of metrics (label, value; a caption
// under the first) drawn in place: one element a frame instead of a Streamlit element per metric. The
// nodes stay; only changed texts are written (textContent, never markup). No items: the row is hidden.
// The row is a view (live_common.js): a live page's feed brings it each frame's numbers.

const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [role="combobox"], ' +
  '[role="textbox"], [role="spinbutton"], [role="listbox"], [role="option"]';
const SPACE_OWNERS = 'button, a[href], [role="button"], [role="checkbox"], [role="switch"], [role="radio"], ' +
  '[role="tab"], [role="menuitem"], summary';
const ARROW_OWNERS = '[role="slider"], [role="radio"], [role="radiogroup"], [role="tab"], [role="tablist"], ' +
  '[role="menu"], [role="menuitem"]';

const states = new WeakMap(); // parentElement -> state

function keyName(ev) {
  if (ev.key === " " || ev.code === "Space") return "space";
  if (ev.key === "ArrowRight") return "arrowright";
  return (ev.key || "").length === 1 ? ev.key.toLowerCase() : "";
}

function ignored(ev, name) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return true;
  const el = ev.target instanceof Element ? ev.target : null;
  if (!el) return false;
  if (el.closest(TYPING)) return true;
  if (name === "space" && el.closest(SPACE_OWNERS)) return true;
  if (name === "arrowright" && el.closest(ARROW_OWNERS)) return true;
  return false;
}

function mountKeys(state, msg) {
  state.keys = new Set(msg.keys || []);
  if (state.onKey) return;
  state.seq = 0;
  state.nonce = Math.random().toString(36).slice(2);
  state.onKey = (ev) => {
    const name = keyName(ev);
    if (!name || !state.keys.has(name) || ev.repeat || ignored(ev, name)) return;
    ev.preventDefault();
    ev.stopPropagation();
    state.seq += 1;
    state.parent.dataset.lastKey = name; // for tests
    state.setStateValue("key", { key: name, seq: state.seq, id: state.nonce });
  };
  window.addEventListener("keydown", state.onKey, true);
}

function mountAnnouncer(state, msg) {
  if (!state.region) {
    const div = document.createElement("div");
    div.className = "playground-announcer";
    div.setAttribute("role", "status");
    div.setAttribute("aria-live", "polite");
    div.setAttribute("aria-atomic", "true");
    // Visually hidden, still read by screen readers.
    Object.assign(div.style, {
      position: "absolute", width: "1px", height: "1px", overflow: "hidden",
      clip: "rect(0 0 0 0)", whiteSpace: "nowrap", margin: "-1px", padding: "0", border: "0",
    });
    state.parent.appendChild(div);
    state.region = div;
    state.last = 0;
  }
  state.gap = Math.max(1000, Number(msg.gap_ms) || 5000);
  state.pending = String(msg.text ?? "").slice(0, 300);
  flush(state);
}

function flush(state) {
  if (state.pending === null || state.pending === state.region.textContent) return;
  const wait = state.last + state.gap - Date.now();
  if (wait > 0) {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => flush(state), wait);
    return;
  }
  state.region.textContent = state.pending; // text, never markup
  state.region.dataset.announced = String((Number(state.region.dataset.announced) || 0) + 1);
  state.last = Date.now();
  state.pending = null;
}

function cell(row, cls, tag = "div") {
  const el = document.createElement(tag);
  el.className = cls;
  row.appendChild(el);
  return el;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text; // text, never markup
}

// Looks as st.metric does (the page's style sizes it: live.py's _LIVE_CSS, present.py when presenting).
function mountMetrics(state, msg) {
  const items = Array.isArray(msg.items) ? msg.items.slice(0, 12) : [];
  if (!state.row) {
    state.row = document.createElement("div");
    state.row.className = "playground-metrics";
    state.parent.prepend(state.row);
    state.cells = [];
  }
  while (state.cells.length > items.length) state.cells.pop().box.remove();
  while (state.cells.length < items.length) {
    const box = cell(state.row, "playground-metric-cell"); // the metric (label, value), then the caption
    const metric = cell(box, "playground-metric");
    state.cells.push({ box, label: cell(metric, "playground-metric-label"),
      value: cell(metric, "playground-metric-value"), note: null });
  }
  items.forEach((item, i) => {
    setText(state.cells[i].label, String(item[0] ?? "").slice(0, 100));
    setText(state.cells[i].value, String(item[1] ?? "").slice(0, 100));
  });
  state.row.hidden = !items.length;
  const note = String(msg.caption ?? "").slice(0, 300);
  const first = state.cells[0];
  if (first && note && !first.note) first.note = cell(first.box, "playground-metric-caption");
  if (first && first.note) {
    setText(first.note, note);
    first.note.hidden = !note;
  }
  state.parent.dataset.frames = String((Number(state.parent.dataset.frames) || 0) + 1); // for tests
  mountAnnouncer(state, msg);
}

// mode "name": the accessible name of an st.plotly_chart (which has no aria option): role="img" and
// aria-label on the chart's element (class msg.cls, "st-key-" and its key), as live charts have. The chart
// may be drawn after this element, or drawn anew: tried again for a few seconds, and whenever the label changes.
function nameChart(state, msg) {
  state.label = msg.label;
  state.cls = msg.cls;
  clearTimeout(state.timer);
  let tries = 0;
  const apply = () => {
    const el = document.querySelector(`.${CSS.escape(state.cls)}`);
    if (el && el.getAttribute("aria-label") !== state.label) {
      el.setAttribute("role", "img");
      el.setAttribute("aria-label", state.label);
    }
    if (++tries < 20) state.timer = setTimeout(apply, 250);
  };
  apply();
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data) return undefined;
  const msg = JSON.parse(new TextDecoder().decode(data));
  let state = states.get(parentElement);
  if (!state) {
    state = { parent: parentElement };
    states.set(parentElement, state);
  }
  state.setStateValue = setStateValue; // the newest one knows the current run
  if (msg.mode === "keys") mountKeys(state, msg);
  else if (msg.mode === "metrics") {
    if (msg.view && state.view !== msg.view) {
      if (state.view) unregisterView(state.view, state.accept);
      state.view = msg.view;
      state.accept = (payload) => newer(state, payload) && mountMetrics(state, payload);
      registerView(state.view, state.accept);
    }
    if (newer(state, msg)) mountMetrics(state, msg);
  }
  else if (msg.mode === "name") nameChart(state, msg);
  else mountAnnouncer(state, msg);
  return () => {
    // Called also when an update is superseded while the element stays: tear down only when it left.
    if (parentElement.isConnected) return;
    if (state.onKey) window.removeEventListener("keydown", state.onKey, true);
    if (state.view) unregisterView(state.view, state.accept);
    clearTimeout(state.timer);
    states.delete(parentElement);
  };
}
