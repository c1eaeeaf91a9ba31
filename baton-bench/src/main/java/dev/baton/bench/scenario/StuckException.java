package dev.baton.bench.scenario;

/**
 * A system's worker threads did not finish in time: its clients cannot be trusted any more, and the
 * harness stops running it for the rest of the run.
 */
public final class StuckException extends Exception {
    private static final long serialVersionUID = 1L;

    StuckException(String message) {
        super(message);
    }
}
