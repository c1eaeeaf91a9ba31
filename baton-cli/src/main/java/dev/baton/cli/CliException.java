package dev.baton.cli;

/**
 * Ends a command with a one-line message on stderr and a given exit status. Thrown by commands for
 * conditions the user must act on; {@link BatonCli} prints it without a stack trace (unless {@code
 * --verbose}).
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }
}
