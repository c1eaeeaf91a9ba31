package dev.baton.zookeeper;

import dev.baton.InvalidArgumentException;
import dev.baton.Names;
import dev.baton.Versioned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Versioned keys on znode versions, without ABA. Each key is one persistent znode {@code
 * /<ns>/kv/<enc>}. The exposed version is the znode's {@code dataVersion + 1}: it strictly
 * increases with every write of the key, and ZooKeeper checks it atomically ({@code setData} with
 * an expected version).
 *
 * <p>Deletes are <b>tombstones</b>: the znode stays, with an empty payload written at the expected
 * version, and reads as absent. Deleting the znode would restart its {@code dataVersion} at 0 on
 * re-creation, so an old compare-and-set could succeed against a new incarnation; a tombstone keeps
 * the counter going. The cost is one small znode per deleted key.
 *
 * <p>Payload: a live value is stored as one marker byte {@code 0x01} followed by the value, so that
 * an empty value and a tombstone (zero bytes) differ.
 *
 * <p>Compare-and-set and conditional delete read the node first and then write at the version read:
 * a write at a bare expected version could land on a tombstone, whose version was never a value's.
 * Two round trips, both bounded by Curator's retry policy; all methods block their caller.
 */
final class ZooKeeperKeyValue {
    /** ZooKeeper's default packet limit is 1 MiB for the whole request; keep room for the path. */
    static final int MAX_VALUE_BYTES = 1_000_000;

    private static final byte LIVE = 1;
    private static final int MAX_PUT_ATTEMPTS = 16;

    private final ZooKeeperBackend backend;

    ZooKeeperKeyValue(ZooKeeperBackend backend) {
        this.backend = backend;
    }

    /** A node's payload as read: null when the node does not exist. */
    private record Read(byte[] data, Stat stat) {
        boolean live() {
            return data != null && data.length > 0;
        }

        long version() {
            return stat.getVersion() + 1L;
        }
    }

    Optional<Versioned> get(String key) {
        Read r = read(key);
        return r.live() ? Optional.of(versioned(key, r)) : Optional.empty();
    }

    Versioned put(String key, byte[] value) {
        byte[] stored = encode(key, value);
        String path = backend.layout().key(key);
        for (int attempt = 0; attempt < MAX_PUT_ATTEMPTS; attempt++) {
            Stat written =
                    backend.sync(
                            "writing \"" + key + "\"",
                            () -> {
                                try {
                                    return backend.curator().setData().forPath(path, stored);
                                } catch (KeeperException.NoNodeException e) {
                                    return create(path, stored);
                                }
                            });
            if (written != null) {
                return new Versioned(key, value, written.getVersion() + 1L);
            }
            // Created by someone else between our setData and create: write over it.
        }
        throw backend.unavailable("writing \"" + key + "\" kept racing with its creation", null);
    }

    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        byte[] stored = encode(key, value);
        String path = backend.layout().key(key);
        if (expectedVersion == Versioned.ABSENT) {
            Stat created = backend.sync("creating \"" + key + "\"", () -> create(path, stored));
            if (created != null) {
                return Optional.of(new Versioned(key, value, created.getVersion() + 1L));
            }
            // The node exists: only a tombstone counts as absent.
        }
        Read r = read(key);
        if (r.data() == null) {
            return Optional.empty();
        }
        boolean matches =
                expectedVersion == Versioned.ABSENT
                        ? !r.live()
                        : r.live() && r.version() == expectedVersion;
        if (!matches) {
            return Optional.empty();
        }
        int at = r.stat().getVersion();
        Stat written = backend.sync("writing \"" + key + "\"", () -> setAt(path, stored, at));
        return written == null
                ? Optional.empty()
                : Optional.of(new Versioned(key, value, written.getVersion() + 1L));
    }

    /** Writes a tombstone; {@code expectedVersion < 0} means whatever the version. */
    boolean delete(String key, long expectedVersion) {
        String path = backend.layout().key(key);
        while (true) {
            Read r = read(key);
            if (!r.live()) {
                return false;
            }
            if (expectedVersion >= 0 && r.version() != expectedVersion) {
                return false;
            }
            int at = r.stat().getVersion();
            Stat written =
                    backend.sync("deleting \"" + key + "\"", () -> setAt(path, new byte[0], at));
            if (written != null) {
                return true;
            }
            if (expectedVersion >= 0) {
                return false; // written meanwhile: the expected version is gone
            }
        }
    }

    List<String> keys(String prefix) {
        String root = backend.layout().kvRoot();
        List<String> children =
                backend.sync(
                        "listing keys",
                        () -> {
                            try {
                                return backend.curator().getChildren().forPath(root);
                            } catch (KeeperException.NoNodeException e) {
                                return List.<String>of();
                            }
                        });
        List<String> candidates = new ArrayList<>();
        for (String child : children) {
            String name = Layout.decode(child);
            if (Names.isUnder(name, prefix)) {
                candidates.add(name);
            }
        }
        // Tombstones read as absent: ask for every candidate's size, pipelined in one batch.
        List<CompletableFuture<Stat>> stats = new ArrayList<>(candidates.size());
        for (String name : candidates) {
            CompletableFuture<Stat> f = new CompletableFuture<>();
            stats.add(f);
            backend.sync(
                    "listing keys",
                    () ->
                            backend.curator()
                                    .checkExists()
                                    .inBackground((c, e) -> f.complete(e.getStat()))
                                    .forPath(backend.layout().key(name)));
        }
        List<String> live = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Stat s = backend.await(stats.get(i), "listing keys");
            if (s != null && s.getDataLength() > 0) {
                live.add(candidates.get(i));
            }
        }
        live.sort(null);
        return live;
    }

    private Read read(String key) {
        String path = backend.layout().key(key);
        Stat stat = new Stat();
        byte[] data =
                backend.sync(
                        "reading \"" + key + "\"",
                        () -> {
                            try {
                                return backend.curator()
                                        .getData()
                                        .storingStatIn(stat)
                                        .forPath(path);
                            } catch (KeeperException.NoNodeException e) {
                                return null;
                            }
                        });
        return new Read(data, stat);
    }

    /** Creates the node; null if it exists already. */
    private Stat create(String path, byte[] stored) throws Exception {
        Stat stat = new Stat();
        try {
            backend.curator()
                    .create()
                    .storingStatIn(stat)
                    .creatingParentContainersIfNeeded()
                    .forPath(path, stored);
            return stat;
        } catch (KeeperException.NodeExistsException e) {
            return null;
        }
    }

    /** Writes at an exact dataVersion; null if the version moved on (or the node is gone). */
    private Stat setAt(String path, byte[] stored, int dataVersion) throws Exception {
        try {
            return backend.curator().setData().withVersion(dataVersion).forPath(path, stored);
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            return null;
        }
    }

    private static Versioned versioned(String key, Read r) {
        return new Versioned(key, Arrays.copyOfRange(r.data(), 1, r.data().length), r.version());
    }

    /** Decodes a stored payload; empty for a tombstone. */
    static Optional<byte[]> decode(byte[] data) {
        if (data == null || data.length == 0) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOfRange(data, 1, data.length));
    }

    private static byte[] encode(String key, byte[] value) {
        if (value.length > MAX_VALUE_BYTES) {
            throw InvalidArgumentException.mustBe(
                    "value of \"" + key + "\"",
                    "at most " + MAX_VALUE_BYTES + " bytes on ZooKeeper",
                    value.length + " bytes");
        }
        byte[] stored = new byte[value.length + 1];
        stored[0] = LIVE;
        System.arraycopy(value, 0, stored, 1, value.length);
        return stored;
    }
}
