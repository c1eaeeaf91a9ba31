package dev.baton.spring.boot;

import dev.baton.BackendUnavailableException;
import dev.baton.BatonException;
import dev.baton.InvalidArgumentException;
import dev.baton.spring.InvalidLockedMethodException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns the failures by which Baton stops an application at startup into Boot's short report: a bad
 * {@code baton.*} value or URI, an engine that cannot be reached, a broken {@code @Locked} /
 * {@code @LeaderOnly} declaration. Other Baton exceptions (a lock timing out in a runner, say) are
 * left to Boot's default report: they are not configuration problems.
 */
class BatonFailureAnalyzer implements FailureAnalyzer {
    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidLockedMethodException) {
                return analysis(t, "Fix the @Locked / @LeaderOnly declaration named above.");
            }
            if (t instanceof InvalidArgumentException) {
                return analysis(
                        t,
                        "Check the baton.* properties: baton.connect names the engine"
                                + " (zookeeper://, redis://, embedded, mem:).");
            }
            if (t instanceof BackendUnavailableException) {
                return analysis(
                        t,
                        "Start the engine baton.connect names, or point baton.connect at a running"
                                + " one (baton.connect-timeout bounds the wait).");
            }
        }
        return null;
    }

    private static FailureAnalysis analysis(Throwable cause, String action) {
        return new FailureAnalysis(
                "Baton could not start: " + cause.getMessage(), action, (BatonException) cause);
    }
}
