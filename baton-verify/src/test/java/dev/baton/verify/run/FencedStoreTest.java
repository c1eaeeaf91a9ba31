package dev.baton.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FencedStoreTest {

    @Test
    void fencedStoreRejectsALowerTokenAndAnEqualTokenFromAnotherHolder() {
        try (FencedStore store = FencedStore.start(true)) {
            assertThat(store.apply("READ r 5 c1")).isEqualTo("OK 0");
            assertThat(store.apply("WRITE r 5 c1 1")).isEqualTo("OK");
            assertThat(store.apply("WRITE r 5 c2 2")).isEqualTo("REJECT 5 c1");
            assertThat(store.apply("WRITE r 4 c3 2")).isEqualTo("REJECT 5 c1");
            assertThat(store.apply("WRITE r 9 c2 2")).isEqualTo("OK");
            assertThat(store.value("r")).isEqualTo(2);
        }
    }

    @Test
    void aReadWithAHigherTokenFencesOffAnOlderHoldersWrite() {
        try (FencedStore store = FencedStore.start(true)) {
            assertThat(store.apply("READ r 5 c1")).isEqualTo("OK 0");
            assertThat(store.apply("READ r 7 c2")).isEqualTo("OK 0");
            // c1 read 0 and would write 1 over c2's coming increment: a lost update if accepted.
            assertThat(store.apply("WRITE r 5 c1 1")).isEqualTo("REJECT 7 c2");
            assertThat(store.apply("WRITE r 7 c2 1")).isEqualTo("OK");
        }
    }

    @Test
    void withoutATokenNothingCanBeCheckedSoTheFencedStoreRejects() {
        try (FencedStore store = FencedStore.start(true)) {
            assertThat(store.apply("READ r -1 c1")).startsWith("REJECT");
        }
    }

    @Test
    void theControlStoreAcceptsEverything() {
        try (FencedStore store = FencedStore.start(false)) {
            assertThat(store.apply("WRITE r 9 c1 5")).isEqualTo("OK");
            assertThat(store.apply("WRITE r 1 c2 3")).isEqualTo("OK");
            assertThat(store.apply("READ r -1 c3")).isEqualTo("OK 3");
        }
    }

    @Test
    void malformedRequestsGetAnErrorAndChangeNothing() {
        try (FencedStore store = FencedStore.start(true)) {
            assertThat(store.apply("WRITE r x c1 1")).startsWith("ERROR");
            assertThat(store.apply("DELETE r")).startsWith("ERROR");
            assertThat(store.apply("READ r 1 c1")).isEqualTo("OK 0");
        }
    }

    @Test
    void clientsTalkToItOverLoopbackTcp() throws Exception {
        try (FencedStore store = FencedStore.start(true)) {
            String[] hp = store.address().split(":");
            try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
                    PrintWriter out =
                            new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                    BufferedReader in =
                            new BufferedReader(
                                    new InputStreamReader(
                                            s.getInputStream(), StandardCharsets.UTF_8))) {
                out.println("WRITE r 3 c1 42");
                assertThat(in.readLine()).isEqualTo("OK");
                out.println("READ r 3 c1");
                assertThat(in.readLine()).isEqualTo("OK 42");
            }
        }
    }
}
