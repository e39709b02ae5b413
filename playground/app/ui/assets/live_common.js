// Shared by live_plotly.js, keys.js and live_feed.js: Python puts this file in front of each of them
// (playground/app/ui/assets.py), so each module has its own copy of these functions and one home here.
//
// Live views and their feed. A live page draws its charts and its row of metrics once per page run, as
// ordinary elements ("views"), and a ticking fragment sends ONE element a frame, the feed, that carries
// the new payload of every view that changed. The feed hands each payload to its view through a map kept
// on `window` (the views and the feed are different elements, maybe different modules). A payload for a
// view that is not on the page yet waits there until the view registers.
//
// Every payload is stamped by the server ({sid, seq}: the server session, a counter within it), so a view
// draws only what is newer than what it drew: a view re-sent by a page run and a frame of the feed can
// reach the browser in either order.

function liveViews() {
  if (!window.__playgroundViews) window.__playgroundViews = { views: new Map(), pending: new Map() };
  return window.__playgroundViews;
}

// `accept(payload)` is called with each payload the feed brings for `key`.
function registerView(key, accept) {
  if (!key) return;
  const reg = liveViews();
  reg.views.set(key, accept);
  const waiting = reg.pending.get(key);
  if (waiting) {
    reg.pending.delete(key);
    accept(waiting);
  }
}

function unregisterView(key, accept) {
  const reg = liveViews();
  if (reg.views.get(key) === accept) reg.views.delete(key);
}

function feedView(key, payload) {
  const reg = liveViews();
  const accept = reg.views.get(key);
  if (accept) accept(payload);
  else reg.pending.set(key, payload);
}

// Whether `msg` is newer than the last message `state` took (and if so, it becomes the last).
// Unstamped messages are taken in the order they come.
function newer(state, msg) {
  if (typeof msg.seq !== "number") return true;
  if (state.sid === msg.sid && typeof state.seq === "number" && msg.seq <= state.seq) return false;
  state.sid = msg.sid;
  state.seq = msg.seq;
  return true;
}

// The page's tab and server session, reported by one element of a live page (`msg.watch_visibility`):
// "hidden" when the tab goes to the background or comes back (the server stops training nobody sees), and
// "moved" when the page stayed open while its server session was replaced (its worker stopped and the
// load balancer moved this tab to another, or the server restarted): Streamlit reconnects and starts the
// new session from the address bar. A page reload starts a new `window`, so "moved" fires only for a page
// that was already open, once per new session. `state.setStateValue` is the element's newest.
function watchPage(state, msg) {
  if (msg.watch_visibility && !state.onVisibility) {
    state.onVisibility = () => state.setStateValue("hidden", document.hidden);
    document.addEventListener("visibilitychange", state.onVisibility);
    if (document.hidden) state.onVisibility();
  }
  const token = msg.session_token;
  if (token) {
    const before = window.__playgroundSessionToken;
    window.__playgroundSessionToken = token;
    if (before && before !== token) state.setStateValue("moved", true);
  }
}

function unwatchPage(state) {
  if (state.onVisibility) document.removeEventListener("visibilitychange", state.onVisibility);
  state.onVisibility = null;
}
