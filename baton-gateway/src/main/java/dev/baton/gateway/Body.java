package dev.baton.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON request body, read strictly: it must be one object, every field must be one the route
 * knows (a misspelt {@code "wiat"} is an error, not a silently ignored option), and each field must
 * have its type. Errors name the field and the rule.
 */
final class Body {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode node;

    private Body(JsonNode node) {
        this.node = node;
    }

    /** Parses {@code text}, allowing only {@code fields}; an empty body is an empty object. */
    static Body parse(String text, Set<String> fields) {
        JsonNode node;
        try {
            node = text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(
                    "invalid-body",
                    "the body must be a JSON object: "
                            + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("invalid-body", "the body must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw ApiException.badRequest(
                        "invalid-body",
                        "unknown field \""
                                + f
                                + "\"; this request takes "
                                + String.join(", ", fields.stream().sorted().toList()));
            }
        }
        return new Body(node);
    }

    Optional<String> string(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("invalid-body", "\"" + field + "\" must be a string");
        }
        return Optional.of(v.textValue());
    }

    String requiredString(String field) {
        return string(field)
                .orElseThrow(
                        () ->
                                ApiException.badRequest(
                                        "invalid-body", "\"" + field + "\" is required"));
    }

    Optional<Boolean> bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest(
                    "invalid-body", "\"" + field + "\" must be true or false, but was " + v);
        }
        return Optional.of(v.booleanValue());
    }

    Optional<Integer> positiveInt(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isInt() || v.intValue() < 1) {
            throw ApiException.badRequest(
                    "invalid-body", "\"" + field + "\" must be a positive integer, but was " + v);
        }
        return Optional.of(v.intValue());
    }

    Optional<Duration> duration(String field, Duration min, Duration max) {
        return string(field).map(t -> DurationText.parse("\"" + field + "\"", t, min, max));
    }
}
