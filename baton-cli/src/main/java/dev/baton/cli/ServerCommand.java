package dev.baton.cli;

import dev.baton.zookeeper.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * A standalone ZooKeeper for other processes on this machine. The first stdout line is the URI to
 * connect to; everything else goes to stderr, so {@code read uri < <(baton server --port 0)} works.
 * Runs until SIGINT/SIGTERM; the shutdown hook closes the server (and deletes a temporary data
 * directory).
 */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a standalone ZooKeeper server on 127.0.0.1 until interrupted.",
            "",
            "Prints its URI (zookeeper://127.0.0.1:PORT) as the first line on stdout.",
        })
final class ServerCommand implements Callable<Integer> {
    @ParentCommand private BatonCli root;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "2181",
            description = "Client port, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Data directory, kept on exit (default: a temporary one, deleted on exit).")
    Path data;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw CliException.usage("--port must be between 0 and 65535, but was " + port);
        }
        EmbeddedZooKeeper zk;
        try {
            zk = EmbeddedZooKeeper.start(port, data);
        } catch (RuntimeException e) {
            throw new CliException(
                    ExitCodes.FAILURE,
                    "could not start ZooKeeper on port "
                            + port
                            + ": "
                            + BatonCli.oneLine(e.getMessage()),
                    e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        BatonCli.onShutdown(
                "baton-server-shutdown",
                () -> {
                    zk.close();
                    stopped.countDown();
                });
        root.out().println(zk.uri());
        root.out().flush();
        root.err()
                .println(
                        "baton server: ZooKeeper listening on 127.0.0.1:"
                                + zk.port()
                                + ", data in "
                                + zk.dataDir()
                                + (data == null ? " (temporary)" : "")
                                + "; Ctrl-C to stop");
        root.err().flush();
        stopped.await();
        return ExitCodes.OK;
    }
}
