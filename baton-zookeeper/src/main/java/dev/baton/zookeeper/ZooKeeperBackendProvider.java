package dev.baton.zookeeper;

import dev.baton.InvalidNameException;
import dev.baton.InvalidUriException;
import dev.baton.Names;
import dev.baton.spi.Backend;
import dev.baton.spi.BackendContext;
import dev.baton.spi.BackendProvider;
import dev.baton.spi.ConnectionUri;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Opens ZooKeeper backends. <b>Internal</b> (public only for {@link java.util.ServiceLoader}).
 *
 * <ul>
 *   <li>{@code zookeeper://host[:port][,host[:port]…][/namespace]} — an existing ensemble; the
 *       default port is 2181; the path, if any, is the namespace (a valid Baton name) and takes
 *       precedence over the configured one. No query parameters.
 *   <li>{@code embedded}, {@code embedded:/data/dir}, optionally {@code ?port=N} — starts an {@link
 *       EmbeddedZooKeeper} in this JVM (temporary data unless a directory is given, a free port
 *       unless one is given) and connects to it; closing the client stops the server.
 * </ul>
 */
public final class ZooKeeperBackendProvider implements BackendProvider {
    static final int DEFAULT_PORT = 2181;

    @Override
    public Set<String> schemes() {
        return Set.of("zookeeper", "embedded");
    }

    @Override
    public Backend<?> open(ConnectionUri uri, BackendContext context) {
        return switch (uri.scheme()) {
            case "zookeeper" -> openEnsemble(uri, context);
            case "embedded" -> openEmbedded(uri, context);
            default ->
                    throw new InvalidUriException(
                            uri.raw(), "scheme must be zookeeper or embedded");
        };
    }

    private static Backend<?> openEnsemble(ConnectionUri uri, BackendContext context) {
        if (!uri.params().isEmpty()) {
            throw new InvalidUriException(
                    uri.raw(),
                    "unknown query parameter(s) "
                            + uri.params().keySet()
                            + "; zookeeper:// takes none");
        }
        if (uri.hosts().isEmpty()) {
            throw new InvalidUriException(
                    uri.raw(),
                    "no hosts; expected zookeeper://host[:port][,host[:port]...][/namespace]");
        }
        List<String> hosts = new ArrayList<>();
        for (String h : uri.hosts()) {
            hosts.add(uri.hostPort(h, DEFAULT_PORT).toString());
        }
        String namespace = context.namespace();
        if (!uri.path().isEmpty()) {
            try {
                namespace = Names.validate(uri.path());
            } catch (InvalidNameException e) {
                throw new InvalidUriException(
                        uri.raw(),
                        "namespace \"" + uri.path() + "\" is invalid: " + e.getMessage());
            }
        }
        return ZooKeeperBackend.connect(String.join(",", hosts), namespace, context, null);
    }

    private static Backend<?> openEmbedded(ConnectionUri uri, BackendContext context) {
        int port = 0;
        for (var p : uri.params().entrySet()) {
            if (!p.getKey().equals("port")) {
                throw new InvalidUriException(
                        uri.raw(),
                        "unknown query parameter \"" + p.getKey() + "\"; embedded takes only port");
            }
            try {
                port = Integer.parseInt(p.getValue());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new InvalidUriException(
                        uri.raw(),
                        "port \"" + p.getValue() + "\" must be a number from 0 to 65535");
            }
        }
        Path dataDir = embeddedDataDir(uri);
        EmbeddedZooKeeper server = EmbeddedZooKeeper.start(port, dataDir);
        try {
            return ZooKeeperBackend.connect(
                    server.connectString(), context.namespace(), context, server);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** The data directory of {@code embedded:<dir>}: the raw text after the scheme, up to '?'. */
    private static Path embeddedDataDir(ConnectionUri uri) {
        String raw = uri.raw().trim();
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String rest = raw.substring(colon + 1);
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        if (rest.startsWith("//")) {
            if (!uri.hosts().isEmpty()) {
                throw new InvalidUriException(
                        uri.raw(), "embedded takes no host; use embedded:/data/dir");
            }
            rest = rest.substring(2);
        }
        if (rest.isEmpty()) {
            return null;
        }
        try {
            return Path.of(rest);
        } catch (InvalidPathException e) {
            throw new InvalidUriException(
                    uri.raw(), "data directory \"" + rest + "\" is not a path");
        }
    }
}
