#!/usr/bin/env python3
"""Run a command while holding a Baton lock, through the Baton HTTP gateway.

A distributed flock(1) for machines without Java, like `baton exec` (same exit statuses, same
environment), in Python 3 with the standard library only.

    baton_run.py [--url URL] [--token TOKEN] [--ttl 10s] [--wait 30s] [--grace 5s] [-v]
                 NAME -- COMMAND [ARGS...]

It creates a gateway session (TTL --ttl), listens to the session's event stream, acquires the
mutex NAME (waiting up to --wait), then runs COMMAND with BATON_LOCK=NAME and
BATON_FENCING_TOKEN=<token> in its environment; the command inherits stdin, stdout and stderr and
runs in its own process group. The session is kept alive every TTL/3 meanwhile.

The lease counts as lost, and the command's process group gets SIGTERM, then SIGKILL after
--grace, as soon as any of these happens:
  - the event stream says `lease-lost` (for this lease) or `session-ended`;
  - a keep-alive answers 404 (the gateway ended the session);
  - the time left runs out on this process's own clock: every keep-alive answers with the time
    left, counted from when the request was SENT, so a client cut off from the gateway tells
    its command no later than the gateway can grant the name to anyone else. (What the command
    still writes during --grace is what its fencing token is for.)

On every path the lease is released and the session deleted (which releases it too). SIGINT and
SIGTERM are forwarded to the command; before the command starts they end this script (128+N).

Exit status (as `baton exec`):
  0..255  the command's own exit status, when it ran to the end with the lease held
          (128+N if it died of signal N)
  1       other failure (e.g. 403 from the gateway, an unexpected answer)
  64      usage error: bad option, duration or lock name, no command
  69      gateway unreachable, or the session or its event stream could not be opened
          (also when the token is refused: 401)
  70      lease lost while the command ran; the command was terminated
  75      not acquired within --wait (the holder is printed)
  126     command not executable
  127     command not found
  128+N   interrupted by signal N (SIGINT, SIGTERM) before the command started

The URL and token default to the environment: BATON_URL (else http://127.0.0.1:8080) and
BATON_TOKEN (sent as Authorization: Bearer).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

OK, FAILURE, USAGE, UNAVAILABLE, LEASE_LOST, NOT_ACQUIRED = 0, 1, 64, 69, 70, 75
NOT_EXECUTABLE, NOT_FOUND = 126, 127

USAGE_LINE = (
    "usage: baton_run.py [--url URL] [--token TOKEN] [--ttl 10s] [--wait 30s] [--grace 5s] [-v]"
    " NAME -- COMMAND [ARGS...]"
)
PROG = "baton_run"


class Exit(Exception):
    """Ends the run with an exit status and a one-line message (printed if not empty)."""

    def __init__(self, status, message=""):
        super().__init__(message)
        self.status = status
        self.message = message


def say(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------- usage

DURATION = re.compile(r"(\d{1,12})(ms|s|m|h)")
NAME = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


def parse_duration(option, text):
    """Seconds, from 500ms, 5s, 2m, 1h or 0 (the short forms the gateway and `baton` take)."""
    t = text.strip().lower()
    if t == "0":
        return 0.0
    m = DURATION.fullmatch(t)
    if not m:
        raise Exit(USAGE, f'{option} "{text}" must be a duration such as 500ms, 5s, 2m or 1h')
    n = int(m.group(1))
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def parse_args(argv):
    """The options, NAME and the command; Exit(USAGE) on anything wrong."""
    head = argv[: argv.index("--")] if "--" in argv else argv
    if "-h" in head or "--help" in head:
        print(__doc__)
        raise Exit(OK)
    if "--" not in argv:
        raise Exit(USAGE, "put the command after --")
    split = argv.index("--")
    head, command = argv[:split], argv[split + 1 :]
    opts = {
        "url": os.environ.get("BATON_URL", "http://127.0.0.1:8080"),
        "token": os.environ.get("BATON_TOKEN") or None,
        "ttl": "10s",
        "wait": "30s",
        "grace": "5s",
        "verbose": False,
    }
    names = []
    i = 0
    while i < len(head):
        a = head[i]
        key, eq, inline = a.partition("=")
        if a in ("-v", "--verbose"):
            opts["verbose"] = True
        elif key in ("--url", "--token", "--ttl", "--wait", "--grace"):
            if eq:
                value = inline
            elif i + 1 < len(head):
                i += 1
                value = head[i]
            else:
                raise Exit(USAGE, f"{key} needs a value")
            opts[key[2:]] = value
        elif a.startswith("-"):
            raise Exit(USAGE, f"unknown option {a}")
        else:
            names.append(a)
        i += 1
    if len(names) != 1:
        raise Exit(USAGE, "give exactly one lock NAME before --")
    if not command:
        raise Exit(USAGE, "no command after --")
    name = names[0]
    if len(name) > 200 or not NAME.fullmatch(name):
        raise Exit(
            USAGE,
            f'lock name "{name}" must be segments of [A-Za-z0-9._-] joined by "/",'
            " at most 200 characters",
        )
    ttl = parse_duration("--ttl", opts["ttl"])
    if not 1 <= ttl <= 3600:
        raise Exit(USAGE, f'--ttl "{opts["ttl"]}" must be between 1s and 1h')
    parsed = urllib.parse.urlparse(opts["url"])
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise Exit(USAGE, f'--url "{opts["url"]}" must be http://host:port or https://host:port')
    return {
        "url": opts["url"].rstrip("/"),
        "token": opts["token"],
        "ttl": ttl,
        "wait": parse_duration("--wait", opts["wait"]),
        "grace": parse_duration("--grace", opts["grace"]),
        "verbose": opts["verbose"],
        "name": name,
        "command": command,
    }


# ------------------------------------------------------------------------------------- gateway


class Unreachable(Exception):
    """No HTTP answer at all (connection refused, timeout, DNS)."""


class Gateway:
    """JSON over HTTP to the gateway: (status, body as JSON or None)."""

    def __init__(self, url, token):
        self.url = url
        self.token = token

    def request(self, method, path, body=None, timeout=10.0, accept="application/json"):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Accept", accept)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        return urllib.request.urlopen(req, timeout=timeout)

    def call(self, method, path, body=None, timeout=10.0):
        try:
            with self.request(method, path, body, timeout) as r:
                return r.status, parse_json(r.read())
        except urllib.error.HTTPError as e:
            with e:
                return e.code, parse_json(e.read())
        except (urllib.error.URLError, OSError) as e:
            raise Unreachable(str(getattr(e, "reason", e))) from e


def parse_json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def error_text(status, body):
    if isinstance(body, dict) and "error" in body:
        return f'{status} {body["error"]}: {body.get("message", "")}'
    return f"HTTP {status}"


def ms(seconds):
    """A duration as the gateway reads it: 10s, 1500ms."""
    millis = round(seconds * 1000)
    return f"{millis // 1000}s" if millis % 1000 == 0 else f"{millis}ms"


# ----------------------------------------------------------------------------------------- run


class Run:
    """One run: the session, the lease, the command, and the threads that watch over them.

    Threads: the main thread acquires, starts and waits for the command, and cleans up; the
    keep-alive thread renews the session and moves `deadline`; the event thread reads the
    session's stream; a waiter thread reaps the command. They share the fields below under
    `lock` and wake the main thread through `wake`; only the main thread signals the command.
    """

    def __init__(self, args):
        self.args = args
        self.gw = Gateway(args["url"], args["token"])
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()  # set when cleaning up: stream ends are expected then
        self.stream_open = threading.Event()
        self.session = None
        self.lease = None
        self.token = None
        self.deadline = None  # time.monotonic() after which we must not act as the holder
        self.lost = None  # why the lease is lost, once it is
        self.acquire_sent = None  # when the acquire that granted the lease was sent
        self.child = None
        self.starting = False  # between deciding to start the command and having its pid
        self.pending = []  # signals that arrived meanwhile, forwarded once it runs

    def log(self, message):
        if self.args["verbose"]:
            say(message)

    def lose(self, why):
        with self.lock:
            if self.lost is None and not self.stopping.is_set():
                self.lost = why
        self.wake.set()

    # -- session, keep-alive and events

    def create_session(self):
        ttl = self.args["ttl"]
        try:
            status, body = self.gw.call("POST", "/v1/sessions", {"ttl": ms(ttl)})
        except Unreachable as e:
            raise Exit(UNAVAILABLE, f"gateway {self.args['url']} unreachable: {e}")
        if status != 201:
            raise Exit(UNAVAILABLE, f"could not create a session: {error_text(status, body)}")
        self.session = body["id"]
        self.log(f"session {self.session} (ttl {ms(ttl)})")
        threading.Thread(target=self.keep_alive, name="keep-alive", daemon=True).start()
        threading.Thread(target=self.events, name="events", daemon=True).start()
        # Listening before acquiring, so that a lease-lost has a listener. (The gateway sends the
        # stream's headers just before it subscribes it, a window far shorter than our acquire's
        # round trip; a hello event on session streams, as watch streams have, would close it.)
        if not self.stream_open.wait(15):
            raise Exit(UNAVAILABLE, "could not open the session's event stream")

    def keep_alive(self):
        ttl = self.args["ttl"]
        pause = ttl / 3
        while not self.stopping.wait(pause):
            sent = time.monotonic()
            try:
                status, body = self.gw.call(
                    "POST",
                    f"/v1/sessions/{self.session}/keepalive",
                    timeout=max(1.0, min(10.0, ttl / 3)),
                )
            except Unreachable as e:
                self.log(f"keep-alive failed: {e}")
                pause = self.retry_pause()
                continue
            if status == 200:
                with self.lock:
                    # An answer to a keep-alive sent before the acquire does not speak for the
                    # lease (whose own deadline in the engine can be shorter than the session's).
                    if self.acquire_sent is None or sent >= self.acquire_sent:
                        self.deadline = sent + body["remainingMs"] / 1000
                # Sooner than TTL/3 if the gateway grants less (a lease's own engine deadline).
                pause = max(0.1, min(ttl / 3, body["remainingMs"] / 1000 / 2))
            elif status == 404:
                self.lose("the gateway ended the session (keep-alive: 404)")
                return
            else:
                self.log(f"keep-alive: {error_text(status, body)}")
                pause = self.retry_pause()

    def retry_pause(self):
        with self.lock:
            left = None if self.deadline is None else self.deadline - time.monotonic()
        return 1.0 if left is None else max(0.1, min(1.0, left / 2))

    def events(self):
        path = f"/v1/sessions/{self.session}/events"
        while not self.stopping.is_set():
            try:
                with self.gw.request("GET", path, timeout=None, accept="text/event-stream") as r:
                    reconnected = self.stream_open.is_set()
                    if reconnected and not self.still_held():
                        self.lose("the lease is gone (seen after the event stream reconnected)")
                    for event, data in read_events(r):
                        if self.on_event(event, data):
                            return
            except urllib.error.HTTPError as e:
                if e.code == 404:
                    self.lose("the gateway ended the session (event stream: 404)")
                    self.stream_open.set()  # nothing to wait for: the acquire will say 404 too
                    return
                self.log(f"event stream: HTTP {e.code}")
            except (urllib.error.URLError, OSError) as e:
                self.log(f"event stream: {getattr(e, 'reason', e)}")
            # The stream ended without session-ended: reconnect. Events sent meanwhile are not
            # replayed, so after reconnecting still_held() checks the lease in the lock listing.
            if self.stopping.wait(1.0):
                return

    def on_event(self, event, data):
        """True when the stream is done with."""
        self.log(f"event {event} {json.dumps(data) if data is not None else ''}")
        if event == "hello":
            self.stream_open.set()  # subscribed: every notice from now on reaches us
        elif event == "lease-lost":
            with self.lock:
                ours = self.lease is None or (data or {}).get("lease") == self.lease
            if ours:
                reason = (data or {}).get("reason", "")
                self.lose(f"the gateway reported the lease lost ({reason})")
        elif event == "session-ended":
            reason = (data or {}).get("reason", "")
            self.lose(f"the gateway ended the session ({reason})")
            return True
        return False

    def still_held(self):
        """After a reconnect: is our token still a holder of NAME? (True if it cannot tell.)"""
        with self.lock:
            token = self.token
        if token is None:
            return True
        name = self.args["name"]
        try:
            status, body = self.gw.call("GET", "/v1/locks?prefix=" + urllib.parse.quote(name))
        except Unreachable:
            return True  # the own-clock deadline covers an unreachable gateway
        if status != 200 or not isinstance(body, list):
            return True
        return any(
            lock.get("name") == name and h.get("token") == token
            for lock in body
            for h in lock.get("holders", [])
        )

    # -- lock

    def acquire(self):
        name, wait = self.args["name"], self.args["wait"]
        sent = time.monotonic()
        with self.lock:
            self.acquire_sent = sent
        try:
            status, body = self.gw.call(
                "POST",
                "/v1/locks/acquire",
                {"name": name, "session": self.session, "wait": ms(wait)},
                timeout=wait + 30,
            )
        except Unreachable as e:
            raise Exit(UNAVAILABLE, f"gateway unreachable while acquiring: {e}")
        if status == 200:
            with self.lock:
                self.lease, self.token = body["lease"], body["token"]
                self.deadline = sent + body["remainingMs"] / 1000
            self.log(f'acquired "{name}" (token {self.token}) after {ms(time.monotonic() - sent)}')
            return
        if status == 409:
            raise Exit(
                NOT_ACQUIRED,
                f'lock "{name}" not acquired within {ms(wait)}: {describe_holders(body)}',
            )
        if status == 400:
            raise Exit(USAGE, error_text(status, body))
        if status in (404, 503):
            raise Exit(UNAVAILABLE, f'could not acquire "{name}": {error_text(status, body)}')
        raise Exit(FAILURE, f'could not acquire "{name}": {error_text(status, body)}')

    # -- command

    def run_command(self):
        env = dict(os.environ)
        env["BATON_LOCK"] = self.args["name"]
        env["BATON_FENCING_TOKEN"] = str(self.token)
        with self.lock:
            if self.lost is not None:
                raise Exit(LEASE_LOST, f"lease lost before the command started: {self.lost}")
        command = self.args["command"]
        # A signal now must not abandon a started command: on_signal only records it until the
        # pid is known, and then it is forwarded.
        self.starting = True
        try:
            # Its own process group, so that a loss ends the command's children too.
            self.child = subprocess.Popen(command, env=env, start_new_session=True)
        except FileNotFoundError:
            raise Exit(NOT_FOUND, f"command not found: {command[0]}")
        except OSError as e:
            raise Exit(NOT_EXECUTABLE, f"cannot execute {command[0]}: {e.strerror or e}")
        finally:
            self.starting = False
        self.log(f"started {command[0]} (pid {self.child.pid})")
        for sig in self.pending:
            self.forward(sig)
        child = self.child
        threading.Thread(target=lambda: (child.wait(), self.wake.set()), daemon=True).start()
        while True:
            self.wake.clear()
            if child.poll() is not None:
                break
            with self.lock:
                lost = self.lost
                left = self.deadline - time.monotonic()
            if lost is None and left <= 0:
                self.lose(f"no keep-alive confirmed in time (the time left ran out {ms(-left)} ago)")
                continue
            if lost is not None:
                self.terminate()
                raise Exit(
                    LEASE_LOST,
                    f'lease on "{self.args["name"]}" lost while the command ran: {lost};'
                    f" command terminated, exit status {status_of(child.returncode)}",
                )
            self.wake.wait(left)
        status = status_of(child.returncode)
        with self.lock:
            lost = self.lost
            late = self.deadline - time.monotonic() < 0
        if lost is not None or late:
            raise Exit(
                LEASE_LOST,
                f'lease on "{self.args["name"]}" lost as the command ended:'
                f" {lost or 'the time left ran out'}; command exit status {status}",
            )
        return status

    def terminate(self):
        """SIGTERM to the command's group, SIGKILL to what is left after --grace."""
        pgid = self.child.pid
        signal_group(pgid, signal.SIGTERM)
        try:
            self.child.wait(timeout=self.args["grace"])
        except subprocess.TimeoutExpired:
            say(f"command still running {ms(self.args['grace'])} after SIGTERM: SIGKILL")
        signal_group(pgid, signal.SIGKILL)
        self.child.wait()

    def forward(self, sig):
        if self.child is not None and self.child.poll() is None:
            signal_group(self.child.pid, sig)

    def on_signal(self, sig, _frame):
        if self.stopping.is_set():
            return  # cleaning up already; the exit status is decided
        if self.child is not None:
            self.forward(sig)  # the command decides; its exit status becomes ours
        elif self.starting:
            self.pending.append(sig)
        else:
            raise Exit(128 + sig, f"interrupted by {signal.Signals(sig).name}")

    # -- cleanup

    def close(self):
        """Releases the lease and deletes the session, whatever happened."""
        self.stopping.set()
        self.wake.set()
        if self.session is None:
            return
        try:
            if self.lease is not None:
                status, body = self.gw.call(
                    "POST", "/v1/locks/release", {"lease": self.lease}, timeout=5
                )
                self.log(f"release: {status if status == 200 else error_text(status, body)}")
            status, body = self.gw.call("DELETE", f"/v1/sessions/{self.session}", timeout=5)
            self.log(f"session deleted: {status if status == 204 else error_text(status, body)}")
        except Unreachable as e:
            say(f"could not end the session (it expires after its TTL): {e}")


def read_events(response):
    """(event, data as JSON) per server-sent event, until the stream ends."""
    event, data = "message", []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield event, parse_json("\n".join(data).encode())
            event, data = "message", []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def describe_holders(body):
    lock = (body or {}).get("lock") if isinstance(body, dict) else None
    if not lock:
        return "holder unknown"
    holders = lock.get("holders", [])
    held = (
        "held by "
        + ", ".join(
            f'{h.get("clientId")} (token {h.get("token")}, for {h.get("heldForMs")} ms)'
            for h in holders
        )
        if holders
        else "not held"
    )
    return f'{held}; {lock.get("waiters", 0)} waiting'


def status_of(returncode):
    return 128 - returncode if returncode < 0 else returncode


def signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass  # the group has ended


def main(argv):
    try:
        args = parse_args(argv)
    except Exit as e:
        if e.message:
            say(e.message)
            print(USAGE_LINE, file=sys.stderr)
        return e.status
    run = Run(args)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, run.on_signal)
    try:
        try:
            run.create_session()
            run.acquire()
            return run.run_command()
        finally:
            run.close()
    except Exit as e:
        if e.message:
            say(e.message)
        return e.status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
