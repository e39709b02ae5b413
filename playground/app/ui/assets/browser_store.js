// One small JSON value in the browser's localStorage (Python side: playground/app/ui/store.py, browser_store).
//
// data = {name, write, max_chars}. On mount the stored value is read and reported once as the state
// "stored": {loaded: true, value} (value null when nothing, unreadable JSON or more than max_chars is
// stored). When `write` is not null it is stored (if it fits in max_chars), so the value survives reloads,
// server restarts and a reload that lands on another server worker: it lives in this browser, per origin.
// Nothing is drawn. Python treats what comes back as untrusted.

const reported = new WeakMap(); // parentElement -> true once this mount reported what it read

function read(name, maxChars) {
  try {
    const text = window.localStorage.getItem(name);
    if (text === null || text.length > maxChars) return null;
    return JSON.parse(text);
  } catch (err) {
    return null; // storage disabled (private mode, policy) or not JSON: as if nothing were stored
  }
}

function write(name, value, maxChars) {
  try {
    const text = JSON.stringify(value);
    if (text.length <= maxChars && window.localStorage.getItem(name) !== text) {
      window.localStorage.setItem(name, text);
    }
  } catch (err) {
    // storage full or disabled: the value lives on in the server session only
  }
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data || typeof data.name !== "string" || !data.name) return undefined;
  const maxChars = Number(data.max_chars) > 0 ? Number(data.max_chars) : 4096;
  if (data.write !== null && data.write !== undefined) write(data.name, data.write, maxChars);
  if (!reported.get(parentElement)) {
    reported.set(parentElement, true);
    setStateValue("stored", { loaded: true, value: read(data.name, maxChars) });
  }
  return undefined;
}
