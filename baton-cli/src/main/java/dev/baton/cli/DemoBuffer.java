package dev.baton.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bounded buffer of {@code baton demo buffer}, as one key/value entry ({@link
 * DemoBufferNodeCommand#KEY}), written only under the monitor, with compare-and-set on its version:
 * the items (oldest first), the fencing token of its last writer, and how many puts and takes it
 * has seen. The value is one line of text, {@code token=41 puts=12 takes=10 items=p1-3,p2-1}, so a
 * child needs no JSON library and {@code baton watch} shows it readably.
 *
 * <p>Fencing: a writer passes its token to {@link #put} or {@link #take}, and first checks {@link
 * #refuses}: a buffer written under a higher token refuses it (the writer's lease is older than the
 * last writer's, so it must not write). Immutable.
 *
 * @param token the last writer's fencing token; 0 for a new buffer
 * @param puts items put so far
 * @param takes items taken so far
 * @param items the items in the buffer, oldest first, at most {@link #CAPACITY}
 */
record DemoBuffer(long token, long puts, long takes, List<String> items) {
    /** How many items the buffer holds at most. */
    static final int CAPACITY = 4;

    /** The buffer before its first write. */
    static final DemoBuffer EMPTY = new DemoBuffer(0, 0, 0, List.of());

    DemoBuffer {
        items = List.copyOf(items);
        if (items.size() > CAPACITY) {
            throw new IllegalArgumentException(
                    "a buffer holds at most " + CAPACITY + " items, but was given " + items);
        }
        for (String item : items) {
            if (!item.matches("[A-Za-z0-9-]+")) {
                throw new IllegalArgumentException(
                        "an item name is [A-Za-z0-9-]+, but was \"" + item + "\"");
            }
        }
    }

    boolean full() {
        return items.size() >= CAPACITY;
    }

    boolean empty() {
        return items.isEmpty();
    }

    int size() {
        return items.size();
    }

    /** Whether a writer holding {@code token} must not write: the buffer has a newer writer. */
    boolean refuses(long token) {
        return this.token > token;
    }

    /**
     * This buffer with {@code item} appended by the holder of {@code token}; it must not be full.
     */
    DemoBuffer put(String item, long token) {
        if (full()) {
            throw new IllegalStateException("put " + item + " into a full buffer " + this);
        }
        List<String> next = new ArrayList<>(items);
        next.add(item);
        return new DemoBuffer(token, puts + 1, takes, next);
    }

    /** This buffer without its oldest item, taken by the holder of {@code token}; not empty. */
    DemoBuffer take(long token) {
        if (empty()) {
            throw new IllegalStateException("take from an empty buffer " + this);
        }
        return new DemoBuffer(token, puts, takes + 1, items.subList(1, items.size()));
    }

    /** The oldest item; the buffer must not be empty. */
    String head() {
        return items.get(0);
    }

    /** The items, oldest first, separated by spaces: what the events carry. */
    String contents() {
        return String.join(" ", items);
    }

    /** The stored form, which {@link #parse} reads back. */
    String format() {
        return "token="
                + token
                + " puts="
                + puts
                + " takes="
                + takes
                + " items="
                + String.join(",", items);
    }

    /** Reads {@link #format}'s output; anything else is an IllegalArgumentException naming it. */
    static DemoBuffer parse(String value) {
        String[] f = value.strip().split(" ", -1);
        if (f.length != 4
                || !f[0].startsWith("token=")
                || !f[1].startsWith("puts=")
                || !f[2].startsWith("takes=")
                || !f[3].startsWith("items=")) {
            throw new IllegalArgumentException(
                    "not a demo buffer (expected \"token=T puts=P takes=K items=A,B\"): " + value);
        }
        try {
            String items = f[3].substring("items=".length());
            return new DemoBuffer(
                    Long.parseLong(f[0].substring("token=".length())),
                    Long.parseLong(f[1].substring("puts=".length())),
                    Long.parseLong(f[2].substring("takes=".length())),
                    items.isEmpty() ? List.of() : Arrays.asList(items.split(",", -1)));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IllegalArgumentException(
                    "not a demo buffer (" + e.getMessage() + "): " + value, e);
        }
    }
}
