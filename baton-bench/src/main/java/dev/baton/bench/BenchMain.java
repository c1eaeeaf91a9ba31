package dev.baton.bench;

import dev.baton.InvalidArgumentException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/baton bench [--quick] [--out DIR] [--engines e,f] [--systems a,b] [--scenarios x,y]
 * [--seed N]}: starts its own engines on loopback, runs every selected system and scenario (see
 * {@link Bench}) and writes {@code DIR/results.csv}, {@code DIR/results.md} and {@code
 * DIR/charts/*.svg}. Exit code 0 when results were written, 2 on bad arguments, 1 on failure. Ends
 * with an explicit exit because ZooKeeper leaves non-daemon threads behind.
 */
@Command(
        name = "baton bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmarks Baton against peer lock libraries and the round-trip floor on"
                        + " engines it starts itself.")
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--quick", description = "Small counts: finishes within 5 minutes on 2 cores.")
    boolean quick;

    @Option(
            names = "--out",
            defaultValue = "bench-results",
            description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--engines",
            split = ",",
            description =
                    "Engines to start and run, of redis, redis-replicated (a master with one"
                            + " replica; every system runs against the master) and zookeeper"
                            + " (default: all three with --quick, redis,zookeeper otherwise).")
    List<String> engines = List.of();

    @Option(
            names = "--systems",
            split = ",",
            description = "Systems to run (default: all), e.g. baton,redis-floor.")
    List<String> systems = List.of();

    @Option(
            names = "--scenarios",
            split = ",",
            description =
                    "Scenarios to run (default: all), e.g. uncontended,contended-16;"
                            + " 'contended' and 'auction' select every W or B.")
    List<String> scenarios = List.of();

    @Option(
            names = "--seed",
            description =
                    "Seed of the shuffled order in which each round visits the systems (default:"
                            + " random; the seed used is logged and written to the results).")
    Long seed;

    @Override
    public Integer call() throws Exception {
        BenchConfig config = quick ? BenchConfig.quick() : BenchConfig.full();
        Bench bench;
        try {
            long s = seed != null ? seed : new SecureRandom().nextLong();
            bench =
                    new Bench(
                            config,
                            engines.isEmpty() ? Bench.defaultEngines(quick) : engines,
                            systems,
                            scenarios,
                            s,
                            System.err);
        } catch (InvalidArgumentException e) {
            System.err.println("baton bench: " + e.getMessage());
            return 2;
        }
        Results results = bench.run();
        String title =
                "Baton benchmarks ("
                        + (quick ? "quick" : "full")
                        + " run, "
                        + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                        + ", "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores, Java "
                        + Runtime.version()
                        + ")";
        results.write(out, title);
        System.out.println("results: " + out.toAbsolutePath().resolve("results.csv"));
        return results.isEmpty() ? 1 : 0;
    }

    public static void main(String[] args) {
        int code = new CommandLine(new BenchMain()).execute(args);
        System.exit(code);
    }
}
