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
