package dev.baton.mem;

import dev.baton.InvalidArgumentException;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import dev.baton.WatchEvent;
import dev.baton.spi.AcquireRequest;
import dev.baton.spi.GrantRules;
import dev.baton.spi.GrantSink;
import dev.baton.spi.NotAcquiredException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The lock queues of one {@link MemEngine}: a FIFO queue of {@link Entry entries} (waiters and
 * grants) per namespace, lock family and name (READ and WRITE share one queue), the fencing tokens,
 * the grant rules ({@link GrantRules}, shared with the other backends), and the snapshots that
 * inspection and lock watch events show. Every change of a queue is announced to the {@link
 * MemWatches watches}.
 *
 * <p><b>Threads and lock.</b> This class has no lock of its own: the caller holds the engine lock
 * for every method, which guards the queues and every entry's mutable fields. Grants are only
 * marked here; handing them to their clients (after the lock, or later if the client is cut off) is
 * the engine's job: the methods that can grant pass each new grant to the {@code granted} consumer
 * of the call, under the lock, in grant order.
 *
 * <p><b>Invariants</b> (those of {@link MemEngine} that live here):
 *
 * <ul>
 *   <li>After every operation each queue is saturated: no live entry that the grant rule admits is
 *       left ungranted. Appending an entry therefore affects only that entry, which is why a
 *       try-once request can be decided by appending and, if not granted, removing it again.
 *   <li>Tokens are assigned when an entry is created (like ZooKeeper's {@code czxid}), from one
 *       counter shared by every engine of the JVM ({@link #TOKENS}); since grants within a queue
 *       follow queue order for conflicting grants, tokens increase from grant to grant of a name,
 *       and they never decrease within the JVM, not even across {@link MemEngine#reset}.
 *   <li>A semaphore queue's size is fixed by the entry that creates the queue; a request declaring
 *       another size while the queue exists is rejected.
 *   <li>A waiter of a dying session (not ACTIVE) is never granted; its grants count until removed.
 * </ul>
 */
final class MemQueues {
    /**
     * The fencing token counter of every engine of the JVM: tokens never decrease within the JVM,
     * even when an engine is reset and a fresh one takes its name. Incremented under the lock of
     * the engine that assigns the token.
     */
    private static final AtomicLong TOKENS = new AtomicLong();

    private final MemWatches watches;

    /** Guarded by the engine lock; a queue is removed when its last entry goes. */
    private final Map<QueueKey, List<Entry>> queues = new HashMap<>();

    private record QueueKey(String namespace, LeaseKind family, String name) {}

    /** One queue entry: a waiter or a grant. Mutable fields are guarded by the engine lock. */
    static final class Entry implements GrantRules.Queued {
        final MemSession session;
        final int generation;
        final String name;
        final LeaseKind kind;
        final int permits;
        final int limit;
        final long token;

        /** Where the client reports this entry's grant; the engine never calls it. */
        final GrantSink<Entry> sink;

        boolean granted;

        /**
         * Whether the entry was granted by its own enqueue. Written under the lock by the enqueuing
         * thread and read only by that thread afterwards, unlike {@link #granted}, which another
         * thread's release may set as soon as the lock is dropped (and then tells the client
         * itself, so the enqueuing thread must not report that grant again).
         */
        boolean grantedOnEnqueue;

        Instant grantedAt;

        Entry(MemSession session, AcquireRequest r, long token, GrantSink<Entry> sink) {
            this.session = session;
            this.generation = session.generation;
            this.name = r.name();
            this.kind = r.kind();
            this.permits = r.permits();
            this.limit = r.limit();
            this.token = token;
            this.sink = sink;
        }

        @Override
        public LeaseKind kind() {
            return kind;
        }

        @Override
        public int permits() {
            return permits;
        }

        String describe() {
            return token + " " + kind + " " + session.clientId + (granted ? " held" : " waiting");
        }

        @Override
        public String toString() {
            return "Entry{" + kind + " \"" + name + "\" " + describe() + "}";
        }
    }

    MemQueues(MemWatches watches) {
        this.watches = watches;
    }

    private static LeaseKind family(LeaseKind kind) {
        return kind == LeaseKind.READ ? LeaseKind.WRITE : kind;
    }

    private static QueueKey keyOf(Entry e) {
        return new QueueKey(e.session.namespace, family(e.kind), e.name);
    }

    /**
     * Appends an entry of {@code s} for {@code r}, with the next token, and grants what the rule
     * admits. Caller holds the engine lock.
     *
     * @param granted takes every entry granted by this call other than the new one (whose grant the
     *     caller answers itself)
     * @return the new entry, granted or waiting
     * @throws NotAcquiredException if {@code r} is try-once and not grantable now (nothing is left)
     * @throws InvalidArgumentException if {@code r} is a semaphore request whose limit differs from
     *     the limit of the existing queue (nothing is created)
     */
    Entry append(MemSession s, AcquireRequest r, GrantSink<Entry> sink, Consumer<Entry> granted) {
        QueueKey key = new QueueKey(s.namespace, family(r.kind()), r.name());
        List<Entry> q = queues.computeIfAbsent(key, k -> new ArrayList<>());
        if (r.kind() == LeaseKind.SEMAPHORE && !q.isEmpty() && q.get(0).limit != r.limit()) {
            // The entry that created the queue fixed its size; every entry since has it.
            throw new InvalidArgumentException(
                    "semaphore \""
                            + r.name()
                            + "\" has "
                            + q.get(0).limit
                            + " permits in the engine, but this handle was made with "
                            + r.limit());
        }
        Entry entry = new Entry(s, r, TOKENS.incrementAndGet(), sink);
        q.add(entry);
        grantWaiters(q, entry, granted);
        entry.grantedOnEnqueue = entry.granted;
        if (!entry.granted && r.tryOnce()) {
            // Appending affects only the new entry (queues are saturated): undo it.
            q.remove(entry);
            if (q.isEmpty()) {
                queues.remove(key);
            }
            throw new NotAcquiredException(r.name());
        }
        emitLock(key);
        return entry;
    }

    /**
     * Removes {@code e} (a waiter that gave up, or a grant being released), granting the next
     * waiters. Never touches another entry: an entry already removed is a no-op. Caller holds the
     * engine lock.
     *
     * @param granted takes every entry granted by this call
     * @return whether the entry was still queued
     */
    boolean remove(Entry e, Consumer<Entry> granted) {
        QueueKey key = keyOf(e);
        List<Entry> q = queues.get(key);
        boolean removed = q != null && q.remove(e);
        if (removed) {
            grantWaiters(q, null, granted);
            if (q.isEmpty()) {
                queues.remove(key);
            }
            emitLock(key);
        }
        return removed;
    }

    /**
     * Removes every entry of {@code s}, granting the next waiters of each queue it leaves. Caller
     * holds the engine lock.
     *
     * @param dropped takes the removed entries that were waiting
     * @param granted takes every entry granted by this call
     */
    void removeAllOf(MemSession s, List<Entry> dropped, Consumer<Entry> granted) {
        for (Iterator<Map.Entry<QueueKey, List<Entry>>> it = queues.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<QueueKey, List<Entry>> qe = it.next();
            List<Entry> q = qe.getValue();
            boolean changed = false;
            for (Iterator<Entry> ei = q.iterator(); ei.hasNext(); ) {
                Entry e = ei.next();
                if (e.session == s) {
                    ei.remove();
                    changed = true;
                    if (!e.granted) {
                        dropped.add(e);
                    }
                }
            }
            if (changed) {
                grantWaiters(q, null, granted);
                if (q.isEmpty()) {
                    it.remove();
                }
                emitLock(qe.getKey());
            }
        }
    }

    /**
     * The entries of {@code held} that {@code s} does not (or no longer) hold: another session's,
     * still waiting, or removed. Caller holds the engine lock.
     */
    Set<Entry> notHeldBy(MemSession s, List<Entry> held) {
        Set<Entry> gone = new HashSet<>();
        for (Entry e : held) {
            if (e.session != s || !e.granted || !contains(e)) {
                gone.add(e);
            }
        }
        return gone;
    }

    /** Whether {@code e} is still queued (waiting or granted). Caller holds the engine lock. */
    boolean contains(Entry e) {
        List<Entry> q = queues.get(keyOf(e));
        return q != null && q.contains(e);
    }

    /**
     * The queue where {@code kind} lives, as {@link MemEngine#entries(String, LeaseKind, String)}
     * shows it. Caller holds the engine lock.
     */
    List<String> describe(String namespace, LeaseKind kind, String name) {
        List<Entry> q = queues.get(new QueueKey(namespace, family(kind), name));
        List<String> out = new ArrayList<>();
        if (q != null) {
            for (Entry e : q) {
                out.add(e.describe());
            }
        }
        return out;
    }

    /** The snapshots of every name under {@code prefix}, by name. Caller holds the engine lock. */
    List<LockSnapshot> snapshots(String namespace, String prefix) {
        Set<String> names = new TreeSet<>();
        for (QueueKey k : queues.keySet()) {
            if (k.namespace().equals(namespace) && Names.isUnder(k.name(), prefix)) {
                names.add(k.name());
            }
        }
        List<LockSnapshot> result = new ArrayList<>();
        for (String n : names) {
            snapshot(namespace, n).ifPresent(result::add);
        }
        return result;
    }

    /** The merged view of a name across queue families. Caller holds the engine lock. */
    Optional<LockSnapshot> snapshot(String namespace, String lockName) {
        List<Entry> all = new ArrayList<>();
        for (LeaseKind family :
                new LeaseKind[] {
                    LeaseKind.MUTEX, LeaseKind.SEMAPHORE, LeaseKind.WRITE, LeaseKind.LEADERSHIP
                }) {
            List<Entry> q = queues.get(new QueueKey(namespace, family, lockName));
            if (q != null) {
                all.addAll(q);
            }
        }
        if (all.isEmpty()) {
            return Optional.empty();
        }
        all.sort((a, b) -> Long.compare(a.token, b.token));
        List<LockSnapshot.Holder> holders = new ArrayList<>();
        int waiters = 0;
        for (Entry e : all) {
            if (e.granted) {
                holders.add(
                        new LockSnapshot.Holder(
                                e.session.clientId, e.kind, e.permits, e.token, e.grantedAt));
            } else {
                waiters++;
            }
        }
        return Optional.of(new LockSnapshot(lockName, holders, waiters));
    }

    /** Drops every queue (the engine was reset). Caller holds the engine lock. */
    void clear() {
        queues.clear();
    }

    /**
     * Grants every waiter of {@code q} that the rule admits, passing each new grant but {@code
     * self} (the entry being created, which the caller answers directly) to {@code granted}.
     */
    private void grantWaiters(List<Entry> q, Entry self, Consumer<Entry> granted) {
        if (q.isEmpty()) {
            return;
        }
        List<Entry> live = new ArrayList<>(q.size());
        for (Entry e : q) {
            // A waiter of a dying session is never granted (as if already gone); its grants still
            // count until removed.
            if (e.granted || e.session.state == MemSession.State.ACTIVE) {
                live.add(e);
            }
        }
        // Every backend's rules; the granted entries are a prefix of the queue. A semaphore's
        // entries all carry the size the queue was created with.
        int count = GrantRules.grantedCount(live, live.isEmpty() ? 0 : live.get(0).limit);
        for (int i = 0; i < count; i++) {
            Entry e = live.get(i);
            if (!e.granted) {
                e.granted = true;
                e.grantedAt = Instant.now();
                if (e != self) {
                    granted.accept(e);
                }
            }
        }
    }

    /** Announces the state of {@code key}'s name to the watches, under the engine lock. */
    private void emitLock(QueueKey key) {
        LockSnapshot snap =
                snapshot(key.namespace(), key.name())
                        .orElse(new LockSnapshot(key.name(), List.of(), 0));
        watches.emit(key.namespace(), key.name(), WatchEvent.lock(key.name(), snap));
    }
}
