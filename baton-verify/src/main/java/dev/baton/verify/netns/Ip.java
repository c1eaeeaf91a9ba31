package dev.baton.verify.netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ip}, {@code tc} and friends as child processes. Stateless; any thread may call it.
 */
final class Ip {
    /** iproute2 answers in milliseconds; a command still running after this is stuck. */
    private static final long TIMEOUT_SECONDS = 30;

    private Ip() {}

    /** Runs the command; returns its output (stdout and stderr merged). */
    static String run(String... command) {
        Result result = tryRun(command);
        if (result.exitCode != 0) {
            throw new NetnsException(
                    "`"
                            + String.join(" ", command)
                            + "` failed (exit "
                            + result.exitCode
                            + "): "
                            + result.output.trim());
        }
        return result.output;
    }

    /**
     * Runs a command written as one line, split at whitespace: for {@code ip} and {@code tc}
     * commands, whose arguments (names, addresses, numbers) never contain a space.
     */
    static String line(String commandLine) {
        return run(commandLine.trim().split("\\s+"));
    }

    /** {@link #line} that tolerates failure. */
    static Result tryLine(String commandLine) {
        return tryRun(commandLine.trim().split("\\s+"));
    }

    /** Runs the command, tolerating failure (for clean-up of what may not exist). */
    static Result tryRun(String... command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        try (InputStream in = process.getInputStream()) {
            // Read before waiting: a child blocked on a full pipe would never exit.
            String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + TIMEOUT_SECONDS + " s: " + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            process.destroyForcibly();
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new NetnsException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** What a command printed and how it exited ({@code -1}: it could not run or timed out). */
    static final class Result {
        final int exitCode;
        final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output == null ? "" : output;
        }

        boolean ok() {
            return exitCode == 0;
        }
    }
}
