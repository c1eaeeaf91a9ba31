package dev.baton.shedlock;

import dev.baton.Baton;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.testkit.ServerFixture;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real ZooKeeper server in this JVM on a free port. Crashable clients reach it through a fault
 * proxy ({@link ServerFixture}): a partition blackholes the client, so its session stops being
 * heard and expires on the server, as behind a dead machine.
 */
final class ZooKeeperFixture extends ServerFixture {
    private final EmbeddedZooKeeper server;
    private final Baton inspector;

    ZooKeeperFixture() {
        super("zookeeper");
        server = EmbeddedZooKeeper.start(0, null);
        try {
            inspector = connect(config());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    @Override
    protected int port() {
        return server.port();
    }

    /** Holders of the lock, from the engine (Baton's inspection), one string per holder. */
    @Override
    public List<String> engineEntries(LeaseKind kind, String name) {
        return inspector.inspect(name).map(LockSnapshot::holders).orElse(List.of()).stream()
                .map(h -> h.fencingToken() + " " + h.kind() + " " + h.clientId())
                .collect(Collectors.toList());
    }

    @Override
    public List<String> conditionEntries(String monitor, String condition) {
        // The lock provider contract uses no monitor; fail loudly should one ever be added.
        throw new UnsupportedOperationException("the lock provider tests use no monitor");
    }

    @Override
    public void close() {
        try {
            inspector.close();
            super.close();
        } finally {
            server.close();
        }
    }
}
