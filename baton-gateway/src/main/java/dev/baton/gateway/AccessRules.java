package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.InvalidArgumentException;
import dev.baton.InvalidNameException;
import dev.baton.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what: bearer tokens, each with permissions per name prefix, read from {@code --auth
 * FILE}:
 *
 * <pre>{@code
 * {"tokens": [
 *   {"id": "billing-cron", "token": "…", "allow": {"billing": ["acquire", "read"]}},
 *   {"id": "ops", "token": "…", "allow": {"": ["admin"]}}
 * ]}
 * }</pre>
 *
 * <p>A prefix is a path ({@code "billing"} covers {@code billing} and {@code billing/…}, not {@code
 * billing2}; {@code ""} covers everything). For a name, the <b>most specific</b> (longest) prefix
 * of the token that covers it decides alone, as in Consul: {@code {"": ["read"], "jobs": []}}
 * denies everything under {@code jobs}. {@code admin} implies every other permission.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual} against every token
 * in the file, so the time taken does not depend on how much of a guess was right; they are never
 * logged or echoed (errors name the token's {@code id}).
 *
 * <p>Immutable; safe to share between request threads.
 */
public final class AccessRules {
    private static final Set<String> TOKEN_FIELDS = Set.of("id", "token", "allow");

    private final List<Grantee> grantees;

    private AccessRules(List<Grantee> grantees) {
        this.grantees = List.copyOf(grantees);
    }

    /** A token's identity and its rules, longest prefix first. */
    record Grantee(String id, byte[] digest, Map<String, Set<Permission>> rules) {
        /** Whether this token may do {@code p} on {@code name} (or on every name under it). */
        boolean allows(Permission p, String name) {
            for (Map.Entry<String, Set<Permission>> r : rules.entrySet()) {
                if (Names.isUnder(name, r.getKey())) {
                    Set<Permission> s = r.getValue();
                    return s.contains(p) || s.contains(Permission.ADMIN);
                }
            }
            return false;
        }

        boolean isAdmin() {
            Set<Permission> all = rules.get("");
            return all != null && all.contains(Permission.ADMIN);
        }
    }

    /**
     * Reads and checks the file: every token has a unique {@code id}, a {@code token} of at least
     * 16 characters (unique too), and valid prefixes and permission names.
     *
     * @throws InvalidArgumentException naming the file, the entry and the rule it breaks
     */
    public static AccessRules load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidArgumentException(
                    "cannot read the auth file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    static AccessRules parse(String text, String source) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw bad(source, "is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode tokens = root == null ? null : root.get("tokens");
        if (tokens == null || !tokens.isArray() || tokens.isEmpty()) {
            throw bad(source, "must be an object with a non-empty array \"tokens\"");
        }
        List<Grantee> grantees = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        int i = 0;
        for (JsonNode t : tokens) {
            String at = "tokens[" + i++ + "]";
            if (!t.isObject()) {
                throw bad(source, at + " must be an object");
            }
            for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!TOKEN_FIELDS.contains(f)) {
                    throw bad(source, at + " has unknown field \"" + f + "\" (id, token, allow)");
                }
            }
            String id = text(t, "id");
            if (id == null || id.isBlank() || !ids.add(id)) {
                throw bad(source, at + " needs a unique, non-empty \"id\"");
            }
            at = "token \"" + id + "\"";
            String secret = text(t, "token");
            if (secret == null || secret.length() < 16 || !secrets.add(secret)) {
                throw bad(source, at + " needs a unique \"token\" of at least 16 characters");
            }
            JsonNode allow = t.get("allow");
            if (allow == null || !allow.isObject()) {
                throw bad(source, at + " needs \"allow\": {prefix: [permissions]}");
            }
            List<Map.Entry<String, Set<Permission>>> rules = new ArrayList<>();
            for (Map.Entry<String, JsonNode> r : allow.properties()) {
                try {
                    Names.validatePrefix(r.getKey());
                } catch (InvalidNameException e) {
                    throw bad(source, at + ": " + e.getMessage());
                }
                rules.add(Map.entry(r.getKey(), permissions(source, at, r.getKey(), r.getValue())));
            }
            rules.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
            Map<String, Set<Permission>> ordered = new LinkedHashMap<>();
            rules.forEach(r -> ordered.put(r.getKey(), r.getValue()));
            grantees.add(new Grantee(id, digest(secret), ordered));
        }
        return new AccessRules(grantees);
    }

    private static Set<Permission> permissions(
            String source, String at, String prefix, JsonNode list) {
        if (!list.isArray()) {
            throw bad(source, at + ": \"" + prefix + "\" must map to an array of permissions");
        }
        Set<Permission> s = EnumSet.noneOf(Permission.class);
        for (JsonNode p : list) {
            try {
                s.add(Permission.valueOf(p.asText().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw bad(
                        source,
                        at + ": unknown permission " + p + " (read, acquire, write, watch, admin)");
            }
        }
        return s;
    }

    /** The token's grantee, or empty when no token in the file matches. */
    Optional<Grantee> authenticate(String token) {
        byte[] d = digest(token);
        Grantee found = null;
        for (Grantee g : grantees) { // no early exit: the time does not tell which entry matched
            if (MessageDigest.isEqual(g.digest(), d)) {
                found = g;
            }
        }
        return Optional.ofNullable(found);
    }

    private static String text(JsonNode t, String field) {
        JsonNode v = t.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static InvalidArgumentException bad(String source, String problem) {
        return new InvalidArgumentException("auth file " + source + " " + problem);
    }
}
