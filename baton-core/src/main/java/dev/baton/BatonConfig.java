package dev.baton;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Immutable client configuration. Build with {@link #custom()}; every value is validated when set,
 * and setting a value twice is rejected (it is almost always a mistake).
 */
public final class BatonConfig {
    /** Lease TTL; on ZooKeeper, the session timeout requested. Fails over in seconds. */
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(5);

    /** How long connecting may take before {@link BackendUnavailableException}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Per-subscription watch queue bound. */
    public static final int DEFAULT_WATCH_QUEUE_CAPACITY = 1024;

    /** Engine namespace (ZooKeeper root path, Redis key prefix) unless the URI names one. */
    public static final String DEFAULT_NAMESPACE = "baton";

    private static final BatonConfig DEFAULTS = custom().build();

    private final Duration leaseTtl;
    private final Duration safetyMargin;
    private final Duration connectTimeout;
    private final String clientName;
    private final String namespace;
    private final int watchQueueCapacity;
    private final Ticker ticker;
    private final Executor callbackExecutor;
    private final LeaseListener leaseListener;

    /**
     * The values set explicitly (null where defaulted or derived), for {@link #toBuilder()}; a
     * private copy, never handed out.
     */
    private final Builder explicit;

    private BatonConfig(Builder b) {
        this.explicit = b.copy();
        this.leaseTtl = b.leaseTtl != null ? b.leaseTtl : DEFAULT_LEASE_TTL;
        this.safetyMargin =
                b.safetyMargin != null ? b.safetyMargin : defaultSafetyMargin(this.leaseTtl);
        Duration minMargin = minimumSafetyMargin(leaseTtl);
        if (safetyMargin.compareTo(minMargin) < 0) {
            throw InvalidArgumentException.mustBe(
                    "safetyMargin",
                    "at least " + minMargin.toMillis() + " ms (1% of leaseTtl, and at least 10 ms)",
                    safetyMargin);
        }
        if (safetyMargin.compareTo(leaseTtl.dividedBy(2)) > 0) {
            throw InvalidArgumentException.mustBe(
                    "safetyMargin", "at most half of leaseTtl (" + leaseTtl + ")", safetyMargin);
        }
        this.connectTimeout = b.connectTimeout != null ? b.connectTimeout : DEFAULT_CONNECT_TIMEOUT;
        this.clientName = b.clientName != null ? b.clientName : defaultClientName();
        this.namespace = b.namespace;
        this.watchQueueCapacity =
                b.watchQueueCapacity != null ? b.watchQueueCapacity : DEFAULT_WATCH_QUEUE_CAPACITY;
        this.ticker = b.ticker != null ? b.ticker : Ticker.system();
        this.callbackExecutor = b.callbackExecutor;
        this.leaseListener = b.leaseListener != null ? b.leaseListener : LeaseListener.NONE;
    }

    /**
     * The default margin: a tenth of the TTL. It covers clock-rate drift between client and engine
     * (parts per million) with a wide allowance, and gives the holder time to act on the signal
     * before the engine can grant the name elsewhere.
     */
    static Duration defaultSafetyMargin(Duration ttl) {
        return ttl.dividedBy(10);
    }

    /**
     * Below this the margin no longer covers clock-rate drift and the deadline check's period (at
     * most 100 ms, at least 5 ms).
     */
    static Duration minimumSafetyMargin(Duration ttl) {
        Duration onePercent = ttl.dividedBy(100);
        Duration floor = Duration.ofMillis(10);
        return onePercent.compareTo(floor) > 0 ? onePercent : floor;
    }

    private static String defaultClientName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            host = "localhost";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }

    /**
     * The configuration {@link Baton#connect(String)} uses: a {@value #DEFAULT_WATCH_QUEUE_CAPACITY
     * }-event watch queue, a 5 s lease TTL with a tenth of it as safety margin, a 5 s connect
     * timeout, the client name {@code pid@host} and Baton's own callback threads.
     *
     * @return the shared default configuration (immutable)
     */
    public static BatonConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a configuration from the defaults; set only what differs.
     *
     * @return a new builder on which each value may be set once
     */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * A builder holding only the values that were set explicitly on this configuration's builder.
     * Defaults and derived values are not carried over: at {@link Builder#build()} they are derived
     * again from the builder's values, so a new {@code leaseTtl} gets its own default safety margin
     * (a tenth of it) and the client name is derived anew ({@code pid@host}). An explicitly set
     * value stays explicit: a safety margin set before is kept and validated against the new TTL,
     * and rejected if it no longer fits. Values carried over may be set again on the returned
     * builder, which overrides them.
     *
     * @return a new builder with this configuration's explicit values
     */
    public Builder toBuilder() {
        return explicit.copy();
    }

    /**
     * How long a lease lives without renewal: how long the engine keeps a silent (crashed or cut
     * off) holder's grant before it can go to another client, hence the failover time.
     *
     * @return the lease TTL ({@link #DEFAULT_LEASE_TTL} unless set)
     */
    public Duration leaseTtl() {
        return leaseTtl;
    }

    /**
     * Subtracted from every lease deadline, so that the holder hears of a loss before the engine
     * can grant the name elsewhere; see {@link Lease}.
     *
     * @return the margin (a tenth of the lease TTL unless set)
     */
    public Duration safetyMargin() {
        return safetyMargin;
    }

    /**
     * How long {@link Baton#connect} waits for the engine's first answer before it gives up with
     * {@link BackendUnavailableException}.
     *
     * @return the connect timeout ({@link #DEFAULT_CONNECT_TIMEOUT} unless set)
     */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * Human-readable prefix of the client id, so that an operator can tell from {@code baton locks}
     * which process holds what.
     *
     * @return the client name ({@code pid@host} unless set)
     */
    public String clientName() {
        return clientName;
    }

    /**
     * Namespace set in code, if any; a URI path takes precedence when both are given.
     *
     * @return the namespace, or empty to use the URI's or {@value #DEFAULT_NAMESPACE}
     */
    public Optional<String> namespace() {
        return Optional.ofNullable(namespace);
    }

    /**
     * How many events one subscription may have waiting for its listener. A listener slower than
     * the changes overflows it; the subscription then drops the queue and delivers a RESYNC instead
     * of growing without bound.
     *
     * @return the capacity ({@value #DEFAULT_WATCH_QUEUE_CAPACITY} unless set)
     */
    public int watchQueueCapacity() {
        return watchQueueCapacity;
    }

    /**
     * The clock lease deadlines are measured with: monotonic time, injected so that tests can move
     * it by hand.
     *
     * @return the ticker ({@link Ticker#system()} unless set)
     */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * Executor for user callbacks.
     *
     * @return the executor set, or empty for Baton's own daemon pool
     */
    public Optional<Executor> callbackExecutor() {
        return Optional.ofNullable(callbackExecutor);
    }

    /**
     * The observer of this client's leases.
     *
     * @return the listener ({@link LeaseListener#NONE} unless set)
     */
    public LeaseListener leaseListener() {
        return leaseListener;
    }

    @Override
    public String toString() {
        return "BatonConfig{leaseTtl="
                + leaseTtl
                + ", safetyMargin="
                + safetyMargin
                + ", connectTimeout="
                + connectTimeout
                + ", clientName="
                + clientName
                + ", namespace="
                + namespace
                + ", watchQueueCapacity="
                + watchQueueCapacity
                + "}";
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private Duration leaseTtl;
        private Duration safetyMargin;
        private Duration connectTimeout;
        private String clientName;
        private String namespace;
        private Integer watchQueueCapacity;
        private Ticker ticker;
        private Executor callbackExecutor;
        private LeaseListener leaseListener;
        private boolean fresh = true;

        private Builder() {}

        /**
         * Starts from this builder's values, which (as from {@link BatonConfig#toBuilder()}) may be
         * set again.
         */
        private Builder copy() {
            Builder c = new Builder();
            c.leaseTtl = leaseTtl;
            c.safetyMargin = safetyMargin;
            c.connectTimeout = connectTimeout;
            c.clientName = clientName;
            c.namespace = namespace;
            c.watchQueueCapacity = watchQueueCapacity;
            c.ticker = ticker;
            c.callbackExecutor = callbackExecutor;
            c.leaseListener = leaseListener;
            c.fresh = false;
            return c;
        }

        /**
         * Whether {@code clientName} was set (explicitly, or carried over by toBuilder); for tests.
         */
        boolean clientNameSet() {
            return clientName != null;
        }

        private void once(Object current, String what) {
            if (fresh && current != null) {
                throw new InvalidArgumentException(what + " was already set to " + current);
            }
        }

        /**
         * Lease TTL (ZooKeeper session timeout): at least 1 s, at most 10 minutes. Shorter fails
         * over faster after a crash; longer rides out longer pauses (GC, network) without losing
         * leases.
         *
         * @param ttl the TTL
         * @return this builder
         * @throws InvalidArgumentException if {@code ttl} is out of range or was already set
         */
        public Builder leaseTtl(Duration ttl) {
            once(leaseTtl, "leaseTtl");
            positive("leaseTtl", ttl);
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0
                    || ttl.compareTo(Duration.ofMinutes(10)) > 0) {
                throw InvalidArgumentException.mustBe("leaseTtl", "between 1s and 10m", ttl);
            }
            this.leaseTtl = ttl;
            return this;
        }

        /**
         * Safety margin subtracted from lease deadlines: at least 1% of the TTL (and 10 ms), at
         * most half of it; checked against the TTL at {@link #build()}.
         *
         * @param margin the margin
         * @return this builder
         * @throws InvalidArgumentException if {@code margin} is not positive or was already set
         */
        public Builder safetyMargin(Duration margin) {
            once(safetyMargin, "safetyMargin");
            positive("safetyMargin", margin);
            this.safetyMargin = margin;
            return this;
        }

        /**
         * How long connecting may take before {@link BackendUnavailableException}.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws InvalidArgumentException if {@code timeout} is not positive or was already set
         */
        public Builder connectTimeout(Duration timeout) {
            once(connectTimeout, "connectTimeout");
            positive("connectTimeout", timeout);
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Prefix of the client id: 1–64 characters of {@code [A-Za-z0-9._@-]}. Name the service or
         * pod, so that lock listings say who holds what.
         *
         * @param name the client name
         * @return this builder
         * @throws InvalidArgumentException if {@code name} breaks the rule or was already set
         */
        public Builder clientName(String name) {
            once(clientName, "clientName");
            if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw InvalidArgumentException.mustBe(
                        "clientName", "1-64 characters of [A-Za-z0-9._@-]", name);
            }
            this.clientName = name;
            return this;
        }

        /**
         * Engine namespace: separates applications sharing one engine, since names in different
         * namespaces never meet. A URI path, when given, takes precedence.
         *
         * @param ns a valid {@link Names name}
         * @return this builder
         * @throws InvalidNameException if {@code ns} breaks the {@link Names} rule
         * @throws InvalidArgumentException if it was already set
         */
        public Builder namespace(String ns) {
            once(namespace, "namespace");
            this.namespace = Names.validate(ns);
            return this;
        }

        /**
         * How many events one subscription may have waiting for its listener before it drops them
         * for a RESYNC.
         *
         * @param capacity between 1 and 1,000,000
         * @return this builder
         * @throws InvalidArgumentException if {@code capacity} is out of range or was already set
         */
        public Builder watchQueueCapacity(int capacity) {
            once(watchQueueCapacity, "watchQueueCapacity");
            if (capacity < 1 || capacity > 1_000_000) {
                throw InvalidArgumentException.mustBe(
                        "watchQueueCapacity", "between 1 and 1000000", capacity);
            }
            this.watchQueueCapacity = capacity;
            return this;
        }

        /**
         * The clock for lease deadlines; tests pass a fake one to move time by hand.
         *
         * @param t the ticker
         * @return this builder
         * @throws InvalidArgumentException if {@code t} is null or was already set
         */
        public Builder ticker(Ticker t) {
            once(ticker, "ticker");
            if (t == null) {
                throw InvalidArgumentException.mustBe("ticker", "non-null", null);
            }
            this.ticker = t;
            return this;
        }

        /**
         * Executor for user callbacks (lease-loss actions, async acquire continuations, watch
         * listeners). It must not be an engine I/O thread.
         *
         * @param executor the executor; Baton never shuts it down
         * @return this builder
         * @throws InvalidArgumentException if {@code executor} is null or was already set
         */
        public Builder callbackExecutor(Executor executor) {
            once(callbackExecutor, "callbackExecutor");
            if (executor == null) {
                throw InvalidArgumentException.mustBe("callbackExecutor", "non-null", null);
            }
            this.callbackExecutor = executor;
            return this;
        }

        /**
         * The observer of this client's leases (metrics, logs); see {@link LeaseListener} for the
         * thread it runs on and the order of its events.
         *
         * @param listener the listener
         * @return this builder
         * @throws InvalidArgumentException if {@code listener} is null or was already set
         */
        public Builder leaseListener(LeaseListener listener) {
            once(leaseListener, "leaseListener");
            if (listener == null) {
                throw InvalidArgumentException.mustBe("leaseListener", "non-null", null);
            }
            this.leaseListener = listener;
            return this;
        }

        /**
         * Builds the configuration, deriving what was not set (the safety margin from the TTL, the
         * client name from the process).
         *
         * @return the immutable configuration
         * @throws InvalidArgumentException if the safety margin does not fit the lease TTL
         */
        public BatonConfig build() {
            return new BatonConfig(this);
        }

        private static void positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw InvalidArgumentException.mustBe(what, "a positive duration", d);
            }
        }
    }
}
