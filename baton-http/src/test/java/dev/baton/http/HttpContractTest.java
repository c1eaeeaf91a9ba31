package dev.baton.http;

import dev.baton.LeaseKind;
import dev.baton.testkit.BackendFixture;
import dev.baton.testkit.ContractSuite;
import dev.baton.testkit.ServerFixture;
import java.util.List;

/**
 * The contract suite through a running gateway: every client is {@code http://127.0.0.1:PORT}
 * (partitionable ones through a fault proxy each, which blackholes their traffic to the gateway),
 * and the engine behind the gateway is an in-memory one, whose raw entries the residue checks read.
 */
class HttpContractTest extends ContractSuite {

    @Override
    protected BackendFixture startFixture() {
        return new HttpFixture();
    }

    private static final class HttpFixture extends ServerFixture {
        private final GatewayServer server = new GatewayServer();

        HttpFixture() {
            super("http");
        }

        @Override
        protected int port() {
            return server.port();
        }

        @Override
        public List<String> engineEntries(LeaseKind kind, String name) {
            return server.engine().entries(kind, name);
        }

        @Override
        public List<String> conditionEntries(String monitor, String condition) {
            return server.engine().conditionWaiters(monitor, condition);
        }

        @Override
        public void close() {
            super.close();
            server.close();
        }
    }
}
