package dev.baton.samples.scheduler;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.json.JsonParserFactory;

/**
 * One copy of the sample, {@code java -jar baton-sample-scheduler.jar}, as a child process on a
 * free loopback port, its output in a log file: what the end-to-end test starts, asks over HTTP,
 * kills, pauses and resumes. One test thread drives it.
 */
final class SampleInstance implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private boolean paused;

    private SampleInstance(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts {@code java -jar jar --baton.connect=connect ...}; returns without waiting. */
    static SampleInstance start(
            Path jar, String name, String connect, Path journal, Duration ttl, Path logDir) {
        int port = freePort();
        Path log = logDir.resolve(name + ".log");
        List<String> command =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        // Quick startup on a 2-core machine; nothing here is hot enough for C2.
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-Xmx256m",
                        "-jar",
                        jar.toString(),
                        "--baton.connect=" + connect,
                        "--baton.lease-ttl=" + ttl.toMillis() + "ms",
                        "--server.port=" + port,
                        "--server.address=127.0.0.1",
                        "--sample.journal=" + journal);
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            // Should the test JVM itself be ended, leave no copy behind (SIGKILL ends a stopped
            // one).
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            return new SampleInstance(name, port, log, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@code GET path}: the status and the body parsed as a JSON object. */
    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Response post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** An HTTP answer: status, and the body as a JSON object (empty for no body). */
    record Response(int status, Map<String, Object> json, String body) {
        @SuppressWarnings("unchecked")
        <T> T at(String... path) {
            Object v = json;
            for (String p : path) {
                v = v instanceof Map<?, ?> m ? m.get(p) : null;
            }
            return (T) v;
        }
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r =
                    HTTP.send(
                            request.timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
            String body = r.body();
            Map<String, Object> json =
                    body.isBlank() ? Map.of() : JsonParserFactory.getJsonParser().parseMap(body);
            return new Response(r.statusCode(), json, body);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** kill -9, and waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGSTOP; returns once every thread of the process is stopped. */
    void pause() {
        signal("STOP");
        paused = true;
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(this::allThreadsStopped);
    }

    /** SIGCONT. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    /** Whether every thread is in state T (stopped), from {@code /proc/<pid>/task/* /stat}. */
    private boolean allThreadsStopped() throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended
                }
                // "tid (comm) S ...": the state follows the last ')'
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
        }
        return true;
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Resumes a paused process, kills it, waits until it is gone. Idempotent. */
    @Override
    public void close() {
        if (paused && process.isAlive()) {
            resume();
        }
        kill();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Name and pid, for reports. */
    String label() {
        return name + " (pid " + pid() + ")";
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ", port " + port + ", log " + log + ")";
    }
}
