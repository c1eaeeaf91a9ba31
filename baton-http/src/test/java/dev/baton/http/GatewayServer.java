package dev.baton.http;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.gateway.Gateway;
import dev.baton.gateway.GatewayConfig;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A gateway on a free loopback port over a library client of a fresh in-memory engine. The
 * gateway's own client has a long lease TTL (30 s), so what HTTP clients see of their leases is
 * decided by their sessions, as with a gateway whose engine lease outlives its sessions'.
 */
final class GatewayServer implements AutoCloseable {
    final String engine = "http-" + UUID.randomUUID();
    final Baton baton =
            Baton.connect(
                    "mem:" + engine, BatonConfig.custom().leaseTtl(Duration.ofSeconds(30)).build());
    final Gateway gateway;

    GatewayServer() {
        this(b -> b);
    }

    GatewayServer(UnaryOperator<GatewayConfig.Builder> config) {
        gateway = Gateway.start(config.apply(GatewayConfig.builder(baton).port(0)).build());
    }

    int port() {
        return gateway.port();
    }

    MemEngine engine() {
        return MemEngine.named(engine);
    }

    @Override
    public void close() {
        gateway.close();
        baton.close();
        MemEngine.reset(engine);
    }
}
