// What the page knows: the locks (by name) and key/value entries under the prefix, the last
// events, and for each lock the holders and fencing tokens seen since the page opened. Plain
// data and methods that change it; view.js draws it.

const MAX_EVENTS = 200;
const MAX_HISTORY = 50;

export class Model {
  constructor() {
    this.reset();
  }

  reset() {
    this.locks = new Map(); // name -> { name, waiters, holders, receivedAt }
    this.kv = new Map(); // key -> { key, version, value, size }
    this.events = []; // newest first
    this.history = new Map(); // name -> [{ token, clientId, kind, since, seenAt, goneAt }]
    this.changed = new Set(); // names and keys that changed since the last draw
  }

  // A full lock listing (from GET /v1/locks) replaces what we had.
  setLocks(list, now) {
    const seen = new Set();
    for (const snapshot of list) {
      seen.add(snapshot.name);
      this.applyLock(snapshot.name, snapshot, now);
    }
    for (const name of [...this.locks.keys()]) {
      if (!seen.has(name)) {
        this.applyLock(name, null, now);
      }
    }
  }

  // snapshot is LockJson (name, waiters, holders[]) or null when the lock is free.
  applyLock(name, snapshot, now) {
    const holders = snapshot ? snapshot.holders || [] : [];
    if (snapshot && (holders.length > 0 || snapshot.waiters > 0)) {
      this.locks.set(name, { name, waiters: snapshot.waiters, holders, receivedAt: now });
    } else {
      this.locks.delete(name);
    }
    this.changed.add('lock:' + name);
    this.record(name, holders, now);
  }

  // Adds holders not seen before and marks the ones now gone, so the history lists every grant.
  record(name, holders, now) {
    let h = this.history.get(name);
    if (!h) {
      if (holders.length === 0) {
        return;
      }
      h = [];
      this.history.set(name, h);
    }
    const current = new Set(holders.map(grantKey));
    for (const entry of h) {
      if (entry.goneAt === null && !current.has(entry.key)) {
        entry.goneAt = now;
      }
    }
    for (const holder of holders) {
      const key = grantKey(holder);
      if (!h.some((e) => e.key === key)) {
        h.push({
          key,
          token: holder.token,
          clientId: holder.clientId,
          session: holder.session || null,
          owner: holder.owner || null,
          kind: holder.kind,
          since: holder.since || null,
          seenAt: now,
          goneAt: null,
        });
      }
    }
    if (h.length > MAX_HISTORY) {
      h.splice(0, h.length - MAX_HISTORY);
    }
  }

  setKv(entries) {
    this.kv = new Map(entries.map((e) => [e.key, e]));
    entries.forEach((e) => this.changed.add('kv:' + e.key));
  }

  // A put event: key, version, value (null unless UTF-8) and base64.
  applyPut(e) {
    const had = this.kv.get(e.key);
    if (had && had.version > e.version) {
      return; // an event older than the state we read
    }
    const size = e.base64 ? Math.floor((e.base64.length * 3) / 4) - padding(e.base64) : 0;
    this.kv.set(e.key, { key: e.key, version: e.version, value: e.value, size });
    this.changed.add('kv:' + e.key);
  }

  applyDelete(key) {
    this.kv.delete(key);
    this.changed.add('kv:' + key);
  }

  log(entry) {
    this.events.unshift(entry);
    if (this.events.length > MAX_EVENTS) {
      this.events.length = MAX_EVENTS;
    }
  }
}

// A grant is its fencing token; where the backend has none (-1), its holder and start.
function grantKey(holder) {
  return holder.token >= 0 ? 't' + holder.token : holder.clientId + '@' + (holder.since || '');
}

function padding(b64) {
  return b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
}
