package dev.baton.zookeeper;

import dev.baton.LeaseKind;
import java.util.Optional;

/**
 * Where things live under the namespace root. Flat per kind, so that queue entries never mix with
 * sub-names:
 *
 * <pre>
 * /&lt;ns&gt;/mutex/&lt;enc&gt;/&lt;entry&gt;       MUTEX queue (container)
 * /&lt;ns&gt;/semaphore/&lt;enc&gt;/&lt;entry&gt;   SEMAPHORE queue
 * /&lt;ns&gt;/rwlock/&lt;enc&gt;/&lt;entry&gt;      READ and WRITE entries, one queue
 * /&lt;ns&gt;/election/&lt;enc&gt;/&lt;entry&gt;    LEADERSHIP queue
 * /&lt;ns&gt;/monitor/&lt;enc&gt;/&lt;entry&gt;     MONITOR entry queue
 * /&lt;ns&gt;/condition/&lt;enc&gt;/&lt;condition&gt;/&lt;waiter&gt;   a monitor condition's wait queue
 * /&lt;ns&gt;/kv/&lt;enc&gt;                  one persistent node per key
 * </pre>
 *
 * {@code <enc>} is the name with {@code '/'} replaced by {@code ':'}; names only contain {@code
 * [A-Za-z0-9._-/]}, so this is reversible. A condition name is one segment, so it needs no
 * encoding. The wait queues are not a {@link Dir}: they hold no grants, so inspection and watch
 * events ignore them ({@link #classify} does not recognise them). Immutable; thread-safe.
 */
final class Layout {
    /** The directories that hold lock queues, one per part of the engine. */
    enum Dir {
        MUTEX("mutex"),
        SEMAPHORE("semaphore"),
        RWLOCK("rwlock"),
        ELECTION("election"),
        MONITOR("monitor");

        final String segment;

        Dir(String segment) {
            this.segment = segment;
        }

        static Dir of(LeaseKind kind) {
            return switch (kind) {
                case MUTEX -> MUTEX;
                case SEMAPHORE -> SEMAPHORE;
                case READ, WRITE -> RWLOCK;
                case LEADERSHIP -> ELECTION;
                case MONITOR -> MONITOR;
            };
        }

        static Optional<Dir> ofSegment(String segment) {
            for (Dir d : values()) {
                if (d.segment.equals(segment)) {
                    return Optional.of(d);
                }
            }
            return Optional.empty();
        }
    }

    static final String KV = "kv";
    static final String CONDITION = "condition";

    private final String root;

    Layout(String namespace) {
        this.root = "/" + namespace;
    }

    /** The namespace root, e.g. {@code /baton}. */
    String root() {
        return root;
    }

    String dirRoot(Dir dir) {
        return root + "/" + dir.segment;
    }

    /** The queue directory of one name in one part of the engine. */
    String queue(Dir dir, String name) {
        return dirRoot(dir) + "/" + encode(name);
    }

    /** The wait queue of {@code condition} (one segment) of monitor {@code monitor}. */
    String condition(String monitor, String condition) {
        return root + "/" + CONDITION + "/" + encode(monitor) + "/" + condition;
    }

    String kvRoot() {
        return root + "/" + KV;
    }

    String key(String key) {
        return kvRoot() + "/" + encode(key);
    }

    static String encode(String name) {
        return name.replace('/', ':');
    }

    static String decode(String node) {
        return node.replace(':', '/');
    }

    /**
     * What a change at {@code path} is about, if it lies under this layout: a key, or an entry of a
     * lock queue.
     */
    Optional<Target> classify(String path) {
        if (!path.startsWith(root + "/")) {
            return Optional.empty();
        }
        String[] parts = path.substring(root.length() + 1).split("/", -1);
        if (parts.length == 2 && parts[0].equals(KV) && !parts[1].isEmpty()) {
            return Optional.of(new Target(null, decode(parts[1]), false));
        }
        if (parts.length == 3 && !parts[1].isEmpty() && !parts[2].isEmpty()) {
            return Dir.ofSegment(parts[0]).map(d -> new Target(d, decode(parts[1]), true));
        }
        return Optional.empty();
    }

    /**
     * The subject of a change.
     *
     * @param dir the lock directory, or null for a key
     * @param name decoded key or lock name
     * @param lockEntry true for a queue entry
     */
    record Target(Dir dir, String name, boolean lockEntry) {}
}
