package dev.baton.spring.boot3;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LeaseState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code baton} health indicator reports, the same on Boot 3 and Boot 4 (whose health
 * types differ): the client, its leases and those in doubt, after one read from the engine.
 */
public final class BatonHealthCheck {
    /** A name no application uses: reading it costs one round trip and holds nothing. */
    static final String PROBE = "baton-health/probe";

    private BatonHealthCheck() {}

    /**
     * The details of a healthy client.
     *
     * @throws RuntimeException (a {@link dev.baton.BackendUnavailableException} as a rule) if the
     *     engine does not answer: the indicator is then DOWN
     */
    public static Map<String, Object> check(Baton baton) {
        List<FencedLease> leases = baton.leases();
        long inDoubt = leases.stream().filter(l -> l.state() == LeaseState.IN_DOUBT).count();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("uri", baton.uri());
        details.put("client", baton.clientId());
        details.put("leases", leases.size());
        details.put("inDoubt", inDoubt);
        baton.inspect(PROBE);
        return details;
    }
}
