package dev.baton.samples.scheduler;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import dev.baton.Names;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Task locks this instance holds on behalf of HTTP clients: a Baton mutex {@code tasks/<task>} per
 * task, held from {@link #acquire} until {@link #release} (or until the lease is lost, when it is
 * dropped from {@link #held()} and logged), released when the application stops.
 *
 * <p>Thread-safe: the mutex itself keeps two acquisitions of one task apart, across threads and
 * instances; {@code held} is a concurrent map that only holds live leases.
 */
@Service
public class TaskLocks {
    /** Task locks are named {@code tasks/<task>}. */
    public static final String DIRECTORY = "tasks";

    private static final Logger log = LoggerFactory.getLogger(TaskLocks.class);

    private final Baton baton;
    private final ConcurrentMap<String, FencedLease> held = new ConcurrentHashMap<>();

    public TaskLocks(Baton baton) {
        this.baton = baton;
    }

    /**
     * The lock name of {@code task}.
     *
     * @throws dev.baton.InvalidNameException naming the input and the rule
     */
    public static String lockName(String task) {
        return Names.validate(DIRECTORY + "/" + task);
    }

    /**
     * Tries once to take {@code task}'s lock for this instance; empty if anyone holds it (this
     * instance included).
     *
     * @throws dev.baton.InvalidNameException if {@code task} makes no valid name
     */
    public Optional<FencedLease> acquire(String task) {
        Optional<FencedLease> granted = baton.mutex(lockName(task)).tryAcquire();
        granted.ifPresent(
                lease -> {
                    held.put(task, lease);
                    lease.lost()
                            .thenAccept(
                                    loss -> {
                                        if (held.remove(task, lease)) {
                                            log.warn(
                                                    "lost {} (token {}): {}",
                                                    lease.name(),
                                                    lease.fencingToken(),
                                                    loss);
                                        }
                                    });
                });
        return granted;
    }

    /**
     * Releases {@code task}'s lock if this instance holds it.
     *
     * @return whether this instance held it (and now released it)
     * @throws dev.baton.InvalidNameException if {@code task} makes no valid name
     */
    public boolean release(String task) {
        lockName(task);
        FencedLease lease = held.remove(task);
        return lease != null && lease.release();
    }

    /** The task locks this instance holds, by task. */
    public Map<String, FencedLease> held() {
        return Map.copyOf(held);
    }

    /** The engine's view of {@code task}'s lock, if anyone holds or waits for it. */
    public Optional<LockSnapshot> inspect(String task) {
        return baton.inspect(lockName(task));
    }

    /** Every task lock the engine knows of, held or waited for by any instance. */
    public List<LockSnapshot> all() {
        return baton.locks(DIRECTORY);
    }

    /** This instance's identity, as other instances see it holding locks. */
    public String clientId() {
        return baton.clientId();
    }
}
