package dev.baton.spring;

/** What a {@link Locked} method does when another holder has its lock. */
public enum OnBusy {
    /**
     * Wait up to {@link Locked#waitFor()}; then fail with {@link dev.baton.LockTimeoutException}
     * (which carries the holder seen).
     */
    WAIT,
    /**
     * Do not run the method: it returns {@code null}, or an empty {@link java.util.Optional}. For
     * scheduled jobs that any instance may run, once per tick. Not allowed on a method returning a
     * primitive.
     */
    SKIP,
    /** Try once and fail at once with {@link dev.baton.LockTimeoutException} (waited zero). */
    FAIL
}
