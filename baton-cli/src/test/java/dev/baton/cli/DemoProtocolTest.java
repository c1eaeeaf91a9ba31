package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.cli.DemoProtocol.BufferOrder;
import dev.baton.cli.DemoProtocol.Event;
import dev.baton.cli.DemoProtocol.Line;
import dev.baton.cli.DemoProtocol.Log;
import dev.baton.cli.DemoProtocol.Malformed;
import dev.baton.cli.DemoProtocol.Message;
import dev.baton.cli.DemoProtocol.Order;
import dev.baton.cli.DemoProtocol.Round;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's wire protocol: what a node writes, the parent reads back unchanged, and a line that
 * breaks the protocol is reported as such, never read as zeros or dropped.
 */
class DemoProtocolTest {

    private static Message message(String line) {
        Line parsed = DemoProtocol.parse(line);
        assertThat(parsed).as(line).isInstanceOf(Message.class);
        return (Message) parsed;
    }

    @Test
    void everyEventRoundTripsWithItsFields() {
        Set<Event> seen = EnumSet.noneOf(Event.class);
        long before = DemoProtocol.nowMicros();

        Message m = message(DemoProtocol.ready("server-1#ab12", 4711));
        assertThat(m.text("client")).isEqualTo("server-1#ab12");
        assertThat(m.number("pid")).isEqualTo(4711);
        assertThat(m.at()).isBetween(before, DemoProtocol.nowMicros());
        seen.add(m.event());

        m = message(DemoProtocol.leader(17, 2));
        assertThat(List.of(m.number("token"), m.number("term"))).containsExactly(17L, 2L);
        seen.add(m.event());

        m = message(DemoProtocol.settle(5, 17, 1_000, 1_250));
        assertThat(List.of(m.number("n"), m.number("token"), m.number("t0"), m.number("t1")))
                .containsExactly(5L, 17L, 1_000L, 1_250L);
        seen.add(m.event());

        m = message(DemoProtocol.fenced(7, 13));
        assertThat(List.of(m.number("token"), m.number("ledgerToken"))).containsExactly(7L, 13L);
        seen.add(m.event());

        m = message(DemoProtocol.conflict(13));
        assertThat(m.number("token")).isEqualTo(13);
        seen.add(m.event());

        m = message(DemoProtocol.leaderEnd(13, "LOST"));
        assertThat(m.number("token")).isEqualTo(13);
        assertThat(m.text("state")).isEqualTo("LOST");
        seen.add(m.event());

        String awkward = "quote \" backslash \\ newline \n tab \t end";
        m = message(DemoProtocol.error(awkward));
        assertThat(m.text("message")).isEqualTo(awkward);
        seen.add(m.event());

        m = message(DemoProtocol.roundStart(Round.B));
        assertThat(m.round()).isEqualTo(Round.B);
        seen.add(m.event());

        m =
                message(
                        DemoProtocol.roundDone(
                                Round.C,
                                20,
                                List.of(new long[] {3, 4, 120}, new long[] {4, 5, 130}),
                                130,
                                19,
                                2,
                                391,
                                36,
                                640));
        assertThat(m.round()).isEqualTo(Round.C);
        assertThat(m.rows("writes"))
                .containsExactly(new long[] {3, 4, 120}, new long[] {4, 5, 130});
        assertThat(
                        List.of(
                                m.number("bids"),
                                m.number("maxBid"),
                                m.number("accepted"),
                                m.number("retries"),
                                m.number("waitMs"),
                                m.number("maxWaitMs"),
                                m.number("ms")))
                .containsExactly(20L, 130L, 19L, 2L, 391L, 36L, 640L);
        seen.add(m.event());

        m = message(DemoProtocol.bye());
        assertThat(m.event()).isEqualTo(Event.BYE);
        seen.add(m.event());

        // The buffer demo's events.
        m = message(DemoProtocol.put("p1-3", "p2-1 p1-3", 2, 17, 41, 120));
        assertThat(m.event()).isEqualTo(Event.PUT);
        assertThat(List.of(m.text("item"), m.text("buffer"))).containsExactly("p1-3", "p2-1 p1-3");
        assertThat(
                        List.of(
                                m.number("size"),
                                m.number("version"),
                                m.number("token"),
                                m.number("requests")))
                .containsExactly(2L, 17L, 41L, 120L);
        seen.add(m.event());

        m = message(DemoProtocol.took("p2-1", "", 0, 18, 43, 60));
        assertThat(m.event()).isEqualTo(Event.TOOK);
        assertThat(List.of(m.text("item"), m.text("buffer"))).containsExactly("p2-1", "");
        assertThat(List.of(m.number("size"), m.number("version"), m.number("token")))
                .containsExactly(0L, 18L, 43L);
        seen.add(m.event());

        m = message(DemoProtocol.bufferWait("not-full", 4, 45, 61));
        assertThat(m.text("condition")).isEqualTo("not-full");
        assertThat(List.of(m.number("size"), m.number("token"), m.number("requests")))
                .containsExactly(4L, 45L, 61L);
        seen.add(m.event());

        m = message(DemoProtocol.woken("not-empty", true, 49, 62));
        assertThat(List.of(m.text("condition"), m.text("by")))
                .containsExactly("not-empty", "signal");
        assertThat(List.of(m.number("token"), m.number("requests"))).containsExactly(49L, 62L);
        assertThat(message(DemoProtocol.woken("not-empty", false, 50, 63)).text("by"))
                .isEqualTo("timeout");
        seen.add(m.event());

        m = message(DemoProtocol.holding("p1-9", 50));
        assertThat(m.text("item")).isEqualTo("p1-9");
        assertThat(m.number("token")).isEqualTo(50);
        seen.add(m.event());

        m = message(DemoProtocol.stale(7, 13));
        assertThat(List.of(m.number("token"), m.number("bufferToken"))).containsExactly(7L, 13L);
        seen.add(m.event());

        m = message(DemoProtocol.batchDone(16, 80));
        assertThat(List.of(m.number("items"), m.number("requests"))).containsExactly(16L, 80L);
        seen.add(m.event());

        m = message(DemoProtocol.stopped(81));
        assertThat(m.number("requests")).isEqualTo(81);
        seen.add(m.event());

        assertThat(seen).as("a writer for every event").containsExactlyInAnyOrder(Event.values());
    }

    @ParameterizedTest
    @EnumSource(Event.class)
    void eachEventIsFoundByItsWireName(Event e) {
        assertThat(Event.ofWire(e.wire())).contains(e);
    }

    @Test
    void aLineThatIsNotJsonIsTheNodesLogNotAnEvent() {
        assertThat(DemoProtocol.parse("WARNING: something in a library"))
                .isEqualTo(new Log("WARNING: something in a library"));
        assertThat(DemoProtocol.parse("[1,2]")).isInstanceOf(Log.class);
    }

    @Test
    void anUnknownEventIsMalformed() {
        String line = "{\"ev\":\"dance\",\"at\":1}";
        assertThat(DemoProtocol.parse(line))
                .isEqualTo(new Malformed(line, "unknown event \"dance\""));
    }

    @Test
    void anObjectWithoutEventIsMalformed() {
        assertThat(DemoProtocol.parse("{\"at\":1}")).isInstanceOf(Malformed.class);
        assertThat(DemoProtocol.parse("{\"ev\":7,\"at\":1}")).isInstanceOf(Malformed.class);
    }

    @Test
    void aMissingOrMistypedFieldIsMalformedAndNamed() {
        assertThat(DemoProtocol.parse("{\"ev\":\"settle\",\"at\":1,\"n\":1,\"token\":2,\"t0\":3}"))
                .extracting(l -> ((Malformed) l).reason())
                .isEqualTo("settle has no number \"t1\"");
        assertThat(DemoProtocol.parse("{\"ev\":\"conflict\",\"at\":1,\"token\":\"7\"}"))
                .extracting(l -> ((Malformed) l).reason())
                .isEqualTo("conflict has no number \"token\"");
        assertThat(DemoProtocol.parse("{\"ev\":\"round-start\",\"at\":1,\"round\":\"d\"}"))
                .extracting(l -> ((Malformed) l).reason())
                .isEqualTo("round-start has no round \"round\"");
        assertThat(DemoProtocol.parse("{\"ev\":\"bye\"}"))
                .extracting(l -> ((Malformed) l).reason())
                .isEqualTo("bye has no number \"at\"");
    }

    @Test
    void readingAFieldTheEventDoesNotDeclareIsABug() {
        Message m = message(DemoProtocol.conflict(13));
        assertThatThrownBy(() -> m.number("ledgerToken"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("conflict has no NUMBER field \"ledgerToken\"");
        assertThatThrownBy(() -> m.text("token")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writingTheWrongValuesIsABug() {
        assertThatThrownBy(() -> Event.SETTLE.write(1L, 2L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was given 2 values");
        assertThatThrownBy(() -> Event.LEADER_END.write(1L, 2L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("state");
    }

    @ParameterizedTest
    @EnumSource(Round.class)
    void roundOrdersRoundTrip(Round r) {
        Order c = Order.round(r, 20, 1_700_000_000_123L);
        assertThat(Order.parse(c.line())).isEqualTo(c);
        assertThat(c.line()).isEqualTo("round " + r.wire() + " 20 1700000000123");
    }

    @Test
    void bufferOrdersRoundTrip() {
        for (BufferOrder o :
                List.of(BufferOrder.produce(8), BufferOrder.LINGER, BufferOrder.QUIT)) {
            assertThat(BufferOrder.parse(o.line())).isEqualTo(o);
        }
        assertThat(BufferOrder.produce(8).line()).isEqualTo("produce 8");
        assertThat(BufferOrder.QUIT.line()).isEqualTo(Order.QUIT.line());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "dance",
                "produce",
                "produce 0",
                "produce eight",
                "linger now",
                "quit 1"
            })
    void aLineThatIsNotABufferOrderIsRejected(String line) {
        assertThatThrownBy(() -> BufferOrder.parse(line))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an order");
    }

    @Test
    void quitRoundTrips() {
        assertThat(Order.parse(Order.QUIT.line())).isEqualTo(Order.QUIT);
        assertThat(Order.QUIT.isQuit()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "dance",
                "quit now",
                "round",
                "round d 20 1",
                "round a twenty 1",
                "round a 0 1",
                "round a 20",
                "round a 20 1 extra"
            })
    void aLineThatIsNotAnOrderIsRejected(String line) {
        assertThatThrownBy(() -> Order.parse(line))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an order");
    }
}
