package dev.baton.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} child process on a free loopback port, without persistence ({@code
 * --save "" --appendonly no}), for tests and {@code baton verify} runs that must kill and restart
 * the engine.
 *
 * <p><b>Which binary.</b> The first of: the system property {@code baton.redis.server}; {@code
 * redis-server} on the {@code PATH}; the Linux amd64 binary bundled in {@code
 * com.github.codemonstur:embedded-redis} (a classpath resource, extracted once per JVM to a
 * temporary file). Nothing else is probed.
 *
 * <p>The port is chosen free on 127.0.0.1 and never 6379, so the machine's own Redis is never
 * touched. {@link #restart()} brings a fresh, empty server up on the same port. Not thread-safe:
 * one thread drives it. Internal to Baton (the tests, {@code baton verify}, {@code baton bench});
 * not a user API.
 */
public final class RedisServer implements AutoCloseable {
    /** Port of a default Redis installation; never used, so a local Redis is never touched. */
    private static final int DEFAULT_REDIS_PORT = 6379;

    private static final String BUNDLED = "redis-server-6.2.6-v5-linux-amd64";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static volatile Path extracted;

    private final Path binary;
    private final int port;
    private final Path dir;
    private Process process;

    private RedisServer(Path binary, int port, Path dir) {
        this.binary = binary;
        this.port = port;
        this.dir = dir;
    }

    /** Starts a server on a free port and waits until it answers PING. */
    public static RedisServer start() {
        Path binary = binary();
        int port = freePort();
        Path dir;
        try {
            dir = Files.createTempDirectory("baton-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working directory for redis", e);
        }
        RedisServer server = new RedisServer(binary, port, dir);
        server.launch();
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Whether the process is alive. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server with SIGKILL and waits until its port is free. */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly(); // SIGKILL on Unix
        try {
            if (!p.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing redis-server", e);
        }
        process = null;
        // A dying process may hold the port a little longer than its pid: wait for the port.
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (answersConnect()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("port " + port + " still in use after kill");
            }
            pause(20);
        }
    }

    /** Kills the server (if running) and starts a fresh, empty one on the same port. */
    public void restart() {
        kill();
        launch();
    }

    @Override
    public void close() {
        kill();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory: best effort
        }
    }

    @Override
    public String toString() {
        return "RedisServer{" + uri() + ", " + binary + "}";
    }

    // ------------------------------------------------------------------ internals

    private void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(
                List.of(
                        "--port", String.valueOf(port),
                        "--bind", "127.0.0.1",
                        "--save", "",
                        "--appendonly", "no",
                        "--protected-mode", "no",
                        "--daemonize", "no",
                        "--dir", dir.toString(),
                        "--logfile", dir.resolve("redis.log").toString()));
        try {
            process =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("stdout.log").toFile())
                            .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!ping()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "redis-server exited with "
                                + process.exitValue()
                                + " on port "
                                + port
                                + "; see "
                                + dir);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "redis-server on port " + port + " not ready within " + READY_TIMEOUT);
            }
            pause(20);
        }
    }

    private boolean answersConnect() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends an inline PING and expects {@code +PONG}. */
    private boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[7];
            int n = s.getInputStream().readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // polling a child process, not test synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    private static int freePort() {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int p = s.getLocalPort();
                if (p != DEFAULT_REDIS_PORT) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("no free port on 127.0.0.1");
    }

    /** See the class javadoc for the lookup order. */
    static Path binary() {
        String configured = System.getProperty("baton.redis.server");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(d, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return extractBundled();
    }

    private static synchronized Path extractBundled() {
        if (extracted != null) {
            return extracted;
        }
        try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(
                        "no redis-server on the PATH and no "
                                + BUNDLED
                                + " on the classpath (com.github.codemonstur:embedded-redis);"
                                + " install redis-server or set -Dbaton.redis.server=/path");
            }
            Path file =
                    Files.createTempFile(
                            "baton-redis-server-",
                            "",
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rwx------")));
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            extracted = file;
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + BUNDLED, e);
        }
    }
}
