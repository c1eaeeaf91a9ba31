package dev.baton.verify.run;

import dev.baton.faults.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * ZooKeeper for {@code baton verify}: a 3-member ensemble (in network namespaces when this process
 * may create them, so that partitions are real; else in-process), or the user's ensemble with
 * {@code --connect} (client faults only).
 */
final class ZooKeeperEngine extends ProxiedEngine {

    /** The ensemble's members, however they run. Called from the nemesis thread only. */
    interface Members extends AutoCloseable {
        String description();

        /** Whether verify started these servers (and may kill and partition them). */
        default boolean ours() {
            return true;
        }

        List<String> addresses();

        Optional<Integer> leader();

        void kill(int member);

        void restart(int member);

        /** Why partitions cannot be made, or empty. */
        Optional<String> partitionUnsupported();

        void partition(int a, int b);

        void isolate(int member);

        void heal();

        @Override
        void close();
    }

    private final Members members;
    private final String namespacePath;
    private Runnable pendingHeal;
    private String pendingHealText;

    ZooKeeperEngine(Members members, String namespacePath) {
        this.members = members;
        this.namespacePath = namespacePath;
    }

    /** In-process ensemble; tick 500 ms so that 1–10 s session timeouts are allowed. */
    static Members inProcess() {
        // Empty lock directories (containers) are removed every second instead of every minute,
        // so that the residue check sees the engine's own cleanup finished.
        System.setProperty("znode.container.checkIntervalMs", "1000");
        ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.start(3, 500);
        return new Members() {
            @Override
            public String description() {
                return "3-member ZooKeeper ensemble, in-process";
            }

            @Override
            public List<String> addresses() {
                return ensemble.members().stream().map(s -> "127.0.0.1:" + s.getPort()).toList();
            }

            @Override
            public Optional<Integer> leader() {
                return ensemble.leader().map(l -> ensemble.members().indexOf(l));
            }

            @Override
            public void kill(int member) {
                ensemble.kill(spec(member));
            }

            @Override
            public void restart(int member) {
                ensemble.restart(spec(member));
            }

            private InstanceSpec spec(int member) {
                return ensemble.members().get(member);
            }

            @Override
            public Optional<String> partitionUnsupported() {
                return Optional.of(
                        "partitions need network namespaces; the ensemble runs in-process");
            }

            @Override
            public void partition(int a, int b) {
                throw new UnsupportedOperationException(partitionUnsupported().orElseThrow());
            }

            @Override
            public void isolate(int member) {
                throw new UnsupportedOperationException(partitionUnsupported().orElseThrow());
            }

            @Override
            public void heal() {}

            @Override
            public void close() {
                ensemble.close();
            }
        };
    }

    /** The user's ensemble: no engine faults. */
    static Members external(List<String> addresses) {
        return new Members() {
            @Override
            public String description() {
                return "ZooKeeper at " + String.join(",", addresses) + " (--connect)";
            }

            @Override
            public boolean ours() {
                return false;
            }

            @Override
            public List<String> addresses() {
                return addresses;
            }

            @Override
            public Optional<Integer> leader() {
                return Optional.empty();
            }

            @Override
            public void kill(int member) {
                throw new UnsupportedOperationException("--connect: not our servers");
            }

            @Override
            public void restart(int member) {
                throw new UnsupportedOperationException("--connect: not our servers");
            }

            @Override
            public Optional<String> partitionUnsupported() {
                return Optional.of("--connect: the servers are not ours to partition");
            }

            @Override
            public void partition(int a, int b) {
                throw new UnsupportedOperationException("--connect");
            }

            @Override
            public void isolate(int member) {
                throw new UnsupportedOperationException("--connect");
            }

            @Override
            public void heal() {}

            @Override
            public void close() {}
        };
    }

    @Override
    public String backend() {
        return "zookeeper";
    }

    @Override
    public String description() {
        return members.description();
    }

    @Override
    List<String> serverAddresses() {
        return members.addresses();
    }

    @Override
    String uriFor(List<String> proxyAddresses) {
        return "zookeeper://" + String.join(",", proxyAddresses) + namespacePath;
    }

    @Override
    public Optional<String> unsupported(Fault fault) {
        if (!fault.onEngine()) {
            return Optional.empty();
        }
        if (!members.ours()) {
            return Optional.of("--connect: the servers are not ours to kill or partition");
        }
        if (fault == Fault.PARTITION) {
            return members.partitionUnsupported();
        }
        return Optional.empty();
    }

    @Override
    public String begin(Fault fault, Random random, Duration ttl) {
        int size = members.addresses().size();
        int leader = members.leader().orElse(-1);
        switch (fault) {
            case RESTART_LEADER, RESTART_MEMBER -> {
                int victim = leader;
                if (fault == Fault.RESTART_MEMBER || leader < 0) {
                    List<Integer> followers = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        if (i != leader) {
                            followers.add(i);
                        }
                    }
                    victim = followers.get(random.nextInt(followers.size()));
                }
                int m = victim;
                members.kill(m);
                pendingHeal = () -> members.restart(m);
                pendingHealText = "restarted member " + (m + 1);
                return "killed member " + (m + 1) + (m == leader ? " (the leader)" : "");
            }
            case PARTITION -> {
                if (leader < 0) {
                    return "no leader to partition from";
                }
                if (random.nextBoolean()) {
                    int follower = (leader + 1 + random.nextInt(size - 1)) % size;
                    members.partition(follower, leader);
                    pendingHeal = members::heal;
                    pendingHealText = "healed";
                    return "member "
                            + (follower + 1)
                            + " (follower) cut off from member "
                            + (leader + 1)
                            + " (leader)";
                }
                members.isolate(leader);
                pendingHeal = members::heal;
                pendingHealText = "healed";
                return "member " + (leader + 1) + " (leader) cut off from both followers";
            }
            default -> throw new IllegalArgumentException(fault + " is not a ZooKeeper fault");
        }
    }

    @Override
    public String heal() {
        Runnable h = pendingHeal;
        pendingHeal = null;
        if (h == null) {
            return "nothing to heal";
        }
        h.run();
        return pendingHealText;
    }

    @Override
    public List<String> residue(String lockName) {
        List<String> out = new ArrayList<>();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = null;
        try {
            zk =
                    new ZooKeeper(
                            String.join(",", members.addresses()),
                            10_000,
                            e -> {
                                if (e.getState()
                                        == org.apache.zookeeper.Watcher.Event.KeeperState
                                                .SyncConnected) {
                                    connected.countDown();
                                }
                            });
            if (!connected.await(20, TimeUnit.SECONDS)) {
                return List.of("cannot inspect: no ZooKeeper member answered in 20 s");
            }
            walk(zk, "/", lockName, out);
        } catch (Exception e) {
            return List.of("cannot inspect: " + e);
        } finally {
            if (zk != null) {
                try {
                    zk.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return out;
    }

    private static void walk(ZooKeeper zk, String path, String lockName, List<String> out)
            throws Exception {
        if (path.equals("/zookeeper")) {
            return;
        }
        List<String> children;
        try {
            children = zk.getChildren(path, false);
        } catch (org.apache.zookeeper.KeeperException.NoNodeException e) {
            return;
        }
        if (path.contains(lockName)) {
            Stat stat = zk.exists(path, false);
            if (stat != null) {
                out.add(
                        path
                                + (stat.getEphemeralOwner() != 0
                                        ? " (ephemeral, session 0x"
                                                + Long.toHexString(stat.getEphemeralOwner())
                                                + ")"
                                        : children.isEmpty() ? " (empty directory)" : ""));
            }
        }
        for (String child : children) {
            walk(zk, path.equals("/") ? "/" + child : path + "/" + child, lockName, out);
        }
    }

    @Override
    public void close() {
        closeProxies();
        members.close();
    }
}
