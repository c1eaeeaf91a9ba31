package dev.baton.verify;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.baton.InvalidArgumentException;

/**
 * One step of a {@code baton verify} run, as one line of the JSON-lines history.
 *
 * <p>Clients log every operation twice, Jepsen-style: an {@link Type#INVOKE} before sending and an
 * {@link Type#OK} / {@link Type#FAIL} / {@link Type#INFO} (outcome unknown) after. Asynchronous
 * signals ({@link Op#LEASE_LOST}, {@link Op#DEADLINE}) and the nemesis' actions ({@link Op#KILL},
 * {@link Op#PAUSE}, {@link Op#RESUME}, {@link Op#NEMESIS}) are single events. A process has at most
 * one outstanding operation of each {@link Op}.
 *
 * @param nanos {@code System.nanoTime()} when the step happened; one monotonic clock for all
 *     processes on one Linux machine, so events of different processes compare
 * @param process the client id ({@code "c3"}); for a {@link Op#KILL}, {@link Op#PAUSE} or {@link
 *     Op#RESUME} the client it was done to; {@code "nemesis"} for other nemesis events
 * @param type invoke, ok, fail or info
 * @param op what was done
 * @param name the lock name; {@code null} for events that concern a whole process (kill, pause, a
 *     session-wide loss signal)
 * @param token the fencing token of the grant or of the write, {@link #NO_TOKEN} if none
 * @param value for {@link Op#WRITE}: the value written to the register, else {@code null}
 * @param expected for {@link Op#WRITE}: the value read before writing, else {@code null}
 * @param deadlineNanos the holder's local lease deadline (its {@code System.nanoTime()}) at a grant
 *     or renewal, {@link #NO_DEADLINE} when not known
 * @param detail free text (error message, nemesis action), or {@code null}
 * @param item for the buffer workload's {@link Op#PUT}: the item put; {@link Op#TAKE}: the item
 *     read at the head before taking (invoke) and the item the store removed (ok); {@link Op#READ}
 *     of the buffer: its items, oldest first, joined by commas (empty when empty); else {@code
 *     null}
 * @param condition for {@link Op#AWAIT} and {@link Op#SIGNAL}: the monitor condition's name, else
 *     {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryEvent(
        long nanos,
        String process,
        Type type,
        Op op,
        String name,
        long token,
        Long value,
        Long expected,
        long deadlineNanos,
        String detail,
        String item,
        String condition) {

    /** {@link #token()} when the step carries no fencing token (Redlock, nemesis events). */
    public static final long NO_TOKEN = -1;

    /**
     * {@link #deadlineNanos()} when the holder's local deadline is unknown. It compares as "never
     * passed", so a checker that does not know the deadline assumes the holder still believes.
     */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** Whether the step is starting, succeeded, failed, or has an unknown outcome. */
    public enum Type {
        INVOKE,
        OK,
        FAIL,
        INFO
    }

    /** What the step did. */
    public enum Op {
        ACQUIRE,
        RELEASE,
        /**
         * A read through the store: of the register ({@code value} is the value read), or of the
         * buffer ({@code value} is its size, {@code item} its items).
         */
        READ,
        WRITE,
        /**
         * A monitor wait on {@code condition}. The invoke carries the lease given up ({@code
         * token}) and the wait's timeout in milliseconds ({@code value}); from the invoke on, that
         * lease is no longer held. The ok is a new grant of the monitor: its {@code token} and
         * {@code deadlineNanos} are the new lease's, and {@code value} is 1 if a signal woke the
         * waiter, 0 if its timeout did.
         */
        AWAIT,
        /**
         * A signal of {@code condition} by the monitor's holder ({@code token}); the ok's {@code
         * value} is how many waiters the engine woke (0: it found none).
         */
        SIGNAL,
        /**
         * A put of {@code item} into the fenced buffer with the holder's {@code token}; the ok's
         * {@code value} is the buffer's size after it. A fail was refused as stale.
         */
        PUT,
        /**
         * A take of the buffer's oldest item with the holder's {@code token}; the ok's {@code
         * value} is the size after it and its {@code item} the item removed. A fail with {@code
         * value} 0 found the buffer empty; a fail without a value was refused as stale.
         */
        TAKE,
        LEASE_LOST,
        DEADLINE,
        KILL,
        PAUSE,
        RESUME,
        NEMESIS
    }

    public HistoryEvent {
        if (process == null || process.isEmpty()) {
            throw InvalidArgumentException.mustBe("HistoryEvent.process", "non-empty", process);
        }
        if (type == null) {
            throw InvalidArgumentException.mustBe("HistoryEvent.type", "non-null", null);
        }
        if (op == null) {
            throw InvalidArgumentException.mustBe("HistoryEvent.op", "non-null", null);
        }
        if (name == null
                && (op == Op.ACQUIRE
                        || op == Op.RELEASE
                        || op == Op.READ
                        || op == Op.WRITE
                        || op == Op.AWAIT
                        || op == Op.SIGNAL
                        || op == Op.PUT
                        || op == Op.TAKE)) {
            throw InvalidArgumentException.mustBe(
                    "HistoryEvent.name of a " + op + " event", "non-null", null);
        }
        if (token < NO_TOKEN) {
            throw InvalidArgumentException.mustBe(
                    "HistoryEvent.token", ">= 0, or -1 for no token", token);
        }
    }

    /**
     * Jackson's entry point: absent {@code token} and {@code deadlineNanos} mean "none", not 0 (a
     * record's canonical constructor would receive 0 for a missing primitive).
     */
    @JsonCreator
    static HistoryEvent fromJson(
            @JsonProperty("nanos") long nanos,
            @JsonProperty("process") String process,
            @JsonProperty("type") Type type,
            @JsonProperty("op") Op op,
            @JsonProperty("name") String name,
            @JsonProperty("token") Long token,
            @JsonProperty("value") Long value,
            @JsonProperty("expected") Long expected,
            @JsonProperty("deadlineNanos") Long deadlineNanos,
            @JsonProperty("detail") String detail,
            @JsonProperty("item") String item,
            @JsonProperty("condition") String condition) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token == null ? NO_TOKEN : token,
                value,
                expected,
                deadlineNanos == null ? NO_DEADLINE : deadlineNanos,
                detail,
                item,
                condition);
    }

    /** An event for {@code op} with no token, no register values, no deadline, no detail. */
    public static HistoryEvent of(long nanos, String process, Type type, Op op, String name) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                NO_TOKEN,
                null,
                null,
                NO_DEADLINE,
                null,
                null,
                null);
    }

    /** Whether this event carries a fencing token. */
    public boolean hasToken() {
        return token != NO_TOKEN;
    }

    /** Whether this event carries the holder's local deadline. */
    public boolean hasDeadline() {
        return deadlineNanos != NO_DEADLINE;
    }

    /** A copy with the given token. */
    public HistoryEvent withToken(long newToken) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                newToken,
                value,
                expected,
                deadlineNanos,
                detail,
                item,
                condition);
    }

    /** A copy with the given local deadline. */
    public HistoryEvent withDeadline(long newDeadlineNanos) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token,
                value,
                expected,
                newDeadlineNanos,
                detail,
                item,
                condition);
    }

    /** A copy with the given register values (value read = {@code expected}, value written). */
    public HistoryEvent withRegister(Long newExpected, Long newValue) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token,
                newValue,
                newExpected,
                deadlineNanos,
                detail,
                item,
                condition);
    }

    /** A copy with the given time. */
    public HistoryEvent withNanos(long newNanos) {
        return new HistoryEvent(
                newNanos,
                process,
                type,
                op,
                name,
                token,
                value,
                expected,
                deadlineNanos,
                detail,
                item,
                condition);
    }

    /** A copy with the given type (an invoke's completion). */
    public HistoryEvent withType(Type newType) {
        return new HistoryEvent(
                nanos,
                process,
                newType,
                op,
                name,
                token,
                value,
                expected,
                deadlineNanos,
                detail,
                item,
                condition);
    }

    /** A copy with the given buffer item(s). */
    public HistoryEvent withItem(String newItem) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token,
                value,
                expected,
                deadlineNanos,
                detail,
                newItem,
                condition);
    }

    /** A copy with the given monitor condition. */
    public HistoryEvent withCondition(String newCondition) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token,
                value,
                expected,
                deadlineNanos,
                detail,
                item,
                newCondition);
    }

    /** A copy with the given {@code value} (see {@link Op} for what it means per operation). */
    public HistoryEvent withValue(Long newValue) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token,
                newValue,
                expected,
                deadlineNanos,
                detail,
                item,
                condition);
    }

    /** A copy with the given detail. */
    public HistoryEvent withDetail(String newDetail) {
        return new HistoryEvent(
                nanos,
                process,
                type,
                op,
                name,
                token,
                value,
                expected,
                deadlineNanos,
                newDetail,
                item,
                condition);
    }
}
