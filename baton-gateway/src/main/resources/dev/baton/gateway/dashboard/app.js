// Wiring: open the watch stream for the prefix, read the state when the stream says to (its first
// "hello", or "resync" after missed events), apply each event as it arrives, draw.
//
// Why the state is read after the stream opens rather than before: events that happen while the
// listings are in flight are held back and applied after them, in order. Each lock event carries
// the whole lock and each put its version, so replaying one the listing already reflects changes
// nothing, and none is lost between the read and the stream.

import { ApiError, readState, setToken, token } from './api.js';
import { Model } from './model.js';
import { openStream } from './sse.js';
import * as view from './view.js';

const model = new Model();
let prefix = new URLSearchParams(location.search).get('prefix') || '';
let selected = null; // the lock whose history is shown
let stream = null;
let streamOpen = false;
let ready = false; // the state was read for this stream
let generation = 0; // of state reads: a newer one supersedes an older one still in flight
let held = null; // events that arrived during a state read, else null

function start() {
  if (stream) {
    stream.close();
  }
  model.reset();
  generation++;
  ready = false;
  held = null;
  streamOpen = false;
  view.showError('');
  view.showConnection('connecting');
  draw();
  stream = openStream(prefix, { onEvent, onState });
}

function onState(state, err) {
  if (state === 'open') {
    streamOpen = true;
    // Resumed with Last-Event-ID: the gateway replays what we missed, so we are live again.
    view.showConnection(ready && held === null ? 'live' : 'loading');
    return;
  }
  streamOpen = false;
  if (state === 'error') {
    view.showConnection('error', err instanceof ApiError ? err.code : 'unreachable');
    view.showError(describe(err));
  } else {
    view.showConnection(state);
  }
}

function onEvent(type, id, data) {
  const at = Date.now();
  model.log({ type, id, data, at });
  if (type === 'hello' || type === 'resync') {
    load();
  } else if (held !== null) {
    held.push({ type, data, at });
  } else {
    apply({ type, data, at });
  }
  draw();
}

function apply({ type, data, at }) {
  if (type === 'lock') {
    model.applyLock(data.name, data.lock, at);
  } else if (type === 'put') {
    model.applyPut(data);
  } else if (type === 'delete') {
    model.applyDelete(data.key);
  }
}

async function load() {
  const gen = ++generation;
  held = [];
  view.showConnection('loading');
  try {
    const state = await readState(prefix);
    if (gen !== generation) {
      return;
    }
    model.setLocks(state.locks, Date.now());
    model.setKv(state.entries);
    held.forEach(apply);
    held = null;
    ready = true;
    view.showError('');
    view.showConnection(streamOpen ? 'live' : 'reconnecting');
  } catch (err) {
    if (gen !== generation) {
      return;
    }
    held = null;
    view.showConnection('error', err instanceof ApiError ? err.code : 'unreachable');
    view.showError('Cannot read the state. ' + describe(err));
    setTimeout(() => gen === generation && load(), 5000);
  }
  draw();
}

function describe(err) {
  if (!err) {
    return 'The gateway is unreachable; retrying.';
  }
  if (err instanceof ApiError) {
    const hint =
      err.status === 401
        ? token()
          ? ' Check the token.'
          : ' This gateway has access rules: enter a bearer token above.'
        : '';
    return err.status + ' ' + err.code + ': ' + err.message + '.' + hint;
  }
  return String(err.message || err);
}

let drawPending = false;

// Many events in a burst make one draw.
function draw() {
  if (drawPending) {
    return;
  }
  drawPending = true;
  setTimeout(() => {
    drawPending = false;
    view.renderLocks(model, selected);
    view.renderKv(model);
    view.renderHistory(model, selected);
    view.renderEvents(model);
    model.changed.clear();
  }, 0);
}

document.getElementById('lock-rows').addEventListener('click', (e) => {
  const row = e.target.closest('tr[data-lock]');
  if (row) {
    selected = row.dataset.lock;
    draw();
  }
});

const prefixInput = document.getElementById('prefix');
prefixInput.value = prefix;
document.getElementById('prefix-form').addEventListener('submit', (e) => {
  e.preventDefault();
  prefix = prefixInput.value.trim().replace(/\/+$/, '');
  const url = new URL(location.href);
  if (prefix) {
    url.searchParams.set('prefix', prefix);
  } else {
    url.searchParams.delete('prefix');
  }
  history.replaceState(null, '', url);
  start();
});

const tokenInput = document.getElementById('token');
const showTokenSet = () => (tokenInput.placeholder = token() ? '(set for this tab)' : '(none)');
showTokenSet();
document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(tokenInput.value.trim());
  tokenInput.value = '';
  showTokenSet();
  start();
});

setInterval(view.tick, 250);
start();
