package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input gets 400 (or 404) with a JSON error naming the input and the rule, and changes nothing.
 */
class GatewayBadInputTest {
    private final GatewayFixture f = new GatewayFixture();
    private final Http http = f.http;

    @AfterEach
    void stop() {
        f.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            bad name        | {"name":"orders//42","session":"$S"}                       | invalid-name     | orders//42
            no name         | {"session":"$S"}                                           | invalid-body     | "name" is required
            negative wait   | {"name":"a","session":"$S","wait":"-1s"}                   | invalid-duration | -1s
            wait too long   | {"name":"a","session":"$S","wait":"2h"}                    | invalid-duration | between
            not a duration  | {"name":"a","session":"$S","wait":"soon"}                  | invalid-duration | soon
            unknown field   | {"name":"a","session":"$S","wiat":"1s"}                    | invalid-body     | wiat
            not an object   | ["a"]                                                      | invalid-body     | JSON object
            malformed JSON  | {"name":                                                   | invalid-body     | JSON object
            unknown kind    | {"name":"a","session":"$S","kind":"spinlock"}              | invalid-body     | spinlock
            permits, mutex  | {"name":"a","session":"$S","permits":2}                    | invalid-body     | semaphore
            no size         | {"name":"a","session":"$S","kind":"semaphore"}             | invalid-body     | size
            zero permits    | {"name":"a","session":"$S","kind":"semaphore","size":0}    | invalid-body     | size
            wrong type      | {"name":7,"session":"$S"}                                  | invalid-body     | name
            """)
    void aBadAcquireIsRefusedAndChangesNothing(
            String what, String body, String code, String named) {
        String session = http.session("10s");
        Http.Response r = http.post("/v1/locks/acquire", body.replace("$S", session));
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        JsonNode e = r.json();
        assertThat(e.get("error").asText()).isEqualTo(code);
        assertThat(e.get("message").asText()).contains(named);
        assertThat(f.baton.locks("")).as("nothing acquired").isEmpty();
    }

    @Test
    void anUnknownSessionOrLeaseIs404() {
        Http.Response r = http.acquire("no-such-session", "a", "0s");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("message").asText()).contains("no-such-session");
        assertThat(f.baton.locks("")).isEmpty();
        assertThat(http.post("/v1/locks/release", "{\"lease\":\"nope\"}").status()).isEqualTo(404);
        assertThat(http.post("/v1/sessions/nope/keepalive", "").status()).isEqualTo(404);
        assertThat(http.get("/v1/nothing-here").json().get("error").asText()).isEqualTo("no-route");
    }

    @ParameterizedTest
    @CsvSource({"0s", "500ms", "2h", "-5s", "five"})
    void aSessionTtlOutOfRangeIsRefused(String ttl) {
        Http.Response r = http.post("/v1/sessions", "{\"ttl\":\"" + ttl + "\"}");
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().get("message").asText()).contains(ttl);
    }

    @Test
    void badKeysAndConditionsAreRefusedAndChangeNothing() {
        assertThat(put("/v1/kv/a//b", null, null).json().get("error").asText())
                .isEqualTo("invalid-name");
        assertThat(put("/v1/kv/k", "If-Match", "\"abc\"").status()).isEqualTo(400);
        assertThat(put("/v1/kv/k", "If-Match", "\"0\"").status()).isEqualTo(400);
        assertThat(put("/v1/kv/k", "If-None-Match", "\"3\"").status()).isEqualTo(400);
        assertThat(f.baton.keyValue().keys("")).isEmpty();
        assertThat(http.get("/v1/locks?prefix=a//b").json().get("error").asText())
                .isEqualTo("invalid-name");
    }

    private Http.Response put(String path, String header, String value) {
        HttpRequest.Builder b = http.request(path).PUT(HttpRequest.BodyPublishers.ofString("v"));
        if (header != null) {
            b.header(header, value);
        }
        return http.send(b);
    }
}
