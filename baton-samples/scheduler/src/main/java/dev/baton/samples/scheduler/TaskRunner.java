package dev.baton.samples.scheduler;

import dev.baton.FencedLease;
import dev.baton.spring.BatonLocks;
import dev.baton.spring.Locked;
import dev.baton.spring.OnBusy;
import org.springframework.stereotype.Component;

/**
 * Runs a task once under its lock, across every instance: the short-lived counterpart of holding a
 * task lock over HTTP ({@link TaskLocks}). Fails at once with {@link
 * dev.baton.LockTimeoutException} when anyone holds the task.
 */
@Component
public class TaskRunner {

    /** What one run did, and under which lease. */
    public record Run(String task, String lock, long token, String holder) {}

    @Locked(name = TaskLocks.DIRECTORY + "/#{#task}", onBusy = OnBusy.FAIL)
    public Run run(String task) {
        FencedLease lease = BatonLocks.current().orElseThrow();
        lease.ensureValid(); // a real task passes lease.fencingToken() to what it writes
        return new Run(task, lease.name(), lease.fencingToken(), lease.holder());
    }
}
