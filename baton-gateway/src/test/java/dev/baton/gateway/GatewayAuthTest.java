package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bearer tokens and per-prefix rules: 401 without a known token, 403 where no rule allows. */
class GatewayAuthTest {
    static final String BILLING = "billing-token-0123456789";
    static final String OPS = "ops-token-0123456789abcdef";
    static final String RULES =
            """
            {"tokens": [
              {"id": "billing", "token": "%s",
               "allow": {"": ["read"], "billing": ["acquire", "write", "watch"], "billing/audit": []}},
              {"id": "ops", "token": "%s", "allow": {"": ["admin"]}}
            ]}
            """
                    .formatted(BILLING, OPS);

    private final GatewayFixture f =
            new GatewayFixture(b -> b.auth(AccessRules.parse(RULES, "test")));

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void noTokenOrAnUnknownOneIs401AndNamesNoSecret() {
        Http.Response none = f.http.post("/v1/sessions", "{}");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        Http.Response wrong = f.http.as(BILLING + "x").post("/v1/sessions", "{}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.text()).doesNotContain(BILLING);
        assertThat(f.http.get("/v1/openapi.json").status())
                .as("the API description is open")
                .isEqualTo(200);
    }

    @Test
    void theMostSpecificPrefixDecides() {
        Http billing = f.http.as(BILLING);
        String s = billing.session("10s");
        assertThat(billing.acquire(s, "billing/run", "0s").status()).isEqualTo(200);
        Http.Response audit = billing.acquire(s, "billing/audit/2026", "0s");
        assertThat(audit.status()).as("%s", audit).isEqualTo(403);
        assertThat(audit.json().get("message").asText()).contains("billing").contains("acquire");
        assertThat(billing.acquire(s, "orders/1", "0s").status()).isEqualTo(403);
        assertThat(billing.get("/v1/locks?prefix=orders").status())
                .as("read everywhere")
                .isEqualTo(200);
        assertThat(
                        billing.send(
                                        billing.request("/v1/kv/orders/1")
                                                .PUT(HttpRequest.BodyPublishers.ofString("x")))
                                .status())
                .isEqualTo(403);
        assertThat(f.baton.keyValue().keys("")).as("nothing written").isEmpty();
        assertThat(f.baton.locks("").stream().map(l -> l.name()).toList())
                .containsExactly("billing/run");
    }

    @Test
    void anotherTokensSessionAndLeasesAreNotFoundButAdminSeesThem() {
        Http billing = f.http.as(BILLING);
        String s = billing.session("10s");
        String lease = billing.acquire(s, "billing/run", "0s").json().get("lease").asText();
        assertThat(
                        f.http.as(OPS)
                                .get("/v1/locks?prefix=billing")
                                .json()
                                .get(0)
                                .at("/holders/0/owner")
                                .asText())
                .as("listings name the token id that holds, never the token")
                .isEqualTo("billing");

        Http stranger = f.http.as(OPS);
        assertThat(stranger.post("/v1/sessions/" + s + "/keepalive", "").status())
                .as("ops is admin")
                .isEqualTo(200);
        assertThat(stranger.post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}").status())
                .isEqualTo(200);
    }

    @Test
    void aNonAdminCannotTouchAnotherTokensSession() {
        String ops = f.http.as(OPS).session("10s");
        Http billing = f.http.as(BILLING);
        assertThat(billing.post("/v1/sessions/" + ops + "/keepalive", "").status()).isEqualTo(404);
        assertThat(billing.acquire(ops, "billing/run", "0s").status()).isEqualTo(404);
        assertThat(f.baton.locks("")).isEmpty();
    }

    @Test
    void badRuleFilesAreRefusedWithTheRule() {
        assertThatThrownBy(() -> AccessRules.parse("{\"tokens\":[]}", "f.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("f.json");
        assertThatThrownBy(
                        () ->
                                AccessRules.parse(
                                        "{\"tokens\":[{\"id\":\"a\",\"token\":\"short\",\"allow\":{}}]}",
                                        "f.json"))
                .hasMessageContaining("16 characters")
                .hasMessageNotContaining("short");
        assertThatThrownBy(
                        () -> AccessRules.parse(RULES.replace("\"admin\"", "\"root\""), "f.json"))
                .hasMessageContaining("root");
        assertThatThrownBy(
                        () ->
                                AccessRules.parse(
                                        RULES.replace("\"billing\":", "\"bil//ling\":"), "f.json"))
                .hasMessageContaining("bil//ling");
    }

    @Test
    void withoutRulesTheGatewayListensOnLoopbackOnly() {
        assertThatThrownBy(() -> GatewayConfig.builder(f.baton).bind("0.0.0.0").build())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("loopback");
        assertThat(
                        GatewayConfig.builder(f.baton)
                                .bind("0.0.0.0")
                                .auth(AccessRules.parse(RULES, "t"))
                                .build()
                                .bind())
                .isEqualTo("0.0.0.0");
    }
}
