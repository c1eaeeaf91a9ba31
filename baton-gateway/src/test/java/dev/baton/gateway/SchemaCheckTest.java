package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The schema checker accepts what a schema allows and names what it refuses. */
class SchemaCheckTest {
    private static final String DOC =
            """
            {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
             "components": {"schemas": {
               "Thing": {"type": "object", "required": ["id", "n"], "additionalProperties": false,
                 "properties": {
                   "id": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
                   "n": {"type": "integer", "minimum": 1},
                   "kind": {"type": "string", "enum": ["a", "b"]},
                   "note": {"type": ["string", "null"]},
                   "flag": {"const": true},
                   "tags": {"type": "array", "items": {"type": "string"}},
                   "child": {"oneOf": [{"$ref": "#/components/schemas/Child"}, {"type": "null"}]}}},
               "Child": {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer"}}},
               "Narrow": {"allOf": [{"$ref": "#/components/schemas/Thing"},
                                    {"properties": {"kind": {"enum": ["a"]}}}]}}}}
            """;

    private final OpenAPI doc = ApiConformance.parse(DOC).getOpenAPI();
    private final SchemaCheck check = new SchemaCheck(doc);

    @Test
    void aValidValueHasNoProblems() {
        assertThat(problems("Thing", "{\"id\":\"abc\",\"n\":2}")).isEmpty();
        assertThat(
                        problems(
                                "Thing",
                                "{\"id\":\"abc\",\"n\":2,\"kind\":\"b\",\"note\":null,\"flag\":true,"
                                        + "\"tags\":[\"x\"],\"child\":{\"x\":1}}"))
                .isEmpty();
        assertThat(problems("Thing", "{\"id\":\"abc\",\"n\":2,\"child\":null}")).isEmpty();
        assertThat(problems("Narrow", "{\"id\":\"abc\",\"n\":2,\"kind\":\"a\"}")).isEmpty();
    }

    @Test
    void eachBrokenRuleIsReported() {
        assertThat(problems("Thing", "{\"id\":\"abc\"}"))
                .singleElement()
                .asString()
                .contains("\"n\"");
        assertThat(problems("Thing", "{\"id\":\"abc\",\"n\":\"2\"}"))
                .singleElement()
                .asString()
                .contains("$.n")
                .contains("integer");
        assertThat(problems("Thing", "{\"id\":\"abc\",\"n\":2.5}")).hasSize(1);
        assertThat(problems("Thing", "{\"id\":\"abc\",\"n\":0}"))
                .singleElement()
                .asString()
                .contains("minimum");
        assertThat(problems("Thing", "{\"id\":\"ABC\",\"n\":1}"))
                .singleElement()
                .asString()
                .contains("match");
        assertThat(problems("Thing", "{\"id\":\"abcdef\",\"n\":1}"))
                .singleElement()
                .asString()
                .contains("longer");
        assertThat(problems("Thing", "{\"id\":\"a\",\"n\":1,\"kind\":\"c\"}")).hasSize(1);
        assertThat(problems("Thing", "{\"id\":\"a\",\"n\":1,\"note\":3}")).hasSize(1);
        assertThat(problems("Thing", "{\"id\":\"a\",\"n\":1,\"flag\":false}")).hasSize(1);
        assertThat(problems("Thing", "{\"id\":\"a\",\"n\":1,\"tags\":[1]}"))
                .singleElement()
                .asString()
                .contains("$.tags[0]");
        assertThat(problems("Thing", "{\"id\":\"a\",\"n\":1,\"extra\":1}"))
                .singleElement()
                .asString()
                .contains("extra");
        assertThat(problems("Thing", "{\"id\":\"a\",\"n\":1,\"child\":{}}"))
                .singleElement()
                .asString()
                .contains("oneOf");
        assertThat(problems("Thing", "[]")).singleElement().asString().contains("object");
        assertThat(problems("Narrow", "{\"id\":\"abc\",\"n\":2,\"kind\":\"b\"}")).hasSize(1);
    }

    @Test
    void theGatewaysErrorSchemaRefusesAnUnknownCodeAndAMissingMessage() throws Exception {
        OpenAPI gateway =
                ApiConformance.parse(
                                new String(
                                        Gateway.class
                                                .getResourceAsStream("openapi.json")
                                                .readAllBytes(),
                                        StandardCharsets.UTF_8))
                        .getOpenAPI();
        SchemaCheck c = new SchemaCheck(gateway);
        assertThat(c.problems(c.component("Error"), json("{\"error\":\"busy\",\"message\":\"m\"}")))
                .isEmpty();
        assertThat(c.problems(c.component("Error"), json("{\"error\":\"oops\",\"message\":\"m\"}")))
                .hasSize(1);
        assertThat(c.problems(c.component("Error"), json("{\"error\":\"busy\"}"))).hasSize(1);
    }

    private java.util.List<String> problems(String schema, String value) {
        return check.problems(check.component(schema), json(value));
    }

    private static JsonNode json(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
