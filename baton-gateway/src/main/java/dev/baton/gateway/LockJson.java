package dev.baton.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.LockSnapshot;
import java.time.Instant;

/**
 * The one JSON form of a lock snapshot, shared by {@code GET /v1/locks}, lock events on watch
 * streams and {@code baton locks --json}: name, waiters, and per holder its client, kind, permits,
 * fencing token (-1 where the backend has none), time held and since when.
 */
public final class LockJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private LockJson() {}

    public static ObjectNode of(LockSnapshot s, Instant now) {
        ObjectNode o = MAPPER.createObjectNode().put("name", s.name()).put("waiters", s.waiters());
        ArrayNode holders = o.putArray("holders");
        for (LockSnapshot.Holder h : s.holders()) {
            ObjectNode j =
                    holders.addObject()
                            .put("clientId", h.clientId())
                            .put("kind", h.kind().name())
                            .put("permits", h.permits())
                            .put("token", h.fencingToken())
                            .put("heldForMs", h.heldFor(now).toMillis());
            if (h.since() != null) {
                j.put("since", h.since().toString());
            }
        }
        return o;
    }
}
