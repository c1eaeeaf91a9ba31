package dev.baton.gateway;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server-sent-event stream read by a real HTTP client on its own thread: events in a queue as
 * they are parsed (event, id, data), the status and content type once the headers arrive.
 */
final class EventStream implements AutoCloseable {
    record Event(String event, String id, String data) {}

    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile Thread reader;
    private volatile Stream<String> body;

    private EventStream(CompletableFuture<HttpResponse<Stream<String>>> response) {
        this.response = response;
    }

    static EventStream open(Http http, String path, String lastEventId) {
        HttpRequest.Builder b = http.request(path).header("Accept", "text/event-stream");
        b.timeout(Duration.ofMinutes(5));
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        EventStream s =
                new EventStream(
                        http.client.sendAsync(
                                b.GET().build(), HttpResponse.BodyHandlers.ofLines()));
        Thread t =
                new Thread(
                        () -> {
                            try {
                                s.body = s.response.get(30, TimeUnit.SECONDS).body();
                                s.read(s.body.iterator());
                            } catch (Exception e) {
                                // closed: the queue simply gets no more events
                            }
                        },
                        "test-sse-reader");
        t.setDaemon(true);
        s.reader = t;
        t.start();
        return s;
    }

    private void read(Iterator<String> lines) {
        String event = "message";
        String id = null;
        StringBuilder data = new StringBuilder();
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.isEmpty()) {
                if (data.length() > 0) {
                    events.add(new Event(event, id, data.toString()));
                }
                event = "message";
                id = null;
                data.setLength(0);
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
                if (data.length() > 0) {
                    data.append('\n');
                }
                data.append(line.substring(5).trim());
            }
        }
    }

    /** The next event, or AssertionError after {@code seconds}. */
    Event next(long seconds) throws InterruptedException {
        Event e = events.poll(seconds, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + seconds + " s");
        }
        return e;
    }

    /** The next event named {@code name}, skipping others. */
    Event next(String name, long seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            Event e = events.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no \"" + name + "\" event within " + seconds + " s");
            }
            if (e.event().equals(name)) {
                return e;
            }
        }
    }

    @Override
    public void close() {
        response.cancel(true);
        Stream<String> b = body;
        if (b != null) {
            b.close(); // closes the connection: the gateway sees the stream end
        }
        Thread t = reader;
        if (t != null) {
            t.interrupt();
        }
    }
}
