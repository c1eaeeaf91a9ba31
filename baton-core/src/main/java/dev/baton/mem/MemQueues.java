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
import dev.baton.spi.NotHolderException;
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

    /** Guarded by the engine lock; a wait queue is removed when its last waiter goes. */
    private final Map<CondKey, List<CondWaiter>> conditions = new HashMap<>();

    private record CondKey(String namespace, String monitor, String condition) {}

    /**
     * A waiter of a monitor condition: in its condition's wait queue until a signal or its time-up
     * moves it to the monitor's entry queue as a new {@link Entry} (with a new token). Mutable
     * fields are guarded by the engine lock.
     */
    static final class CondWaiter {
        final MemSession session;
        final CondKey key;
        final AcquireRequest reentry;
        final GrantSink<Entry> sink;

        /** The entry a signal or the time-up made; null while in the wait queue. */
        Entry moved;

        CondWaiter(MemSession session, CondKey key, AcquireRequest reentry, GrantSink<Entry> sink) {
            this.session = session;
            this.key = key;
            this.reentry = reentry;
            this.sink = sink;
        }

        String describe() {
            return session.clientId + " waiting";
        }

        @Override
        public String toString() {
            return "CondWaiter{\""
                    + key.monitor()
                    + "\"/"
                    + key.condition()
                    + " "
                    + describe()
                    + "}";
        }
    }

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

    // ---- monitor conditions ----

    /**
     * Monitor wait: removes {@code holder} (granting the next entrant) and appends a waiter to the
     * condition's wait queue, in one step under the engine lock, so no signal can come between.
     * Caller holds the engine lock.
     *
     * @param holder the grant given up; {@code null} only for the two-step control
     * @throws NotHolderException if {@code holder} is not {@code s}'s current grant of the monitor
     *     (nothing changes)
     */
    CondWaiter await(
            MemSession s,
            Entry holder,
            String condition,
            AcquireRequest reentry,
            GrantSink<Entry> sink,
            Consumer<Entry> granted) {
        if (holder != null) {
            checkHolder(s, holder, reentry.name());
            remove(holder, granted);
        }
        CondKey key = new CondKey(s.namespace, reentry.name(), condition);
        CondWaiter w = new CondWaiter(s, key, reentry, sink);
        conditions.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
        return w;
    }

    /**
     * Moves the longest-waiting live waiter of the condition (every live one, if {@code all}) to
     * the tail of the monitor's entry queue. A waiter of a dying session is skipped: it is as good
     * as gone. Caller holds the engine lock.
     *
     * @throws NotHolderException if {@code holder} is not {@code s}'s current grant of {@code
     *     monitor} (nothing changes)
     */
    int signal(
            MemSession s,
            Entry holder,
            String monitor,
            String condition,
            boolean all,
            Consumer<Entry> granted) {
        checkHolder(s, holder, monitor);
        CondKey key = new CondKey(s.namespace, monitor, condition);
        List<CondWaiter> q = conditions.get(key);
        int woken = 0;
        if (q != null) {
            for (Iterator<CondWaiter> it = q.iterator(); it.hasNext(); ) {
                CondWaiter w = it.next();
                if (w.session.state != MemSession.State.ACTIVE) {
                    continue;
                }
                it.remove();
                moveToEntryQueue(w, granted);
                woken++;
                if (!all) {
                    break;
                }
            }
            if (q.isEmpty()) {
                conditions.remove(key);
            }
        }
        return woken;
    }

    /**
     * The waiter's time is up: moves it to the entry queue if it is still in the wait queue. Caller
     * holds the engine lock.
     *
     * @return whether this call moved it ({@code false}: a signal did, or it is gone)
     */
    boolean timeUp(CondWaiter w, Consumer<Entry> granted) {
        if (!removeWaiter(w)) {
            return false;
        }
        moveToEntryQueue(w, granted);
        return true;
    }

    /**
     * Removes the waiter from whichever queue it is in (a caller that gave up). Caller holds the
     * engine lock.
     */
    void withdraw(CondWaiter w, Consumer<Entry> granted) {
        if (!removeWaiter(w) && w.moved != null) {
            remove(w.moved, granted);
        }
    }

    /** The waiters of a condition, for residue checks. Caller holds the engine lock. */
    List<String> describeCondition(String namespace, String monitor, String condition) {
        List<String> out = new ArrayList<>();
        for (CondWaiter w :
                conditions.getOrDefault(new CondKey(namespace, monitor, condition), List.of())) {
            out.add(w.describe());
        }
        return out;
    }

    private boolean removeWaiter(CondWaiter w) {
        List<CondWaiter> q = conditions.get(w.key);
        boolean removed = q != null && q.remove(w);
        if (removed && q.isEmpty()) {
            conditions.remove(w.key);
        }
        return removed;
    }

    /** A new entry at the tail, with the next token; the engine hands over its grant. */
    private void moveToEntryQueue(CondWaiter w, Consumer<Entry> granted) {
        Entry e = append(w.session, w.reentry, w.sink, granted);
        w.moved = e;
        if (e.granted) {
            granted.accept(e); // nobody is waiting on this call's answer: deliver like any grant
        }
    }

    private void checkHolder(MemSession s, Entry holder, String monitor) {
        if (holder.session != s
                || !holder.granted
                || holder.kind != LeaseKind.MONITOR
                || !holder.name.equals(monitor)
                || !contains(holder)) {
            throw new NotHolderException(
                    "entry "
                            + holder.describe()
                            + " is not the holder of monitor \""
                            + monitor
                            + "\"");
        }
    }

    /**
     * Removes every entry of {@code s}, granting the next waiters of each queue it leaves. Caller
     * holds the engine lock.
     *
     * @param dropped takes the removed entries that were waiting
     * @param droppedWaiters takes the removed waiters of monitor conditions
     * @param granted takes every entry granted by this call
     */
    void removeAllOf(
            MemSession s,
            List<Entry> dropped,
            List<CondWaiter> droppedWaiters,
            Consumer<Entry> granted) {
        for (Iterator<List<CondWaiter>> it = conditions.values().iterator(); it.hasNext(); ) {
            List<CondWaiter> q = it.next();
            for (Iterator<CondWaiter> wi = q.iterator(); wi.hasNext(); ) {
                CondWaiter w = wi.next();
                if (w.session == s) {
                    wi.remove();
                    droppedWaiters.add(w);
                }
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
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
                    LeaseKind.MUTEX,
                    LeaseKind.SEMAPHORE,
                    LeaseKind.WRITE,
                    LeaseKind.LEADERSHIP,
                    LeaseKind.MONITOR
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
        conditions.clear();
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
