package dev.baton.zookeeper;

import dev.baton.InvalidArgumentException;
import dev.baton.Names;
import dev.baton.Versioned;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>Payload: one marker byte, then an 8-byte nonce drawn afresh for every write, then (for a live
 * value) the value: {@code 0x02 nonce value} is a value, {@code 0x00 nonce} a tombstone. Older
 * payloads are still read: {@code 0x01 value} is a value and zero bytes a tombstone. The nonce
 * never leaves this class: values and versions look the same to callers as before.
 *
 * <p>Compare-and-set and conditional delete read the node first and then write at the version read:
 * a write at a bare expected version could land on a tombstone, whose version was never a value's.
 * Two round trips, both bounded by Curator's retry policy; all methods block their caller.
 *
 * <p>Why the nonce: Curator repeats a request whose answer was lost with the connection. If the
 * first attempt was applied, the repeat of a conditional write fails (BadVersion, NodeExists) and
 * the write would be reported as not done although it was, and {@code update} would apply its
 * function twice. So a conditional write that fails reads the node once more and counts as done if
 * the node is exactly one version past the one it was written at and carries this write's nonce. If
 * a later writer overwrote it already, the write is reported as not done, as before.
 */
final class ZooKeeperKeyValue {
    /** ZooKeeper's default packet limit is 1 MiB for the whole request; keep room for the path. */
    static final int MAX_VALUE_BYTES = 1_000_000;

    private static final byte TOMBSTONE = 0;
    private static final byte LIVE_LEGACY = 1;
    private static final byte LIVE = 2;
    private static final int NONCE_BYTES = Long.BYTES;
    private static final int HEADER_BYTES = 1 + NONCE_BYTES;
    private static final int MAX_PUT_ATTEMPTS = 16;

    private final ZooKeeperClient zk;

    ZooKeeperKeyValue(ZooKeeperClient zk) {
        this.zk = zk;
    }

    /** A node's payload as read: null when the node does not exist. */
    private record Read(byte[] data, Stat stat) {
        boolean live() {
            return isLive(data);
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
        byte[] stored = encode(key, value, newNonce());
        String path = zk.layout().key(key);
        for (int attempt = 0; attempt < MAX_PUT_ATTEMPTS; attempt++) {
            Stat written =
                    zk.sync(
                            "writing \"" + key + "\"",
                            () -> {
                                try {
                                    return zk.curator().setData().forPath(path, stored);
                                } catch (KeeperException.NoNodeException e) {
                                    return create(path, stored);
                                }
                            });
            if (written != null) {
                return new Versioned(key, value, written.getVersion() + 1L);
            }
            // Created by someone else between our setData and create: write over it.
        }
        throw zk.unavailable("writing \"" + key + "\" kept racing with its creation", null);
    }

    Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        byte[] stored = encode(key, value, newNonce());
        String path = zk.layout().key(key);
        if (expectedVersion == Versioned.ABSENT) {
            Stat created =
                    zk.sync("creating \"" + key + "\"", () -> createConditionally(path, stored));
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
        Stat written = zk.sync("writing \"" + key + "\"", () -> setAt(path, stored, at));
        return written == null
                ? Optional.empty()
                : Optional.of(new Versioned(key, value, written.getVersion() + 1L));
    }

    /** Writes a tombstone; {@code expectedVersion < 0} means whatever the version. */
    boolean delete(String key, long expectedVersion) {
        String path = zk.layout().key(key);
        while (true) {
            Read r = read(key);
            if (!r.live()) {
                return false;
            }
            if (expectedVersion >= 0 && r.version() != expectedVersion) {
                return false;
            }
            int at = r.stat().getVersion();
            byte[] tombstone = tombstone(newNonce());
            Stat written = zk.sync("deleting \"" + key + "\"", () -> setAt(path, tombstone, at));
            if (written != null) {
                return true;
            }
            if (expectedVersion >= 0) {
                return false; // written meanwhile: the expected version is gone
            }
        }
    }

    List<String> keys(String prefix) {
        String root = zk.layout().kvRoot();
        List<String> children = zk.sync("listing keys", () -> zk.childrenOrEmpty(root));
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
            zk.sync(
                    "listing keys",
                    () ->
                            zk.curator()
                                    .checkExists()
                                    .inBackground((c, e) -> f.complete(e.getStat()))
                                    .forPath(zk.layout().key(name)));
        }
        List<String> live = new ArrayList<>();
        List<String> unsure = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Stat s = zk.await(stats.get(i), "listing keys");
            if (s == null || s.getDataLength() == 0) {
                continue;
            }
            // A tombstone is exactly a header long, and so is an empty value: look at those.
            (s.getDataLength() == HEADER_BYTES ? unsure : live).add(candidates.get(i));
        }
        List<CompletableFuture<byte[]>> datas = new ArrayList<>(unsure.size());
        for (String name : unsure) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            datas.add(f);
            zk.sync(
                    "listing keys",
                    () ->
                            zk.curator()
                                    .getData()
                                    .inBackground((c, e) -> f.complete(e.getData()))
                                    .forPath(zk.layout().key(name)));
        }
        for (int i = 0; i < unsure.size(); i++) {
            if (isLive(zk.await(datas.get(i), "listing keys"))) {
                live.add(unsure.get(i));
            }
        }
        live.sort(null);
        return live;
    }

    private Read read(String key) {
        String path = zk.layout().key(key);
        Stat stat = new Stat();
        byte[] data = zk.sync("reading \"" + key + "\"", () -> zk.dataOrNull(path, stat));
        return new Read(data, stat);
    }

    /**
     * Creates the node for a compare-and-set from absent; null if it exists already and is not this
     * very write (recognised by its nonce at the first version: an applied create whose answer was
     * lost and which Curator then repeated).
     */
    Stat createConditionally(String path, byte[] stored) throws Exception {
        Stat created = create(path, stored);
        return created != null ? created : recognise(path, stored, 0);
    }

    /** Creates the node; null if it exists already. */
    private Stat create(String path, byte[] stored) throws Exception {
        Stat stat = new Stat();
        try {
            zk.curator()
                    .create()
                    .storingStatIn(stat)
                    .creatingParentContainersIfNeeded()
                    .forPath(path, stored);
            return stat;
        } catch (KeeperException.NodeExistsException e) {
            return null;
        }
    }

    /**
     * Writes at an exact dataVersion; null if the version moved on (or the node is gone) for
     * another reason than this very write (recognised by its nonce at {@code dataVersion + 1}: an
     * applied write whose answer was lost and which Curator then repeated).
     */
    Stat setAt(String path, byte[] stored, int dataVersion) throws Exception {
        try {
            return zk.curator().setData().withVersion(dataVersion).forPath(path, stored);
        } catch (KeeperException.NoNodeException e) {
            return null;
        } catch (KeeperException.BadVersionException e) {
            return recognise(path, stored, dataVersion + 1);
        }
    }

    /**
     * After a conditional write failed: reads the node once, and returns its stat if it is at
     * exactly {@code dataVersion} and carries the nonce of {@code stored} (so the write was ours
     * and applied), else null.
     */
    private Stat recognise(String path, byte[] stored, int dataVersion) throws Exception {
        long nonce = nonceOf(stored).orElseThrow();
        Stat stat = new Stat();
        byte[] data = zk.dataOrNull(path, stat);
        if (data == null) {
            return null;
        }
        OptionalLong seen = nonceOf(data);
        return stat.getVersion() == dataVersion && seen.isPresent() && seen.getAsLong() == nonce
                ? stat
                : null;
    }

    private static Versioned versioned(String key, Read r) {
        return new Versioned(key, decode(r.data()).orElseThrow(), r.version());
    }

    /** Whether a stored payload is a value (not a tombstone, nor a missing node). */
    static boolean isLive(byte[] data) {
        return data != null && data.length > 0 && data[0] != TOMBSTONE;
    }

    /** Decodes a stored payload; empty for a tombstone (or a missing node). */
    static Optional<byte[]> decode(byte[] data) {
        if (!isLive(data)) {
            return Optional.empty();
        }
        int from = data[0] == LIVE && data.length >= HEADER_BYTES ? HEADER_BYTES : 1;
        return Optional.of(Arrays.copyOfRange(data, from, data.length));
    }

    /** The nonce of a stored payload; empty for a payload in the older format. */
    static OptionalLong nonceOf(byte[] data) {
        if (data == null
                || data.length < HEADER_BYTES
                || (data[0] != LIVE && data[0] != TOMBSTONE)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteBuffer.wrap(data, 1, NONCE_BYTES).getLong());
    }

    static long newNonce() {
        return ThreadLocalRandom.current().nextLong();
    }

    static byte[] tombstone(long nonce) {
        return ByteBuffer.allocate(HEADER_BYTES).put(TOMBSTONE).putLong(nonce).array();
    }

    static byte[] encode(String key, byte[] value, long nonce) {
        if (value.length > MAX_VALUE_BYTES) {
            throw InvalidArgumentException.mustBe(
                    "value of \"" + key + "\"",
                    "at most " + MAX_VALUE_BYTES + " bytes on ZooKeeper",
                    value.length + " bytes");
        }
        return ByteBuffer.allocate(HEADER_BYTES + value.length)
                .put(LIVE)
                .putLong(nonce)
                .put(value)
                .array();
    }
}
