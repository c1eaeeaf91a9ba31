#!/usr/bin/env bash
# A whole Baton gateway session with curl: the HTTP API in seven requests.
#
#   clients/curl-session.sh [GATEWAY_URL]        (default http://127.0.0.1:8080)
#   BATON_TOKEN=secret clients/curl-session.sh https://baton.example:8080
#   BATON_WAIT=0s clients/curl-session.sh       (how long step 2 waits for the lock; default 5s)
#
# 1. create a session with a 10 s TTL          POST   /v1/sessions
# 2. acquire the mutex demo/orders (wait)      POST   /v1/locks/acquire      -> fencing token
# 3. read the current value and its ETag       GET    /v1/kv/demo/orders-state
# 4. write it, carrying the fencing token,     PUT    /v1/kv/demo/orders-state
#    only if nobody wrote in between           (If-Match: "<version>" or If-None-Match: *)
# 5. keep the session alive                    POST   /v1/sessions/{id}/keepalive
# 6. release the lease                         POST   /v1/locks/release
# 7. end the session                           DELETE /v1/sessions/{id}
#
# Each step prints the request, then the HTTP status and body. The script exits 1 at the first
# status it did not expect (after ending the session, so it leaves no lock behind), 2 on bad usage.
# Needs curl, and python3 or jq to read JSON.
set -euo pipefail

URL="${1:-http://127.0.0.1:8080}"
URL="${URL%/}"
WAIT="${BATON_WAIT:-5s}"
if [[ $# -gt 1 || "$URL" == -* ]]; then
    echo "usage: $0 [GATEWAY_URL]   (bearer token, if any, in env BATON_TOKEN)" >&2
    exit 2
fi

# json FIELD < body: one top-level field of a JSON object, as text.
if command -v python3 >/dev/null; then
    json() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
elif command -v jq >/dev/null; then
    json() { jq -r --arg f "$1" '.[$f]'; }
else
    echo "$0: needs python3 or jq to read JSON" >&2
    exit 2
fi

AUTH=()
if [[ -n "${BATON_TOKEN:-}" ]]; then
    AUTH=(-H "Authorization: Bearer $BATON_TOKEN")
fi

WORK="$(mktemp -d)"
SESSION=""
cleanup() {
    # On a failed step: end the session, which releases its lease at once (no waiting for the TTL).
    if [[ -n "$SESSION" ]]; then
        curl -s -o /dev/null ${AUTH[@]+"${AUTH[@]}"} -X DELETE "$URL/v1/sessions/$SESSION" || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# call EXPECTED METHOD PATH [curl options...]: prints the request as a curl command, then the
# status and body; the body is left in $WORK/body, the headers in $WORK/headers, the status in
# $STATUS. EXPECTED is one status or several ("200|404"); any other status stops the script.
call() {
    local expected="$1" method="$2" path="$3"
    shift 3
    echo "\$ curl -X $method $URL$path${AUTH[*]:+ -H \"Authorization: Bearer \$BATON_TOKEN\"}$(quoted "$@")"
    if ! STATUS="$(curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' \
        ${AUTH[@]+"${AUTH[@]}"} -X "$method" "$@" "$URL$path")"; then
        echo "no answer from $URL" >&2
        exit 1
    fi
    echo "$STATUS $(cat "$WORK/body")"
    if [[ "|$expected|" != *"|$STATUS|"* ]]; then
        echo "expected $expected, got $STATUS: stopping" >&2
        exit 1
    fi
}

# quoted ARGS...: the arguments as a shell would need them, to print runnable commands.
quoted() {
    local a
    for a in "$@"; do
        if [[ "$a" =~ ^[A-Za-z0-9_./:=@-]+$ ]]; then
            printf ' %s' "$a"
        else
            printf " '%s'" "${a//\'/\'\\\'\'}"
        fi
    done
}

JSON=(-H 'Content-Type: application/json')

echo "== 1. create a session (10 s TTL: keep it alive within that, or its leases are lost)"
call 201 POST /v1/sessions "${JSON[@]}" -d '{"ttl":"10s"}'
SESSION="$(json id < "$WORK/body")"

echo "== 2. acquire demo/orders in the session, waiting up to $WAIT (409 busy names the holder)"
call 200 POST /v1/locks/acquire "${JSON[@]}" \
    -d "{\"name\":\"demo/orders\",\"session\":\"$SESSION\",\"wait\":\"$WAIT\"}"
TOKEN="$(json token < "$WORK/body")"
LEASE="$(json lease < "$WORK/body")"
echo "   fencing token $TOKEN, lease $LEASE"

echo "== 3. read demo/orders-state: its ETag is its version (404 if it does not exist yet)"
call '200|404' GET /v1/kv/demo/orders-state
if [[ "$STATUS" == 200 ]]; then
    ETAG="$(tr -d '\r' < "$WORK/headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')"
    CONDITION=(-H "If-Match: $ETAG")
else
    CONDITION=(-H 'If-None-Match: *')
fi

echo "== 4. write it with the fencing token, only if unchanged since step 3 (else 412)"
call 200 PUT /v1/kv/demo/orders-state "${CONDITION[@]}" \
    -H 'Content-Type: application/octet-stream' \
    -d "{\"writer\":\"curl-session\",\"fencingToken\":$TOKEN}"

echo "== 5. keep the session alive (remainingMs: act as holder for that long from sending this)"
call 200 POST "/v1/sessions/$SESSION/keepalive"

echo "== 6. release the lease"
call 200 POST /v1/locks/release "${JSON[@]}" -d "{\"lease\":\"$LEASE\"}"

echo "== 7. end the session"
call 204 DELETE "/v1/sessions/$SESSION"
SESSION=""
echo "done"
