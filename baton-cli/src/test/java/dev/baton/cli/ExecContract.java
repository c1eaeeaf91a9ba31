package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.Baton;
import dev.baton.FencedLease;
import dev.baton.LockSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code baton exec} must do on every engine, run as a real process; each engine's exec test
 * extends this with its server and adds what only that engine can show.
 */
abstract class ExecContract {
    static final Duration RUN = Duration.ofSeconds(60);

    @TempDir Path dir;

    /** URI of the engine under test. */
    abstract String uri();

    /** A client of that engine, for holding locks and looking at them. */
    abstract Baton client();

    static String[] execOn(String uri, String lock, String... rest) {
        List<String> a = new ArrayList<>(List.of("exec", "--connect", uri, "--lock", lock));
        a.addAll(List.of(rest));
        return a.toArray(String[]::new);
    }

    String[] exec(String lock, String... rest) {
        return execOn(uri(), lock, rest);
    }

    @Test
    void runsTheCommandWithLockAndTokenAndPropagatesItsStatus() {
        Cli.Result r =
                Cli.run(
                        dir,
                        RUN,
                        exec(
                                "exec/status",
                                "--",
                                "sh",
                                "-c",
                                "echo \"lock=$BATON_LOCK token=$BATON_FENCING_TOKEN\"; exit 7"));
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(7);
        assertThat(r.out()).matches("lock=exec/status token=\\d+\\R");
        assertThat(client().inspect("exec/status").map(LockSnapshot::isHeld))
                .isNotEqualTo(Optional.of(true));
    }

    @Test
    void waitZeroOnAHeldLockExits75AtOnceNamingTheHolder() {
        try (FencedLease held = client().mutex("exec/busy").acquire(Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            Cli.Result r = Cli.run(dir, RUN, exec("exec/busy", "--wait", "0", "--", "true"));
            assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(75);
            assertThat(r.errLines())
                    .singleElement()
                    .asString()
                    .contains(
                            "\"exec/busy\" not acquired within 0ms",
                            client().clientId(),
                            "token " + held.fencingToken());
            // "At once": no waiting beyond JVM start-up and one round trip.
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(held.isHeld()).isTrue();
        }
    }
}
