package dev.baton.redis;

import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.spi.Renewal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The byte encoding between the Redis backend and its scripts: the arguments it sends, the replies
 * and messages it reads back. Strings travel as UTF-8 and numbers as decimal strings; the Lua
 * headers list the arguments and replies of each script, and this class is their Java side. Key
 * names are {@link Keys}'s job.
 *
 * <p>Stateless: any thread, never blocks.
 */
final class RedisCodec {

    private RedisCodec() {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A reply element or a message as text: bulk strings arrive as bytes, integers as Longs. */
    static String str(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    /**
     * A number in a script's reply: an integer reply, or a bulk string of decimal digits (the
     * acquire fast path replies its token as the text it wrote, sparing the server a conversion).
     *
     * @throws NumberFormatException if a bulk string is not a decimal integer
     */
    static long integer(Object o) {
        return o instanceof Long l ? l : Long.parseLong(str(o));
    }

    private static final byte[][] KINDS = new byte[LeaseKind.values().length][];

    /** Decimal encodings of the small numbers sent often (permits, limits, flags). */
    private static final byte[][] SMALL = new byte[256][];

    static {
        for (LeaseKind k : LeaseKind.values()) {
            KINDS[k.ordinal()] = bytes(k.name());
        }
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = bytes(Integer.toString(i));
        }
    }

    /** A kind's name, encoded once. Never write to the array. */
    static byte[] kind(LeaseKind kind) {
        return KINDS[kind.ordinal()];
    }

    /** {@code v} in decimal; small values are encoded once. Never write to the array. */
    static byte[] decimal(long v) {
        return v >= 0 && v < SMALL.length ? SMALL[(int) v] : bytes(Long.toString(v));
    }

    /**
     * The arguments of a lock script ({@code acquire}, {@code release}, {@code wait}, {@code
     * monitor_*}): ARGV[1] family (see {@code lock_common.lua}), then the script's own, from
     * ARGV[2] on. The event channel and the name are not sent: the scripts read them from the keys,
     * and only when they publish.
     */
    static byte[][] lockArgs(LeaseKind family, byte[]... rest) {
        byte[][] args = new byte[1 + rest.length][];
        args[0] = kind(family);
        System.arraycopy(rest, 0, args, 1, rest.length);
        return args;
    }

    /** As {@link #lockArgs(LeaseKind, byte[]...)}, from text. */
    static byte[][] lockArgs(LeaseKind family, String... rest) {
        byte[][] encoded = new byte[rest.length][];
        for (int i = 0; i < rest.length; i++) {
            encoded[i] = bytes(rest[i]);
        }
        return lockArgs(family, encoded);
    }

    /**
     * The arguments of {@code acquire.lua}: ARGV[1] family, [2] entry id, [3] client id, [4] lease
     * TTL ms, [5] request seq, [6] {@link #requestShape}. The fast path reads the first five.
     */
    static byte[][] acquireArgs(
            LeaseKind family,
            byte[] id,
            byte[] clientId,
            byte[] ttlMillis,
            byte[] seq,
            byte[] shape) {
        return lockArgs(family, id, clientId, ttlMillis, seq, shape);
    }

    /**
     * ARGV[6] of {@code acquire.lua}: {@code "<kind> <permits> <limit> <try-once 1/0> <liveness
     * ms>"}, the parts of a request only its general path reads, in one argument.
     */
    static byte[] requestShape(
            LeaseKind kind, long permits, long limit, boolean tryOnce, long livenessMillis) {
        return bytes(
                kind.name()
                        + ' '
                        + permits
                        + ' '
                        + limit
                        + ' '
                        + (tryOnce ? '1' : '0')
                        + ' '
                        + livenessMillis);
    }

    /** {@code s} with SCAN's glob characters escaped, to match literally in a MATCH pattern. */
    static String glob(String s) {
        return s.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    /** One answer of {@code renew.lua}: 1 renewed, 0 gone. */
    static Renewal renewal(Object answer) {
        return (Long) answer == 1L ? Renewal.CONFIRMED : Renewal.GONE;
    }

    /**
     * A grant handed over on a client channel: {@code "<id> <token> <seq>"}, published by {@code
     * lock_common.lua} when a release or purge passes the lock to a waiter of that client.
     */
    record Handoff(String id, long token, long seq) {}

    /**
     * The handoff in a client-channel message.
     *
     * @throws IllegalArgumentException if the message is not {@code "<id> <token> <seq>"}
     */
    static Handoff handoff(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        String[] parts = text.split(" ");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not \"<id> <token> <seq>\": " + text);
        }
        return new Handoff(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    /**
     * A lock's snapshot from its holder lines, {@code "client\tkind\tpermits\ttoken\tsince ms"}
     * each (as {@code inspect.lua} replies and lock events carry them), in token order.
     */
    static LockSnapshot snapshot(String name, List<String> holderLines, int waiters) {
        List<LockSnapshot.Holder> holders = new ArrayList<>(holderLines.size());
        for (String line : holderLines) {
            String[] f = line.split("\t", -1);
            holders.add(
                    new LockSnapshot.Holder(
                            f[0],
                            LeaseKind.valueOf(f[1]),
                            Integer.parseInt(f[2]),
                            Long.parseLong(f[3]),
                            Instant.ofEpochMilli(Long.parseLong(f[4]))));
        }
        holders.sort(Comparator.comparingLong(LockSnapshot.Holder::fencingToken));
        return new LockSnapshot(name, holders, waiters);
    }
}
