package dev.baton.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.InvalidArgumentException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An immutable history of a run: the events of all processes, in time order ({@link
 * HistoryEvent#nanos()}; events with equal times keep the order in which they were given).
 *
 * <p>On disk a history is JSON lines: one {@link HistoryEvent} object per line, UTF-8. Processes
 * may write their own files; merging them is concatenating their events and building a history,
 * which sorts.
 */
public final class History {
    // Jackson's ObjectMapper is thread-safe once configured; never reconfigured after this.
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final List<HistoryEvent> events;

    private History(List<HistoryEvent> events) {
        this.events = events;
    }

    /** A history of the given events, sorted by time (stable: ties keep their given order). */
    public static History of(List<HistoryEvent> events) {
        List<HistoryEvent> sorted = new ArrayList<>(events.size());
        for (HistoryEvent e : events) {
            if (e == null) {
                throw InvalidArgumentException.mustBe("every history event", "non-null", null);
            }
            sorted.add(e);
        }
        sorted.sort(Comparator.comparingLong(HistoryEvent::nanos)); // List.sort is stable
        return new History(List.copyOf(sorted));
    }

    /** The events in time order. */
    public List<HistoryEvent> events() {
        return events;
    }

    /**
     * Reads a JSON-lines history; blank lines are skipped.
     *
     * @throws InvalidArgumentException naming the file and line when a line is not a history event
     * @throws UncheckedIOException when the file cannot be read
     */
    public static History read(Path file) {
        List<HistoryEvent> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(MAPPER.readValue(line, HistoryEvent.class));
                } catch (JsonProcessingException e) {
                    throw new InvalidArgumentException(
                            "line "
                                    + number
                                    + " of history "
                                    + file
                                    + " must be one JSON history event, but was '"
                                    + abbreviate(line)
                                    + "': "
                                    + e.getOriginalMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history " + file, e);
        }
        return of(out);
    }

    /**
     * Writes this history as JSON lines, replacing {@code file}.
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    public void write(Path file) {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (HistoryEvent e : events) {
                out.write(toJsonLine(e));
                out.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write history " + file, e);
        }
    }

    /**
     * One JSON line as an event.
     *
     * @throws InvalidArgumentException when the line is not a history event
     */
    public static HistoryEvent parseLine(String line) {
        try {
            return MAPPER.readValue(line, HistoryEvent.class);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException(
                    "a history line must be one JSON history event, but was '"
                            + abbreviate(line)
                            + "': "
                            + e.getOriginalMessage());
        }
    }

    /** One event as a JSON line (no line terminator), for processes that append their own logs. */
    public static String toJsonLine(HistoryEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            // Only plain fields: serialisation cannot fail short of a Jackson bug.
            throw new IllegalStateException("cannot serialise " + event, e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof History h && h.events.equals(events);
    }

    @Override
    public int hashCode() {
        return events.hashCode();
    }

    @Override
    public String toString() {
        return "History[" + events.size() + " events]";
    }
}
