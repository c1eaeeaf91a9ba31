package dev.baton.testkit;

import dev.baton.Baton;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Who holds, by the one table of {@link GrantRuleCases}: every backend grants exactly what {@link
 * dev.baton.spi.GrantRules} says, including backends that implement the rules themselves (Redis's
 * Lua scripts).
 */
abstract class GrantRulesContract extends ContractBase {

    @TestFactory
    Stream<DynamicTest> grantsWhatTheRulesSayForEveryCaseOfTheTable() {
        List<Baton> clients = List.of(client(), client(), client());
        List<GrantRuleCases.Case> cases = GrantRuleCases.cases();
        return IntStream.range(0, cases.size())
                .mapToObj(
                        i ->
                                DynamicTest.dynamicTest(
                                        cases.get(i).title(),
                                        () -> {
                                            GrantRuleCases.checkRules(cases.get(i));
                                            GrantRuleCases.checkEngine(
                                                    cases.get(i), clients, name("case-" + i));
                                        }));
    }
}
