package dev.baton.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code baton} as a real OS process: the same java binary, the test classpath, the main
 * class. Output goes to files in a directory, so a test can read it while the process runs.
 */
final class Cli {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Cli() {}

    /** A finished run. */
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** A running {@code baton} process. */
    static final class Running {
        final Process process;
        final Path out;
        final Path err;

        Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String out() {
            return read(out);
        }

        String err() {
            return read(err);
        }

        Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new AssertionError(
                            "baton did not end within "
                                    + timeout
                                    + "; stdout:\n"
                                    + out()
                                    + "\nstderr:\n"
                                    + err());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return new Result(process.exitValue(), out(), err());
        }

        /** SIGKILL of the JVM and everything it started. */
        void kill() {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }

        private static String read(Path p) {
            try {
                return Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static Running start(Path dir, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BatonCli.class.getName());
        cmd.addAll(List.of(args));
        int n = SEQ.incrementAndGet();
        Path out = dir.resolve("baton-" + n + ".out");
        Path err = dir.resolve("baton-" + n + ".err");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().remove(BatonCli.CONNECT_ENV);
        pb.environment().putAll(env);
        try {
            return new Running(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result run(Path dir, Duration timeout, Map<String, String> env, String... args) {
        return start(dir, env, args).await(timeout);
    }

    static Result run(Path dir, Duration timeout, String... args) {
        return run(dir, timeout, Map.of(), args);
    }
}
