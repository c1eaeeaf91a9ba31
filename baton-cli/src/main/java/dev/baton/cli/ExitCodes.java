package dev.baton.cli;

/**
 * Exit statuses of the {@code baton} command, after sysexits(3) where one fits. {@code baton exec}
 * returns the command's own status (0..255) when it ran to the end with the lease held.
 */
final class ExitCodes {
    static final int OK = 0;

    /** Anything not covered below (the one-line message says what). */
    static final int FAILURE = 1;

    /** EX_USAGE: bad flag, bad duration, invalid name or URI, missing --connect. */
    static final int USAGE = 64;

    /** EX_UNAVAILABLE: the engine could not be reached. */
    static final int UNAVAILABLE = 69;

    /** EX_SOFTWARE: the lease was lost while the command ran; the command was terminated. */
    static final int LEASE_LOST = 70;

    /** EX_TEMPFAIL: the lock was not acquired within --wait. */
    static final int NOT_ACQUIRED = 75;

    /** As in POSIX shells: the command exists but cannot be executed. */
    static final int NOT_EXECUTABLE = 126;

    /** As in POSIX shells: the command was not found. */
    static final int NOT_FOUND = 127;

    /** Ended by SIGINT (128 + 2), as shells report it. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
