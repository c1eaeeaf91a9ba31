package dev.baton.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.LeaseKind;
import dev.baton.LockSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's JSON form of a lock (LockJson, with LockView's names) back into a {@link
 * LockSnapshot}. A holder that is a lease of a gateway session whose client named itself is shown
 * under that name ({@code "client"}: a Java client's Baton client id), so that holders read as the
 * library's; any other holder keeps the engine's client id (the gateway's own, or a library
 * client's beside the gateway).
 */
final class Snapshots {
    private Snapshots() {}

    static LockSnapshot of(JsonNode lock) {
        List<LockSnapshot.Holder> holders = new ArrayList<>();
        for (JsonNode h : lock.path("holders")) {
            String client =
                    h.hasNonNull("client") ? h.get("client").asText() : h.path("clientId").asText();
            holders.add(
                    new LockSnapshot.Holder(
                            client,
                            LeaseKind.valueOf(h.path("kind").asText()),
                            h.path("permits").asInt(1),
                            h.path("token").asLong(-1),
                            h.hasNonNull("since") ? Instant.parse(h.get("since").asText()) : null));
        }
        return new LockSnapshot(lock.path("name").asText(), holders, lock.path("waiters").asInt());
    }
}
