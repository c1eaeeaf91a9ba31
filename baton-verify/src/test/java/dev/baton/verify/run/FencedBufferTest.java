package dev.baton.verify.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FencedBufferTest {

    @Test
    void itemsComeOutOldestFirstWithTheSizeAfter() {
        try (FencedBuffer store = FencedBuffer.start(true)) {
            assertThat(store.apply("READ b 1 c1")).isEqualTo("OK -");
            assertThat(store.apply("PUT b 1 c1 c1-1")).isEqualTo("OK 1");
            assertThat(store.apply("PUT b 2 c3 c3-1")).isEqualTo("OK 2");
            assertThat(store.apply("READ b 3 c2")).isEqualTo("OK c1-1,c3-1");
            assertThat(store.apply("TAKE b 3 c2")).isEqualTo("OK c1-1 1");
            assertThat(store.items("b")).containsExactly("c3-1");
        }
    }

    @Test
    void aStaleTokenIsRefusedAndChangesNothing() {
        try (FencedBuffer store = FencedBuffer.start(true)) {
            assertThat(store.apply("PUT b 5 c1 a")).isEqualTo("OK 1");
            assertThat(store.apply("READ b 7 c2")).isEqualTo("OK a");
            // c1's lease is older than c2's read: it must not take what c2 saw.
            assertThat(store.apply("TAKE b 5 c1")).isEqualTo("REJECT 7 c2");
            assertThat(store.apply("PUT b 7 c3 x")).isEqualTo("REJECT 7 c2");
            assertThat(store.apply("PUT b -1 c3 x")).startsWith("REJECT");
            assertThat(store.items("b")).containsExactly("a");
        }
    }

    @Test
    void aTakeFromAnEmptyBufferIsReportedNotInvented() {
        try (FencedBuffer store = FencedBuffer.start(true)) {
            assertThat(store.apply("TAKE b 1 c1")).isEqualTo("EMPTY");
        }
    }

    @Test
    void withoutFencingEveryTokenIsAccepted() {
        try (FencedBuffer store = FencedBuffer.start(false)) {
            assertThat(store.apply("PUT b 9 c1 a")).isEqualTo("OK 1");
            assertThat(store.apply("PUT b 1 c2 b")).isEqualTo("OK 2");
        }
    }

    @Test
    void malformedRequestsGetAnErrorAndChangeNothing() {
        try (FencedBuffer store = FencedBuffer.start(true)) {
            assertThat(store.apply("PUT b x c1 a")).startsWith("ERROR");
            assertThat(store.apply("PUT b 1 c1 a,b")).startsWith("ERROR");
            assertThat(store.apply("POP b 1 c1")).startsWith("ERROR");
            assertThat(store.items("b")).isEmpty();
        }
    }

    @Test
    void clientsTalkToItOverLoopbackTcp() throws Exception {
        try (FencedBuffer store = FencedBuffer.start(true)) {
            String[] hp = store.address().split(":");
            try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
                    PrintWriter out =
                            new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                    BufferedReader in =
                            new BufferedReader(
                                    new InputStreamReader(
                                            s.getInputStream(), StandardCharsets.UTF_8))) {
                out.println("PUT b 3 c1 c1-1");
                assertThat(in.readLine()).isEqualTo("OK 1");
                out.println("TAKE b 4 c2");
                assertThat(in.readLine()).isEqualTo("OK c1-1 0");
            }
        }
    }
}
