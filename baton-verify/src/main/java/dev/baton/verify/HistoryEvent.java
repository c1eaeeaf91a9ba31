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
        String detail) {

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
        /** A read of the register through the store; {@code value} is the value read. */
        READ,
        WRITE,
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
                && (op == Op.ACQUIRE || op == Op.RELEASE || op == Op.READ || op == Op.WRITE)) {
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
            @JsonProperty("detail") String detail) {
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
                detail);
    }

    /** An event for {@code op} with no token, no register values, no deadline, no detail. */
    public static HistoryEvent of(long nanos, String process, Type type, Op op, String name) {
        return new HistoryEvent(
                nanos, process, type, op, name, NO_TOKEN, null, null, NO_DEADLINE, null);
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
                nanos, process, type, op, name, newToken, value, expected, deadlineNanos, detail);
    }

    /** A copy with the given local deadline. */
    public HistoryEvent withDeadline(long newDeadlineNanos) {
        return new HistoryEvent(
                nanos, process, type, op, name, token, value, expected, newDeadlineNanos, detail);
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
                detail);
    }

    /** A copy with the given time. */
    public HistoryEvent withNanos(long newNanos) {
        return new HistoryEvent(
                newNanos, process, type, op, name, token, value, expected, deadlineNanos, detail);
    }

    /** A copy with the given type (an invoke's completion). */
    public HistoryEvent withType(Type newType) {
        return new HistoryEvent(
                nanos, process, newType, op, name, token, value, expected, deadlineNanos, detail);
    }

    /** A copy with the given detail. */
    public HistoryEvent withDetail(String newDetail) {
        return new HistoryEvent(
                nanos, process, type, op, name, token, value, expected, deadlineNanos, newDetail);
    }
}
