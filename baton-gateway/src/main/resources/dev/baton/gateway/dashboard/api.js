// Requests to the gateway's /v1 routes: the bearer token (if the user gave one) on each, and
// failures as ApiError carrying the gateway's JSON error {"error": code, "message": ...}.

const TOKEN_KEY = 'baton.token';

// sessionStorage: the token lives as long as the tab, and is never written to disk by us.
export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(t) {
  if (t) {
    sessionStorage.setItem(TOKEN_KEY, t);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

export function authHeaders() {
  const t = token();
  return t ? { Authorization: 'Bearer ' + t } : {};
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Turns a failed response into an ApiError, whatever its body (a proxy may not answer JSON).
export async function failure(res) {
  let code = 'http-' + res.status;
  let message = res.statusText || 'request failed';
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error;
      message = body.message || message;
    }
  } catch (notJson) {
    // keep the status line
  }
  return new ApiError(res.status, code, message);
}

export async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json', ...authHeaders() } });
  if (!res.ok) {
    throw await failure(res);
  }
  return res.json();
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

// One key's value and version (from its ETag), or null if it went away meanwhile.
export async function getKey(key) {
  const path = '/v1/kv/' + key.split('/').map(encodeURIComponent).join('/');
  const res = await fetch(path, { headers: authHeaders() });
  if (res.status === 404) {
    return null;
  }
  if (!res.ok) {
    throw await failure(res);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const etag = (res.headers.get('ETag') || '').replace(/"/g, '');
  let value = null;
  try {
    value = UTF8.decode(bytes);
  } catch (notText) {
    // shown as binary
  }
  return { key, version: Number(etag) || 0, value, size: bytes.length };
}

// Every lock under the prefix, and every key with its value (8 reads at a time).
export async function readState(prefix) {
  const q = '?prefix=' + encodeURIComponent(prefix);
  const [locks, listing] = await Promise.all([getJson('/v1/locks' + q), getJson('/v1/kv' + q)]);
  const keys = listing.keys || [];
  const entries = [];
  for (let i = 0; i < keys.length; i += 8) {
    const batch = await Promise.all(keys.slice(i, i + 8).map(getKey));
    entries.push(...batch.filter((e) => e !== null));
  }
  return { locks, entries };
}
