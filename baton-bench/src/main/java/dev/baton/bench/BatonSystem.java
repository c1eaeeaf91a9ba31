package dev.baton.bench;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.LockTimeoutException;
import java.time.Duration;

/**
 * Baton's {@link dev.baton.Mutex} on any engine Baton connects to ({@code redis://}, {@code
 * zookeeper://}), with the default configuration a user gets: one {@link Baton} per client
 * instance.
 */
public final class BatonSystem implements LockSystem {
    private final String uri;
    private final String backend;

    /**
     * @param uri what {@link Baton#connect(String, BatonConfig)} accepts
     * @param backend the {@code backend} column
     */
    public BatonSystem(String uri, String backend) {
        this.uri = uri;
        this.backend = backend;
    }

    @Override
    public String name() {
        return "baton";
    }

    @Override
    public String backend() {
        return backend;
    }

    @Override
    public Client client() {
        Baton baton = Baton.connect(uri, BatonConfig.defaults());
        return new Client() {
            @Override
            public Held acquire(String key, Duration timeout) {
                FencedLease lease;
                try {
                    lease = baton.mutex(key).acquire(timeout);
                } catch (LockTimeoutException e) {
                    return null;
                }
                return lease::release;
            }

            @Override
            public void close() {
                baton.close();
            }
        };
    }
}
