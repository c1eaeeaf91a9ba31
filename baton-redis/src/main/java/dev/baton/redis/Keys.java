package dev.baton.redis;

import dev.baton.LeaseKind;

/**
 * Redis key names. Every key of one name starts with {@code baton:{<namespace>/<name>}:}, so the
 * braces make one hash tag per name and a name's scripts run on one Redis Cluster slot. Names and
 * namespaces contain only {@code [A-Za-z0-9._-/]}, so they never contain braces or colons.
 */
final class Keys {
    static final String PREFIX = "baton:{";

    /** The families that hold lock state: READ lives with WRITE. */
    static final LeaseKind[] FAMILIES = {
        LeaseKind.MUTEX,
        LeaseKind.SEMAPHORE,
        LeaseKind.WRITE,
        LeaseKind.LEADERSHIP,
        LeaseKind.MONITOR
    };

    private static final String[] LOCK_SUFFIXES = {"E", "Q", "W", "H"};

    /** Keys per lock script call without a condition: E, Q, W, H and the watch mark M. */
    static final int LOCK_KEYS = 5;

    private static final String[] CONDITION_SUFFIXES = {"E", "Q", "W"};

    private Keys() {}

    /** Whether the family has at most one holder, kept in E rather than H (lock_common.lua). */
    static boolean singleHolder(LeaseKind family) {
        return family == LeaseKind.MUTEX
                || family == LeaseKind.LEADERSHIP
                || family == LeaseKind.MONITOR;
    }

    static LeaseKind family(LeaseKind kind) {
        return kind == LeaseKind.READ ? LeaseKind.WRITE : kind;
    }

    static String tag(String namespace, String name) {
        return PREFIX + namespace + "/" + name + "}";
    }

    /**
     * E, Q, W, H of one name's family, then the namespace's watch mark M: the {@value #LOCK_KEYS}
     * keys of a lock script (see lock_common.lua).
     */
    static byte[][] lock(String namespace, LeaseKind family, String name) {
        return lock(namespace, family, name, RedisCodec.bytes(watchMark(namespace)));
    }

    /** {@link #lock(String, LeaseKind, String)} with the namespace's watch mark already encoded. */
    static byte[][] lock(String namespace, LeaseKind family, String name, byte[] watchMark) {
        byte[][] keys = new byte[LOCK_KEYS][];
        String prefix = tag(namespace, name) + ":" + family + ":";
        for (int i = 0; i < LOCK_SUFFIXES.length; i++) {
            keys[i] = RedisCodec.bytes(prefix + LOCK_SUFFIXES[i]);
        }
        keys[LOCK_SUFFIXES.length] = watchMark;
        return keys;
    }

    /**
     * The namespace's watch mark: exists while some client watches the namespace, and the scripts
     * publish events only while it does ({@link RedisWatch}). Its braces hold the namespace alone,
     * so it never looks like a name's key ({@code baton:{<namespace>/<name>}:…}).
     */
    static String watchMark(String namespace) {
        return PREFIX + namespace + "}:watched";
    }

    /**
     * CE, CQ, CW of one condition of a monitor (see lock_common.lua): {@code
     * baton:{<namespace>/<monitor>}:MONITOR:C:<condition>:E|Q|W}, under the monitor's hash tag. A
     * condition name is one segment without colons, so these never end like a family's keys.
     */
    static byte[][] condition(String namespace, String monitor, String condition) {
        byte[][] keys = new byte[CONDITION_SUFFIXES.length][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] =
                    RedisCodec.bytes(
                            conditionPrefix(namespace, monitor, condition) + CONDITION_SUFFIXES[i]);
        }
        return keys;
    }

    /** The name of a condition's key up to its last letter (E, Q or W). */
    static String conditionPrefix(String namespace, String monitor, String condition) {
        return tag(namespace, monitor) + ":" + LeaseKind.MONITOR + ":C:" + condition + ":";
    }

    /**
     * The monitor's E, Q, W, H and the watch mark, followed by one condition's CE, CQ, CW: 8 keys,
     * all but the mark under the monitor's hash tag.
     */
    static byte[][] monitorWithCondition(String namespace, String monitor, String condition) {
        byte[][] lock = lock(namespace, LeaseKind.MONITOR, monitor);
        byte[][] cond = condition(namespace, monitor, condition);
        byte[][] keys = new byte[lock.length + cond.length][];
        System.arraycopy(lock, 0, keys, 0, lock.length);
        System.arraycopy(cond, 0, keys, lock.length, cond.length);
        return keys;
    }

    static String value(String namespace, String key) {
        return tag(namespace, key) + ":kv";
    }

    /** Channel on which a client hears grants handed to it. */
    static String clientChannel(String clientId) {
        return "baton:c:" + clientId;
    }

    /**
     * Channel of a namespace's watch events, published by the scripts. The lock scripts derive it,
     * and the name, from the watch mark and the name's keys ({@code lock_common.lua}'s {@code
     * events()} and {@code lock_name()}): these three formats change together.
     */
    static String eventChannel(String namespace) {
        return "baton:w:" + namespace;
    }

    /**
     * The name inside a key of this namespace, or null if the key is not Baton's or ends otherwise
     * than with {@code suffix}.
     */
    static String nameOf(String namespace, String key, String suffix) {
        String start = PREFIX + namespace + "/";
        if (!key.startsWith(start) || !key.endsWith(suffix)) {
            return null;
        }
        int close = key.indexOf('}', start.length());
        if (close < 0 || !key.substring(close + 1).equals(suffix)) {
            return null;
        }
        return key.substring(start.length(), close);
    }
}
