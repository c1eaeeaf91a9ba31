package dev.baton.zookeeper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this client knows about queues it left empty, so that its next acquire of the same name can
 * skip the look at the queue: a cycle of two requests (create, delete) instead of three.
 *
 * <p>The proof. A queue directory is identified by its {@code czxid} (a directory removed and made
 * again has another). ZooKeeper names each sequential child after a counter kept by the directory
 * that every create increments, so a child's sequence is the number of creates before it in that
 * directory (its reported {@code cversion} is another count: it also counts deletes). Say this
 * client's entry with sequence {@code s} was seen alone in directory {@code Z}, and then its delete
 * was confirmed. A later create that is given the sequence {@code s + 1} in directory {@code Z} had
 * no create between it and that entry; every entry made before that one had left when it was seen
 * alone, and that one has left too: the queue was empty, the new entry is first in line, granted
 * without listing. The create travels in a {@code multi} with a {@code setData} of the directory,
 * whose answer carries the directory's {@code czxid} (the create's own answer says nothing about
 * the parent) and, as its {@code mzxid}, the transaction's zxid, which is the new entry's {@code
 * czxid}: the fencing token, as on every other path. Any other answer (another sequence, another
 * directory) proves nothing, and the acquire lists the queue as every acquire does, so a stale
 * record costs one request, never a second holder. The rule asks nothing of other clients,
 * whichever version they run.
 *
 * <p>Records are made in two steps: {@link #heldAlone} when a grant is known to be alone in its
 * queue, {@link #deleted} when the delete of that entry is confirmed (before that, the entry itself
 * is still in line, and a create with the next sequence would queue behind it). {@link #take} hands
 * a record to one acquire and forgets it, so two acquires of one client never race on one record
 * (and if they did, the sequence would differ for one of them).
 *
 * <p>A record that proves nothing costs a round trip: the listing goes out after the create's
 * answer instead of behind the create. Where other clients use the name between this client's
 * cycles, that would happen on nearly every acquire, so a miss makes this client list the queue the
 * usual way (create and listing in one round trip) for its next 1, 2, 4 … up to {@value #MAX_SKIP}
 * acquires of that name ({@link #missed}), and a hit ends that ({@link #hit}): a name taken in
 * turns by several clients costs a miss now and then, a name used by one client none.
 *
 * <p>Bounded: at most {@value #MAX_QUEUES} queues are remembered, least recently recorded first
 * out; and at most {@value #MAX_QUEUES} grants wait for their delete (a lease that is never
 * released is forgotten when the bound is hit, which only costs its next acquire the listing).
 * Thread-safe: every method locks {@code this} briefly, from any thread (ZooKeeper's event thread
 * above all); no call out happens under the lock.
 */
final class EmptyQueues {
    static final int MAX_QUEUES = 4096;
    static final int MAX_SKIP = 64;

    /**
     * A queue directory's identity, and the sequence that the next create in it gets if the queue
     * is empty and nothing was created since.
     */
    record Empty(long dirCzxid, long nextSequence) {}

    /**
     * After a miss: how many acquires still list the usual way, and how many the next miss adds.
     */
    private record Backoff(int skip, int next) {}

    /** Granted entry path → the state its queue will be in once that entry is deleted. */
    private final Map<String, Empty> held = bounded();

    /** Queue directory → its state when this client last left it empty. */
    private final Map<String, Empty> empty = bounded();

    /** Queue directory → the backoff after this client's last miss on it. */
    private final Map<String, Backoff> backoff = bounded();

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_QUEUES;
            }
        };
    }

    /**
     * The entry {@code entryPath} was granted while it was alone in its queue; {@code
     * afterRelease}: its directory and the entry's own sequence + 1.
     */
    synchronized void heldAlone(String entryPath, Empty afterRelease) {
        held.put(entryPath, afterRelease);
    }

    /** ZooKeeper confirmed the delete of {@code entryPath}. */
    synchronized void deleted(String entryPath) {
        Empty e = held.remove(entryPath);
        if (e != null) {
            empty.put(parent(entryPath), e);
        }
    }

    /** The delete of {@code entryPath} failed or was not confirmed: its record proves nothing. */
    synchronized void forget(String entryPath) {
        held.remove(entryPath);
    }

    /**
     * The record of {@code dir}, removed (the caller's create will use or spoil it); null if there
     * is none, or if this acquire is to list the usual way after a miss.
     */
    synchronized Empty take(String dir) {
        Empty e = empty.remove(dir);
        Backoff b = backoff.get(dir);
        if (e == null || b == null || b.skip() == 0) {
            return e;
        }
        backoff.put(dir, new Backoff(b.skip() - 1, b.next()));
        return null;
    }

    /** A record of {@code dir} proved the create first in line. */
    synchronized void hit(String dir) {
        backoff.remove(dir);
    }

    /** A record of {@code dir} proved nothing: list the usual way for a while. */
    synchronized void missed(String dir) {
        Backoff b = backoff.get(dir);
        int skip = b == null ? 1 : b.next();
        backoff.put(dir, new Backoff(skip, Math.min(2 * skip, MAX_SKIP)));
    }

    private static String parent(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }
}
