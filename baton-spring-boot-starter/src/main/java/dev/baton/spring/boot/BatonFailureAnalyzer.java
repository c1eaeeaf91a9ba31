package dev.baton.spring.boot;

import dev.baton.BatonException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a Baton failure at startup (a bad {@code baton.*} value, an engine that is down, a broken
 * {@code @Locked} declaration) into Boot's short report: what went wrong, named, and what to do.
 */
class BatonFailureAnalyzer extends AbstractFailureAnalyzer<BatonException> {
    @Override
    protected FailureAnalysis analyze(Throwable root, BatonException cause) {
        return new FailureAnalysis(
                "Baton could not start: " + cause.getMessage(),
                "Check the baton.* properties (baton.connect names the engine and must be"
                        + " reachable) and the @Locked / @LeaderOnly declarations named above.",
                cause);
    }
}
