package dev.baton.mem;

import dev.baton.BatonConfig;
import dev.baton.LeaseLoss;
import dev.baton.Ticker;
import dev.baton.spi.BackendContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A core stand-in for driving a {@link MemBackend} directly: records the session signals it gets,
 * in order ("suspended", "confirmed", "lost SESSION_EXPIRED", "grant lost …").
 */
final class RecordingContext implements BackendContext {
    final List<String> signals = new CopyOnWriteArrayList<>();
    private final BatonConfig config;
    private final String clientId;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "recording-context-scheduler");
                        t.setDaemon(true);
                        return t;
                    });

    RecordingContext(String clientId, BatonConfig config) {
        this.clientId = clientId;
        this.config = config;
    }

    @Override
    public BatonConfig config() {
        return config;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String namespace() {
        return BatonConfig.DEFAULT_NAMESPACE;
    }

    @Override
    public Ticker ticker() {
        return Ticker.system();
    }

    @Override
    public Executor blockingExecutor() {
        return Runnable::run;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void grantLost(Object grant, LeaseLoss.Reason reason, String detail) {
        signals.add("grant lost " + reason);
    }

    @Override
    public void sessionSuspended() {
        signals.add("suspended");
    }

    @Override
    public void sessionConfirmed(long sentAtNanos) {
        signals.add("confirmed");
    }

    @Override
    public void sessionLost(LeaseLoss.Reason reason, String detail) {
        signals.add("lost " + reason);
    }

    @Override
    public void engineUnreachable() {
        signals.add("unreachable");
    }

    @Override
    public void engineReachable() {
        signals.add("reachable");
    }
}
