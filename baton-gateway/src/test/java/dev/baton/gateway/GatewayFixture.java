package dev.baton.gateway;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.mem.MemEngine;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** A gateway on a fresh in-memory engine, with a second library client on the same engine. */
final class GatewayFixture implements AutoCloseable {
    final String engine = "gateway-" + UUID.randomUUID();
    final Baton baton;
    final Baton other = Baton.connect("mem:" + engine);
    final Gateway gateway;
    final Http http;

    GatewayFixture() {
        this(b -> b);
    }

    GatewayFixture(UnaryOperator<GatewayConfig.Builder> config) {
        this(BatonConfig.defaults(), config);
    }

    /** With the gateway's own client configured by {@code client}. */
    GatewayFixture(BatonConfig client, UnaryOperator<GatewayConfig.Builder> config) {
        baton = Baton.connect("mem:" + engine, client);
        gateway = Gateway.start(config.apply(GatewayConfig.builder(baton).port(0)).build());
        http = new Http(gateway.uri());
    }

    @Override
    public void close() {
        gateway.close();
        other.close();
        baton.close();
        MemEngine.reset(engine);
    }
}
