package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.LockSnapshot;
import java.time.Instant;

/**
 * Lock snapshots as the gateway shows them. The engine sees one holder for every HTTP client, the
 * gateway's own Baton client, which tells an operator nothing; so a holder that is a lease of one
 * of this gateway's sessions also names the {@code session} and its {@code owner} (the token id
 * that created it, "" without access rules), and its {@code client} if the session was created with
 * one (a Java client of the gateway gives its Baton client id, so that it can name holders as the
 * library does). Otherwise {@link LockJson}'s form, unchanged.
 *
 * <p>A holder shown at the very moment of its grant may lack the two fields: the engine reports the
 * grant before the session has taken the lease in.
 */
final class LockView {
    private final String clientId;
    private final Sessions sessions;

    LockView(String clientId, Sessions sessions) {
        this.clientId = clientId;
        this.sessions = sessions;
    }

    ObjectNode of(LockSnapshot s, Instant now) {
        ObjectNode o = LockJson.of(s, now);
        for (JsonNode h : o.withArray("holders")) {
            if (clientId.equals(h.path("clientId").asText())) {
                sessions.holding(s.name(), h.path("token").asLong())
                        .ifPresent(held -> name((ObjectNode) h, held.session()));
            }
        }
        return o;
    }

    /** Names the holder by its session, and by the session's client name if it gave one. */
    private static void name(ObjectNode holder, Session s) {
        holder.put("session", s.id).put("owner", s.owner);
        if (s.client != null) {
            holder.put("client", s.client);
        }
    }
}
