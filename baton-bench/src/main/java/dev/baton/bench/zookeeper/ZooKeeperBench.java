package dev.baton.bench.zookeeper;

import dev.baton.bench.EngineCounter;
import dev.baton.bench.GatewaySystem;
import dev.baton.bench.LockSystem;
import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * The ZooKeeper server of a benchmark run, and the ZooKeeper systems to run against it.
 *
 * <p>The server is a standalone ZooKeeper ({@link EmbeddedZooKeeper}: tick 500 ms, no admin server)
 * in a <em>child JVM</em> on a free loopback port, not in the benchmark's own JVM. On a 2-core
 * machine the server's request threads, its garbage collector and its JIT would otherwise share one
 * heap, one safepoint schedule and one set of compiler threads with the clients being measured, so
 * a library that allocates more would also slow the server it is compared on, and a client-side GC
 * pause would stall the server mid-request. As its own process the server is scheduled by the
 * kernel like a real one across loopback (the clients still share the two cores with it, as they
 * would with any local server). The child gets a fixed 256 MB heap and the serial collector, so it
 * does not resize or spread GC threads over both cores mid-run.
 *
 * <p>The child enables the {@code mntr} four-letter word ({@code 4lw.commands.whitelist}); {@link
 * #counter()} reads its {@code zk_packets_received}, every request the server received (client
 * pings and session creations included), less the {@code mntr} requests sent to read it.
 *
 * <p>Durability: {@link #start()} turns the transaction log's fsync off ({@code
 * zookeeper.forceSync=no}). Every write then costs the server's processing and not the disk's
 * flush, which would add the same milliseconds to each system's creates and deletes and hide the
 * client libraries' differences behind the disk's noise. Production ensembles fsync; {@link
 * #start(boolean)} measures that too.
 *
 * <p>Lifetime: the child exits when its standard input closes, which {@link #close()} does and the
 * operating system does if this JVM dies, so no server outlives the benchmark.
 */
public final class ZooKeeperBench implements AutoCloseable {
    private static final String PORT_LINE = "BATON_BENCH_ZOOKEEPER_PORT=";
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final int TAIL_LINES = 40;
    private static final int MNTR_TIMEOUT_MS = 5_000;

    private final Process process;
    private final Path dataDir;
    private final int port;
    private final Thread drain;
    private final Deque<String> tail;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** {@code mntr} requests sent so far, by every counter of this server. */
    private final AtomicLong mntrSent = new AtomicLong();

    private ZooKeeperBench(
            Process process, Path dataDir, int port, Thread drain, Deque<String> tail) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
        this.drain = drain;
        this.tail = tail;
    }

    /**
     * Starts the server (fsync off) and waits until it accepts clients.
     *
     * @throws IllegalStateException if the child JVM does not report its port within 60 s
     */
    public static ZooKeeperBench start() {
        return start(false);
    }

    /**
     * Starts the server, with or without fsync of the transaction log, and waits until it accepts
     * clients.
     *
     * @throws IllegalStateException if the child JVM does not report its port within 60 s
     */
    public static ZooKeeperBench start(boolean fsync) {
        Path dir;
        try {
            dir = Files.createTempDirectory("baton-bench-zk-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a ZooKeeper data directory", e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms256m");
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dzookeeper.4lw.commands.whitelist=mntr,srvr,ruok");
        command.add("-Dzookeeper.forceSync=" + (fsync ? "yes" : "no"));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        // Under Surefire this is a manifest-only jar whose Class-Path the child JVM honours too.
        command.add(System.getProperty("java.class.path"));
        command.add(ServerProcess.class.getName());
        command.add(dir.toString());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            deleteRecursively(dir);
            throw new UncheckedIOException("cannot start the ZooKeeper server JVM", e);
        }
        Deque<String> tail = new ArrayDeque<>();
        CompletableFuture<Integer> reported = new CompletableFuture<>();
        Thread drain =
                new Thread(
                        () -> drain(process.getInputStream(), tail, reported),
                        "bench-zookeeper-output");
        drain.setDaemon(true);
        drain.start();
        ZooKeeperBench bench = null;
        try {
            int port = reported.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            bench = new ZooKeeperBench(process, dir, port, drain, tail);
            return bench;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting ZooKeeper", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "the ZooKeeper server JVM did not report its port within "
                            + START_TIMEOUT_SECONDS
                            + " s; its last output:\n"
                            + lastLines(tail),
                    e);
        } finally {
            if (bench == null) {
                stop(process, drain);
                deleteRecursively(dir);
            }
        }
    }

    /**
     * On the drain thread, which alone reads the child's output: passes the port on, keeps the last
     * lines for error messages, and keeps the pipe empty so that the child never blocks on it.
     */
    private static void drain(
            InputStream out, Deque<String> tail, CompletableFuture<Integer> port) {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!port.isDone() && line.startsWith(PORT_LINE)) {
                    port.complete(Integer.parseInt(line.substring(PORT_LINE.length()).trim()));
                    continue;
                }
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            port.completeExceptionally(e);
            return;
        }
        port.completeExceptionally(new IllegalStateException("the server JVM exited"));
    }

    private static String lastLines(Deque<String> tail) {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }

    /** The server's loopback port. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, for ZooKeeper clients. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /**
     * Requests the server has received so far ({@code zk_packets_received} of {@code mntr}), read
     * over a new connection each time.
     *
     * <p>The server counts each {@code mntr} as a packet too; this counter subtracts the ones sent
     * from here, so that the difference of two readings is the clients' requests only. Readings
     * taken at the same time from several threads may be off by one.
     */
    public EngineCounter counter() {
        return () -> {
            long ownBefore = mntrSent.getAndIncrement();
            String mntr =
                    FourLetterWordMain.send4LetterWord(
                            "127.0.0.1", port, "mntr", false, MNTR_TIMEOUT_MS);
            for (String line : mntr.split("\n")) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals("zk_packets_received")) {
                    return Long.parseLong(kv[1]) - ownBefore;
                }
            }
            throw new IllegalStateException(
                    "no zk_packets_received in the answer to mntr from "
                            + connectString()
                            + ": "
                            + mntr);
        };
    }

    /**
     * The ZooKeeper systems, new instances on this server: {@code baton}, {@code curator-mutex},
     * {@code curator-semaphore-mutex}, {@code si-zookeeper}, {@code zk-floor}.
     */
    public List<LockSystem> systems() {
        String cs = connectString();
        return List.of(
                new BatonZooKeeperSystem(cs),
                new GatewaySystem("zookeeper://" + cs, "zookeeper"),
                new CuratorMutexSystem(cs),
                new CuratorSemaphoreMutexSystem(cs),
                new SpringZooKeeperSystem(cs),
                new ZkFloorSystem(cs));
    }

    /** Stops the server JVM (forcibly after 10 s) and deletes its data. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stop(process, drain);
            deleteRecursively(dataDir);
        }
    }

    private static void stop(Process process, Thread drain) {
        try {
            process.getOutputStream().close(); // the child's cue to stop
        } catch (IOException e) {
            // already gone
        }
        boolean interrupted = false;
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            drain.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(
                    root,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                                throws IOException {
                            Files.deleteIfExists(file);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult postVisitDirectory(Path dir, IOException e)
                                throws IOException {
                            Files.deleteIfExists(dir);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            // a temporary directory: leaving it is harmless
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperBench{" + connectString() + ", pid=" + process.pid() + "}";
    }

    /**
     * The child JVM's entry point: {@code ServerProcess DATA_DIR}. Starts the server, prints its
     * port, and stops when standard input reaches its end.
     */
    static final class ServerProcess {
        private ServerProcess() {}

        public static void main(String[] args) {
            int status = 0;
            try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0, Path.of(args[0]))) {
                System.out.println(PORT_LINE + zk.port());
                System.out.flush();
                while (System.in.read() != -1) {
                    // nothing to read but the end
                }
            } catch (Throwable t) {
                t.printStackTrace();
                status = 1;
            }
            // ZooKeeper may leave non-daemon threads behind.
            System.exit(status);
        }
    }
}
