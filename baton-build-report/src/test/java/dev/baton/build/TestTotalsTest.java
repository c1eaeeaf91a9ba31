package dev.baton.build;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestTotalsTest {
    @Test
    void readsTheTopLevelSuitesCounts() {
        String xml =
                "<?xml version=\"1.0\"?>\n<testsuite xmlns:x=\"y\" name=\"A\" time=\"1.2\""
                        + " tests=\"12\" errors=\"1\" skipped=\"3\" failures=\"2\">"
                        + "<testcase name=\"t\"/></testsuite>";
        assertThat(TestTotals.counts(xml)).containsExactly(12, 2, 1, 3);
    }

    @Test
    void aFileWithoutASuiteCountsNothing() {
        assertThat(TestTotals.counts("<html/>")).containsExactly(0, 0, 0, 0);
    }
}
