package dev.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "orders/42",
                "A-b_c.d/e",
                "x/..y",
                "...",
                "a/b/c/d/e/f",
                "0",
            })
    void accepts(String name) {
        assertThat(Names.validate(name)).isSameAs(name);
    }

    /**
     * The one-pass check {@code validate} takes first accepts exactly what the part-by-part rule
     * accepts: a million short names over an alphabet that breaks every part of the rule, and the
     * edges. A check that accepted one name more (say a trailing slash, or "..") fails here.
     */
    @Test
    void theFastCheckAcceptsExactlyWhatTheRuleAccepts() {
        char[] alphabet = {'a', 'Z', '7', '.', '_', '-', '/', ' ', '\n', ':', 'é', '*'};
        java.util.Random random = new java.util.Random(42);
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            char[] c = new char[1 + random.nextInt(6)];
            for (int j = 0; j < c.length; j++) {
                c[j] = alphabet[random.nextInt(alphabet.length)];
            }
            names.add(new String(c));
        }
        names.addAll(
                java.util.List.of(
                        "/",
                        "a/",
                        "/a",
                        "a//b",
                        ".",
                        "..",
                        "a/.",
                        "a/..",
                        "./a",
                        "...",
                        ".a",
                        "a.",
                        "a".repeat(Names.MAX_LENGTH),
                        "a".repeat(Names.MAX_LENGTH + 1)));
        int accepted = 0;
        for (String name : names) {
            boolean byRule;
            try {
                Names.validateFully(name);
                byRule = true;
            } catch (InvalidNameException e) {
                byRule = false;
            }
            assertThat(Names.isValid(name)).as("\"%s\"", name).isEqualTo(byRule);
            accepted += byRule ? 1 : 0;
        }
        // Both outcomes are well represented, so the comparison means something.
        assertThat(accepted).isBetween(10_000, 990_000);
    }

    @Test
    void acceptsExactlyTheMaximumLength() {
        String max = "a".repeat(Names.MAX_LENGTH);
        assertThat(Names.validate(max)).isEqualTo(max);
    }

    /** Each bad name, and the part of the message that states the broken rule. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|it is empty",
                "a//b|segment 2 is empty",
                "/a|segment 1 is empty",
                "a/|segment 2 is empty",
                "../x|segment 1 is \"..\"",
                "a/./b|segment 2 is \".\"",
                "a b|segment 1 \"a b\" has a character outside [A-Za-z0-9._-]",
                "a/ü|segment 2 \"ü\" has a character outside [A-Za-z0-9._-]",
                "a:b|has a character outside",
                "a{b}|has a character outside",
            })
    void rejectsWithTheRule(String name, String rule) {
        assertThatThrownBy(() -> Names.validate(name))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("\"" + name + "\"")
                .hasMessageContaining(rule)
                .hasMessageContaining("[A-Za-z0-9._-]+ joined by '/'")
                .satisfies(e -> assertThat(((InvalidNameException) e).name()).isEqualTo(name));
    }

    @Test
    void rejectsTooLongNamesWithTheLength() {
        String name = "a".repeat(Names.MAX_LENGTH + 1);
        assertThatThrownBy(() -> Names.validate(name))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("201 characters, more than 200");
    }

    @Test
    void rejectsControlCharactersAndQuotesThemEscaped() {
        assertThatThrownBy(() -> Names.validate("a\u0001b"))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("\"a\\u0001b\"")
                .hasMessageContaining("control character at index 1");
        assertThatThrownBy(() -> Names.validate("tab\there"))
                .hasMessageContaining("control character at index 3");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Names.validate(null))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("name null is invalid: it is null");
    }

    @Test
    void anEmptyPrefixMeansEverythingButOtherwisePrefixesFollowTheNameRule() {
        assertThat(Names.validatePrefix("")).isEmpty();
        assertThat(Names.validatePrefix("a/b")).isEqualTo("a/b");
        assertThatThrownBy(() -> Names.validatePrefix("a/"))
                .isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> Names.validatePrefix(null))
                .isInstanceOf(InvalidNameException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "a/b, '', true",
        "a/b, a, true",
        "a/b, a/b, true",
        "a/b/c, a/b, true",
        "ab, a, false",
        "a, a/b, false",
        "a/bc, a/b, false",
    })
    void isUnderIsAPathPrefix(String name, String prefix, boolean under) {
        assertThat(Names.isUnder(name, prefix)).isEqualTo(under);
    }
}
