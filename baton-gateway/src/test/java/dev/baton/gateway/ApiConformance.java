package dev.baton.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Holds real exchanges with a gateway to its OpenAPI document: the route is the one the server
 * matched, the status must be documented for it, documented required headers must be there, the
 * content type must be a documented one and a JSON body must validate against its schema (a 2xx
 * request body too). It records each (route, status) and each stream event type it checked, for the
 * test to compare with what the document lists.
 */
final class ApiConformance {
    private static final String RESPONSES = "#/components/responses/";
    private static final String SCHEMAS = "#/components/schemas/";

    private final OpenAPI doc;
    private final Javalin app;
    private final SchemaCheck schemas;
    private final Set<String> exercised = new TreeSet<>();
    private final Set<String> events = new TreeSet<>();

    ApiConformance(OpenAPI doc, Javalin app) {
        this.doc = doc;
        this.app = app;
        this.schemas = new SchemaCheck(doc);
    }

    /** Parsed with references resolved, as a client generator would read it. */
    static SwaggerParseResult parse(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(text, null, options);
    }

    /** Every (route, status) the document lists, as {@code "METHOD /path STATUS"}. */
    Set<String> documentedStatuses() {
        Set<String> out = new TreeSet<>();
        for (String route : RouteTable.documented(doc)) {
            operation(route).getResponses().keySet().forEach(s -> out.add(route + " " + s));
        }
        return out;
    }

    /** Every stream event the document lists, as {@code "METHOD /path event"}. */
    Set<String> documentedEvents() {
        Set<String> out = new TreeSet<>();
        for (String route : RouteTable.documented(doc)) {
            ApiResponse ok = response(operation(route), "200");
            MediaType stream =
                    ok == null || ok.getContent() == null
                            ? null
                            : ok.getContent().get("text/event-stream");
            if (stream != null) {
                eventSchemas(stream).keySet().forEach(e -> out.add(route + " " + e));
            }
        }
        return out;
    }

    OpenAPI documentedOpenApi() {
        return doc;
    }

    Set<String> exercisedStatuses() {
        return exercised;
    }

    Set<String> exercisedEvents() {
        return events;
    }

    void check(String method, String target, String requestBody, Http.Response r) {
        check(method, target, requestBody, r.status(), r.raw().headers(), r.raw().body());
    }

    /**
     * Checks one exchange; {@code body} null for a stream whose body is read elsewhere. Returns the
     * route.
     */
    String check(
            String method,
            String target,
            String requestBody,
            int status,
            HttpHeaders headers,
            byte[] body) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        String route = RouteTable.match(app, method, path).orElse(null);
        String contentType = headers.firstValue("Content-Type").orElse("");
        if (route == null) {
            // No route: the gateway's JSON 404, in the shared Error shape.
            expect(status == 404, method + " " + target + " has no route but answered " + status);
            validate("Error", json(body), method + " " + target);
            return null;
        }
        String at = route + " " + status;
        ApiResponse documented = response(operation(route), Integer.toString(status));
        expect(documented != null, at + " is not documented: " + text(body));
        if (documented.getHeaders() != null) {
            for (Map.Entry<String, Header> h : documented.getHeaders().entrySet()) {
                expect(
                        !Boolean.TRUE.equals(h.getValue().getRequired())
                                || headers.firstValue(h.getKey()).isPresent(),
                        at + " lacks the required header " + h.getKey());
            }
        }
        if (documented.getContent() == null || documented.getContent().isEmpty()) {
            expect(body == null || body.length == 0, at + " documents no body but sent one");
        } else {
            String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
            MediaType media = documented.getContent().get(type);
            expect(
                    media != null,
                    at
                            + " sent Content-Type \""
                            + contentType
                            + "\", documented: "
                            + documented.getContent().keySet());
            if (type.equals("application/json") && body != null) {
                List<String> problems = schemas.problems(media.getSchema(), json(body));
                expect(problems.isEmpty(), at + " body " + text(body) + ": " + problems);
            }
        }
        if (status / 100 == 2 && requestBody != null && !requestBody.isBlank()) {
            Operation op = operation(route);
            MediaType sent =
                    op.getRequestBody() == null || op.getRequestBody().getContent() == null
                            ? null
                            : op.getRequestBody().getContent().get("application/json");
            if (sent != null) {
                List<String> problems =
                        schemas.problems(sent.getSchema(), json(requestBody.getBytes()));
                expect(
                        problems.isEmpty(),
                        at
                                + " accepted the request body "
                                + requestBody
                                + " that its schema refuses: "
                                + problems);
            }
        }
        exercised.add(at); // only once every check passed
        return route;
    }

    /** Checks an event of the stream at {@code route} against its documented data schema. */
    void checkEvent(String route, EventStream.Event e) {
        MediaType stream = response(operation(route), "200").getContent().get("text/event-stream");
        String ref = eventSchemas(stream).get(e.event());
        expect(ref != null, route + " sent the undocumented event " + e);
        validate(ref.substring(SCHEMAS.length()), json(e.data().getBytes()), route + " " + e);
        events.add(route + " " + e.event());
    }

    private void validate(String schema, JsonNode value, String what) {
        List<String> problems = schemas.problems(schemas.component(schema), value);
        expect(problems.isEmpty(), what + " is not a valid " + schema + ": " + problems);
    }

    /** The stream's {@code x-events}: event name to its data schema's reference. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> eventSchemas(MediaType stream) {
        Object x = stream.getExtensions() == null ? null : stream.getExtensions().get("x-events");
        if (x == null) {
            throw new AssertionError("a text/event-stream response without x-events");
        }
        return (Map<String, String>) x;
    }

    private Operation operation(String route) {
        int space = route.indexOf(' ');
        PathItem item = doc.getPaths().get(route.substring(space + 1));
        expect(item != null, "the document has no path for " + route);
        Operation op =
                item.readOperationsMap()
                        .get(PathItem.HttpMethod.valueOf(route.substring(0, space)));
        expect(op != null, "the document has no operation " + route);
        return op;
    }

    private ApiResponse response(Operation op, String status) {
        ApiResponse r = op.getResponses().get(status);
        if (r != null && r.get$ref() != null) {
            String ref = r.get$ref();
            expect(ref.startsWith(RESPONSES), "unsupported response $ref " + ref);
            r = doc.getComponents().getResponses().get(ref.substring(RESPONSES.length()));
            expect(r != null, "no component response " + ref);
        }
        return r;
    }

    private static JsonNode json(byte[] body) {
        try {
            return Http.JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text(body), e);
        }
    }

    private static String text(byte[] body) {
        return body == null ? "(stream)" : new String(body, StandardCharsets.UTF_8);
    }

    private static void expect(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
