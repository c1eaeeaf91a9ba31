package dev.baton.gateway;

/**
 * A request the gateway answers with an error: the HTTP status, a stable machine-readable code
 * (kebab-case, documented in docs/GATEWAY.md) and a one-line message that names the offending input
 * and the rule. Thrown before anything is changed, unless the message says otherwise.
 */
final class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    static ApiException notFound(String what, String id) {
        return new ApiException(404, "not-found", "no " + what + " \"" + id + "\"");
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
