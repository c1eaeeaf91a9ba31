package dev.baton.http;

import java.util.function.Consumer;

/**
 * A server-sent-events parser fed one line at a time: {@code event:}, {@code id:} and {@code data:}
 * fields (data lines joined by newlines), comments ({@code :…}) ignored, a blank line dispatching
 * the event. Not thread-safe: one stream feeds it, in order.
 */
final class SseLines {
    /** One event as the stream sent it. */
    record Event(String type, String id, String data) {}

    private final Consumer<Event> events;
    private String type = "message";
    private String id;
    private StringBuilder data;

    SseLines(Consumer<Event> events) {
        this.events = events;
    }

    void line(String line) {
        if (line.isEmpty()) {
            if (data != null) {
                events.accept(new Event(type, id, data.toString()));
            }
            type = "message";
            id = null;
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "id" -> id = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {} // retry and unknown fields: ignored, as the standard says
        }
    }
}
