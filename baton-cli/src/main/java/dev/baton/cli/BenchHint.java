package dev.baton.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code baton bench} typed at {@code java -jar baton.jar}: the benchmark lives in its own jar (the
 * peers it measures never enter baton.jar), so say where instead of "Unmatched argument".
 */
@Command(
        name = "bench",
        hidden = true,
        description = "Runs from baton-bench.jar (bin/baton bench).")
final class BenchHint implements Callable<Integer> {
    @Unmatched List<String> ignored;

    @Override
    public Integer call() {
        throw CliException.usage(
                "bench runs from its own jar: use `bin/baton bench …`, or `java -jar"
                        + " baton-bench/target/baton-bench.jar …` after `./mvnw -DskipTests package"
                        + " -pl baton-bench -am`");
    }
}
