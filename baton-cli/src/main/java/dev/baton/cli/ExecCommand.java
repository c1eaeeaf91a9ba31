package dev.baton.cli;

import dev.baton.Baton;
import dev.baton.BatonException;
import dev.baton.ConnectionState;
import dev.baton.FencedLease;
import dev.baton.Lease;
import dev.baton.LeaseInvalidException;
import dev.baton.LeaseLoss;
import dev.baton.LeaseState;
import dev.baton.LockInterruptedException;
import dev.baton.LockSnapshot;
import dev.baton.LockTimeoutException;
import dev.baton.Names;
import dev.baton.redis.Redlock;
import dev.baton.redis.RedlockMutex;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A distributed flock(1): holds the mutex while a command runs.
 *
 * <p>Threads: the main thread acquires, starts the command, waits for it and releases. The lease's
 * loss callback (Baton's callback executor) only records the loss and signals the process tree; a
 * daemon thread escalates to SIGKILL after the grace period. The shutdown hook (SIGINT/SIGTERM to
 * {@code baton exec} itself) terminates the command the same way, releases the lease or withdraws
 * the queued request, and disconnects; a flag in {@link Run} decides whether the main thread or the
 * hook does that cleanup, so it happens once.
 */
@Command(
        name = "exec",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a command while holding a mutex (a distributed flock).",
            "",
            "Acquires the mutex NAME, then runs COMMAND. The command gets BATON_LOCK=NAME and BATON_FENCING_TOKEN=<token> in its environment"
                    + " and inherits stdin, stdout and stderr. If the lease is lost while it runs,"
                    + " the command (and its children) get SIGTERM, then SIGKILL after --grace.",
            "",
            "With --connect redlock://h1:p1,h2:p2,h3:p3 the lock is Redlock over independent"
                    + " Redis masters: it has no fencing token, so BATON_FENCING_TOKEN is NOT set,"
                    + " and waiters are not served in order (see docs/REDLOCK.md).",
        },
        footerHeading = "%nExit status:%n",
        footer = {
            "  0..255  the command's own exit status (128+N if it died of signal N)",
            "  64      usage error: bad flag, duration, lock name or URI; no --connect",
            "  69      engine unreachable",
            "  70      lease lost while the command ran; the command was terminated",
            "  75      not acquired within --wait (the message names the holder)",
            "  126     command not executable",
            "  127     command not found",
            "",
            "Example:",
            "  export BATON_CONNECT=zookeeper://127.0.0.1:2181",
            "  baton exec --lock backups/db --wait 30s -- ./backup.sh",
        })
final class ExecCommand implements Callable<Integer> {
    private static final Pattern ERRNO = Pattern.compile("error=(\\d+)");

    @ParentCommand private BatonCli root;

    @Mixin ConnectOptions engine;

    @Option(
            names = "--lock",
            required = true,
            paramLabel = "NAME",
            description =
                    "Mutex name: segments of [A-Za-z0-9._-] joined by '/', at most 200 characters.")
    String lock;

    @Option(
            names = "--wait",
            paramLabel = "DURATION",
            converter = Durations.class,
            description =
                    "Wait at most this long for the lock (default: forever, like flock;"
                            + " 0 = try once). E.g. 500ms, 5s, 2m, 1h, PT5S.")
    Duration wait;

    @Option(
            names = "--ttl",
            paramLabel = "DURATION",
            converter = Durations.class,
            description = "Lease TTL / session timeout, 1s..10m (default: 5s).")
    Duration ttl;

    @Option(
            names = "--grace",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "5s",
            description =
                    "After a lease loss, time between SIGTERM and SIGKILL (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Option(
            names = "--give-up-after",
            paramLabel = "DURATION",
            converter = Durations.class,
            defaultValue = "30s",
            description =
                    "While waiting for the lock, exit 69 once the engine has been unreachable this"
                            + " long without a break (default: ${DEFAULT-VALUE}).")
    Duration giveUpAfter;

    @Parameters(
            arity = "1..*",
            paramLabel = "COMMAND",
            description = "The command and its arguments (put them after --).")
    List<String> command;

    @Override
    public Integer call() {
        // Check everything before connecting, so that bad input leaves nothing behind.
        String uri = root.resolveConnect(engine.connect, null);
        Names.validate(lock);
        Locker locker = connect(uri);
        Run run = new Run(locker);
        Thread hook = BatonCli.onShutdown("baton-exec-shutdown", run::abort);
        try {
            run.lease = acquire(locker);
            return runHolding(run);
        } catch (RuntimeException e) {
            if (run.aborted) {
                return ExitCodes.INTERRUPTED; // the JVM is exiting with the signal's status anyway
            }
            throw e;
        } finally {
            if (run.finish()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook will find the run finished and do nothing.
                }
                run.close();
            }
        }
    }

    /**
     * What the shutdown hook must clean up, published by the main thread through volatile fields.
     * Exactly one of the main thread ({@link #finish()} in its finally) and the hook ({@link
     * #abort()}) wins the flag and cleans up.
     */
    private static final class Run {
        final Locker locker;
        final AtomicBoolean finished = new AtomicBoolean();
        volatile Lease lease;
        volatile Terminator terminator;
        volatile boolean aborted;

        Run(Locker locker) {
            this.locker = locker;
        }

        boolean finish() {
            return finished.compareAndSet(false, true);
        }

        /** SIGINT/SIGTERM: stop the command, then withdraw or release, then disconnect. */
        void abort() {
            if (!finish()) {
                return;
            }
            aborted = true;
            Terminator t = terminator;
            if (t != null) {
                t.terminate();
                t.awaitExit();
            }
            close();
        }

        void close() {
            Lease l = lease;
            if (l != null) {
                l.release();
            }
            locker.close(); // also withdraws a queued request: no waiter is left behind
        }
    }

    /** The mutex NAME on a Baton client or, for {@code redlock://}, on a Redlock client. */
    private interface Locker extends AutoCloseable {
        /** Waits at most {@code wait}; {@code null}: without a time limit. */
        Lease acquire(Duration wait);

        @Override
        void close();
    }

    private Locker connect(String uri) {
        if (!uri.startsWith("redlock:")) {
            Baton baton = root.connect(uri, engine.connectTimeout, ttl, null);
            return new Locker() {
                @Override
                public Lease acquire(Duration w) {
                    return waitWatchingTheEngine(baton, w);
                }

                @Override
                public void close() {
                    baton.close();
                }
            };
        }
        Redlock redlock = Redlock.connect(uri, root.config(engine.connectTimeout, ttl, null));
        return new Locker() {
            @Override
            public Lease acquire(Duration w) {
                RedlockMutex m = redlock.mutex(lock);
                return w == null ? m.acquire() : m.acquire(w);
            }

            @Override
            public void close() {
                redlock.close();
            }
        };
    }

    /**
     * Waits for the lock as {@code acquire} would, but gives up with 69 once the engine has been
     * unreachable for {@code --give-up-after} without a break: a waiter that cannot tell "busy"
     * from "no engine" would otherwise wait for ever. The wait checks the client's own view of its
     * connection once a second (no request to the engine); cancelling the future withdraws the
     * request, so nothing is left queued.
     */
    private Lease waitWatchingTheEngine(Baton baton, Duration w) {
        if (w != null && w.isZero()) {
            return baton.mutex(lock).acquire(w);
        }
        CompletableFuture<FencedLease> f =
                w == null
                        ? baton.mutex(lock).acquireAsync(Duration.ofDays(365_000))
                        : baton.mutex(lock).acquireAsync(w);
        long downSince = 0;
        boolean down = false;
        try {
            while (true) {
                try {
                    return f.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException stillWaiting) {
                    if (baton.connectionState() != ConnectionState.DISCONNECTED) {
                        down = false;
                    } else if (!down) {
                        down = true;
                        downSince = System.nanoTime();
                    } else if (System.nanoTime() - downSince >= giveUpAfter.toNanos()) {
                        f.cancel(false);
                        throw new CliException(
                                ExitCodes.UNAVAILABLE,
                                "the engine has been unreachable for "
                                        + Durations.format(giveUpAfter)
                                        + " while waiting for \""
                                        + lock
                                        + "\" (--give-up-after); giving up");
                    }
                }
            }
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(lock);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new BatonException("acquire of \"" + lock + "\" failed: " + e.getCause());
        }
    }

    private Lease acquire(Locker locker) {
        long start = System.nanoTime();
        Lease lease;
        try {
            lease = locker.acquire(wait);
        } catch (LockTimeoutException e) {
            String seen = e.seen().map(LockSnapshot::describeHolders).orElse("holder unknown");
            throw new CliException(
                    ExitCodes.NOT_ACQUIRED,
                    "lock \""
                            + lock
                            + "\" not acquired within "
                            + Durations.format(wait)
                            + ": "
                            + seen,
                    e);
        }
        if (root.verbose()) {
            root.err()
                    .printf(
                            "baton exec: acquired \"%s\" (%s) after %d ms%n",
                            lock,
                            lease instanceof FencedLease f
                                    ? "token " + f.fencingToken()
                                    : "no fencing token",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        return lease;
    }

    private int runHolding(Run run) {
        Lease lease = run.lease;
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("BATON_LOCK", lock);
        if (lease instanceof FencedLease f) {
            pb.environment().put("BATON_FENCING_TOKEN", Long.toString(f.fencingToken()));
        } else {
            // Redlock: no token rather than a fake one; an inherited value would be a lie too.
            pb.environment().remove("BATON_FENCING_TOKEN");
        }
        try {
            lease.ensureValid();
        } catch (LeaseInvalidException e) {
            throw new CliException(
                    ExitCodes.LEASE_LOST,
                    "lease on \""
                            + lock
                            + "\" was lost before the command started: "
                            + e.getMessage());
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw startFailure(e);
        }
        Terminator terminator = new Terminator(process, grace);
        run.terminator = terminator;
        AtomicReference<LeaseLoss> loss = new AtomicReference<>();
        // Runs on Baton's callback executor; it only records and signals.
        lease.lost()
                .thenAccept(
                        l -> {
                            loss.set(l);
                            terminator.terminate();
                        });
        int status = waitFor(process);
        if (loss.get() != null || lease.state() == LeaseState.LOST) {
            LeaseLoss l = loss.get();
            throw new CliException(
                    ExitCodes.LEASE_LOST,
                    "lease on \""
                            + lock
                            + "\" lost while the command ran"
                            + (l == null ? "" : " (" + l.reason() + ": " + l.detail() + ")")
                            + "; "
                            + terminator.describe()
                            + ", command exit status "
                            + status);
        }
        return status;
    }

    private static int waitFor(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose; keep waiting for the child to go.
                Thread.interrupted();
            }
        }
    }

    private CliException startFailure(IOException e) {
        Matcher m = ERRNO.matcher(String.valueOf(e.getMessage()));
        int errno = m.find() ? Integer.parseInt(m.group(1)) : -1;
        String cmd = command.get(0);
        if (errno == 2) { // ENOENT
            return new CliException(ExitCodes.NOT_FOUND, "command not found: " + cmd, e);
        }
        String why = errno == 13 ? "permission denied" : BatonCli.oneLine(e.getMessage());
        return new CliException(ExitCodes.NOT_EXECUTABLE, "cannot execute " + cmd + ": " + why, e);
    }

    /**
     * Ends the command's process tree: SIGTERM now, SIGKILL after the grace period. Idempotent;
     * callable from any thread.
     */
    static final class Terminator {
        private final Process process;
        private final Duration grace;
        private final AtomicBoolean started = new AtomicBoolean();
        private volatile boolean killed;

        Terminator(Process process, Duration grace) {
            this.process = process;
            this.grace = grace;
        }

        void terminate() {
            if (!started.compareAndSet(false, true) || !process.isAlive()) {
                return;
            }
            // Collect the tree first: once the child dies its children are re-parented.
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            tree.add(0, process.toHandle());
            tree.forEach(ProcessHandle::destroy);
            Thread killer =
                    new Thread(
                            () -> {
                                try {
                                    if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                                        killed = true;
                                    }
                                } catch (InterruptedException e) {
                                    killed = true;
                                }
                                tree.stream()
                                        .filter(ProcessHandle::isAlive)
                                        .forEach(ProcessHandle::destroyForcibly);
                            },
                            "baton-exec-killer");
            killer.setDaemon(true);
            killer.start();
        }

        void awaitExit() {
            try {
                process.waitFor(grace.toMillis() + 2000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String describe() {
            if (!started.get()) {
                return "the command had already ended";
            }
            return killed
                    ? "sent SIGTERM, then SIGKILL after " + Durations.format(grace)
                    : "sent SIGTERM";
        }
    }
}
