package dev.baton.verify.run;

import dev.baton.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The faults the nemesis can inject, by their {@code --faults} names. Client faults act on one
 * client process or its connections (through its own in-JVM {@code FaultProxy}); engine faults act
 * on the engine's servers, which {@code baton verify} runs itself unless {@code --connect} is
 * given.
 */
public enum Fault {
    /** kill -9 a holder (else any client); a new incarnation of the client starts after it. */
    KILL("kill", false, Set.of("zookeeper", "redis", "redlock")),
    /**
     * SIGSTOP a holder for 2–3.5 TTLs, then SIGCONT: the paused-holder case fencing exists for. The
     * nemesis waits (up to a second) for a holder that has just checked its lease and is about to
     * write, the worst moment.
     */
    PAUSE("pause", false, Set.of("zookeeper", "redis", "redlock")),
    /** Every byte to and from one client's engine connections delayed by TTL/4–TTL/2 for 2 TTLs. */
    DELAY("delay", false, Set.of("zookeeper", "redis", "redlock")),
    /** One client's engine traffic dropped silently for 0.5–2 TTLs; its session may survive. */
    BLACKHOLE("blackhole", false, Set.of("zookeeper", "redis", "redlock")),
    /** One client's engine connections reset (RST); the client reconnects. */
    RESET("reset", false, Set.of("zookeeper", "redis", "redlock")),
    /**
     * One client cut off for 3 TTLs, so the engine certainly expires its session (ZooKeeper) or its
     * leases (Redis): expiry as a dead network causes it.
     */
    EXPIRE("expire", false, Set.of("zookeeper", "redis", "redlock")),
    /** kill a ZooKeeper follower, restart it after 1–2 TTLs (the quorum stays up). */
    RESTART_MEMBER("restart-member", true, Set.of("zookeeper")),
    /** kill the ZooKeeper leader, restart it after 1–2 TTLs (an election follows). */
    RESTART_LEADER("restart-leader", true, Set.of("zookeeper")),
    /**
     * A network partition inside the ensemble for 2–4 TTLs: a follower cut off from the leader, or
     * the leader cut off from both followers. Needs network namespaces (root).
     */
    PARTITION("partition", true, Set.of("zookeeper")),
    /** kill -9 a redis-server (for Redlock: one master) and restart it empty, no persistence. */
    RESTART("restart", true, Set.of("redis", "redlock"));

    private final String label;
    private final boolean engine;
    private final Set<String> backends;

    Fault(String label, boolean engine, Set<String> backends) {
        this.label = label;
        this.engine = engine;
        this.backends = backends;
    }

    /** The {@code --faults} name. */
    public String label() {
        return label;
    }

    /** Whether the fault acts on engine servers (impossible with {@code --connect}). */
    public boolean onEngine() {
        return engine;
    }

    public boolean appliesTo(String backend) {
        return backends.contains(backend);
    }

    /** Every fault that applies to {@code backend}, in declaration order. */
    public static List<Fault> defaultsFor(String backend) {
        return Arrays.stream(values()).filter(f -> f.appliesTo(backend)).toList();
    }

    /**
     * Parses a comma-separated list ({@code all}, {@code none}, or names).
     *
     * @throws InvalidArgumentException naming the unknown or inapplicable fault
     */
    public static List<Fault> parse(String list, String backend) {
        String text = list.trim().toLowerCase(Locale.ROOT);
        if (text.equals("all")) {
            return defaultsFor(backend);
        }
        if (text.equals("none") || text.isEmpty()) {
            return List.of();
        }
        List<Fault> out = new ArrayList<>();
        for (String name : text.split(",")) {
            String n = name.trim();
            Fault f =
                    Arrays.stream(values())
                            .filter(v -> v.label.equals(n))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            InvalidArgumentException.mustBe(
                                                    "--faults entry",
                                                    "one of "
                                                            + String.join(", ", labels())
                                                            + ", all or none",
                                                    n));
            if (!f.appliesTo(backend)) {
                throw InvalidArgumentException.mustBe(
                        "--faults entry for --backend " + backend,
                        "one of "
                                + String.join(
                                        ", ",
                                        defaultsFor(backend).stream().map(Fault::label).toList()),
                        n);
            }
            if (!out.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    private static List<String> labels() {
        return Arrays.stream(values()).map(Fault::label).toList();
    }
}
