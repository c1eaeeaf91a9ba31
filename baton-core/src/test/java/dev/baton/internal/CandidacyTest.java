package dev.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.Baton;
import dev.baton.Candidacy;
import dev.baton.mem.MemEngine;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CandidacyTest {
    private final String engine = "candidacy-" + System.nanoTime();
    private final long pause = CandidacyImpl.pauseNanos;

    @AfterEach
    void reset() {
        CandidacyImpl.pauseNanos = pause;
        MemEngine.reset(engine);
    }

    /**
     * The symptom: {@code Candidacy.close()} blocked for the pause that follows a term under a
     * second. With the pause lengthened to a minute, the old close gave up after its 5 s join and
     * left the candidate thread sleeping; now the thread has ended when close returns.
     */
    @Test
    void closeRightAfterAShortTermReturnsPromptlyWithTheCandidateThreadEnded() throws Exception {
        CandidacyImpl.pauseNanos = TimeUnit.MINUTES.toNanos(1);
        try (Baton baton = Baton.connect("mem:" + engine)) {
            CountDownLatch led = new CountDownLatch(1);
            Candidacy c = baton.election("jobs/short").join(lease -> led.countDown());
            assertThat(led.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> !c.isLeader());
            c.close();
            assertThat(candidateThread("jobs/short"))
                    .as("the candidate thread ended before close returned")
                    .isNull();
        }
    }

    @Test
    void aFailingTaskReachesTheListenerAndLastFailure() throws Exception {
        try (Baton baton = Baton.connect("mem:" + engine)) {
            AtomicReference<Throwable> heard = new AtomicReference<>();
            CountDownLatch failed = new CountDownLatch(1);
            Candidacy c =
                    baton.election("jobs/failing")
                            .join(
                                    lease -> {
                                        throw new IllegalStateException("boom");
                                    },
                                    t -> {
                                        heard.set(t);
                                        failed.countDown();
                                    });
            assertThat(failed.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(heard.get()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(c.lastFailure()).containsSame(heard.get());
            c.close();
        }
    }

    @Test
    void aTaskThatReturnsNormallyIsNoFailure() throws Exception {
        try (Baton baton = Baton.connect("mem:" + engine)) {
            CountDownLatch led = new CountDownLatch(1);
            Candidacy c = baton.election("jobs/fine").join(lease -> led.countDown(), t -> {});
            assertThat(led.await(30, TimeUnit.SECONDS)).isTrue();
            c.close();
            assertThat(c.lastFailure()).isEmpty();
        }
    }

    private static Thread candidateThread(String election) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("baton-candidate-" + election) && t.isAlive())
                .findFirst()
                .orElse(null);
    }
}
