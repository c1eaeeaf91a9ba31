package dev.baton.shedlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.Baton;
import dev.baton.InvalidNameException;
import dev.baton.Names;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How ShedLock names become Baton names: as is when valid, else escaped; never two on one. */
class LockNamesTest {
    private static final String P = BatonLockProvider.DEFAULT_PREFIX;

    @Test
    void validNamesKeepTheirSpelling() {
        for (String n :
                List.of("reportJob", "com.example.Jobs.nightly", "billing/daily", "a_b-c.d", "x")) {
            assertThat(LockNames.batonName(P, n)).isEqualTo(P + n);
        }
        assertThat(LockNames.batonName("", "reportJob")).isEqualTo("reportJob");
    }

    @Test
    void otherNamesAreEscapedIntoOneSegmentUnderTheMarker() {
        assertThat(LockNames.batonName(P, "my task:1")).isEqualTo("shedlock/_esc/my_20task_3A1");
        assertThat(LockNames.batonName(P, "/lead")).isEqualTo("shedlock/_esc/_2Flead");
        assertThat(LockNames.batonName(P, "a//b")).isEqualTo("shedlock/_esc/a_2F_2Fb");
        assertThat(LockNames.batonName(P, "..")).isEqualTo("shedlock/_esc/_2E_2E");
        assertThat(LockNames.batonName(P, "tâche")).isEqualTo("shedlock/_esc/t_C3_A2che");
        assertThat(LockNames.batonName(P, "tab\there")).isEqualTo("shedlock/_esc/tab_09here");
    }

    @Test
    void namesThatStartWithTheMarkerAreEscapedToo() {
        String escaped = LockNames.batonName(P, "my task");
        String lookalike = escaped.substring(P.length()); // "_esc/my_20task", valid as is

        assertThat(LockNames.batonName(P, lookalike)).isNotEqualTo(escaped);
        assertThat(LockNames.batonName(P, lookalike))
                .isEqualTo("shedlock/_esc/_5Fesc_2Fmy_5F20task");
        assertThat(LockNames.batonName(P, "_esc")).isEqualTo("shedlock/_esc/_5Fesc");
        assertThat(LockNames.batonName(P, "_escape")).isEqualTo("shedlock/_escape");
    }

    @Test
    void theMappingIsInjectiveOnTrickyNames() {
        List<String> names =
                List.of(
                        "a b",
                        "a:b",
                        "a_20b",
                        "a_3Ab",
                        "_esc/a_20b",
                        "_esc/a_3Ab",
                        "a/b",
                        "a_2Fb",
                        "_esc/a_2Fb",
                        "a.b",
                        "a_2Eb",
                        "A b",
                        "a  b",
                        "a",
                        "_esc",
                        "_esc/",
                        ".",
                        "..",
                        "...");
        Set<String> mapped = new HashSet<>();
        for (String n : names) {
            String m = LockNames.batonName(P, n);
            assertThat(Names.validate(m)).isEqualTo(m);
            assertThat(mapped.add(m)).as("%s maps to %s, already taken", n, m).isTrue();
        }
    }

    @Test
    void tooLongNamesAreRejectedNamingTheShedLockName() {
        String valid191 = "j".repeat(Names.MAX_LENGTH - P.length());
        assertThat(LockNames.batonName(P, valid191)).hasSize(Names.MAX_LENGTH);

        String tooLong = valid191 + "j";
        assertThatThrownBy(() -> LockNames.batonName(P, tooLong))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("characters: more than 200");
        assertThatThrownBy(() -> LockNames.batonName(P, ""))
                .isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> LockNames.batonName(P, null))
                .isInstanceOf(InvalidNameException.class);
    }

    @Test
    void prefixesAreEmptyOrAValidNameWithATrailingSlash() {
        assertThat(LockNames.validatePrefix("")).isEmpty();
        assertThat(LockNames.validatePrefix("billing/jobs/")).isEqualTo("billing/jobs/");
        for (String bad : List.of("shedlock", "/", "a//", "a b/", "../")) {
            assertThatThrownBy(() -> LockNames.validatePrefix(bad))
                    .as(bad)
                    .isInstanceOf(InvalidNameException.class);
        }
        try (Baton baton = Baton.connect("mem:names-" + System.nanoTime())) {
            assertThatThrownBy(() -> new BatonLockProvider(baton, "no-slash"))
                    .isInstanceOf(InvalidNameException.class)
                    .hasMessageContaining("end with '/'");
            try (BatonLockProvider p = new BatonLockProvider(baton, "billing/")) {
                assertThat(p.batonName("daily")).isEqualTo("billing/daily");
            }
        }
    }
}
