package dev.baton.spring.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code baton.*} properties. Unset durations and names take Baton's own defaults ({@link
 * dev.baton.BatonConfig}); every value is validated when the client is built, and a bad one stops
 * the application naming the property.
 */
@ConfigurationProperties("baton")
public class BatonProperties {

    /** Whether to create the Baton client and its advice. */
    private boolean enabled = true;

    /**
     * The engine: zookeeper://host:port[,host:port...][/namespace], redis://host:port (with
     * baton-redis), embedded (an in-process single-node ZooKeeper, for development), or mem:name
     * (in-JVM, for tests).
     */
    private String connect = "embedded";

    /**
     * Lease TTL (on ZooKeeper the session timeout): how soon a dead instance's locks and leadership
     * pass to another. Between 1s and 10m; default 5s.
     */
    private Duration leaseTtl;

    /**
     * Subtracted from every lease deadline, so the holder learns of a loss before the engine can
     * grant the name elsewhere. Default a tenth of the lease TTL.
     */
    private Duration safetyMargin;

    /** How long connecting may take at startup. Default 5s. */
    private Duration connectTimeout;

    /**
     * Engine namespace (ZooKeeper root, Redis key prefix) unless the URI names one. Default baton.
     */
    private String namespace;

    /**
     * Prefix of this instance's client id, shown as the holder of its locks: 1-64 characters of
     * [A-Za-z0-9._@-]. Default pid@host.
     */
    private String clientName;

    private final Locked locked = new Locked();

    private final Leader leader = new Leader();

    /** The {@code baton.locked.*} properties. */
    public static class Locked {
        /** How long a @Locked method waits for its lock when it names no waitFor. */
        private Duration wait = Duration.ofSeconds(30);

        /**
         * Order of the @Locked advice. Lower runs outside: the default is outside
         * {@code @Transactional} (whose order is Integer.MAX_VALUE), so the lock is released after
         * the commit.
         */
        private int order = BatonAutoConfiguration.DEFAULT_ADVICE_ORDER;

        public Duration getWait() {
            return wait;
        }

        public void setWait(Duration wait) {
            this.wait = wait;
        }

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }
    }

    /** The {@code baton.leader.*} properties. */
    public static class Leader {
        /**
         * The election of @LeaderOnly methods that name none. Default leader/ followed by
         * spring.application.name, or leader/application.
         */
        private String election;

        public String getElection() {
            return election;
        }

        public void setElection(String election) {
            this.election = election;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getConnect() {
        return connect;
    }

    public void setConnect(String connect) {
        this.connect = connect;
    }

    public Duration getLeaseTtl() {
        return leaseTtl;
    }

    public void setLeaseTtl(Duration leaseTtl) {
        this.leaseTtl = leaseTtl;
    }

    public Duration getSafetyMargin() {
        return safetyMargin;
    }

    public void setSafetyMargin(Duration safetyMargin) {
        this.safetyMargin = safetyMargin;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getClientName() {
        return clientName;
    }

    public void setClientName(String clientName) {
        this.clientName = clientName;
    }

    public Locked getLocked() {
        return locked;
    }

    public Leader getLeader() {
        return leader;
    }
}
