package dev.baton.cli;

/**
 * Aborts {@code baton demo} with a one-line reason (a timeout, a server that died unasked, a broken
 * protocol line); {@link DemoCommand} prints it as {@code FAIL: reason} and still cleans up.
 */
final class DemoFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DemoFailure(String message) {
        super(message);
    }
}
