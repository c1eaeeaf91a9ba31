package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A watch client that never reads cannot hold up anyone else: the hub hands events to streams
 * without waiting for the network. The stuck client's stream is sized to fill every socket buffer
 * between it and the gateway many times over, so a write on the hub's thread would block for good.
 */
class SlowClientTest {
    private static final int EVENTS = 200;
    private static final String VALUE = "x".repeat(64 * 1024); // about 150 KiB of JSON per event

    private final GatewayFixture f = new GatewayFixture();

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void aStuckWatcherDelaysNobody() throws Exception {
        URI uri = URI.create(f.gateway.uri());
        try (Socket stuck = new Socket(uri.getHost(), uri.getPort());
                EventStream live = f.http.events("/v1/watch?prefix=big", null)) {
            stuck.setReceiveBufferSize(4096);
            OutputStream out = stuck.getOutputStream();
            out.write(
                    ("GET /v1/watch?prefix=big HTTP/1.1\r\nHost: "
                                    + uri.getHost()
                                    + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush(); // and never read a byte
            live.next("hello", 10);

            for (int i = 0; i < EVENTS; i++) {
                f.other.keyValue().put("big/" + i, VALUE);
            }
            for (int i = 0; i < EVENTS; i++) {
                JsonNode e = Http.JSON.readTree(live.next("put", 30).data());
                assertThat(e.get("key").asText()).isEqualTo("big/" + i);
            }
        }
    }
}
