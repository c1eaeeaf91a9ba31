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
        LeaseKind.MUTEX, LeaseKind.SEMAPHORE, LeaseKind.WRITE, LeaseKind.LEADERSHIP
    };

    private static final String[] LOCK_SUFFIXES = {"E", "Q", "W", "H"};

    private Keys() {}

    static LeaseKind family(LeaseKind kind) {
        return kind == LeaseKind.READ ? LeaseKind.WRITE : kind;
    }

    static String tag(String namespace, String name) {
        return PREFIX + namespace + "/" + name + "}";
    }

    /** E, Q, W, H of one name's family (see lock_common.lua). */
    static byte[][] lock(String namespace, LeaseKind family, String name) {
        byte[][] keys = new byte[LOCK_SUFFIXES.length][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] =
                    RedisCodec.bytes(tag(namespace, name) + ":" + family + ":" + LOCK_SUFFIXES[i]);
        }
        return keys;
    }

    static String value(String namespace, String key) {
        return tag(namespace, key) + ":kv";
    }

    /** Channel on which a client hears grants handed to it. */
    static String clientChannel(String clientId) {
        return "baton:c:" + clientId;
    }

    /** Channel of a namespace's watch events, published by the scripts. */
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
