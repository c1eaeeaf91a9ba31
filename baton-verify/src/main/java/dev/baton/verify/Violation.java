package dev.baton.verify;

import java.util.List;

/**
 * A breach of a safety property found in a history.
 *
 * @param kind which property
 * @param events the events that together show the breach, in time order
 * @param explanation one line naming the lock, processes and tokens involved
 */
public record Violation(Kind kind, List<HistoryEvent> events, String explanation) {

    /** The properties {@link Checker} checks; see its javadoc for each exact rule. */
    public enum Kind {
        LOSS_SIGNAL_FIRST,
        TOKEN_INVERSION,
        STALE_WRITE_ACCEPTED,
        LOST_UPDATE
    }

    public Violation {
        events = List.copyOf(events);
    }

    @Override
    public String toString() {
        return kind + ": " + explanation;
    }
}
