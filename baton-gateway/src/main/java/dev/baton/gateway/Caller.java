package dev.baton.gateway;

/**
 * Who sent a request: a token's grantee, or anyone when the gateway runs without access rules
 * (loopback only). Sessions belong to the caller that created them; another caller (not admin)
 * finds neither them nor their leases (404, as if absent: ids are not probed).
 */
final class Caller {
    static final Caller ANYONE = new Caller(null);

    private final AccessRules.Grantee grantee;

    Caller(AccessRules.Grantee grantee) {
        this.grantee = grantee;
    }

    /** The token id, "" for anyone. */
    String id() {
        return grantee == null ? "" : grantee.id();
    }

    /** Throws 403 unless this caller may do {@code p} on {@code name} (a name or a prefix). */
    void require(Permission p, String name) {
        if (grantee != null && !grantee.allows(p, name)) {
            throw new ApiException(
                    403,
                    "forbidden",
                    "token \""
                            + grantee.id()
                            + "\" may not "
                            + p.label()
                            + " \""
                            + name
                            + "\" (no rule for that prefix allows it)");
        }
    }

    boolean owns(Session s) {
        return grantee == null || grantee.isAdmin() || s.owner.equals(grantee.id());
    }
}
