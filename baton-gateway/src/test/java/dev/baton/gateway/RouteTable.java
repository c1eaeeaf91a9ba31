package dev.baton.gateway;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.router.ParsedEndpoint;
import io.swagger.v3.oas.models.OpenAPI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Routes as {@code "METHOD /path/{param}"}: those an OpenAPI document lists and those a Javalin
 * server has (its HTTP endpoints; before-handlers, HEAD, OPTIONS and static files are not routes),
 * with Javalin's {@code <param>} (which spans slashes) written as OpenAPI's {@code {param}}.
 */
final class RouteTable {
    private RouteTable() {}

    static Set<String> documented(OpenAPI doc) {
        Set<String> out = new TreeSet<>();
        doc.getPaths()
                .forEach(
                        (path, item) ->
                                item.readOperationsMap()
                                        .keySet()
                                        .forEach(m -> out.add(m.name() + " " + path)));
        return out;
    }

    static Set<String> served(Javalin app) {
        Set<String> out = new TreeSet<>();
        for (ParsedEndpoint e : app.unsafe.internalRouter.allHttpHandlers()) {
            HandlerType m = e.endpoint.method;
            if (m.isHttpMethod() && !m.equals(HandlerType.HEAD) && !m.equals(HandlerType.OPTIONS)) {
                out.add(m.name().toUpperCase(Locale.ROOT) + " " + normalise(e.endpoint.path));
            }
        }
        return out;
    }

    /** The route that serves {@code method} on a concrete {@code path}, as Javalin matches it. */
    static Optional<String> match(Javalin app, String method, String path) {
        return app
                .unsafe
                .internalRouter
                .findHttpHandlerEntries(HandlerType.findOrCreate(method), path)
                .stream()
                .findFirst()
                .map(e -> method + " " + normalise(e.endpoint.path));
    }

    /** Each route only one side has, said which side lacks it; empty when they agree. */
    static List<String> differences(Set<String> documented, Set<String> served) {
        List<String> out = new ArrayList<>();
        for (String r : new TreeSet<>(served)) {
            if (!documented.contains(r)) {
                out.add("served but not documented: " + r);
            }
        }
        for (String r : new TreeSet<>(documented)) {
            if (!served.contains(r)) {
                out.add("documented but not served: " + r);
            }
        }
        return out;
    }

    static String normalise(String javalinPath) {
        return javalinPath.replaceAll("<([^>]+)>", "{$1}");
    }
}
