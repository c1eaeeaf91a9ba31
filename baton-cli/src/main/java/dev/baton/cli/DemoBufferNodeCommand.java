package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.cli.DemoProtocol.BufferOrder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * One producer or consumer of {@code baton demo buffer}, run as a child process by {@link
 * DemoBufferCommand}: a {@link DemoBufferWorker} on its own client, reporting {@link
 * DemoProtocol.Event}s as JSON lines on stdout and taking {@link BufferOrder}s on stdin. A line
 * that is not an order is reported as an {@code error} event and skipped. The parent's death ends
 * it (as {@link DemoNodeCommand}), so no child outlives the demo.
 *
 * <p>Threads: the main thread reads stdin and hands orders over (a queue for producers, a flag for
 * {@code linger}); the worker thread does all the engine work. They share {@link #emit}
 * (synchronized), the queue and the worker's atomics. On {@code quit} the main thread interrupts
 * the worker, waits for it, reports its requests and disconnects.
 */
@Command(
        name = "demo-buffer-node",
        hidden = true,
        description = "One producer or consumer of `baton demo buffer` (internal).")
final class DemoBufferNodeCommand implements Callable<Integer> {
    /** The monitor that guards the buffer, and the key/value key that holds it. */
    static final String MONITOR = "demo/buffer";

    static final String KEY = "demo/buffer";
    static final String NOT_FULL = "not-full";
    static final String NOT_EMPTY = "not-empty";

    @ParentCommand private BatonCli root;

    @Option(names = "--connect", required = true)
    String connect;

    @Option(names = "--id", required = true)
    String id;

    @Option(names = "--role", required = true)
    DemoBufferWorker.Role role;

    @Option(names = "--item-prefix", defaultValue = "item")
    String itemPrefix;

    @Option(names = "--ttl", converter = Durations.class, defaultValue = "5s")
    Duration ttl;

    @Option(names = "--await", converter = Durations.class, defaultValue = "5s")
    Duration awaitTimeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        DemoNodeCommand.exitWithParent();
        Baton baton = root.connect(connect, Duration.ofSeconds(10), ttl, id);
        DemoBufferWorker worker =
                new DemoBufferWorker(baton, role, itemPrefix, awaitTimeout, this::emit);
        BlockingQueue<BufferOrder> orders = new LinkedBlockingQueue<>();
        Thread work = new Thread(() -> runWorker(worker, orders), "baton-demo-" + id);
        emit(DemoProtocol.ready(baton.clientId(), ProcessHandle.current().pid()));
        work.start();
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            BufferOrder order;
            try {
                order = BufferOrder.parse(line);
            } catch (IllegalArgumentException e) {
                emit(DemoProtocol.error(BatonCli.oneLine(e.getMessage())));
                continue;
            }
            if (order.type() == BufferOrder.Type.QUIT) {
                break;
            }
            if (order.type() == BufferOrder.Type.LINGER) {
                worker.linger();
            } else {
                orders.add(order);
            }
        }
        // Quit (or stdin ended: the parent died, and exitWithParent halts us anyway).
        work.interrupt();
        work.join(Duration.ofSeconds(5).toMillis());
        emit(DemoProtocol.stopped(worker.requests()));
        close(baton, Duration.ofSeconds(10));
        emit(DemoProtocol.bye());
        return ExitCodes.OK;
    }

    /**
     * The worker thread's body: a failure that the worker does not handle (a corrupt buffer value,
     * a bug) is reported and ends the process, which the parent reports as an unexpected exit.
     */
    private void runWorker(DemoBufferWorker worker, BlockingQueue<BufferOrder> orders) {
        try {
            worker.run(orders);
        } catch (RuntimeException e) {
            emit(DemoProtocol.error(BatonCli.oneLine(String.valueOf(e))));
            Runtime.getRuntime().halt(ExitCodes.FAILURE);
        }
    }

    /** Disconnects (releasing whatever is held), giving up after {@code limit}. */
    private static void close(Baton baton, Duration limit) throws InterruptedException {
        Thread closer = new Thread(baton::close, "baton-demo-node-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(limit.toMillis());
    }

    private void emit(String event) {
        PrintWriter out = root.out();
        synchronized (out) {
            out.println(event);
            out.flush();
        }
    }
}
