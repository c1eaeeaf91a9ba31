package dev.baton.spring;

import dev.baton.Baton;
import dev.baton.Candidacy;
import dev.baton.FencedLease;
import dev.baton.Names;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * This instance's candidacies in Baton elections: what {@link LeaderOnly} asks before it runs a
 * job. It joins every election a {@code @LeaderOnly} method names when the application starts (and
 * any other on first use), publishes {@link LeadershipGranted} and {@link LeadershipRevoked}, and
 * leaves the elections when the application stops, so a successor is elected at once rather than
 * after the lease TTL.
 *
 * <p>Threads: each candidacy leads on a thread of Baton's own ({@link dev.baton.LeaderTask}), which
 * publishes the events; listeners run there, so a slow listener delays that term's start, never
 * another election. {@code campaigns} is a concurrent map; a campaign's lease is written by its
 * leading thread and read by any (volatile).
 */
public class BatonLeadership implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(BatonLeadership.class);

    /** How long {@link #stop()} waits for interrupted runs to return before leaving anyway. */
    private static final long STOP_WAIT_MILLIS = 10_000;

    private final Baton baton;
    private final ApplicationEventPublisher events;
    private final Set<String> declared;
    private final Map<String, Campaign> campaigns = new ConcurrentHashMap<>();
    private boolean stopped; // guarded by this, with the membership of campaigns
    private volatile boolean running;

    /**
     * @param declared the elections to join at start (those the {@code @LeaderOnly} methods name);
     *     read at {@link #start()}
     */
    public BatonLeadership(Baton baton, ApplicationEventPublisher events, Set<String> declared) {
        this.baton = baton;
        this.events = events;
        this.declared = declared;
    }

    /**
     * Joins {@code election} if this instance is not yet a candidate; does nothing once the
     * application is stopping (a job firing then must not start a candidacy nobody closes).
     */
    public void join(String election) {
        Names.validate(election);
        if (campaigns.containsKey(election)) {
            return;
        }
        synchronized (this) {
            if (!stopped) {
                campaigns.computeIfAbsent(election, this::campaign);
            }
        }
    }

    private Campaign campaign(String election) {
        Campaign c = new Campaign(election);
        c.candidacy = baton.election(election).join(c::lead);
        log.info("joined the election \"{}\" as {}", election, baton.clientId());
        return c;
    }

    /** Whether this instance leads {@code election} now, with its lease held. */
    public boolean isLeader(String election) {
        return leadership(election).isPresent();
    }

    /**
     * The lease this instance leads {@code election} under, if it leads it now (never once the
     * application is stopping).
     */
    public Optional<FencedLease> leadership(String election) {
        Campaign c = campaigns.get(election);
        FencedLease lease = c != null ? c.lease : null;
        return lease != null && lease.isHeld() ? Optional.of(lease) : Optional.empty();
    }

    /** The elections this instance is a candidate in. */
    public Set<String> elections() {
        return new TreeSet<>(campaigns.keySet());
    }

    @Override
    public void start() {
        running = true;
        declared.forEach(this::join);
    }

    /**
     * Leaves every election. Runs in progress are interrupted and waited for (at most 10 s) before
     * leadership is given up, so that a successor, elected at once, never overlaps them; a run
     * still going after that fails with {@link dev.baton.LeaseInvalidException} when it returns.
     */
    @Override
    public void stop() {
        running = false;
        List<Campaign> leaving;
        synchronized (this) {
            stopped = true;
            leaving = List.copyOf(campaigns.values());
            campaigns.clear(); // no new run starts: leadership() is empty from here
        }
        long deadline = System.nanoTime() + STOP_WAIT_MILLIS * 1_000_000;
        for (Campaign c : leaving) {
            FencedLease lease = c.lease;
            if (lease != null) {
                for (Section run : LossWatch.open(lease)) {
                    run.interrupt();
                    try {
                        long left = (deadline - System.nanoTime()) / 1_000_000;
                        if (!run.awaitClosed(Math.max(0, left))) {
                            log.warn(
                                    "a run under the leadership of \"{}\" did not return in time;"
                                            + " leaving the election anyway",
                                    c.election);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            c.candidacy.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** One election: its candidacy and, while leading, the lease. */
    private final class Campaign {
        private final String election;
        private volatile Candidacy candidacy;
        private volatile FencedLease lease;

        Campaign(String election) {
            this.election = election;
        }

        /** Holds leadership until Baton interrupts this thread (lease lost, candidacy closed). */
        void lead(FencedLease leadership) {
            lease = leadership;
            log.info("leading \"{}\" (token {})", election, leadership.fencingToken());
            boolean interrupted = false;
            try {
                publish(new LeadershipGranted(election, leadership));
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                lease = null;
                LossWatch.forget(leadership);
                log.info(
                        "no longer leading \"{}\" (token {}): {}",
                        election,
                        leadership.fencingToken(),
                        leadership.state());
                publish(new LeadershipRevoked(election, leadership.fencingToken()));
                if (interrupted) {
                    Thread.currentThread().interrupt(); // after the listeners ran, for Baton
                }
            }
        }

        /** A listener that fails must not end the term, nor stop the revocation's delivery. */
        private void publish(Object event) {
            try {
                events.publishEvent(event);
            } catch (RuntimeException e) {
                log.warn("a listener of {} failed", event.getClass().getSimpleName(), e);
            }
        }
    }
}
