// Live Plotly chart for Streamlit Components v2 (Python side: playground/app/ui/charts.py).
//
// Streamlit calls the default export on mount and again on every new `data`
// (and theme change) with the SAME parentElement, so we keep one Plotly div per
// parentElement and update it with Plotly.react: the node survives, zoom and
// uirevision are kept, nothing flashes. Data arrives as UTF-8 JSON bytes.
// A chart is also a view (live_common.js): a page's feed can bring it a newer figure
// between the page's runs; each figure is drawn only if it is newer than the last.

const charts = new WeakMap(); // parentElement -> chart state

// Streamlit's own module script is the one URL that is right under any base
// path or proxy prefix; plotly.min.js is served next to it (see ui.py).
function serverUrl(path) {
  const own = document.querySelector('script[type="module"][src*="/static/js/"]');
  const base = own ? own.src.replace(/static\/js\/[^/]*$/, "") : document.baseURI;
  return new URL(path, base).href;
}

// One <script> per page, shared by every chart (several charts, reruns, pages).
function loadPlotly(path) {
  if (window.Plotly && window.Plotly.react) return Promise.resolve(window.Plotly);
  if (!window.__playgroundPlotlyLoading) {
    window.__playgroundPlotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = serverUrl(path);
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__playgroundPlotlyLoading = null; // let a later update retry
        reject(new Error("could not load plotly.js from " + script.src));
      };
      document.head.appendChild(script);
    });
  }
  return window.__playgroundPlotlyLoading;
}

// A small Plotly template from the Streamlit theme's CSS variables, so charts
// follow light/dark themes. Figure layout values still win over it.
function themeTemplate(el) {
  const css = getComputedStyle(el);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const text = v("--st-text-color", "#31333f");
  const grid = v("--st-border-color", "rgba(128,128,128,0.25)");
  const axis = { gridcolor: grid, zerolinecolor: grid, linecolor: grid, automargin: true };
  const colorway = v("--st-chart-categorical-colors", "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const layout = {
    paper_bgcolor: "rgba(0,0,0,0)", // the page (or container) background shows through
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: text, family: v("--st-font", "sans-serif") },
    title: { x: 0, xref: "paper", xanchor: "left" }, // like st.plotly_chart
    margin: { l: 10, r: 10, t: 40, b: 10 }, // axes use automargin for their labels
    hovermode: "closest",
    xaxis: axis,
    yaxis: axis,
    legend: { bgcolor: "rgba(0,0,0,0)" },
    modebar: { bgcolor: "rgba(0,0,0,0)", color: text, activecolor: v("--st-primary-color", text) },
    hoverlabel: { bgcolor: v("--st-secondary-background-color", "#f0f2f6"), font: { color: text } },
  };
  if (colorway.length) layout.colorway = colorway;
  return { layout };
}

function createChart(root) {
  const div = document.createElement("div");
  div.className = "playground-live-plotly";
  div.style.width = "100%";
  root.appendChild(div);
  const chart = { root, div, next: null, busy: false, dead: false, msg: null };
  chart.renders = 0; // also on div.dataset.renders, for tests and measurements
  chart.clicks = 0;
  chart.recent = []; // the last clicks, resent whole (see sendClick)
  chart.nonce = Math.random().toString(36).slice(2); // tells this instance's clicks apart
  // Follow container width (columns, sidebar toggles), not only window resizes.
  let frame = 0;
  chart.resizer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      // A hidden tab or a collapsed expander has no size to follow: skip it (Plotly
      // rejects a resize of a div that is not displayed) and catch any late rejection.
      if (!window.Plotly || !div._fullLayout || !div.isConnected || !div.getClientRects().length) return;
      const done = window.Plotly.Plots.resize(div);
      if (done && done.catch) done.catch(() => {});
    });
  });
  chart.resizer.observe(div);
  // A chart scrolled out of view keeps only its newest figure and draws it when it
  // comes back (drawing costs the browser ~40 ms a chart on these machines, and a
  // live page has charts below the fold). The first figure is always drawn.
  chart.visible = true;
  chart.seen = new IntersectionObserver(
    (entries) => {
      chart.visible = entries[entries.length - 1].isIntersecting;
      if (chart.visible && chart.next) pump(chart);
    },
    { rootMargin: "100px" },
  );
  chart.seen.observe(root);
  chart.destroy = () => {
    // Streamlit also calls this when a superseded update is cancelled while the
    // element stays on the page: only tear down when the element really left.
    if (root.isConnected || chart.dead) return;
    chart.dead = true;
    chart.resizer.disconnect();
    chart.seen.disconnect();
    unwatchPage(chart);
    if (chart.view) unregisterView(chart.view, chart.accept);
    if (window.Plotly) window.Plotly.purge(div);
    charts.delete(root);
  };
  return chart;
}

// Click -> {seq, x, y, curve, point, customdata}. layout.clickanywhere makes
// Plotly report clicks on empty plot area too (points = []). x/y come from the
// click's own pixel position via the axes' p2d: Plotly's ev.xvals come from
// the throttled hover and can lag behind a quick click.
function clickPayload(chart, ev) {
  const pt = (ev.points && ev.points[0]) || null;
  const full = chart.div._fullLayout;
  const xa = (ev.xaxes && ev.xaxes[0]) || full.xaxis;
  const ya = (ev.yaxes && ev.yaxes[0]) || full.yaxis;
  const box = chart.div.getBoundingClientRect();
  const x = xa.p2d(ev.event.clientX - box.left - xa._offset);
  const y = ya.p2d(ev.event.clientY - box.top - ya._offset);
  return {
    seq: ++chart.clicks,
    x: x ?? null,
    y: y ?? null,
    curve: pt ? pt.curveNumber : null,
    point: pt ? (pt.pointNumber ?? pt.pointIndex ?? null) : null,
    customdata: pt && pt.customdata !== undefined ? pt.customdata : null,
  };
}

// Clicks go out as component *state* holding the last 32 clicks, not as a
// one-shot trigger: Streamlit keeps only the newest value per rerun, so clicks
// faster than reruns would be lost. Python numbers them and keeps only new ones.
function sendClick(chart, ev) {
  chart.recent = [...chart.recent, clickPayload(chart, ev)].slice(-32);
  chart.setStateValue("clicks", { id: chart.nonce, items: chart.recent });
}

// Plotly.react redraws every trace whenever it runs, even when nothing changed
// (~40 ms for 250 points on these machines: SVG point styling). Live figures
// mostly change a picture (a layout image: the decision boundary) or a title
// while their traces stay the same, and for that Plotly.relayout of just those
// keys takes under a millisecond. `plan` says which of the two a frame needs.
const CHEAP_LAYOUT_KEYS = ["images", "title"];

function plan(chart, traces, layout, config) {
  const keys = traces.map((t) => JSON.stringify(t));
  const rest = { ...layout };
  for (const k of CHEAP_LAYOUT_KEYS) delete rest[k];
  const frame = { keys, rest: JSON.stringify(rest), config: JSON.stringify(config) };
  for (const k of CHEAP_LAYOUT_KEYS) frame[k] = JSON.stringify(layout[k] ?? null);
  const prev = chart.frame;
  chart.frame = frame;
  const sameTraces = prev && prev.keys.length === keys.length && keys.every((k, i) => k === prev.keys[i]);
  if (!sameTraces || prev.rest !== frame.rest || prev.config !== frame.config) return null; // full react
  const update = {};
  for (const k of CHEAP_LAYOUT_KEYS) if (frame[k] !== prev[k]) update[k] = layout[k] ?? null;
  return update;
}

// Layout images may come as colour indices and their table ({pixels: {index, lut}}, Python's
// png.picture_source): painted here into PNG data URLs, so the server encodes no PNG for a live frame.
// The newest few are kept by content: a picture that did not change is not painted again.
const painted = new Map();

function bytesOf(spec) { // a typed-array spec {dtype: "u1", bdata, shape} -> Uint8Array
  const bin = atob(spec.bdata || "");
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function paint(px) {
  const key = px.index.bdata + "|" + px.lut.bdata;
  let url = painted.get(key);
  if (url) return url;
  const [h, w] = String(px.index.shape || "").split(",").map(Number);
  const index = bytesOf(px.index);
  const lut = bytesOf(px.lut);
  if (!(h > 0 && w > 0) || index.length !== h * w) return "";
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let i = 0, o = 0; i < index.length; i++, o += 4) {
    const c = index[i] * 3;
    img.data[o] = lut[c];
    img.data[o + 1] = lut[c + 1];
    img.data[o + 2] = lut[c + 2];
    img.data[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  url = canvas.toDataURL("image/png");
  painted.set(key, url);
  if (painted.size > 64) painted.delete(painted.keys().next().value);
  return url;
}

function paintImages(layout) {
  const images = layout.images;
  if (!Array.isArray(images) || !images.some((im) => im && im.source && im.source.pixels)) return layout;
  return { ...layout, images: images.map((im) => (im && im.source && im.source.pixels ? { ...im, source: paint(im.source.pixels) } : im)) };
}

async function draw(Plotly, chart, msg) {
  // Main-thread time of this chart's own drawing (its pictures painted, then Plotly's work until it hands
  // back its promise, which waits for pictures to load while other charts may draw).
  const t0 = performance.now();
  const fig = msg.figure || {};
  const layout = paintImages({ ...(fig.layout || {}) });
  if (msg.theme === "streamlit") layout.template = themeTemplate(chart.root);
  if (layout.uirevision === undefined) layout.uirevision = "live"; // keep zoom across updates
  if (msg.events && layout.clickanywhere === undefined) layout.clickanywhere = true;
  if (layout.height === undefined) chart.div.style.height = msg.height + "px";
  const config = { responsive: true, displaylogo: false, ...msg.config };
  // On a click plane, two quick clicks must be two clicks, not "reset the axes".
  if (msg.events && !("doubleClick" in config)) config.doubleClick = false;
  const update = chart.div._fullLayout ? plan(chart, fig.data || [], layout, config) : null;
  let drawing = null;
  if (update === null) {
    drawing = Plotly.react(chart.div, fig.data || [], layout, config);
  } else if (Object.keys(update).length) {
    drawing = Plotly.relayout(chart.div, update);
  }
  const spent = performance.now() - t0;
  await drawing;
  chart.msg = msg;
  // The chart's accessible name (a picture with a text equivalent); an attribute, never markup.
  if (chart.root.getAttribute("aria-label") !== msg.label) {
    chart.root.setAttribute("role", "img");
    chart.root.setAttribute("aria-label", msg.label || "chart");
  }
  chart.div.dataset.renders = String(++chart.renders);
  // Milliseconds of main thread spent drawing, in total: measure_playground reports it per chart.
  chart.drawMs = (chart.drawMs || 0) + spent;
  chart.div.dataset.drawMs = chart.drawMs.toFixed(1);
  if (!chart.listening) {
    chart.listening = true;
    chart.div.on("plotly_click", (ev) => {
      if (chart.msg && chart.msg.events) sendClick(chart, ev);
    });
  }
}

// Draw the newest message only: on a slow client intermediate frames are
// skipped instead of queuing up.
async function pump(chart) {
  if (chart.busy) return;
  chart.busy = true;
  try {
    const Plotly = await loadPlotly(chart.next.plotly_js);
    while (chart.next && !chart.dead && (chart.visible || !chart.renders)) {
      const msg = chart.next;
      chart.next = null;
      await draw(Plotly, chart, msg);
    }
  } catch (err) {
    console.error("live_plotly:", err);
    chart.div.textContent = "Chart failed: " + err.message; // text, never markup
  } finally {
    chart.busy = false;
  }
}

// A figure for this chart, from its own element or from the page's feed: the newest one is drawn.
// A patch is laid over the newest whole figure the chart took (with none yet, the patch is dropped: the page
// run's figure comes): `msg.patch.layout`, a few layout keys (e.g. the decision boundary's picture), and
// `msg.patch.data[i]`, keys of the i-th trace (e.g. a loss curve's points). A layout key whose old and new
// values are both objects is merged one level down; a null there removes the setting.
// The whole figure is kept as JSON text and each patched frame gets a fresh copy: Plotly writes into the
// objects it draws (typed arrays, defaults), and `plan` compares a frame's figure with the last one.
function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function merged(old, patch) {
  const out = { ...old };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function patched(figure, patch) {
  const layout = { ...(figure.layout || {}) };
  for (const [k, v] of Object.entries(patch.layout || {})) {
    layout[k] = isObject(v) && isObject(layout[k]) ? merged(layout[k], v) : v;
  }
  const data = (figure.data || []).map((trace, i) => (isObject((patch.data || [])[i]) ? { ...trace, ...patch.data[i] } : trace));
  return { ...figure, layout, data };
}

function take(chart, msg) {
  if (!newer(chart, msg)) return;
  if (msg.patch) {
    if (!chart.base) return;
    const figure = patched(JSON.parse(chart.base.json), msg.patch);
    msg = { ...chart.base.msg, figure, label: msg.label ?? chart.base.msg.label, sid: msg.sid, seq: msg.seq };
  } else {
    chart.base = { msg, json: JSON.stringify(msg.figure || {}) };
  }
  chart.next = msg;
  pump(chart);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data) return undefined;
  let chart = charts.get(parentElement);
  if (!chart) {
    chart = createChart(parentElement);
    charts.set(parentElement, chart);
  }
  chart.setStateValue = setStateValue; // the newest one knows the current run
  const msg = JSON.parse(new TextDecoder().decode(data));
  watchPage(chart, msg); // with watch_visibility: the tab's visibility and a replaced server session
  take(chart, msg);
  if (msg.view && chart.view !== msg.view) { // after its own figure: a waiting patch is laid over that
    if (chart.view) unregisterView(chart.view, chart.accept);
    chart.view = msg.view;
    chart.accept = (payload) => take(chart, payload);
    registerView(chart.view, chart.accept);
  }
  return chart.destroy;
}
