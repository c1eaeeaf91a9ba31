// Draws the model into the page. Tables are redrawn whole (they are small); the "held for" cells
// tick on their own from the time each snapshot arrived, so no request is needed to advance them.

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k === 'class') {
      e.className = v;
    } else if (k.startsWith('data-')) {
      e.setAttribute(k, v);
    } else {
      e[k] = v;
    }
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) {
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  return e;
}

// A lease of one of the gateway's sessions is named by its session (and the token id that owns
// it); the engine's client id would be the gateway's own for every such lease.
const who = (h) =>
  h.session ? 'session ' + h.session.slice(0, 8) + (h.owner ? ' · ' + h.owner : '') : h.clientId;

const lines = (items, f) => items.map((x) => el('div', { class: 'line' }, f(x)));

export function formatDuration(ms) {
  if (ms < 0) {
    ms = 0;
  }
  if (ms < 10000) {
    return (ms / 1000).toFixed(1) + ' s';
  }
  const s = Math.floor(ms / 1000);
  if (s < 3600) {
    return Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
  }
  return Math.floor(s / 3600) + 'h ' + String(Math.floor(s / 60) % 60).padStart(2, '0') + 'm';
}

const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });

export function renderLocks(model, selected) {
  const rows = [...model.locks.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('lock-rows').replaceChildren(
    ...rows.map((lock) => {
      const hs = lock.holders;
      return el(
        'tr',
        {
          'data-lock': lock.name,
          class: [lock.name === selected ? 'selected' : '', model.changed.has('lock:' + lock.name) ? 'fresh' : '']
            .join(' ')
            .trim(),
          title: 'Show the history of ' + lock.name,
        },
        el('td', { class: 'name' }, lock.name),
        el('td', { class: 'kind-cell' }, hs.length ? lines(hs, (h) => el('span', { class: 'kind ' + h.kind }, h.kind.toLowerCase())) : '—'),
        el('td', { class: 'holder mono' }, hs.length ? lines(hs, (h) => who(h) + (h.permits > 1 ? ' ×' + h.permits : '')) : '(waiting)'),
        el('td', { class: 'token num' }, lines(hs, (h) => (h.token >= 0 ? String(h.token) : '—'))),
        el(
          'td',
          { class: 'held num' },
          hs.map((h) =>
            el(
              'div',
              { class: 'line', 'data-held': h.heldForMs, 'data-at': lock.receivedAt },
              formatDuration(h.heldForMs + (Date.now() - lock.receivedAt)),
            ),
          ),
        ),
        el('td', { class: 'waiters num' + (lock.waiters > 0 ? ' some' : '') }, lock.waiters),
      );
    }),
  );
  $('lock-count').textContent = rows.length;
  $('lock-empty').hidden = rows.length > 0;
}

// Advances every "held for" cell to now.
export function tick() {
  const now = Date.now();
  for (const cell of document.querySelectorAll('#lock-rows [data-held]')) {
    cell.textContent = formatDuration(Number(cell.dataset.held) + (now - Number(cell.dataset.at)));
  }
}

export function renderKv(model) {
  const rows = [...model.kv.values()].sort((a, b) => a.key.localeCompare(b.key));
  $('kv-rows').replaceChildren(
    ...rows.map((e) => {
      const text = e.value === null ? '(binary, ' + e.size + ' bytes)' : e.value;
      const shown = text.length > 160 ? text.slice(0, 160) + '…' : text;
      return el(
        'tr',
        { 'data-key': e.key, class: model.changed.has('kv:' + e.key) ? 'fresh' : '' },
        el('td', { class: 'key' }, e.key),
        el('td', { class: 'version num' }, e.version),
        el('td', { class: 'value' + (e.value === null ? ' binary' : ''), title: text }, shown),
      );
    }),
  );
  $('kv-count').textContent = rows.length;
  $('kv-empty').hidden = rows.length > 0;
}

export function renderHistory(model, selected) {
  const name = $('history-name');
  name.textContent = selected || 'click a lock';
  name.classList.toggle('selected', Boolean(selected));
  const entries = selected ? [...(model.history.get(selected) || [])].reverse() : [];
  $('history-rows').replaceChildren(
    ...entries.map((e) =>
      el(
        'li',
        { 'data-token': e.token, class: e.goneAt === null ? 'current' : '' },
        el('span', { class: 'token' }, e.token >= 0 ? '#' + e.token : 'no token'),
        el('span', { class: 'who', title: e.clientId }, who(e) + ' · ' + e.kind.toLowerCase()),
        el('span', { class: 'when' }, clock(e.seenAt) + ' → ' + (e.goneAt === null ? 'now' : clock(e.goneAt))),
      ),
    ),
  );
  $('history-empty').hidden = entries.length > 0;
  if (selected && entries.length === 0) {
    $('history-empty').textContent = 'No holder of ' + selected + ' seen since the page opened.';
  }
}

function describe(e) {
  const d = e.data;
  switch (e.type) {
    case 'lock': {
      const hs = (d.lock && d.lock.holders) || [];
      if (hs.length === 0) {
        return d.name + '  free' + (d.lock && d.lock.waiters ? ' (' + d.lock.waiters + ' waiting)' : '');
      }
      return d.name + '  ' + hs.map((h) => '#' + h.token + ' ' + who(h)).join(', ');
    }
    case 'put':
      return d.key + ' = ' + (d.value === null ? '(binary)' : d.value) + '  (v' + d.version + ')';
    case 'delete':
      return d.key + '  deleted';
    case 'hello':
      return 'stream opened';
    case 'resync':
      return 'events were missed: state re-read';
    default:
      return JSON.stringify(d);
  }
}

export function renderEvents(model) {
  $('event-rows').replaceChildren(
    ...model.events.map((e) =>
      el(
        'li',
        { 'data-type': e.type, 'data-id': e.id || '' },
        el('span', { class: 'time' }, clock(e.at)),
        el('span', { class: 'type ' + e.type }, e.type),
        el('span', { class: 'what', title: e.id || '' }, describe(e)),
      ),
    ),
  );
}

const STATES = {
  connecting: 'connecting…',
  loading: 'loading state…',
  live: 'live',
  reconnecting: 'reconnecting…',
  error: 'error',
};

export function showConnection(state, detail) {
  $('conn').dataset.state = state;
  $('conn-text').textContent = STATES[state] + (detail ? ': ' + detail : '');
}

export function showError(message) {
  const box = $('error');
  box.hidden = !message;
  box.textContent = message || '';
}
