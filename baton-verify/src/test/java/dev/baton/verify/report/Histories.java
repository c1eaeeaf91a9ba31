package dev.baton.verify.report;

import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic histories for the report tests: a builder with times in milliseconds (after {@code
 * dev.baton.verify.H}), and a seeded simulation of a whole run.
 */
final class Histories {
    static final long ORIGIN = 1_000_000_000_000L; // nanoTime has an arbitrary origin

    private final List<HistoryEvent> events = new ArrayList<>();

    static long ns(double ms) {
        return ORIGIN + Math.round(ms * 1_000_000);
    }

    static RunInfo info(boolean fencing) {
        return new RunInfo(
                "zookeeper",
                "3-member ZooKeeper ensemble in network namespaces",
                fencing,
                42,
                Duration.ofSeconds(30),
                5,
                Duration.ofSeconds(2),
                List.of("pause", "kill", "restart-leader", "blackhole"),
                List.of("partition: needs root"),
                List.of(),
                "baton verify --backend zookeeper --clients 5 --duration 30s --ttl 2s --seed 42",
                Instant.parse("2024-05-01T10:00:00Z"));
    }

    Histories add(HistoryEvent e) {
        events.add(e);
        return this;
    }

    Histories event(double ms, String p, Type type, Op op, String lock) {
        return add(HistoryEvent.of(ns(ms), p, type, op, lock));
    }

    /** ACQUIRE invoke at {@code invokeMs}, ok at {@code ms} with a deadline at ms + 2 s. */
    Histories grant(double invokeMs, double ms, String p, long token) {
        event(invokeMs, p, Type.INVOKE, Op.ACQUIRE, "lock");
        return add(
                HistoryEvent.of(ns(ms), p, Type.OK, Op.ACQUIRE, "lock")
                        .withToken(token)
                        .withDeadline(ns(ms + 2000)));
    }

    Histories release(double ms, String p) {
        event(ms, p, Type.INVOKE, Op.RELEASE, "lock");
        return event(ms, p, Type.OK, Op.RELEASE, "lock");
    }

    Histories write(double invokeMs, double doneMs, String p, long token, long expected, Type t) {
        add(
                HistoryEvent.of(ns(invokeMs), p, Type.INVOKE, Op.WRITE, "reg")
                        .withToken(token)
                        .withRegister(expected, expected + 1));
        return add(
                HistoryEvent.of(ns(doneMs), p, t, Op.WRITE, "reg")
                        .withToken(token)
                        .withRegister(expected, expected + 1));
    }

    Histories read(double invokeMs, double doneMs, String p, long token, long value, Type t) {
        add(HistoryEvent.of(ns(invokeMs), p, Type.INVOKE, Op.READ, "reg").withToken(token));
        return add(
                HistoryEvent.of(ns(doneMs), p, t, Op.READ, "reg")
                        .withToken(token)
                        .withRegister(null, value));
    }

    Histories nemesis(double ms, Type type, String detail) {
        return add(HistoryEvent.of(ns(ms), "nemesis", type, Op.NEMESIS, null).withDetail(detail));
    }

    Histories signal(double ms, String p, Type type, Op op, String detail) {
        return add(HistoryEvent.of(ns(ms), p, type, op, null).withDetail(detail));
    }

    History history() {
        return History.of(events);
    }

    /**
     * A seeded simulation of a run on one lock: clients take turns (acquire, read, hold, write,
     * release, think), renewing every third of the TTL. With {@code faults}: at 20% of the run the
     * holder is paused for 2.5 TTLs and its lease expires, so that on resume its write is stale
     * (rejected when {@code fenced}, else accepted: a stale write and a lost update); at 50% a
     * holder is killed and respawned as a new incarnation; at 65% a leader restart stalls grants;
     * at 80% c1 is blackholed and its acquire times out.
     */
    static History simulate(
            long seed,
            int clients,
            double seconds,
            double holdMinMs,
            double holdMaxMs,
            double thinkMaxMs,
            boolean faults,
            boolean fenced) {
        Random random = new Random(seed);
        double end = seconds * 1000;
        double ttl = 2000;
        Histories h = new Histories();
        String[] name = new String[clients];
        int[] incarnation = new int[clients];
        double[] invokeAt = new double[clients];
        for (int i = 0; i < clients; i++) {
            name[i] = "c" + (i + 1);
            incarnation[i] = 1;
            invokeAt[i] = random.nextDouble() * 20;
            h.event(invokeAt[i], name[i], Type.INVOKE, Op.ACQUIRE, "lock");
        }
        double pauseAt = end * 0.2;
        double killAt = end * 0.5;
        double restartAt = end * 0.65;
        double restartEnd = restartAt + 3000;
        double blackholeAt = end * 0.8;
        double blackholeEnd = blackholeAt + 3000;
        boolean paused = !faults;
        boolean killed = !faults;
        boolean blackholed = !faults;
        if (faults) {
            h.nemesis(restartAt, Type.INVOKE, "restart-leader member 2");
            h.nemesis(restartEnd, Type.OK, "restart-leader member 2 back, leader is member 1");
        }
        double staleWriteAt = Double.MAX_VALUE;
        long staleValue = 0;
        long register = 0;
        long token = 0;
        double free = 0;
        while (free < end) {
            int c = 0;
            for (int i = 1; i < clients; i++) {
                if (invokeAt[i] < invokeAt[c]) {
                    c = i;
                }
            }
            double g = Math.max(free, invokeAt[c]) + 0.5 + random.nextDouble();
            if (g >= restartAt && g < restartEnd) {
                g = restartEnd + 50 + random.nextDouble() * 50; // no grants without a leader
            }
            if (!blackholed && c == 0 && g >= blackholeAt) {
                blackholed = true;
                h.nemesis(blackholeAt, Type.INVOKE, "blackhole c1 (proxy drops every packet)");
                h.nemesis(blackholeEnd, Type.OK, "blackhole c1 healed");
                h.event(
                        Math.max(invokeAt[0], blackholeAt) + 2000,
                        name[0],
                        Type.FAIL,
                        Op.ACQUIRE,
                        "lock");
                invokeAt[0] = blackholeEnd + 10;
                h.event(invokeAt[0], name[0], Type.INVOKE, Op.ACQUIRE, "lock");
                continue;
            }
            if (staleWriteAt < g && !fenced) {
                register = staleValue; // the unfenced store took the resumed holder's write
                staleWriteAt = Double.MAX_VALUE;
            }
            token++;
            String p = name[c];
            h.add(
                    HistoryEvent.of(ns(g), p, Type.OK, Op.ACQUIRE, "lock")
                            .withToken(token)
                            .withDeadline(ns(g + ttl)));
            h.read(g + 1, g + 2, p, token, register, Type.OK);
            long read = register;
            if (!paused && g >= pauseAt) {
                paused = true;
                double pause = ttl * 2.5;
                double resume = g + 3 + pause;
                h.nemesis(
                        g + 3, Type.INVOKE, String.format("pause %s for %.1f s", p, pause / 1000));
                h.signal(g + 3, p, Type.OK, Op.PAUSE, "SIGSTOP");
                h.signal(resume, p, Type.OK, Op.RESUME, "SIGCONT");
                h.nemesis(resume, Type.OK, "pause " + p + " resumed");
                h.write(resume + 1, resume + 3, p, token, read, fenced ? Type.FAIL : Type.OK);
                if (!fenced) {
                    staleWriteAt = resume + 2;
                    staleValue = read + 1;
                }
                h.signal(resume + 5, p, Type.INFO, Op.LEASE_LOST, "session expired");
                invokeAt[c] = resume + 6;
                h.event(invokeAt[c], p, Type.INVOKE, Op.ACQUIRE, "lock");
                free = g + ttl + 5; // the engine expires the paused holder's session
                continue;
            }
            if (!killed && g >= killAt) {
                killed = true;
                h.nemesis(g + 2.5, Type.INVOKE, "kill " + p);
                h.signal(g + 2.5, p, Type.INVOKE, Op.KILL, "kill -9");
                h.signal(g + 2.6, p, Type.OK, Op.KILL, "kill -9");
                h.nemesis(g + 2.7, Type.OK, "kill " + p + " done");
                incarnation[c]++;
                name[c] = "c" + (c + 1) + "#" + incarnation[c];
                invokeAt[c] = g + 2.6 + 1200; // a new JVM starts
                h.event(invokeAt[c], name[c], Type.INVOKE, Op.ACQUIRE, "lock");
                free = g + ttl + 5;
                continue;
            }
            double hold = holdMinMs + random.nextDouble() * (holdMaxMs - holdMinMs);
            for (double r = ttl / 3; r < hold; r += ttl / 3) {
                h.add(
                        HistoryEvent.of(ns(g + r), p, Type.OK, Op.DEADLINE, "lock")
                                .withDeadline(ns(g + r + ttl)));
            }
            h.write(g + hold - 3, g + hold - 1, p, token, register, Type.OK);
            register++;
            h.release(g + hold, p);
            free = g + hold + 0.5;
            invokeAt[c] = free + 1 + random.nextDouble() * thinkMaxMs;
            h.event(invokeAt[c], p, Type.INVOKE, Op.ACQUIRE, "lock");
        }
        // The runner reads the register once every client stopped.
        h.read(free + 10, free + 11, "final", HistoryEvent.NO_TOKEN, register, Type.OK);
        return h.history();
    }
}
