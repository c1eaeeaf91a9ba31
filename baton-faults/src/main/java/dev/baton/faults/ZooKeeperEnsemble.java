package dev.baton.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * An in-process ZooKeeper ensemble (Curator's {@link TestingCluster}) with the faults tests need:
 * kill and restart one member, find the leader, find the member a client is connected to.
 * In-process members elect a leader in about 0.5–1 s; they cannot be paused (SIGSTOP) — start child
 * JVMs for that. Internal to Baton (the tests, {@code baton verify}); not a user API.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    private final TestingCluster cluster;

    private ZooKeeperEnsemble(TestingCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts {@code size} members and waits until one of them leads. */
    public static ZooKeeperEnsemble start(int size) {
        return start(size, -1);
    }

    /**
     * Starts {@code size} members with the given tick (ZooKeeper allows session timeouts from 2 to
     * 20 ticks; -1 for ZooKeeper's default) and waits until one of them leads.
     */
    public static ZooKeeperEnsemble start(int size, int tickTimeMillis) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, but was " + size);
        }
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i, tickTimeMillis, -1));
        }
        TestingCluster cluster = new TestingCluster(specs);
        ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(cluster);
        try {
            cluster.start();
            ensemble.awaitLeader(Duration.ofSeconds(60));
            return ensemble;
        } catch (Exception e) {
            ensemble.close();
            throw new IllegalStateException(
                    "cannot start a " + size + "-member ZooKeeper ensemble", e);
        }
    }

    /** {@code host:port,host:port,...} of every member. */
    public String connectString() {
        return cluster.getConnectString();
    }

    public List<InstanceSpec> members() {
        return new ArrayList<>(cluster.getInstances());
    }

    /** The member that currently leads, if any answers "Mode: leader". */
    public Optional<InstanceSpec> leader() {
        for (InstanceSpec spec : cluster.getInstances()) {
            if ("leader".equals(mode(spec))) {
                return Optional.of(spec);
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until a member leads; returns it.
     *
     * @throws IllegalStateException when none leads within {@code timeout}
     */
    public InstanceSpec awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<InstanceSpec> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException(
                        "no ZooKeeper member leads after " + timeout + " in " + this);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a leader", e);
            }
        }
    }

    /** The member's role as its {@code srvr} command reports it ("leader", "follower"), or null. */
    public static String mode(InstanceSpec spec) {
        try {
            String srvr =
                    FourLetterWordMain.send4LetterWord(
                            spec.getHostname(), spec.getPort(), "srvr", false, 2_000);
            for (String line : srvr.split("\n")) {
                if (line.startsWith("Mode: ")) {
                    return line.substring("Mode: ".length()).trim();
                }
            }
            return null;
        } catch (Exception e) {
            return null; // down, or not serving yet
        }
    }

    /** The member {@code zk} is connected to. */
    public InstanceSpec memberServing(ZooKeeper zk) {
        try {
            InstanceSpec spec = cluster.findConnectionInstance(zk);
            if (spec == null) {
                throw new IllegalStateException("the client is not connected to any member");
            }
            return spec;
        } catch (Exception e) {
            throw new IllegalStateException("cannot tell which member serves the client", e);
        }
    }

    /** Kills a member abruptly (its clients see the connection drop). */
    public void kill(InstanceSpec member) {
        try {
            if (!cluster.killServer(member)) {
                throw new IllegalStateException("no running member " + member);
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot kill " + member, e);
        }
    }

    /** Restarts a killed member with its data. */
    public void restart(InstanceSpec member) {
        try {
            if (!cluster.restartServer(member)) {
                throw new IllegalStateException("no member " + member);
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart " + member, e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the ensemble", e);
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperEnsemble{" + connectString() + "}";
    }
}
