package dev.baton.spring;

import dev.baton.Baton;
import dev.baton.Candidacy;
import dev.baton.FencedLease;
import dev.baton.Names;
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

    private final Baton baton;
    private final ApplicationEventPublisher events;
    private final Set<String> declared;
    private final Map<String, Campaign> campaigns = new ConcurrentHashMap<>();
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

    /** Joins {@code election} if this instance is not yet a candidate. */
    public void join(String election) {
        Names.validate(election);
        campaigns.computeIfAbsent(election, this::campaign);
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

    /** The lease this instance leads {@code election} under, if it leads it now. */
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

    @Override
    public void stop() {
        running = false;
        for (Campaign c : campaigns.values()) {
            c.candidacy.close();
        }
        campaigns.clear();
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
            try {
                events.publishEvent(new LeadershipGranted(election, leadership));
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lease = null;
                log.info(
                        "no longer leading \"{}\" (token {}): {}",
                        election,
                        leadership.fencingToken(),
                        leadership.state());
                events.publishEvent(new LeadershipRevoked(election, leadership.fencingToken()));
            }
        }
    }
}
