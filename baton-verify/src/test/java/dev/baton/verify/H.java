package dev.baton.verify;

import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.util.ArrayList;
import java.util.List;

/** Builds synthetic histories with times in milliseconds from an arbitrary origin. */
final class H {
    static final long ORIGIN = 1_000_000_000_000L; // nanoTime has an arbitrary origin

    private final List<HistoryEvent> events = new ArrayList<>();

    static long ns(double ms) {
        return ORIGIN + Math.round(ms * 1_000_000);
    }

    H add(HistoryEvent e) {
        events.add(e);
        return this;
    }

    /** ACQUIRE invoke + ok at {@code ms}, with a local deadline at {@code deadlineMs}. */
    H grant(double ms, String p, String lock, long token, double deadlineMs) {
        add(HistoryEvent.of(ns(ms), p, Type.INVOKE, Op.ACQUIRE, lock));
        return add(
                HistoryEvent.of(ns(ms), p, Type.OK, Op.ACQUIRE, lock)
                        .withToken(token)
                        .withDeadline(ns(deadlineMs)));
    }

    H release(double ms, String p, String lock) {
        add(HistoryEvent.of(ns(ms), p, Type.INVOKE, Op.RELEASE, lock));
        return add(HistoryEvent.of(ns(ms), p, Type.OK, Op.RELEASE, lock));
    }

    H event(double ms, String p, Type type, Op op, String lock) {
        return add(HistoryEvent.of(ns(ms), p, type, op, lock));
    }

    /** A WRITE invoked at {@code invokeMs} and completed with {@code outcome} at {@code doneMs}. */
    H write(
            double invokeMs,
            double doneMs,
            String p,
            long token,
            Long expected,
            Long value,
            Type outcome) {
        add(
                HistoryEvent.of(ns(invokeMs), p, Type.INVOKE, Op.WRITE, "reg")
                        .withToken(token)
                        .withRegister(expected, value));
        return add(
                HistoryEvent.of(ns(doneMs), p, outcome, Op.WRITE, "reg")
                        .withToken(token)
                        .withRegister(expected, value));
    }

    H ok(double invokeMs, double doneMs, String p, long token, long expected) {
        return write(invokeMs, doneMs, p, token, expected, expected + 1, Type.OK);
    }

    History history() {
        return History.of(events);
    }

    CheckResult check() {
        return Checker.check(history());
    }
}
