package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A stream that a stuck client cannot make anyone else wait for; order kept; bounded. */
class QueuedSinkTest {
    private static final Duration LONG = Duration.ofSeconds(10);

    private final ExecutorService writers = Executors.newCachedThreadPool();

    /** Records what reaches the wire; each write waits for {@code open} first. */
    static final class Wire implements EventSink {
        final List<String> written = new CopyOnWriteArrayList<>();
        final CountDownLatch open;
        final CountDownLatch writing = new CountDownLatch(1);
        volatile boolean refuse;

        Wire(CountDownLatch open) {
            this.open = open;
        }

        @Override
        public boolean send(String event, String id, String json) {
            writing.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (refuse) {
                return false;
            }
            written.add(event);
            return true;
        }

        @Override
        public void close() {
            written.add("<closed>");
        }
    }

    @AfterEach
    void stop() {
        writers.shutdownNow();
    }

    @Test
    void sendingNeverWaitsForTheWireAndKeepsTheOrder() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        Wire wire = new Wire(open);
        QueuedSink sink = new QueuedSink(wire, writers, 100);
        CompletableFuture<Boolean> flushed =
                assertTimeoutPreemptively(
                        LONG,
                        () -> {
                            for (int i = 0; i < 50; i++) {
                                assertThat(sink.send("e" + i, null, "{}")).isTrue();
                            }
                            sink.close();
                            return sink.flushed();
                        },
                        "send or close waited for a stuck wire");
        assertThat(wire.writing.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(flushed).as("nothing is on the wire yet").isNotDone();
        assertThat(sink.send("late", null, "{}")).as("closed: no more events").isFalse();

        open.countDown();
        assertThat(flushed.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(wire.written).hasSize(51);
        for (int i = 0; i < 50; i++) {
            assertThat(wire.written.get(i)).isEqualTo("e" + i);
        }
        assertThat(wire.written.get(50))
                .as("closed after what was sent before")
                .isEqualTo("<closed>");
    }

    @Test
    void aClientThatFallsAQueueBehindIsCutOff() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        Wire wire = new Wire(open);
        QueuedSink sink = new QueuedSink(wire, writers, 3);
        assertThat(sink.send("in-flight", null, "{}")).isTrue();
        assertThat(wire.writing.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            assertThat(sink.send("queued" + i, null, "{}")).isTrue();
        }
        CompletableFuture<Boolean> queued = sink.flushed();
        assertThat(sink.send("one too many", null, "{}")).isFalse();
        assertThat(queued.get(10, TimeUnit.SECONDS)).as("dropped, never written").isFalse();
        assertThat(sink.send("after", null, "{}")).isFalse();
        open.countDown();
        await().atMost(LONG).until(() -> wire.written.contains("<closed>"));
        assertThat(wire.written).doesNotContain("queued0", "queued1", "queued2", "after");
    }

    @Test
    void aFailedWriteClosesTheStream() throws Exception {
        CountDownLatch open = new CountDownLatch(0);
        Wire wire = new Wire(open);
        wire.refuse = true; // the connection is gone
        QueuedSink sink = new QueuedSink(wire, writers, 10);
        assertThat(sink.send("first", null, "{}")).isTrue();
        assertThat(sink.flushed().get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(sink.send("second", null, "{}")).isFalse();
    }
}
