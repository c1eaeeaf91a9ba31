// The watch stream, GET /v1/watch?prefix=P, as server-sent events that keep coming across
// reconnects. Without a token it is the browser's EventSource, which reconnects by itself and
// sends Last-Event-ID so the gateway replays what was missed. EventSource cannot send an
// Authorization header, so with a token the stream is read with fetch() and the same resumption
// is done here.

import { authHeaders, failure, token } from './api.js';

const TYPES = ['hello', 'put', 'delete', 'lock', 'resync'];

// handlers.onEvent(type, id, data) for each event; handlers.onState(state, error) with state
// 'connecting' | 'open' | 'reconnecting' | 'error'. Returns { close() }.
export function openStream(prefix, handlers) {
  const url = '/v1/watch?prefix=' + encodeURIComponent(prefix);
  return token() ? fetchStream(url, handlers) : eventSource(url, handlers);
}

function eventSource(url, { onEvent, onState }) {
  let es = null;
  let retry = null;
  let closed = false;

  const connect = () => {
    onState('connecting');
    es = new EventSource(url);
    es.onopen = () => onState('open');
    for (const type of TYPES) {
      es.addEventListener(type, (e) => onEvent(type, e.lastEventId, JSON.parse(e.data)));
    }
    es.onerror = () => {
      if (closed) {
        return;
      }
      if (es.readyState === EventSource.CONNECTING) {
        onState('reconnecting'); // the browser retries with Last-Event-ID
        return;
      }
      // CLOSED: the gateway answered with an error, not a stream; fetch it to say which.
      es.close();
      fetch(url, { headers: { Accept: 'text/event-stream' } })
        .then(async (res) => {
          if (res.ok) {
            res.body && res.body.cancel();
            return null;
          }
          return failure(res);
        })
        .catch((e) => e)
        .then((err) => {
          if (!closed) {
            onState('error', err);
            retry = setTimeout(connect, 5000);
          }
        });
    };
  };

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      if (es) {
        es.close();
      }
    },
  };
}

function fetchStream(url, { onEvent, onState }) {
  const abort = new AbortController();
  let lastId = null;
  let delay = 1000;

  const run = async () => {
    let first = true;
    while (!abort.signal.aborted) {
      onState(first ? 'connecting' : 'reconnecting');
      first = false;
      try {
        const headers = { Accept: 'text/event-stream', ...authHeaders() };
        if (lastId) {
          headers['Last-Event-ID'] = lastId;
        }
        const res = await fetch(url, { headers, signal: abort.signal, cache: 'no-store' });
        if (!res.ok) {
          onState('error', await failure(res));
          await sleep(5000, abort.signal);
          continue;
        }
        onState('open');
        delay = 1000;
        await read(res.body, (type, id, data) => {
          if (id) {
            lastId = id;
          }
          onEvent(type, id, JSON.parse(data));
        });
      } catch (e) {
        if (abort.signal.aborted) {
          return;
        }
      }
      await sleep(delay, abort.signal);
      delay = Math.min(delay * 2, 10000);
    }
  };

  run();
  return { close: () => abort.abort() };
}

// Parses text/event-stream (event, id, data lines; ':' comments are keep-alives).
async function read(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let type = 'message';
  let id = null;
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (data.length > 0) {
          dispatch(type, id, data.join('\n'));
        }
        type = 'message';
        id = null;
        data = [];
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        type = val;
      } else if (field === 'id') {
        id = val;
      } else if (field === 'data') {
        data.push(val);
      }
    }
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
