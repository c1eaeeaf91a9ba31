package dev.baton.zookeeper;

import dev.baton.BackendUnavailableException;
import dev.baton.InvalidArgumentException;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.apache.zookeeper.server.persistence.FileTxnSnapLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, standalone ZooKeeper server running inside this JVM, bound to 127.0.0.1 only. For
 * development, demos, the {@code embedded} URI scheme and tests; not for production.
 *
 * <pre>{@code
 * try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(0, null);
 *         Baton baton = Baton.connect(zk.uri())) {
 *     // ...
 * }
 * }</pre>
 *
 * <p>Settings: tick time {@value #TICK_TIME_MS} ms (the granularity of session expiry), session
 * timeouts negotiable from 1 s to 10 minutes, no admin server, no four-letter-word commands beyond
 * ZooKeeper's default ({@code srvr}; the admin server belongs to {@code ZooKeeperServerMain}, which
 * this class does not use, so no port 8080 and no system property is touched), unlimited
 * connections per host, and empty container nodes (emptied lock directories) removed every minute
 * as a standalone ZooKeeper does (system property {@code znode.container.checkIntervalMs}).
 *
 * <p>Threads: the server is started from a daemon thread, so every thread it creates at startup
 * (request processors, session tracker, selector and worker threads) inherits daemon status and
 * none of them keeps the JVM alive; all of them end on {@link #close()}. ZooKeeper itself may still
 * create a few non-daemon helper threads lazily (for example when it snapshots after {@code
 * snapCount} transactions); a standalone program should end with {@code System.exit}.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    /** Server tick: session expiry is checked with this granularity. */
    static final int TICK_TIME_MS = 500;

    static final int MIN_SESSION_TIMEOUT_MS = 1_000;
    static final int MAX_SESSION_TIMEOUT_MS = 600_000;

    /**
     * How often empty container nodes (emptied lock directories) are removed, as ZooKeeper does.
     */
    static final Duration DEFAULT_CONTAINER_CHECK_INTERVAL =
            Duration.ofMillis(Integer.getInteger("znode.container.checkIntervalMs", 60_000));

    private final ZooKeeperServer server;
    private final ContainerManager containers;
    private final ServerCnxnFactory factory;
    private final FileTxnSnapLog txnLog;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedZooKeeper(
            ZooKeeperServer server,
            ContainerManager containers,
            ServerCnxnFactory factory,
            FileTxnSnapLog txnLog,
            Path dataDir,
            boolean deleteOnClose) {
        this.server = server;
        this.containers = containers;
        this.factory = factory;
        this.txnLog = txnLog;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = factory.getLocalPort();
    }

    /**
     * Starts a server.
     *
     * @param port TCP port on 127.0.0.1, or 0 for a free one
     * @param dataDir where snapshots and transaction logs live (created if missing, kept on close);
     *     {@code null} for a temporary directory deleted on close
     * @throws InvalidArgumentException if the port is outside 0..65535
     * @throws BackendUnavailableException if the port cannot be bound or the data cannot be loaded
     */
    public static EmbeddedZooKeeper start(int port, Path dataDir) {
        return start(port, dataDir, DEFAULT_CONTAINER_CHECK_INTERVAL);
    }

    /** As {@link #start(int, Path)}, removing empty containers every {@code containerCheck}. */
    static EmbeddedZooKeeper start(int port, Path dataDir, Duration containerCheck) {
        if (port < 0 || port > 65535) {
            throw InvalidArgumentException.mustBe("port", "between 0 and 65535", port);
        }
        boolean temporary = dataDir == null;
        Path dir;
        try {
            dir =
                    temporary
                            ? Files.createTempDirectory("baton-zk-")
                            : Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new BackendUnavailableException(
                    "cannot create ZooKeeper data directory " + dataDir + ": " + e.getMessage(), e);
        }
        AtomicReference<Object> result = new AtomicReference<>();
        // Started from a daemon thread: threads the server creates inherit daemon status.
        Thread starter =
                new Thread(
                        () -> {
                            try {
                                result.set(launch(port, dir, temporary, containerCheck));
                            } catch (Throwable t) {
                                result.set(t);
                            }
                        },
                        "baton-embedded-zookeeper-start");
        starter.setDaemon(true);
        starter.start();
        boolean interrupted = false;
        while (true) {
            try {
                starter.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // finish starting so that nothing is left half-open
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Object r = result.get();
        if (r instanceof EmbeddedZooKeeper zk) {
            log.info("embedded ZooKeeper listening on {} with data in {}", zk.connectString(), dir);
            return zk;
        }
        if (temporary) {
            deleteRecursively(dir);
        }
        if (r instanceof BackendUnavailableException e) {
            throw e;
        }
        if (r instanceof Error e) {
            throw e;
        }
        Throwable t = (Throwable) r;
        throw new BackendUnavailableException(
                "cannot start embedded ZooKeeper on 127.0.0.1:" + port + ": " + t, t);
    }

    private static EmbeddedZooKeeper launch(
            int port, Path dir, boolean temporary, Duration containerCheck)
            throws IOException, InterruptedException {
        File files = dir.toFile();
        FileTxnSnapLog txnLog = new FileTxnSnapLog(files, files);
        ServerCnxnFactory factory = null;
        Server server = null;
        try {
            server = new Server(txnLog);
            try {
                factory =
                        ServerCnxnFactory.createFactory(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            } catch (IOException e) {
                throw new BackendUnavailableException(
                        "cannot bind embedded ZooKeeper to 127.0.0.1:"
                                + port
                                + " ("
                                + e.getMessage()
                                + ")",
                        e);
            }
            factory.startup(server);
            // What ZooKeeperServerMain does: without it, emptied lock directories would stay.
            ContainerManager containers =
                    new ContainerManager(
                            server.getZKDatabase(),
                            server.firstProcessor(),
                            (int) Math.max(1, containerCheck.toMillis()),
                            10_000,
                            0);
            containers.start();
            return new EmbeddedZooKeeper(server, containers, factory, txnLog, dir, temporary);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            if (factory != null) {
                factory.shutdown();
            }
            if (server != null && server.isRunning()) {
                server.shutdown();
            }
            txnLog.close();
            throw e;
        }
    }

    /** The TCP port the server listens on. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, for ZooKeeper clients. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** {@code zookeeper://127.0.0.1:port}, for {@code Baton.connect}. */
    public String uri() {
        return "zookeeper://" + connectString();
    }

    /** Where the server keeps its snapshots and transaction logs. */
    public Path dataDir() {
        return dataDir;
    }

    /** The running server, for tests in this package (request statistics, session expiry). */
    ZooKeeperServer server() {
        return server;
    }

    /**
     * Stops the server (closing every client connection) and deletes a temporary data directory.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            containers.stop();
            factory.shutdown();
            server.shutdown();
            txnLog.close();
        } catch (IOException | RuntimeException e) {
            log.warn("closing embedded ZooKeeper on 127.0.0.1:{} failed: {}", port, e.toString());
        } finally {
            if (deleteOnClose) {
                deleteRecursively(dataDir);
            }
            log.info("embedded ZooKeeper on 127.0.0.1:{} stopped", port);
        }
    }

    /** Exposes the first request processor, which the container manager submits deletes to. */
    private static final class Server extends ZooKeeperServer {
        Server(FileTxnSnapLog txnLog) {
            super(txnLog, TICK_TIME_MS, "");
            setMinSessionTimeout(MIN_SESSION_TIMEOUT_MS);
            setMaxSessionTimeout(MAX_SESSION_TIMEOUT_MS);
        }

        RequestProcessor firstProcessor() {
            return firstProcessor;
        }
    }

    private static void deleteRecursively(Path root) {
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
            log.warn("could not delete {}: {}", root, e.toString());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeper{" + connectString() + ", data=" + dataDir + "}";
    }
}
