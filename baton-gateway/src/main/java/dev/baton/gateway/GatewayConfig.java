package dev.baton.gateway;

import dev.baton.Baton;
import dev.baton.InvalidArgumentException;
import dev.baton.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Gateway} runs: the Baton client it serves, where it listens, who may use it.
 * Immutable and checked when built; the gateway never closes the client (its caller does, after
 * {@link Gateway#close()}).
 */
public final class GatewayConfig {
    /** Session TTLs a client may ask for. */
    public static final Duration MIN_TTL = Duration.ofSeconds(1);

    public static final Duration MAX_TTL = Duration.ofHours(1);

    private final Baton baton;
    private final String bind;
    private final int port;
    private final AccessRules auth;
    private final Duration maxWait;
    private final int eventHistory;
    private final int maxMonitorWaits;
    private final Ticker ticker;

    /** The default of {@link Builder#maxMonitorWaits}. */
    public static final int DEFAULT_MAX_MONITOR_WAITS = 256;

    private GatewayConfig(Builder b) {
        this.baton = b.baton;
        this.bind = b.bind;
        this.port = b.port;
        this.auth = b.auth;
        this.maxWait = b.maxWait;
        this.eventHistory = b.eventHistory;
        this.maxMonitorWaits = b.maxMonitorWaits;
        this.ticker = b.ticker;
    }

    public static Builder builder(Baton baton) {
        return new Builder(Objects.requireNonNull(baton, "baton"));
    }

    public Baton baton() {
        return baton;
    }

    /** The address to listen on; loopback unless access rules are given. */
    public String bind() {
        return bind;
    }

    /** The port; 0 = any free one ({@link Gateway#port()} tells which). */
    public int port() {
        return port;
    }

    public Optional<AccessRules> auth() {
        return Optional.ofNullable(auth);
    }

    /** The longest {@code "wait"} an acquire may ask for (a long poll; default 60 s). */
    public Duration maxWait() {
        return maxWait;
    }

    /** How many watch events are kept for {@code Last-Event-ID} resumption (default 10,000). */
    public int eventHistory() {
        return eventHistory;
    }

    /**
     * How many monitor waits the gateway carries at once, from an await's first step until its
     * wake-up is answered (default {@value #DEFAULT_MAX_MONITOR_WAITS}); also the most threads that
     * make blocking monitor calls (an await's first step, a time-up, a signal) at once. One more is
     * refused with 429 {@code too-many-waits}.
     */
    public int maxMonitorWaits() {
        return maxMonitorWaits;
    }

    public Ticker ticker() {
        return ticker;
    }

    public static final class Builder {
        private final Baton baton;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private AccessRules auth;
        private Duration maxWait = Duration.ofSeconds(60);
        private int eventHistory = 10_000;
        private int maxMonitorWaits = DEFAULT_MAX_MONITOR_WAITS;
        private Ticker ticker = Ticker.system();

        private Builder(Baton baton) {
            this.baton = baton;
        }

        public Builder bind(String bind) {
            this.bind = Objects.requireNonNull(bind, "bind");
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw InvalidArgumentException.mustBe("port", "between 0 and 65535", port);
            }
            this.port = port;
            return this;
        }

        /** Bearer tokens and their rules; without them the gateway listens on loopback only. */
        public Builder auth(AccessRules auth) {
            this.auth = auth;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            if (maxWait.isNegative()) {
                throw InvalidArgumentException.mustBe("maxWait", "non-negative", maxWait);
            }
            this.maxWait = maxWait;
            return this;
        }

        public Builder eventHistory(int events) {
            if (events < 1) {
                throw InvalidArgumentException.mustBe("eventHistory", "at least 1", events);
            }
            this.eventHistory = events;
            return this;
        }

        /** See {@link GatewayConfig#maxMonitorWaits()}; at least 1. */
        public Builder maxMonitorWaits(int waits) {
            if (waits < 1) {
                throw InvalidArgumentException.mustBe("maxMonitorWaits", "at least 1", waits);
            }
            this.maxMonitorWaits = waits;
            return this;
        }

        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * @throws InvalidArgumentException if {@code bind} is not an address of this machine's
         *     loopback and no access rules were given (an open lock service on the network)
         */
        public GatewayConfig build() {
            checkBind(bind, auth != null);
            return new GatewayConfig(this);
        }
    }

    /**
     * The rule {@link Builder#build()} applies, for callers that check their input before they
     * connect to an engine ({@code baton serve}): {@code bind} must resolve, and without access
     * rules it must be a loopback address (an open lock service on the network is refused).
     *
     * @throws InvalidArgumentException naming the address and the rule
     */
    public static void checkBind(String bind, boolean withAccessRules) {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw InvalidArgumentException.mustBe("bind", "a resolvable address", bind);
        }
        if (!withAccessRules && !address.isLoopbackAddress()) {
            throw new InvalidArgumentException(
                    "bind \""
                            + bind
                            + "\" is not loopback: without access rules (--auth FILE) the"
                            + " gateway listens on loopback only");
        }
    }
}
