package dev.baton.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InvalidArgumentException;
import dev.baton.verify.CheckResult;
import dev.baton.verify.Checker;
import dev.baton.verify.History;
import dev.baton.verify.HistoryEvent.Op;
import dev.baton.verify.HistoryEvent.Type;
import dev.baton.verify.Verdict;
import dev.baton.verify.Violation;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class HtmlReportTest {

    /** c1 holds, is paused past its TTL, c2 is granted meanwhile; c3 is killed and respawned. */
    private static History scenario() {
        return new Histories()
                .grant(0, 100, "c1", 1)
                .write(150, 160, "c1", 1, 0, Type.OK)
                .release(300, "c1")
                .grant(300, 400, "c1", 2)
                .nemesis(450, Type.INVOKE, "pause c1 for 3.0 s")
                .signal(450, "c1", Type.OK, Op.PAUSE, "SIGSTOP")
                .grant(200, 2500, "c2", 3)
                .write(2550, 2560, "c2", 3, 1, Type.OK)
                .release(2600, "c2")
                .signal(3450, "c1", Type.OK, Op.RESUME, "SIGCONT")
                .nemesis(3450, Type.OK, "pause c1 resumed")
                .write(3460, 3470, "c1", 2, 1, Type.FAIL)
                .signal(3480, "c1", Type.INFO, Op.LEASE_LOST, "session expired")
                .grant(2700, 2800, "c3", 4)
                .nemesis(2900, Type.INVOKE, "kill c3")
                .signal(2900, "c3", Type.OK, Op.KILL, "kill -9")
                .nemesis(2901, Type.OK, "kill c3 done")
                .grant(4000, 5000, "c3#2", 5)
                .release(5200, "c3#2")
                .read(5300, 5301, "final", -1, 2, Type.OK) // the runner's read after the run
                .history();
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static NodeList xpath(Document d, String expression) throws Exception {
        return (NodeList)
                XPathFactory.newInstance()
                        .newXPath()
                        .evaluate(expression, d, XPathConstants.NODESET);
    }

    private static List<String> texts(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    private static String render(History h) {
        CheckResult r = Checker.check(h);
        return HtmlReport.render(Histories.info(true), h, r, Verdict.strict(r));
    }

    @Test
    void oneLanePerClientIncarnationsShareIt() throws Exception {
        Document d = parse(render(scenario()));

        assertThat(texts(xpath(d, "//*[@class='lane']/@data-lane")))
                .containsExactly("c1", "c2", "c3");
        assertThat(texts(xpath(d, "//*[@class='labels']/*[@class='lbl']")))
                .containsExactly("nemesis", "c1", "c2", "c3");
        assertThat(texts(xpath(d, "//*[@data-lane='c3']/*[@class='incarnation']")))
                .singleElement(InstanceOfAssertFactories.STRING)
                .contains("#2");
    }

    @Test
    void lanesShowHoldingWaitingPausedKilledLostAndWrites() throws Exception {
        Document d = parse(render(scenario()));

        assertThat(texts(xpath(d, "//*[@data-lane='c2']/*[@class='hold']/title")))
                .containsExactly("c2 held 'lock' (token 3) 2.500 s to 2.600 s, released");
        assertThat(xpath(d, "//*[@data-lane='c2']/*[@class='wait']").getLength()).isEqualTo(1);
        assertThat(texts(xpath(d, "//*[@data-lane='c1']/*[@class='pause']/title")))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("c1 paused 0.450 s to 3.450 s, resumed");
        // c1's second hold runs through the pause until the loss signal.
        assertThat(texts(xpath(d, "//*[@data-lane='c1']/*[@class='hold']/title")))
                .anyMatch(t -> t.contains("(token 2)") && t.endsWith("to 3.480 s, lease lost"));
        assertThat(texts(xpath(d, "//*[@data-lane='c1']/*[@class='lost']/title")))
                .containsExactly("c1 lease lost at 3.480 s: session expired");
        assertThat(texts(xpath(d, "//*[@data-lane='c3']/*[@class='kill']/title")))
                .containsExactly("kill -9 c3 at 2.900 s: kill -9");
        assertThat(texts(xpath(d, "//*[@data-lane='c3']/*[@class='hold']/title")))
                .anyMatch(t -> t.startsWith("c3 held") && t.endsWith("2.900 s, killed"))
                .anyMatch(t -> t.startsWith("c3#2 held") && t.endsWith("released"));
        assertThat(xpath(d, "//*[@data-lane='c1']/*[@class='wok']").getLength()).isEqualTo(1);
        assertThat(xpath(d, "//*[@data-lane='c1']/*[@class='wrej']").getLength()).isEqualTo(1);
        assertThat(xpath(d, "//*[@data-lane='c2']/*[@class='wrej']").getLength()).isZero();
    }

    @Test
    void nemesisFaultsAreBandsFromStartToHeal() throws Exception {
        Document d = parse(render(scenario()));

        NodeList bands = xpath(d, "//*[@class='nemesis']/*[@class='band']");
        assertThat(bands.getLength()).isEqualTo(2);
        Element pause = (Element) xpath(d, "//*[@data-fault='pause']").item(0);
        assertThat(pause.getTextContent())
                .isEqualTo("pause c1 for 3.0 s: 0.450 s to 3.450 s (OK pause c1 resumed)");
        // 3 s at the scale of the 5.301 s run.
        double px = Double.parseDouble(pause.getAttribute("width"));
        double perSecond = Math.max(Timeline.PX_PER_SECOND, Timeline.MIN_PLOT_PX / 5.301);
        assertThat(px).isCloseTo(3 * perSecond, Offset.offset(1.0));
        assertThat(texts(xpath(d, "//*[@class='bandlbl']"))).contains("pause");
    }

    @Test
    void violationsAreMarkedWithTheirExplanationCountedAndExcusedApart() throws Exception {
        History h =
                new Histories()
                        .grant(0, 0, "c1", 7)
                        .grant(500, 500, "c2", 8) // c1 still believes: loss-signal-first
                        .write(600, 610, "c2", 8, 0, Type.OK)
                        .write(700, 710, "c1", 7, 1, Type.OK) // stale write accepted
                        .history();
        CheckResult r = Checker.check(h);
        assertThat(r.violations())
                .extracting(Violation::kind)
                .contains(Violation.Kind.LOSS_SIGNAL_FIRST, Violation.Kind.STALE_WRITE_ACCEPTED);
        Violation excused = r.violations(Violation.Kind.LOSS_SIGNAL_FIRST).get(0);
        List<Violation> counted = new ArrayList<>(r.violations());
        counted.remove(excused);
        Verdict verdict =
                new Verdict(counted, List.of(new Verdict.Excused(excused, "redis restart")));

        Document d = parse(HtmlReport.render(Histories.info(true), h, r, verdict));

        NodeList red = xpath(d, "//svg[@class='plot']//*[starts-with(@class,'viol counted')]");
        NodeList orange = xpath(d, "//svg[@class='plot']//*[starts-with(@class,'viol excused')]");
        assertThat(red.getLength()).isEqualTo(counted.size());
        assertThat(orange.getLength()).isEqualTo(1);
        Element marker = (Element) orange.item(0);
        assertThat(marker.getElementsByTagName("title").item(0).getTextContent())
                .contains("excused: redis restart", excused.explanation());
        // One line per event time: the two grants.
        Element line = (Element) marker.getElementsByTagName("path").item(0);
        assertThat(line.getAttribute("d").split("M")).hasSize(3);
        assertThat(
                        texts(
                                xpath(
                                        d,
                                        "//svg[@class='plot']//*[starts-with(@class,'viol counted')]/title")))
                .anyMatch(t -> t.contains("STALE_WRITE_ACCEPTED"));

        // The table lists each one, its times linking to its marker.
        assertThat(texts(xpath(d, "//table[@class='viols']//tr[@class='excused']/td[3]")))
                .containsExactly("excused: redis restart");
        String anchor = marker.getAttribute("id");
        assertThat(texts(xpath(d, "//tr[@class='excused']//a/@href")))
                .containsExactly("#" + anchor, "#" + anchor);
        assertThat(texts(xpath(d, "//*[contains(@class,'verdict')]")))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("FAIL: " + counted.size() + " violation");
        assertThat(xpath(d, "//*[@class='verdict fail']").getLength()).isEqualTo(1);
    }

    @Test
    void textIsEscaped() throws Exception {
        History h =
                new Histories()
                        .grant(0, 10, "c<1>&", 1)
                        .nemesis(20, Type.INVOKE, "pause <script>alert(1)</script> & \"q\"")
                        .nemesis(30, Type.OK, "pause done")
                        .history();
        CheckResult r = Checker.check(h);
        Violation evil =
                new Violation(
                        Violation.Kind.TOKEN_INVERSION,
                        h.events().subList(0, 2),
                        "<img src=x onerror=alert(2)> & more");
        CheckResult withEvil = new CheckResult(List.of(evil), r.stats());
        RunInfo info =
                new RunInfo(
                        "redis<b>",
                        "engine & <i>",
                        true,
                        1,
                        Duration.ofSeconds(1),
                        1,
                        Duration.ofSeconds(1),
                        List.of("<f>"),
                        List.of("x</td>"),
                        List.of("<residue>"),
                        "baton verify --connect 'redis://a<b>&c'",
                        Instant.EPOCH);

        String html = HtmlReport.render(info, h, withEvil, Verdict.strict(withEvil));

        assertThat(html)
                .doesNotContain("<script>alert", "<img", "<b>", "<i>", "<f>", "<residue>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;")
                .contains("&lt;img src=x onerror=alert(2)&gt; &amp; more")
                .contains("redis://a&lt;b&gt;&amp;c");
        Document d = parse(html); // well-formed: nothing broke out of its element
        assertThat(texts(xpath(d, "//*[@class='lane']/@data-lane"))).containsExactly("c<1>&");
        assertThat(texts(xpath(d, "//pre"))).containsExactly(info.command());
    }

    @Test
    void emptyHistoryRenders() throws Exception {
        History empty = History.of(List.of());
        String html = render(empty);

        Document d = parse(html);
        assertThat(texts(xpath(d, "//*[@class='empty']")))
                .containsExactly("No events: the history is empty.", "None found.");
        assertThat(xpath(d, "//*[@class='verdict pass']").getLength()).isEqualTo(1);
        assertThat(xpath(d, "//svg[@class='plot']").getLength()).isZero();
    }

    @Test
    void tenMinuteRunOfFiftyThousandEventsStaysSmall() throws Exception {
        History h = Histories.simulate(7, 5, 600, 50, 150, 100, true, false);
        assertThat(h.events().size()).isBetween(40_000, 80_000);
        CheckResult r = Checker.check(h);
        assertThat(r.clean()).isFalse(); // the unfenced stale write

        String html = HtmlReport.render(Histories.info(false), h, r, Verdict.strict(r));

        int bytes = html.getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).isLessThan(10_000_000);
        Document d = parse(html);
        Element plot = (Element) xpath(d, "//svg[@class='plot']").item(0);
        assertThat(Double.parseDouble(plot.getAttribute("width"))).isLessThan(30_000);
        assertThat(texts(xpath(d, "//*[@class='lane']/@data-lane")))
                .containsExactly("c1", "c2", "c3", "c4", "c5");
        assertThat(
                        texts(
                                xpath(
                                        d,
                                        "//svg[@class='plot']//*[starts-with(@class,'viol counted')]/title")))
                .anyMatch(t -> t.contains("STALE_WRITE_ACCEPTED"));
    }

    @Test
    void holdsLessThanAPixelApartAreMergedIntoOneRectangle() throws Exception {
        Histories b = new Histories();
        for (int i = 0; i < 1000; i++) { // 10 s: a hold of 5 ms every 10 ms, < 1 px apart
            b.grant(i * 10, i * 10, "c1", i + 1).release(i * 10 + 5, "c1");
        }
        Document d = parse(render(b.history()));

        assertThat(texts(xpath(d, "//*[@data-lane='c1']/*[@class='hold']/title")))
                .singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("1000 intervals merged at this zoom; the first: c1 held 'lock'");
    }

    @Test
    void hourLongRunIsSqueezedBelowThirtyThousandPixels() throws Exception {
        History h = new Histories().grant(0, 0, "c1", 1).release(3_600_000, "c1").history();

        Document d = parse(render(h));

        Element plot = (Element) xpath(d, "//svg[@class='plot']").item(0);
        double width = Double.parseDouble(plot.getAttribute("width"));
        assertThat(width).isBetween(Timeline.MAX_PLOT_PX, 30_000.0);
    }

    @Test
    void writeWritesTheRenderedReport(@TempDir Path dir) throws Exception {
        History h = scenario();
        CheckResult r = Checker.check(h);
        Path file = dir.resolve("report.html");

        HtmlReport.write(file, Histories.info(true), h, r, Verdict.strict(r));

        assertThat(Files.readString(file))
                .isEqualTo(HtmlReport.render(Histories.info(true), h, r, Verdict.strict(r)));
        assertThat(Files.readString(file)).doesNotContain("http:", "https:", "src=", "@import");
    }

    @Test
    void rejectsNullArgumentsAndAVerdictOfOtherViolations() {
        History h = scenario();
        CheckResult r = Checker.check(h);
        Violation v = new Violation(Violation.Kind.LOST_UPDATE, List.of(), "made up");

        assertThatThrownBy(() -> HtmlReport.render(null, h, r, Verdict.strict(r)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("HtmlReport.render info must be non-null, but was null");
        assertThatThrownBy(
                        () ->
                                HtmlReport.render(
                                        Histories.info(true),
                                        h,
                                        r,
                                        new Verdict(List.of(v), List.of())))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("counted + excused")
                .hasMessageContaining("but was 1");
    }
}
