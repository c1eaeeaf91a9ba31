package dev.baton.verify;

import java.util.List;

/**
 * What {@link Checker#check(History)} found.
 *
 * @param violations every violation, grouped by kind in {@link Violation.Kind} order, each group in
 *     time order
 * @param stats counts and recovery times
 */
public record CheckResult(List<Violation> violations, Stats stats) {

    public CheckResult {
        violations = List.copyOf(violations);
    }

    /** Whether no violation of any kind was found. */
    public boolean clean() {
        return violations.isEmpty();
    }

    /** The violations of one kind. */
    public List<Violation> violations(Violation.Kind kind) {
        return violations.stream().filter(v -> v.kind() == kind).toList();
    }

    /**
     * Counts over the history.
     *
     * @param events events checked
     * @param grants {@code ACQUIRE ok} events
     * @param grantsWithoutToken grants carrying no fencing token (not checked for inversion)
     * @param writesAccepted {@code WRITE ok}: the fenced store accepted the write
     * @param staleWritesRejected {@code WRITE fail}: the store rejected the write (fencing at work)
     * @param writesIndeterminate {@code WRITE info}: outcome unknown
     * @param acknowledgedIncrements {@code WRITE ok} events that carry a register value
     * @param finalRegisterValue the register's value after the run (see {@link Checker}), or {@code
     *     null} when no write was acknowledged
     * @param kills {@code KILL} events that took effect (ok or info)
     * @param holderKills (kill, lock) pairs where the killed process held the lock
     * @param recoveries holder kills followed by a grant of the lock to another process
     * @param recoveryMaxMillis the longest time from a holder's kill to the next grant, or 0 if
     *     none
     * @param recoveryP99Millis the 99th percentile (nearest rank) of those times, or 0 if none
     */
    public record Stats(
            int events,
            int grants,
            int grantsWithoutToken,
            int writesAccepted,
            int staleWritesRejected,
            int writesIndeterminate,
            int acknowledgedIncrements,
            Long finalRegisterValue,
            int kills,
            int holderKills,
            int recoveries,
            double recoveryMaxMillis,
            double recoveryP99Millis) {}
}
