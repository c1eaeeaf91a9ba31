package dev.baton.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

    @TempDir Path dir;

    @Test
    void jsonLinesRoundTrip() throws Exception {
        History history =
                new H()
                        .grant(0, "c1", "orders/42", 7, 1000)
                        .write(10, 20, "c1", 7, 0L, 1L, Type.OK)
                        .add(
                                HistoryEvent.of(H.ns(30), "nemesis", Type.INFO, Op.NEMESIS, null)
                                        .withDetail("SIGSTOP c1 for 3 s"))
                        .event(40, "c1", Type.OK, Op.KILL, null)
                        .history();
        Path file = dir.resolve("history.jsonl");

        history.write(file);
        History back = History.read(file);

        assertThat(back).isEqualTo(history);
        assertThat(back.events()).hasSize(history.events().size());
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
                .hasSize(history.events().size())
                .allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        assertThat(Checker.check(back)).isEqualTo(Checker.check(history));
    }

    @Test
    void absentTokenAndDeadlineMeanNoneAndNullsAreOmitted() throws Exception {
        Path file = dir.resolve("h.jsonl");
        Files.writeString(
                file,
                "{\"nanos\":5,\"process\":\"c1\",\"type\":\"OK\",\"op\":\"ACQUIRE\",\"name\":\"x\"}\n"
                        + "\n");

        HistoryEvent e = History.read(file).events().get(0);

        assertThat(e.token()).isEqualTo(HistoryEvent.NO_TOKEN);
        assertThat(e.deadlineNanos()).isEqualTo(HistoryEvent.NO_DEADLINE);
        assertThat(History.toJsonLine(e)).doesNotContain("value", "expected", "detail");
    }

    @Test
    void badLineIsRejectedNamingFileAndLine() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(
                file,
                "{\"nanos\":5,\"process\":\"c1\",\"type\":\"OK\",\"op\":\"ACQUIRE\",\"name\":\"x\"}\n"
                        + "{\"nanos\":6,\"process\":\"c1\",\"type\":\"OK\",\"op\":\"SMASH\"}\n");

        assertThatThrownBy(() -> History.read(file))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining(file.toString());
    }

    @Test
    void eventBreakingARuleIsRejectedOnRead() throws Exception {
        Path file = dir.resolve("noname.jsonl");
        Files.writeString(
                file, "{\"nanos\":5,\"process\":\"c1\",\"type\":\"OK\",\"op\":\"WRITE\"}\n");

        assertThatThrownBy(() -> History.read(file))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("name");
    }

    @Test
    void invalidEventIsRejectedWithTheRule() {
        assertThatThrownBy(() -> HistoryEvent.of(0, "", Type.OK, Op.KILL, null))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("process must be non-empty");
        assertThatThrownBy(() -> HistoryEvent.of(0, "c1", Type.OK, Op.ACQUIRE, "x").withToken(-2))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("token");
    }
}
