// A live page's feed (Python side: playground/app/ui/charts.py, live_feed): one element a frame that
// carries the new payloads of the page's views (charts drawn by live_plotly.js, the row of metrics drawn
// by keys.js), handed to each by key (live_common.js). It draws nothing (the page's CSS hides it) and
// reports nothing back.

const feeds = new WeakMap(); // parentElement -> state

export default function (component) {
  const { data, parentElement } = component;
  if (!data) return undefined;
  const msg = JSON.parse(new TextDecoder().decode(data));
  let state = feeds.get(parentElement);
  if (!state) {
    state = {};
    feeds.set(parentElement, state);
  }
  if (newer(state, msg)) {
    for (const [key, payload] of Object.entries(msg.views || {})) feedView(key, payload);
    parentElement.dataset.frames = String((Number(parentElement.dataset.frames) || 0) + 1); // for tests
  }
  return () => {
    // Called also when an update is superseded while the element stays: forget it only when it left.
    if (!parentElement.isConnected) feeds.delete(parentElement);
  };
}
