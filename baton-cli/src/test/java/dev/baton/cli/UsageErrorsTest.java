package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input: exit 64 (or 69 for an unreachable engine) with exactly one line on stderr that names
 * the input and the rule. Checked in-process for speed, plus real processes for the paths that
 * involve System.exit and a real connection attempt.
 */
class UsageErrorsTest {
    private static final String LONG_NAME = "a".repeat(201);

    @TempDir Path dir;

    private record Run(int code, String out, String err) {}

    private static Run inProcess(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                new BatonCli(env, new PrintWriter(out, true), new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLine(Run r, int code, String... mentions) {
        assertThat(r.code()).as("exit status; stderr: %s", r.err()).isEqualTo(code);
        assertThat(r.err().lines().filter(l -> !l.isBlank())).hasSize(1);
        assertThat(r.err()).contains(mentions);
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest(name = "--lock {0} -> {1}")
    @CsvSource({
        "a//b, segment 2 is empty",
        "../x, segment 1 is \"..\"",
        "'a b', outside [A-Za-z0-9._-]",
    })
    void invalidLockNameIs64(String name, String rule) {
        Run r = inProcess(Map.of(), "exec", "--connect", "mem", "--lock", name, "--", "true");
        assertOneLine(r, 64, "\"" + name + "\"", rule);
    }

    @Test
    void nameOver200CharactersIs64() {
        Run r = inProcess(Map.of(), "exec", "--connect", "mem", "--lock", LONG_NAME, "--", "true");
        assertOneLine(r, 64, "201 characters, more than 200");
    }

    @Test
    void locksAndWatchRefuseAnInProcessEngine() {
        assertOneLine(
                inProcess(Map.of(), "locks", "--connect", "mem"),
                64,
                "--connect mem",
                "inside one JVM",
                "baton locks");
        assertOneLine(
                inProcess(Map.of(), "watch", "--connect", "mem:x", "orders"),
                64,
                "--connect mem:x",
                "inside one JVM",
                "baton watch");
    }

    @Test
    void aHostAndPortWithoutSchemeGetsAHint() {
        Run r = inProcess(Map.of(), "locks", "--connect", "127.0.0.1:2181");
        assertOneLine(r, 64, "\"127.0.0.1:2181\"", "zookeeper://127.0.0.1:2181");
    }

    @Test
    void benchOnTheCliJarSaysWhereItLives() {
        Run r = inProcess(Map.of(), "bench", "--quick");
        assertOneLine(r, 64, "bin/baton bench", "baton-bench.jar");
    }

    @Test
    void unknownSchemeIs64WithTheUriMessage() {
        Run r = inProcess(Map.of(), "exec", "--connect", "foo://x", "--lock", "a", "--", "true");
        assertOneLine(r, 64, "\"foo://x\"", "unknown scheme \"foo\"", "zookeeper");
    }

    @ParameterizedTest(name = "--wait {0}")
    @CsvSource({"-1s, is negative", "5, has no unit", "soon, must be a non-negative duration"})
    void badWaitIs64(String wait, String rule) {
        Run r =
                inProcess(
                        Map.of(),
                        "exec",
                        "--connect",
                        "mem",
                        "--wait",
                        wait,
                        "--lock",
                        "a",
                        "--",
                        "true");
        assertOneLine(r, 64, "--wait", "\"" + wait + "\"", rule);
    }

    @Test
    void ttlOutOfRangeNamesTheFlag() {
        Run r =
                inProcess(
                        Map.of(),
                        "exec",
                        "--connect",
                        "mem",
                        "--ttl",
                        "500ms",
                        "--lock",
                        "a",
                        "--",
                        "true");
        assertOneLine(r, 64, "--ttl must be between 1s and 10m, but was 500ms");
    }

    @Test
    void missingConnectIs64AndSaysWhatToDo() {
        for (String[] args :
                new String[][] {
                    {"exec", "--lock", "a", "--", "true"}, {"locks"}, {"watch", "orders"}
                }) {
            Run r = inProcess(Map.of(), args);
            assertOneLine(r, 64, "pass --connect URI", "BATON_CONNECT");
        }
    }

    @Test
    void connectComesFromTheEnvironment() {
        Run r = inProcess(Map.of("BATON_CONNECT", "foo://from-env"), "locks");
        assertOneLine(r, 64, "\"foo://from-env\"");
    }

    @Test
    void missingLockAndCommandAre64() {
        Run r = inProcess(Map.of(), "exec", "--connect", "mem");
        assertOneLine(r, 64, "--lock=NAME", "COMMAND");
    }

    @Test
    void unknownFlagIs64() {
        Run r = inProcess(Map.of(), "locks", "--frobnicate");
        assertOneLine(r, 64, "--frobnicate");
    }

    @Test
    void demoRejectsAnInProcessEngine() {
        Run r = inProcess(Map.of(), "demo", "--connect", "mem");
        assertOneLine(r, 64, "mem is in-process only");
    }

    @Test
    void bufferDemoRejectsAnInProcessEngineAndBadOptions() {
        assertOneLine(
                inProcess(Map.of(), "demo", "buffer", "--connect", "mem"),
                64,
                "mem is in-process only");
        assertOneLine(
                inProcess(Map.of(), "demo", "buffer", "--ttl", "1s"),
                64,
                "--ttl must be between 2s and 30s, but was 1s");
        assertOneLine(
                inProcess(Map.of(), "demo", "buffer", "--items", "0"),
                64,
                "--items must be between 1 and 100, but was 0");
    }

    @ParameterizedTest(name = "{0} --connect redlock://…")
    @CsvSource({"locks", "watch", "demo"})
    void redlockServesOnlyExecAndSaysWhatToUseInstead(String command) {
        Run r =
                "watch".equals(command)
                        ? inProcess(
                                Map.of(),
                                command,
                                "--connect",
                                "redlock://127.0.0.1:1,127.0.0.1:2",
                                "x")
                        : inProcess(
                                Map.of(),
                                command,
                                "--connect",
                                "redlock://127.0.0.1:1,127.0.0.1:2");
        assertOneLine(r, 64, "redlock:// serves only `baton exec`", "redis://HOST:PORT");
    }

    @Test
    void execCommandNotFoundIs127AndNotExecutableIs126() {
        Run notFound =
                inProcess(
                        Map.of(),
                        "exec",
                        "--connect",
                        "mem",
                        "--lock",
                        "a",
                        "--",
                        "no-such-command-xyz");
        assertOneLine(notFound, 127, "command not found: no-such-command-xyz");
        Run notExec =
                inProcess(
                        Map.of(), "exec", "--connect", "mem", "--lock", "a", "--", dir.toString());
        assertOneLine(notExec, 126, "cannot execute");
    }

    @Test
    void aRealProcessExitsWith64() {
        Cli.Result r = Cli.run(dir, Duration.ofSeconds(30), "exec", "--lock", "a", "--", "true");
        assertThat(r.code()).isEqualTo(64);
        assertThat(r.errLines()).singleElement().asString().contains("pass --connect URI");
    }

    @Test
    void unreachableEngineIs69InOneLine() {
        Cli.Result r =
                Cli.run(
                        dir,
                        Duration.ofSeconds(30),
                        "exec",
                        "--connect",
                        "zookeeper://127.0.0.1:1",
                        "--connect-timeout",
                        "1s",
                        "--lock",
                        "a",
                        "--",
                        "true");
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(69);
        assertThat(r.errLines()).singleElement().asString().contains("127.0.0.1:1");
    }
}
