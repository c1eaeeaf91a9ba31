package dev.baton.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import dev.baton.InvalidUriException;
import dev.baton.gateway.AccessRules;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is particular to the http backend: its URIs, an absent gateway, a refused token. */
class HttpBackendTest {
    private static final String TOKEN = "jobs-token-0123456789";

    @Test
    void badUrisAreRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> Baton.connect("http://127.0.0.1:1,127.0.0.1:2"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("one host");
        assertThatThrownBy(() -> Baton.connect("http://127.0.0.1:8080?wait=5s"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("\"wait\"");
        assertThatThrownBy(() -> Baton.connect("https://127.0.0.1:99999"))
                .isInstanceOf(InvalidUriException.class)
                .hasMessageContaining("99999");
        assertThatThrownBy(() -> Baton.connect("http://secret-token-value@127.0.0.1:1?x=1"))
                .isInstanceOf(InvalidUriException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token-value"));
    }

    @Test
    void aGatewayThatIsDownIsUnavailableAndNamed() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed: nothing listens there now
        }
        String uri = "http://127.0.0.1:" + port;
        BatonConfig config = BatonConfig.custom().connectTimeout(Duration.ofSeconds(2)).build();
        assertThatThrownBy(() -> Baton.connect(uri, config))
                .isInstanceOf(BackendUnavailableException.class)
                .hasMessageContaining(uri);
    }

    @Test
    void aRefusedTokenIsATypedErrorAndAGoodOneWorks(@TempDir Path dir) throws IOException {
        Path rules = dir.resolve("tokens.json");
        Files.writeString(
                rules,
                "{\"tokens\":[{\"id\":\"jobs\",\"token\":\""
                        + TOKEN
                        + "\",\"allow\":{\"jobs\":[\"acquire\",\"read\",\"write\",\"watch\"]}}]}");
        try (GatewayServer server = new GatewayServer(b -> b.auth(AccessRules.load(rules)))) {
            String at = "127.0.0.1:" + server.port();
            assertThatThrownBy(() -> Baton.connect("http://wrong-token-0123456789@" + at))
                    .isInstanceOfSatisfying(
                            GatewayAccessException.class,
                            e -> assertThat(e.status()).isEqualTo(401))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-token"));
            assertThatThrownBy(() -> Baton.connect("http://" + at))
                    .isInstanceOf(GatewayAccessException.class);

            try (Baton baton = Baton.connect("http://" + at + "?token=" + TOKEN)) {
                FencedLease lease = baton.mutex("jobs/nightly").acquire(Duration.ofSeconds(10));
                assertThat(baton.inspect("jobs/nightly").orElseThrow().holders())
                        .extracting(h -> h.clientId())
                        .containsExactly(baton.clientId());
                assertThat(lease.release()).isTrue();
                assertThatThrownBy(() -> baton.keyValue().put("elsewhere/k", "v"))
                        .isInstanceOfSatisfying(
                                GatewayAccessException.class,
                                e -> assertThat(e.status()).isEqualTo(403));
            }
        }
    }
}
