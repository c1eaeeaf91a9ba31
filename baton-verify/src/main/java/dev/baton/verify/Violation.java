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

    /**
     * The properties {@link Checker} checks (the first four) and {@link BufferRules} (the others);
     * see their javadoc for each exact rule.
     */
    public enum Kind {
        LOSS_SIGNAL_FIRST,
        TOKEN_INVERSION,
        STALE_WRITE_ACCEPTED,
        LOST_UPDATE,
        CAPACITY,
        ITEM_DUPLICATED,
        ITEM_LOST,
        LOST_WAKEUP
    }

    public Violation {
        events = List.copyOf(events);
    }

    @Override
    public String toString() {
        return kind + ": " + explanation;
    }
}
