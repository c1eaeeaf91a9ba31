package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.gateway.AccessRules;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Baton over HTTP/JSON for programs in any language (docs/GATEWAY.md). The first stdout line is the
 * gateway's URL, the rest goes to stderr, as with {@code baton server}. Runs until SIGINT/SIGTERM;
 * the shutdown hook closes the gateway first (every session ends, so every lease it holds is
 * released at once rather than left to expire), then the engine client.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serve Baton over HTTP/JSON until interrupted: sessions, locks with fencing tokens,"
                    + " key/value, watches as server-sent events, and a live dashboard at /.",
            "",
            "Prints its URL (http://BIND:PORT) as the first line on stdout. Without --auth it"
                    + " listens on loopback only and needs no token; with --auth every request"
                    + " needs a bearer token from FILE (format in docs/GATEWAY.md).",
        })
final class ServeCommand implements Callable<Integer> {
    @ParentCommand private BatonCli root;

    @Mixin ConnectOptions engine;

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "HTTP port, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description =
                    "Address to listen on (default: ${DEFAULT-VALUE}); another than loopback"
                            + " needs --auth.")
    String bind;

    @Option(
            names = "--max-monitor-waits",
            paramLabel = "N",
            defaultValue = "" + GatewayConfig.DEFAULT_MAX_MONITOR_WAITS,
            description =
                    "Monitor waits (and their blocking engine calls) the gateway carries at once;"
                            + " beyond it an await answers 429 (default: ${DEFAULT-VALUE}).")
    int maxMonitorWaits;

    @Option(
            names = "--auth",
            paramLabel = "FILE",
            description = "Bearer tokens and their rules per name prefix (JSON).")
    Path auth;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw CliException.usage("--http-port must be between 0 and 65535, but was " + port);
        }
        // Every check before connecting: bad input changes nothing, not even an engine session.
        if (maxMonitorWaits < 1) {
            throw CliException.usage(
                    "--max-monitor-waits must be at least 1, but was " + maxMonitorWaits);
        }
        AccessRules rules = auth == null ? null : AccessRules.load(auth);
        GatewayConfig.checkBind(bind, rules != null);
        String uri = root.resolveConnect(engine.connect, "embedded");
        Baton baton = root.connect(uri, engine.connectTimeout, null, "baton-serve");
        Gateway gateway;
        try {
            GatewayConfig.Builder config =
                    GatewayConfig.builder(baton)
                            .bind(bind)
                            .port(port)
                            .maxMonitorWaits(maxMonitorWaits);
            if (rules != null) {
                config.auth(rules);
            }
            gateway = Gateway.start(config.build());
        } catch (RuntimeException e) {
            baton.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        BatonCli.onShutdown(
                "baton-serve-shutdown",
                () -> {
                    try (baton) {
                        gateway.close();
                    } finally {
                        stopped.countDown();
                    }
                });
        root.out().println(gateway.uri());
        root.out().flush();
        root.err()
                .println(
                        "baton serve: "
                                + gateway.uri()
                                + " over "
                                + uri
                                + (rules == null
                                        ? " (loopback only, no tokens: pass --auth FILE to"
                                                + " require them)"
                                        : " (bearer tokens from " + auth + ")")
                                + "; dashboard at "
                                + gateway.uri()
                                + "/; Ctrl-C to stop");
        if (uri.equals("embedded")) {
            root.err()
                    .println(
                            "baton serve: `embedded` is a single ZooKeeper inside this process,"
                                    + " for trying Baton out; pass --connect for a real engine");
        }
        root.err().flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
