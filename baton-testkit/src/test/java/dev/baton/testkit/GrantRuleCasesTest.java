package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.LeaseKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table's checkers reject a wrong answer, both against the rules and against an engine. */
class GrantRuleCasesTest {
    private static final GrantRuleCases.Request R = new GrantRuleCases.Request(LeaseKind.READ, 1);
    private static final GrantRuleCases.Case WRONG =
            new GrantRuleCases.Case("three readers, two said to hold", List.of(R, R, R), 1, 2);

    @Test
    void aCaseTheRulesDisagreeWithIsRejected() {
        assertThatThrownBy(() -> GrantRuleCases.checkRules(WRONG))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GrantRules");
    }

    @Test
    void anEngineThatGrantsOtherwiseIsRejectedAndLeftClean() {
        try (Baton a = Baton.connect("mem:grant-rule-cases");
                Baton b = Baton.connect("mem:grant-rule-cases")) {
            assertThatThrownBy(() -> GrantRuleCases.checkEngine(WRONG, List.of(a, b), "wrong/rw"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("holders of");
            org.assertj.core.api.Assertions.assertThat(a.inspect("wrong/rw")).isEmpty();
        }
    }
}
