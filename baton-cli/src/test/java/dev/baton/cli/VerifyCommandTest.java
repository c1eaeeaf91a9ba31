package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code baton verify} at the command line: bad input is exit 64 with one line naming the input and
 * the rule, before anything starts; a short run writes its report and exits 0. The safety runs
 * themselves are tested in baton-verify (VerifyRunTest).
 */
class VerifyCommandTest {
    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                new BatonCli(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--backend etcd | --backend | etcd",
                "--backend etcd --faults kill | --backend | etcd",
                "--backend redis --faults meteor | meteor | blackhole",
                "--backend redis --faults restart-leader | restart-leader | --backend redis",
                "--backend redis --clients 0 | --clients | between 1 and 32",
                "--backend redis --duration -5s | -5s | non-negative duration",
                "--backend redis --ttl 10ms | --ttl | between 1 s and 60 s",
                "--backend redis --connect zookeeper://127.0.0.1:2181 | --connect | redis://",
                "--faults pause | --backend | required",
                "--backend redis --workload queue | --workload | register or buffer",
                "--backend redlock --workload buffer | --workload buffer | Redlock has no monitors",
                "--backend redis --workload buffer --capacity 0 | --capacity | between 1 and 1000",
                "--backend redis --control two-step | --control two-step | --workload buffer",
                "--backend redis --workload buffer --control sometimes | --control | two-step",
            })
    void badInputIs64WithOneLineAndNoReport(String args, String mention1, String mention2) {
        String[] argv = ("verify " + args + " --report " + dir.resolve("r")).split(" ");
        Run r = run(argv);

        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(64);
        assertThat(r.err().lines().filter(l -> !l.isBlank())).hasSize(1);
        assertThat(r.err()).contains(mention1, mention2);
        assertThat(dir.resolve("r")).as("no state left behind").doesNotExist();
    }

    @Test
    void aReportPathThatIsAFileIs64() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        Run r = run("verify", "--backend", "redis", "--report", file.toString());

        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(64);
        assertThat(r.err()).contains("--report", "a directory");
        assertThat(r.out()).isEmpty();
    }

    @Test
    @Timeout(120)
    void aShortRunWithoutFaultsPassesAndWritesItsReport() throws Exception {
        Path report = dir.resolve("report");
        Run r =
                run(
                        "verify",
                        "--backend",
                        "redis",
                        "--clients",
                        "2",
                        "--duration",
                        "3s",
                        "--faults",
                        "none",
                        "--seed",
                        "5",
                        "--report",
                        report.toString());

        assertThat(r.code()).as("%s%s", r.out(), r.err()).isZero();
        assertThat(r.out())
                .contains("bin/baton verify --backend redis --clients 2 --duration 3s")
                .contains("--seed 5")
                .contains(report.resolve("report.html").toString());
        assertThat(report.resolve("history.jsonl")).isNotEmptyFile();
        assertThat(report.resolve("report.html")).isNotEmptyFile();
        assertThat(Files.readString(report.resolve("summary.txt"))).isNotBlank();
    }
}
