package dev.baton.verify.run;

import dev.baton.verify.netns.NetnsEnsemble;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Chooses how verify runs its own ZooKeeper ensemble: member JVMs in network namespaces where this
 * process may create them (root), so that partitions are real and kill -9 hits a real process; else
 * in-process members, with partitions skipped and the reason noted.
 */
final class Ensembles {
    private static final Duration TICK = Duration.ofMillis(500);

    private Ensembles() {}

    static ZooKeeperEngine.Members start(Path workDir, List<String> notes, PrintStream progress) {
        Optional<String> unavailable = NetnsEnsemble.unavailableReason();
        if (unavailable.isPresent()) {
            String note = "partition: " + unavailable.get() + "; ZooKeeper runs in-process";
            notes.add(note);
            progress.println(note);
            return ZooKeeperEngine.inProcess();
        }
        progress.println("starting a 3-member ZooKeeper ensemble in network namespaces");
        NetnsEnsemble ensemble = NetnsEnsemble.start(3, workDir.resolve("zookeeper"), TICK);
        return new ZooKeeperEngine.Members() {
            @Override
            public String description() {
                return "3-member ZooKeeper ensemble, one JVM per member in its own network"
                        + " namespace (partitions by "
                        + ensemble.partitionMethod()
                        + ")";
            }

            @Override
            public List<String> addresses() {
                return ensemble.members();
            }

            @Override
            public Optional<Integer> leader() {
                return ensemble.leader();
            }

            @Override
            public void kill(int member) {
                ensemble.kill(member);
            }

            @Override
            public void restart(int member) {
                ensemble.restart(member);
            }

            @Override
            public Optional<String> partitionUnsupported() {
                return Optional.empty();
            }

            @Override
            public void partition(int a, int b) {
                ensemble.partition(a, b);
            }

            @Override
            public void isolate(int member) {
                ensemble.isolate(member);
            }

            @Override
            public void heal() {
                ensemble.heal();
            }

            @Override
            public void close() {
                ensemble.close();
            }
        };
    }
}
