package dev.baton.verify;

import java.util.List;

/**
 * Which violations of a {@link CheckResult} break what the run's mode promises ({@link #counted()})
 * and which the mode says in advance it cannot prevent ({@link #excused()}, each with the reason;
 * e.g. a grant right after a Redis restart without persistence while the old holder still
 * believes).
 */
public record Verdict(List<Violation> counted, List<Excused> excused) {

    public Verdict {
        counted = List.copyOf(counted);
        excused = List.copyOf(excused);
    }

    /** A violation the mode does not promise to prevent, and why. */
    public record Excused(Violation violation, String reason) {}

    /** Every violation counts. */
    public static Verdict strict(CheckResult result) {
        return new Verdict(result.violations(), List.of());
    }

    /** Whether no counted violation was found. */
    public boolean passed() {
        return counted.isEmpty();
    }
}
