package dev.baton.samples.scheduler;

import dev.baton.FencedLease;
import dev.baton.spring.BatonLocks;
import dev.baton.spring.LeaderOnly;
import java.time.Duration;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Settles once a second on the copy that leads the {@code settlement} election; on every other copy
 * a tick returns at once. Each run journals {@code start}, works, and journals {@code end}, under
 * the leadership's fencing token.
 *
 * <p>If leadership is lost mid-run, the starter interrupts the work, the run ends without its
 * {@code end} line, and the call fails with {@link dev.baton.LeaseLostException} (logged by the
 * scheduler). A copy frozen mid-run past its lease wakes to find the lease lost: the journal
 * refuses its {@code end} line. Runs of one copy never overlap: ticks and the run at election
 * ({@link SettleWhenElected}) take turns on this object's monitor.
 */
@Component
public class SettlementJob {
    /** The election whose leader settles. */
    public static final String ELECTION = "settlement";

    private final SettlementJournal journal;
    private final Duration work;

    public SettlementJob(SettlementJournal journal, SampleProperties properties) {
        this.journal = journal;
        this.work = properties.work();
    }

    @Scheduled(fixedDelay = 1000)
    @LeaderOnly(ELECTION)
    public synchronized void settle() {
        FencedLease leadership = BatonLocks.current().orElseThrow();
        journal.append("start", leadership);
        try {
            Thread.sleep(work.toMillis()); // the settlement's work
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // leadership lost (or shutting down): the run did not finish, no end line
        }
        journal.append("end", leadership);
    }
}
