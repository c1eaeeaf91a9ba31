package dev.baton.cli;

import dev.baton.cli.DemoProtocol.BufferOrder;
import dev.baton.cli.DemoProtocol.Line;
import dev.baton.cli.DemoProtocol.Log;
import dev.baton.cli.DemoProtocol.Order;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The demo's server processes: spawns one JVM per server (running {@link DemoNodeCommand}, or
 * {@link DemoBufferNodeCommand} for {@code baton demo buffer}), sends it orders, hands what it
 * prints to the main thread, and kills or stops it.
 *
 * <p>Threads: per node, one reader thread parses its stdout into {@link DemoProtocol.Line}s (and at
 * the end waits for its exit status), and one keeps its stderr; both only enqueue into the inbox
 * and append to the node's stderr tail (guarded by itself). The main thread owns everything else:
 * it spawns, sends, kills, drains the inbox with {@link #poll} and owns the {@link Node}s' state.
 * The shutdown hook's thread may call {@link #destroyAll()}, which touches only the copy-on-write
 * list of processes.
 */
final class DemoSupervisor {
    /** Parent-side view of one server process; fields other than the tail belong to main. */
    static final class Node {
        final String id;
        final Process process;
        private final BufferedWriter stdin;
        private final Deque<String> stderrTail = new ArrayDeque<>(); // guarded by itself
        boolean ready;
        boolean alive = true;
        boolean killed;
        boolean quitting;
        long token = -1;
        String client = "?";

        private Node(String id, Process process) {
            this.id = id;
            this.process = process;
            this.stdin =
                    new BufferedWriter(
                            new OutputStreamWriter(
                                    process.getOutputStream(), StandardCharsets.UTF_8));
        }

        /** The last few lines it printed that were not events, joined for a failure report. */
        String stderrTail() {
            synchronized (stderrTail) {
                return String.join(" | ", stderrTail);
            }
        }

        private void keep(String line) {
            synchronized (stderrTail) {
                stderrTail.addLast(line);
                while (stderrTail.size() > 5) {
                    stderrTail.removeFirst();
                }
            }
        }

        private void send(String order) {
            try {
                stdin.write(order);
                stdin.newLine();
                stdin.flush();
            } catch (IOException e) {
                // Dead already: its exit tells the story.
            }
        }
    }

    /** What a node did, stamped on arrival: a line it printed, or its exit. */
    sealed interface Incoming permits Printed, Exited {
        Node node();

        long atNanos();
    }

    /** A line of the node's stdout (an event, a log line or a malformed line) or of its stderr. */
    record Printed(Node node, Line line, long atNanos) implements Incoming {}

    /** The node's stdout ended and its process exited with {@code code}. */
    record Exited(Node node, int code, long atNanos) implements Incoming {}

    private final BlockingQueue<Incoming> inbox = new LinkedBlockingQueue<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>(); // for destroyAll()
    private final String nodeCommand;
    private final List<String> nodeOptions;

    /** Nodes will run with this session timeout and settlement period, and --verbose if asked. */
    DemoSupervisor(Duration ttl, Duration period, boolean verbose) {
        this("demo-node", List.of("--ttl", ttl.toString(), "--period", period.toString()), verbose);
    }

    /**
     * Nodes will run the hidden subcommand {@code nodeCommand} with {@code nodeOptions}, and
     * --verbose if asked.
     */
    DemoSupervisor(String nodeCommand, List<String> nodeOptions, boolean verbose) {
        List<String> options = new ArrayList<>(nodeOptions);
        if (verbose) {
            options.add("--verbose");
        }
        this.nodeCommand = nodeCommand;
        this.nodeOptions = List.copyOf(options);
    }

    /**
     * Starts server {@code id}, connecting to {@code serverUri}, with {@code extra} options of its
     * own; throws DemoFailure if it can't.
     */
    Node spawn(String id, String serverUri, String... extra) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        // Fast start on a small machine: the children live for seconds.
        cmd.addAll(
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-Xshare:auto"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BatonCli.class.getName());
        cmd.addAll(List.of(nodeCommand, "--connect", serverUri, "--id", id));
        cmd.addAll(nodeOptions);
        cmd.addAll(List.of(extra));
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new DemoFailure("cannot start " + id + ": " + e.getMessage());
        }
        processes.add(p);
        Node node = new Node(id, p);
        nodes.put(id, node);
        reader(node, p.getInputStream(), true).start();
        reader(node, p.getErrorStream(), false).start();
        return node;
    }

    /** Every node spawned, in order. */
    Collection<Node> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    Node node(String id) {
        return nodes.get(id);
    }

    List<Node> alive() {
        return nodes.values().stream().filter(n -> n.alive).toList();
    }

    /** The next thing a node did, waiting up to {@code nanos}; null if nothing came. */
    Incoming poll(long nanos) throws InterruptedException {
        return inbox.poll(nanos, TimeUnit.NANOSECONDS);
    }

    void send(Node node, Order order) {
        node.send(order.line());
    }

    void send(Node node, BufferOrder order) {
        node.send(order.line());
    }

    /** Tells each node to quit; their exits arrive through {@link #poll}. */
    void quit(List<Node> group) {
        group.forEach(
                n -> {
                    n.quitting = true;
                    n.send(Order.QUIT.line()); // "quit" in both demos
                });
    }

    /** SIGKILL, as part of the script: no goodbye, the node's session must time out. */
    void kill(Node node) {
        node.killed = true;
        node.process.destroyForcibly();
    }

    /** SIGKILL of a node that would not quit, before the demo fails. */
    void forceStop(Node node) {
        node.process.destroyForcibly();
    }

    /** SIGKILL of every node, then up to 5s each for them to go. Any thread; idempotent. */
    void destroyAll() {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Reads one stream of a node. Stdout lines are parsed as protocol lines; at stdout's end it
     * waits for the process and reports its exit. Lines that are not events, and every stderr line,
     * are kept (the last few) for failure reports, and shown with --verbose.
     */
    private Thread reader(Node node, InputStream stream, boolean stdout) {
        Thread t =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    stream, StandardCharsets.UTF_8))) {
                                String text;
                                while ((text = r.readLine()) != null) {
                                    Line line = stdout ? DemoProtocol.parse(text) : new Log(text);
                                    if (line instanceof Log) {
                                        node.keep(text);
                                    }
                                    inbox.add(new Printed(node, line, System.nanoTime()));
                                }
                            } catch (IOException e) {
                                // The process is gone; fall through to its exit status.
                            }
                            if (stdout) {
                                int code = waitFor(node.process);
                                inbox.add(new Exited(node, code, System.nanoTime()));
                            }
                        },
                        "baton-demo-" + node.id + (stdout ? "-out" : "-err"));
        t.setDaemon(true);
        return t;
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
        }
    }
}
