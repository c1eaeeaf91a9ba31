package dev.baton.bench.scenario;

import dev.baton.bench.BenchConfig;
import dev.baton.bench.LockSystem;
import dev.baton.bench.Results;
import java.io.PrintStream;

/**
 * What every scenario shares with the harness: the run's sizes, where results go and the log.
 *
 * <p>Threads: used by the harness's one driving thread only; a scenario's worker threads neither
 * log nor record (the driving thread records after joining them).
 */
public final class Context {
    private final BenchConfig config;
    private final Results results;
    private final PrintStream log;
    private final long startNanos = System.nanoTime();

    /**
     * @param log where progress goes (stderr from the CLI)
     */
    public Context(BenchConfig config, Results results, PrintStream log) {
        this.config = config;
        this.results = results;
        this.log = log;
    }

    public BenchConfig config() {
        return config;
    }

    public Results results() {
        return results;
    }

    /** One line of progress, stamped with the seconds since the harness started. */
    public void log(String format, Object... args) {
        log.printf(
                "[%6.1f s] %s%n",
                Workers.seconds(System.nanoTime() - startNanos), String.format(format, args));
        log.flush();
    }

    /** Logs that {@code system} failed in {@code scenario}, with the cause if there is one. */
    public void fail(LockSystem system, String scenario, Exception e) {
        log("%s failed in %s: %s", system.name(), scenario, e);
        Throwable cause = e.getCause();
        if (cause != null) {
            log("  caused by %s", cause);
        }
    }
}
