package dev.baton.samples.scheduler;

import dev.baton.spring.LeadershipGranted;
import java.time.Instant;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * A newly elected leader settles at once rather than at its next tick, so that failover takes the
 * lease TTL and not up to a second more.
 */
@Component
public class SettleWhenElected {
    private final SettlementJob job;
    private final TaskScheduler scheduler;

    public SettleWhenElected(SettlementJob job, TaskScheduler scheduler) {
        this.job = job;
        this.scheduler = scheduler;
    }

    /** Runs on Baton's leadership thread: hands the run to the scheduler and returns. */
    @EventListener
    public void onElected(LeadershipGranted granted) {
        if (granted.election().equals(SettlementJob.ELECTION)) {
            scheduler.schedule(job::settle, Instant.now());
        }
    }
}
