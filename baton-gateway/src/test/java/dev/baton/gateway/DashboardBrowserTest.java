package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The dashboard at {@code /} in a real headless Chromium: it follows the gateway live, from the
 * watch stream alone (no reload, no polling), so a lock appears within a second of being granted.
 * One browser for the class; a fresh gateway for each test.
 */
class DashboardBrowserTest {
    /** The page is push-driven: a change must show well within this. */
    private static final Duration PUSHED = Duration.ofSeconds(1);

    private static final Duration POLL = Duration.ofMillis(50);
    private static Browser browser;

    private GatewayFixture f;
    private WebDriver page;

    /**
     * Per test, not in {@code @BeforeAll}: an assumption that fails there makes Surefire report
     * "Tests run: 0", which reads like a pass; here each test is counted as skipped.
     */
    @BeforeEach
    void startBrowser() {
        Browser.assumeInstalled();
        if (browser == null) {
            browser = Browser.start();
        }
    }

    @AfterAll
    static void quitBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void stop() {
        if (page != null) {
            page.get("about:blank"); // closes the page's event stream before the gateway stops
        }
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aGrantedLockAndAPutKeyShowUpLiveAndAReleasedLockGoes() throws IOException {
        open(new GatewayFixture(), "");
        String session = f.http.session("60s");

        Http.Response granted = f.http.acquire(session, "orders/42", "0s");
        long start = System.nanoTime();
        assertThat(granted.status()).as("%s", granted).isEqualTo(200);
        String token = granted.json().get("token").asText();
        await().atMost(PUSHED)
                .pollInterval(POLL)
                .until(() -> cells(lockRow("orders/42")), c -> c.contains(token));
        long latencyMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("dashboard: lock row shown " + latencyMs + " ms after the grant");
        List<String> row = cells(lockRow("orders/42"));
        assertThat(row.get(0)).isEqualTo("orders/42");
        assertThat(row.get(1)).isEqualTo("mutex");
        // The event that shows a grant can come before the session has taken the lease in (see
        // LockView): then the engine's holder, the gateway's client, is all there is to show.
        String bySession = "session " + session.substring(0, 8);
        assertThat(row.get(2)).as("holder").isIn(bySession, f.baton.clientId());
        assertThat(row.get(3)).as("token").isEqualTo(token);
        assertThat(row.get(5)).as("waiters").isEqualTo("0");

        put("config/feature-x", "enabled for 10% of tenants");
        await().atMost(PUSHED)
                .pollInterval(POLL)
                .until(
                        () -> cells(kvRow("config/feature-x")),
                        c ->
                                c.equals(
                                        List.of(
                                                "config/feature-x",
                                                "1",
                                                "enabled for 10% of tenants")));

        // Read afresh, the holder is named by its session.
        page.navigate().refresh();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(POLL)
                .until(() -> cells(lockRow("orders/42")), c -> c.contains(bySession));

        // The checker finds only what is there: a name never acquired never shows.
        assertThat(lockRow("orders/43")).isEmpty();
        assertThatThrownBy(
                        () ->
                                await().atMost(PUSHED)
                                        .pollInterval(POLL)
                                        .until(() -> lockRow("orders/43").isPresent()))
                .isInstanceOf(ConditionTimeoutException.class);

        // A fuller picture for the screenshot: a read lock with two holders, a queued waiter.
        String other = f.http.session("60s");
        f.http.post(
                "/v1/locks/acquire",
                "{\"name\":\"reports/daily\",\"session\":\"" + session + "\",\"kind\":\"read\"}");
        f.http.post(
                "/v1/locks/acquire",
                "{\"name\":\"reports/daily\",\"session\":\"" + other + "\",\"kind\":\"read\"}");
        f.http.acquire(other, "billing/nightly-run", "0s");
        f.http.postAsync(
                "/v1/locks/acquire",
                "{\"name\":\"billing/nightly-run\",\"session\":\""
                        + session
                        + "\",\"wait\":\"20s\"}");
        put("config/max-batch", "500");
        put("config/feature-x", "enabled for all tenants");
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(POLL)
                .until(
                        () ->
                                cell(lockRow("billing/nightly-run"), 5).equals("1")
                                        && cell(kvRow("config/feature-x"), 1).equals("2"));
        click("orders/42");
        await().atMost(PUSHED).pollInterval(POLL).until(() -> historyTokens().contains(token));
        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, browser.driver.getScreenshotAs(OutputType.BYTES));
        assertThat(lockRow("orders/42")).as("the screenshot shows the lock").isPresent();

        String lease = granted.json().get("lease").asText();
        assertThat(f.http.post("/v1/locks/release", "{\"lease\":\"" + lease + "\"}").status())
                .isEqualTo(200);
        await().atMost(PUSHED).pollInterval(POLL).until(() -> lockRow("orders/42").isEmpty());
        assertThat(lockRow("reports/daily")).as("the other locks stay").isPresent();
    }

    @Test
    void aLocksHistoryListsTheTokensOfSuccessiveHolders() {
        open(new GatewayFixture(), "");
        String first = f.http.session("60s");
        String second = f.http.session("60s");

        Http.Response a = f.http.acquire(first, "jobs/report", "0s");
        String tokenA = a.json().get("token").asText();
        await().atMost(PUSHED).pollInterval(POLL).until(() -> lockRow("jobs/report").isPresent());
        click("jobs/report");
        await().atMost(PUSHED)
                .pollInterval(POLL)
                .until(this::historyTokens, t -> t.equals(List.of(tokenA)));

        f.http.post("/v1/locks/release", "{\"lease\":\"" + a.json().get("lease").asText() + "\"}");
        String tokenB = f.http.acquire(second, "jobs/report", "0s").json().get("token").asText();
        assertThat(tokenB).isNotEqualTo(tokenA);
        await().atMost(PUSHED)
                .pollInterval(POLL)
                .until(this::historyTokens, t -> t.equals(List.of(tokenB, tokenA)));
        assertThat(page.findElements(By.cssSelector("#history-rows li.current")))
                .extracting(e -> e.getAttribute("data-token"))
                .as("only the second holder holds it now")
                .containsExactly(tokenB);
        assertThat(cell(lockRow("jobs/report"), 3)).isEqualTo(tokenB);
    }

    @Test
    void onlyNamesUnderThePrefixAreShown() {
        open(new GatewayFixture(), "orders");
        f.baton.keyValue().put("billing/rate", "7");
        f.baton.keyValue().put("orders/limit", "3");
        String session = f.http.session("60s");
        f.http.acquire(session, "billing/run", "0s");
        f.http.acquire(session, "orders/1", "0s");
        await().atMost(PUSHED)
                .pollInterval(POLL)
                .until(() -> lockRow("orders/1").isPresent() && kvRow("orders/limit").isPresent());
        assertThat(lockRow("billing/run")).isEmpty();
        assertThat(kvRow("billing/rate")).isEmpty();
    }

    @Test
    void withAccessRulesThePageAsksForATokenThenStreamsWithIt() {
        open(
                new GatewayFixture(b -> b.auth(AccessRules.parse(GatewayAuthTest.RULES, "test"))),
                null);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(POLL)
                .until(() -> page.findElement(By.id("error")).getText(), t -> t.contains("401"));
        assertThat(connection()).isEqualTo("error");

        page.findElement(By.id("token")).sendKeys(GatewayAuthTest.OPS);
        page.findElement(By.cssSelector("#token-form button")).click();
        awaitLive();
        Http ops = f.http.as(GatewayAuthTest.OPS);
        String token =
                ops.acquire(ops.session("60s"), "ops/deploy", "0s").json().get("token").asText();
        await().atMost(PUSHED)
                .pollInterval(POLL)
                .until(() -> cell(lockRow("ops/deploy"), 3), token::equals);
        // (the token is kept in sessionStorage, per origin: the next gateway's port starts clean)
    }

    @Test
    void afterARestartThePageReconnectsResyncsAndShowsWhatChangedMeanwhile() {
        open(new GatewayFixture(), "");
        int port = f.gateway.port();
        f.gateway.close();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(POLL)
                .until(this::connection, s -> !s.equals("live"));
        f.other.mutex("jobs/while-down").acquire(); // seen by nobody: the page must re-read
        try (Gateway again = Gateway.start(GatewayConfig.builder(f.baton).port(port).build())) {
            assertThat(again.port()).isEqualTo(port); // the page reconnects to where it was
            // EventSource retries after a few seconds, with the id of the old run: resync.
            awaitLive();
            await().atMost(PUSHED)
                    .pollInterval(POLL)
                    .until(() -> cell(lockRow("jobs/while-down"), 2), f.other.clientId()::equals);
            assertThat(page.findElements(By.cssSelector("#event-rows li[data-type='resync']")))
                    .isNotEmpty();
            page.get("about:blank");
        }
    }

    /** Opens the dashboard on a fresh gateway; waits until it is live unless prefix is null. */
    private void open(GatewayFixture fixture, String prefix) {
        f = fixture;
        page = browser.driver;
        page.get(
                f.gateway.uri()
                        + "/"
                        + (prefix == null || prefix.isEmpty() ? "" : "?prefix=" + prefix));
        if (prefix != null) {
            awaitLive();
        }
    }

    /** Chromium's first start on a busy machine is slow: generous, since nothing is timed yet. */
    private void awaitLive() {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(POLL)
                .until(this::connection, "live"::equals);
    }

    private String connection() {
        return page.findElement(By.id("conn")).getAttribute("data-state");
    }

    private Optional<WebElement> lockRow(String name) {
        return page.findElements(By.cssSelector("#lock-rows tr[data-lock='" + name + "']")).stream()
                .findFirst();
    }

    private Optional<WebElement> kvRow(String key) {
        return page.findElements(By.cssSelector("#kv-rows tr[data-key='" + key + "']")).stream()
                .findFirst();
    }

    /** The row's cell texts, or none if absent or redrawn while being read (tables are redrawn). */
    private static List<String> cells(Optional<WebElement> row) {
        try {
            return row.map(
                            r ->
                                    r.findElements(By.tagName("td")).stream()
                                            .map(WebElement::getText)
                                            .toList())
                    .orElse(List.of());
        } catch (StaleElementReferenceException redrawn) {
            return List.of();
        }
    }

    /** Tokens in the history panel, newest first. */
    private List<String> historyTokens() {
        try {
            return page.findElements(By.cssSelector("#history-rows li")).stream()
                    .map(e -> e.getAttribute("data-token"))
                    .toList();
        } catch (StaleElementReferenceException redrawn) {
            return List.of();
        }
    }

    /** Clicks a lock's row; a redraw between finding and clicking it just means try again. */
    private void click(String lock) {
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(POLL)
                .ignoreExceptionsInstanceOf(RuntimeException.class)
                .until(
                        () -> {
                            lockRow(lock).orElseThrow().click();
                            return true;
                        });
    }

    private static String cell(Optional<WebElement> row, int i) {
        List<String> c = cells(row);
        return i < c.size() ? c.get(i) : "";
    }

    private void put(String key, String value) {
        Http.Response r =
                f.http.send(
                        f.http.request("/v1/kv/" + key)
                                .PUT(HttpRequest.BodyPublishers.ofString(value)));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }
}
