package dev.baton.cli;

import dev.baton.BackendUnavailableException;
import dev.baton.Baton;
import dev.baton.BatonConfig;
import dev.baton.InvalidArgumentException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code baton} command. {@link #main} runs one subcommand and always ends the JVM with {@link
 * System#exit}: ZooKeeper leaves non-daemon threads behind, so returning from {@code main} would
 * hang.
 *
 * <p>Every failure is one line on stderr ({@code --verbose} adds stack traces and library logs) and
 * an exit status from {@link ExitCodes}.
 */
@Command(
        name = "baton",
        mixinStandardHelpOptions = true,
        versionProvider = BatonCli.Version.class,
        description = {
            "Distributed leases with fencing tokens, on ZooKeeper or Redis; over HTTP for other languages.",
            "",
            "Start with `baton demo`: three server processes, one elected job, an auction and a "
                    + "kill -9, measured live.",
        },
        subcommands = {
            DemoCommand.class,
            DemoNodeCommand.class,
            DemoBufferNodeCommand.class,
            ExecCommand.class,
            ServerCommand.class,
            ServeCommand.class,
            LocksCommand.class,
            WatchCommand.class,
            VerifyCommand.class,
            BenchHint.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  BATON_CONNECT   default for --connect (e.g. zookeeper://127.0.0.1:2181)",
            "",
            "Exit status: 0 ok, 1 failure, 64 usage error, 69 engine unreachable;"
                    + " see `baton exec --help` for exec's own."
        })
public final class BatonCli implements Runnable {
    static final String CONNECT_ENV = "BATON_CONNECT";

    @Option(
            names = "--verbose",
            scope = ScopeType.INHERIT,
            description = "Print stack traces and library logs.")
    boolean verbose;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private CommandLine commandLine;

    BatonCli(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        configureLogging(java.util.Arrays.asList(args).contains("--verbose"));
        PrintWriter out =
                new PrintWriter(
                        new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err =
                new PrintWriter(
                        new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code;
        try {
            code = new BatonCli(System.getenv(), out, err).execute(args);
        } catch (Throwable t) { // a bug: still one line and an exit, never a hung JVM
            err.println("baton: internal error: " + t);
            code = ExitCodes.FAILURE;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Quiet by default: every failure the CLI can act on is reported in its own one line, so
     * library warnings (a lost connection, a grant left to expire) would only repeat it. ZooKeeper
     * and Curator log connection trouble at ERROR, so they are off. {@code --verbose} shows INFO
     * and up. Must run before the first logger is created; explicit {@code -D} settings win.
     */
    static void configureLogging(boolean verbose) {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
        setDefault("org.slf4j.simpleLogger.log.org.apache.zookeeper", verbose ? "info" : "off");
        setDefault("org.slf4j.simpleLogger.log.org.apache.curator", verbose ? "info" : "off");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Parses and runs; returns the exit status. Does not exit. */
    int execute(String... args) {
        CommandLine cl = new CommandLine(this);
        this.commandLine = cl;
        cl.setOut(out);
        cl.setErr(err);
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        cl.setParameterExceptionHandler(this::onParameterException);
        cl.setExecutionExceptionHandler(this::onExecutionException);
        return cl.execute(args);
    }

    @Override
    public void run() {
        // `baton` alone: show what exists, as a usage error.
        commandLine.usage(err);
        throw new CliException(ExitCodes.USAGE, "a command is required (see above)");
    }

    private int onParameterException(ParameterException e, String[] args) {
        String name = e.getCommandLine().getCommandSpec().qualifiedName();
        if (verbose) {
            e.printStackTrace(err);
        }
        err.println(name + ": " + oneLine(e.getMessage()) + " (see '" + name + " --help')");
        err.flush();
        return ExitCodes.USAGE;
    }

    private int onExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        if (verbose) {
            e.printStackTrace(err);
        }
        err.println(name + ": " + oneLine(describe(e)));
        err.flush();
        return exitCodeOf(e);
    }

    static int exitCodeOf(Throwable e) {
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        if (e instanceof InvalidArgumentException) { // names, URIs, configuration values
            return ExitCodes.USAGE;
        }
        if (e instanceof BackendUnavailableException) {
            return ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.FAILURE;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof BackendUnavailableException && m != null && !m.contains("unreachable")) {
            return "engine unreachable: " + m;
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    // ---- shared by the subcommands ----

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    boolean verbose() {
        return verbose;
    }

    /**
     * The engine URI: {@code --connect}, else {@code $BATON_CONNECT}, else {@code fallback}; with
     * no fallback, a usage error saying how to give one.
     */
    String resolveConnect(String option, String fallback) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromEnv = env.get(CONNECT_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        if (fallback != null) {
            return fallback;
        }
        throw CliException.usage(
                "no engine given: pass --connect URI (e.g. zookeeper://127.0.0.1:2181) or set "
                        + CONNECT_ENV);
    }

    /** Connects with the CLI's settings; a TTL of {@code null} keeps the default. */
    Baton connect(String uri, Duration connectTimeout, Duration ttl, String clientName) {
        rejectRedlock(uri);
        return Baton.connect(uri, config(connectTimeout, ttl, clientName));
    }

    /**
     * The mem engine lives inside one JVM: a command that looks at (or coordinates with) other
     * processes would only see its own new, empty engine.
     */
    static void rejectInProcessEngine(String uri, String command) {
        String u = uri.strip();
        if (u.equals("mem") || u.startsWith("mem:") || u.startsWith("mem?")) {
            throw CliException.usage(
                    "--connect "
                            + uri
                            + ": mem is an engine inside one JVM, so `baton "
                            + command
                            + "` would see only its own empty engine; connect to the engine your"
                            + " programs share (zookeeper://, redis://, http://, or a `baton"
                            + " server`)");
        }
    }

    /** Redlock serves only exec's mutex: it has no tokens, queues, key/value or watches. */
    static void rejectRedlock(String uri) {
        if (uri.strip().startsWith("redlock:")) {
            throw CliException.usage(
                    "--connect "
                            + uri
                            + ": redlock:// serves only `baton exec` (a mutex without fencing"
                            + " tokens); use redis://HOST:PORT or zookeeper://HOST:PORT");
        }
    }

    /** The CLI's settings as a client configuration; a TTL of {@code null} keeps the default. */
    BatonConfig config(Duration connectTimeout, Duration ttl, String clientName) {
        // Checked here to name the flag; the config would name its own field.
        if (connectTimeout.isZero()) {
            throw CliException.usage("--connect-timeout must be positive, but was 0");
        }
        if (ttl != null
                && (ttl.compareTo(Duration.ofSeconds(1)) < 0
                        || ttl.compareTo(Duration.ofMinutes(10)) > 0)) {
            throw CliException.usage(
                    "--ttl must be between 1s and 10m, but was " + Durations.format(ttl));
        }
        BatonConfig.Builder b = BatonConfig.custom().connectTimeout(connectTimeout);
        if (ttl != null) {
            b.leaseTtl(ttl);
        }
        if (clientName != null) {
            b.clientName(clientName);
        }
        return b.build();
    }

    /** Runs {@code hook} on SIGINT/SIGTERM (the JVM's shutdown), unless it already ran. */
    static Thread onShutdown(String name, Runnable hook) {
        Thread t = new Thread(Objects.requireNonNull(hook), name);
        Runtime.getRuntime().addShutdownHook(t);
        return t;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BatonCli.class.getPackage().getImplementationVersion();
            return new String[] {"baton " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
