package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a JSON value against a schema of a parsed OpenAPI 3.1 document, for the keywords the
 * gateway's document uses: {@code $ref} (to components), {@code allOf}, {@code oneOf}, {@code
 * anyOf}, {@code const}, {@code enum}, {@code type} (one or a list, {@code "null"} included),
 * {@code required}, {@code properties}, {@code additionalProperties}, {@code items}, {@code
 * pattern}, {@code minLength}, {@code maxLength}, {@code minimum} and {@code maximum}. A keyword
 * outside that list ({@code not}) is reported rather than ignored, so the document cannot rely on a
 * rule this checker would wave through.
 */
final class SchemaCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMPONENTS = "#/components/schemas/";

    @SuppressWarnings("rawtypes") // swagger-models hands out raw Schema maps
    private final Map<String, Schema> components;

    SchemaCheck(OpenAPI doc) {
        this.components =
                doc.getComponents() == null || doc.getComponents().getSchemas() == null
                        ? Map.of()
                        : doc.getComponents().getSchemas();
    }

    /** A component schema by name, or AssertionError. */
    Schema<?> component(String name) {
        Schema<?> s = components.get(name);
        if (s == null) {
            throw new AssertionError("no schema " + name + " in the document's components");
        }
        return s;
    }

    /** What is wrong with {@code value} for {@code schema}: empty if nothing. */
    List<String> problems(Schema<?> schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    private void check(Schema<?> s, JsonNode v, String at, List<String> out) {
        if (s.get$ref() != null) {
            String ref = s.get$ref();
            if (!ref.startsWith(COMPONENTS)) {
                out.add(at + ": unsupported $ref " + ref);
                return;
            }
            check(component(ref.substring(COMPONENTS.length())), v, at, out);
        }
        if (s.getNot() != null) {
            out.add(at + ": \"not\" is not supported by this checker");
        }
        if (s.getAllOf() != null) {
            for (Schema<?> part : s.getAllOf()) {
                check(part, v, at, out);
            }
        }
        if (s.getOneOf() != null) {
            long matching = s.getOneOf().stream().filter(o -> problems(o, v).isEmpty()).count();
            if (matching != 1) {
                out.add(at + ": matches " + matching + " of oneOf's schemas, not exactly 1");
            }
        }
        if (s.getAnyOf() != null
                && s.getAnyOf().stream().noneMatch(o -> problems(o, v).isEmpty())) {
            out.add(at + ": matches none of anyOf's schemas");
        }
        if (s.getConst() != null && !same(JSON.valueToTree(s.getConst()), v)) {
            out.add(at + ": " + v + " is not the constant " + s.getConst());
        }
        if (s.getEnum() != null
                && s.getEnum().stream().noneMatch(e -> same(JSON.valueToTree(e), v))) {
            out.add(at + ": " + v + " is not one of " + s.getEnum());
        }
        Set<String> types = s.getTypes() != null ? s.getTypes() : setOf(s.getType());
        if (!types.isEmpty() && types.stream().noneMatch(t -> hasType(v, t))) {
            out.add(at + ": " + v + " is not of type " + types);
            return; // the rules below assume the type
        }
        if (v.isObject()) {
            object(s, v, at, out);
        } else if (v.isArray() && s.getItems() != null) {
            for (int i = 0; i < v.size(); i++) {
                check(s.getItems(), v.get(i), at + "[" + i + "]", out);
            }
        } else if (v.isTextual()) {
            string(s, v.textValue(), at, out);
        } else if (v.isNumber()) {
            if (s.getMinimum() != null && v.decimalValue().compareTo(s.getMinimum()) < 0) {
                out.add(at + ": " + v + " is below the minimum " + s.getMinimum());
            }
            if (s.getMaximum() != null && v.decimalValue().compareTo(s.getMaximum()) > 0) {
                out.add(at + ": " + v + " is above the maximum " + s.getMaximum());
            }
        }
    }

    private void object(Schema<?> s, JsonNode v, String at, List<String> out) {
        if (s.getRequired() != null) {
            for (String r : s.getRequired()) {
                if (!v.has(r)) {
                    out.add(at + ": required \"" + r + "\" is missing");
                }
            }
        }
        @SuppressWarnings("rawtypes") // swagger-models hands out raw Schema maps
        Map<String, Schema> props = s.getProperties() == null ? Map.of() : s.getProperties();
        Object extra = s.getAdditionalProperties();
        for (Map.Entry<String, JsonNode> f : v.properties()) {
            String where = at + "." + f.getKey();
            Schema<?> p = props.get(f.getKey());
            if (p != null) {
                check(p, f.getValue(), where, out);
            } else if (Boolean.FALSE.equals(extra)) {
                out.add(where + ": not a documented property");
            } else if (extra instanceof Schema<?> e) {
                check(e, f.getValue(), where, out);
            }
        }
    }

    private static void string(Schema<?> s, String text, String at, List<String> out) {
        if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(text).find()) {
            out.add(at + ": \"" + text + "\" does not match " + s.getPattern());
        }
        int length = text.codePointCount(0, text.length());
        if (s.getMinLength() != null && length < s.getMinLength()) {
            out.add(at + ": \"" + text + "\" is shorter than " + s.getMinLength());
        }
        if (s.getMaxLength() != null && length > s.getMaxLength()) {
            out.add(at + ": \"" + text + "\" is longer than " + s.getMaxLength());
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> throw new AssertionError("unknown JSON Schema type " + type);
        };
    }

    /** JSON equality, with 1 and 1.0 equal (as JSON Schema has it). */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static Set<String> setOf(String type) {
        return type == null ? Set.of() : Set.of(type);
    }
}
