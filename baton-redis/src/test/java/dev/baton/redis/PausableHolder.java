package dev.baton.redis;

import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.FencedLease;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A child-JVM client for {@link RedisFaultTest}: acquires one mutex and reports, one line each on
 * stdout, with {@link System#nanoTime()} stamps (CLOCK_MONOTONIC, comparable with the parent's on
 * one Linux machine):
 *
 * <ul>
 *   <li>{@code GRANTED <token> <nanos>} once the mutex is held;
 *   <li>{@code VALID <nanos>} every 50 ms while {@code ensureValid()} succeeds; the stamp is read
 *       <em>before</em> the check, so it never postdates the moment the check found the lease
 *       valid;
 *   <li>{@code INVALID <nanos> <exception>} at the first failed check (then checks stop);
 *   <li>{@code LOST <reason> <nanos>} from the {@code lost()} callback.
 * </ul>
 *
 * Arguments: {@code <uri> <name> <ttlMillis> <marginMillis>}. It never releases and never exits on
 * its own: the test kills it (SIGKILL), or pauses it (SIGSTOP/SIGCONT) and then kills it.
 */
final class PausableHolder {
    private PausableHolder() {}

    public static void main(String[] args) throws InterruptedException {
        BatonConfig config =
                BatonConfig.custom()
                        .leaseTtl(Duration.ofMillis(Long.parseLong(args[2])))
                        .safetyMargin(Duration.ofMillis(Long.parseLong(args[3])))
                        .build();
        Baton baton = Baton.connect(args[0], config);
        say("CONNECTED " + System.nanoTime());
        FencedLease lease = baton.mutex(args[1]).acquire(Duration.ofSeconds(60));
        say("GRANTED " + lease.fencingToken() + " " + System.nanoTime());
        lease.lost().thenAccept(loss -> say("LOST " + loss.reason() + " " + System.nanoTime()));
        while (true) {
            long before = System.nanoTime();
            try {
                lease.ensureValid();
            } catch (RuntimeException e) {
                say("INVALID " + System.nanoTime() + " " + e.getClass().getSimpleName());
                break;
            }
            say("VALID " + before);
            Thread.sleep(50); // the holder's own work rhythm (a child process, not test sync)
        }
        new CountDownLatch(1).await(); // stay alive (the lost() callback may still print)
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
