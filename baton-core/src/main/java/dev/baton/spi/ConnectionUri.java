package dev.baton.spi;

import dev.baton.InvalidUriException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed connection URI: {@code scheme}, {@code scheme:path}, or {@code
 * scheme://host[:port][,host[:port]…][/path][?k=v&…]}. Parsing checks only the generic shape; each
 * backend checks what it needs (hosts, ports, parameters) and rejects the rest.
 *
 * @param raw the text as given
 * @param scheme lower-case scheme
 * @param hosts {@code host:port} or {@code host} entries of the authority, in order
 * @param path the path without leading slashes, or empty
 * @param params query parameters, in order
 */
public record ConnectionUri(
        String raw, String scheme, List<String> hosts, String path, Map<String, String> params) {

    /** host:port[,host:port…] without a scheme. */
    private static final Pattern HOST_PORT =
            Pattern.compile("[A-Za-z0-9.-]+:[0-9]+(,[A-Za-z0-9.-]+:[0-9]+)*(/.*)?");

    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");

    /**
     * Builds a parsed URI; {@code hosts} and {@code params} are copied.
     *
     * @param raw the URI as the user wrote it, for messages
     * @param scheme the lower-case scheme
     * @param hosts host or host:port entries, in order
     * @param path the path without its leading slash, {@code ""} if none
     * @param params query parameters, in order
     */
    public ConnectionUri {
        hosts = List.copyOf(hosts);
        params = Map.copyOf(params);
    }

    /**
     * Parses a connection URI: {@code scheme://host:port[,host:port…][/path][?k=v&…]}, or a bare
     * scheme such as {@code embedded} or {@code mem:name}. Checks only the shape; each provider
     * checks what its scheme allows.
     *
     * @param raw the URI as the user wrote it
     * @return the parts
     * @throws InvalidUriException if it is empty or not of that shape, naming what is wrong
     */
    public static ConnectionUri parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidUriException(String.valueOf(raw), "it is empty");
        }
        String s = raw.trim();
        int colon = s.indexOf(':');
        int query = s.indexOf('?');
        // "embedded?port=N": a query may follow the scheme directly, without a colon.
        boolean bare = colon < 0 || (query >= 0 && query < colon);
        int schemeEnd = !bare ? colon : query >= 0 ? query : s.length();
        String scheme = s.substring(0, schemeEnd);
        if (!SCHEME.matcher(scheme).matches()) {
            // "127.0.0.1:2181" reads as scheme "127.0.0.1": say what was probably meant.
            String hint =
                    HOST_PORT.matcher(s).matches()
                            ? "; to name a server, add the engine's scheme: zookeeper://"
                                    + s
                                    + " or redis://"
                                    + s
                            : "";
            throw new InvalidUriException(
                    raw, "scheme \"" + scheme + "\" must match [a-z][a-z0-9+.-]*" + hint);
        }
        String rest = bare ? s.substring(schemeEnd) : s.substring(colon + 1);
        Map<String, String> params = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String kv : rest.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new InvalidUriException(
                            raw, "query parameter \"" + kv + "\" must be key=value");
                }
                params.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            rest = rest.substring(0, q);
        }
        List<String> hosts = new ArrayList<>();
        String path;
        if (rest.startsWith("//")) {
            String afterSlashes = rest.substring(2);
            int slash = afterSlashes.indexOf('/');
            String authority = slash < 0 ? afterSlashes : afterSlashes.substring(0, slash);
            path = slash < 0 ? "" : afterSlashes.substring(slash + 1);
            if (!authority.isEmpty()) {
                for (String h : authority.split(",", -1)) {
                    if (h.isEmpty()) {
                        throw new InvalidUriException(raw, "empty host in \"" + authority + "\"");
                    }
                    hosts.add(h);
                }
            }
        } else {
            path = rest;
        }
        while (path.startsWith("/") && !path.equals("/")) {
            path = path.substring(1);
        }
        if (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        return new ConnectionUri(raw, scheme, hosts, path.equals("/") ? "" : path, params);
    }

    /**
     * The query parameter {@code key}.
     *
     * @param key the parameter's name
     * @return its value, or empty if the URI does not have it
     */
    public Optional<String> param(String key) {
        return Optional.ofNullable(params.get(key));
    }

    /**
     * Splits a {@code host[:port]} entry and validates the port.
     *
     * @param entry one of {@link #hosts()}
     * @param defaultPort the port when the entry names none
     * @return the host and port
     * @throws InvalidUriException if the host is empty or the port is not a number in 1–65535
     */
    public HostPort hostPort(String entry, int defaultPort) {
        int c = entry.lastIndexOf(':');
        if (c < 0) {
            return new HostPort(entry, defaultPort);
        }
        String host = entry.substring(0, c);
        String port = entry.substring(c + 1);
        if (host.isEmpty()) {
            throw new InvalidUriException(raw, "host is empty in \"" + entry + "\"");
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(host, p);
        } catch (NumberFormatException e) {
            throw new InvalidUriException(
                    raw,
                    "port \"" + port + "\" in \"" + entry + "\" must be a number from 1 to 65535");
        }
    }

    /** A host and a port. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
