package dev.baton.verify.run;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.History;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client child JVM ({@link VerifyClient} or {@link BufferClient}): starts it, pumps its stdout
 * lines into the {@link HistoryLog}, and does to it what the nemesis asks (SIGKILL, SIGSTOP,
 * SIGCONT) or asks it to stop.
 *
 * <p>Threads: the nemesis thread and the runner's thread call the signal methods, never at the same
 * time (the runner stops the nemesis first); one pump thread per process owns its stdout. Stderr
 * goes to a file under the report directory.
 */
final class ClientProcess {
    private final String id;
    private final Process process;
    private final Thread pump;
    private volatile boolean paused;

    private ClientProcess(String id, Process process, Thread pump) {
        this.id = id;
        this.process = process;
        this.pump = pump;
    }

    /** Starts {@code main} (a client's main class: {@link VerifyClient}, {@link BufferClient}). */
    static ClientProcess start(
            Class<?> main, String id, List<String> clientArgs, Path stderrFile, HistoryLog log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        // Small and quick to start: several run at once on a 2-core machine.
        cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(clientArgs);
        Process p;
        try {
            p =
                    new ProcessBuilder(cmd)
                            .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                            .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start client " + id, e);
        }
        Thread pump =
                new Thread(
                        () -> {
                            try (BufferedReader in =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    p.getInputStream(), StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = in.readLine()) != null) {
                                    if (line.startsWith("{")) {
                                        try {
                                            log.append(History.parseLine(line));
                                        } catch (InvalidArgumentException e) {
                                            // A torn line from a kill -9 mid-write: not an event.
                                        }
                                    }
                                }
                            } catch (IOException ignored) {
                                // the process is gone
                            }
                        },
                        "pump-" + id);
        pump.setDaemon(true);
        pump.start();
        return new ClientProcess(id, p, pump);
    }

    String id() {
        return id;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status; only once the process has exited. */
    int exitValue() {
        return process.exitValue();
    }

    boolean isPaused() {
        return paused;
    }

    /** SIGKILL; waits until the process is gone and its last lines are in the log. */
    void kill() {
        process.destroyForcibly();
        awaitExit(10);
    }

    /** SIGSTOP: the whole JVM freezes, timers and all, as in a long GC pause or a VM stall. */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    /** Asks the client to finish its cycle and exit; kills it if it has not within the bound. */
    boolean stop(long seconds) {
        requestStop();
        return awaitStop(seconds);
    }

    /** Resumes the client if paused and tells it to stop after its current cycle. */
    void requestStop() {
        if (paused) {
            resume();
        }
        try {
            OutputStream in = process.getOutputStream();
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            in.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Waits for the exit asked by {@link #requestStop}; kills the client after the bound. */
    boolean awaitStop(long seconds) {
        if (!awaitExit(seconds)) {
            kill();
            return false;
        }
        return true;
    }

    private boolean awaitExit(long seconds) {
        try {
            boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
            if (exited) {
                pump.join(TimeUnit.SECONDS.toMillis(5));
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void signal(String name) {
        if (!process.isAlive()) {
            return; // never signal a pid that may have been reused
        }
        try {
            Process kill =
                    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                            .redirectErrorStream(true)
                            .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + id + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal " + id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + id, e);
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
