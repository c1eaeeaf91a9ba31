package dev.baton.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.baton.internal.Connector;
import org.junit.jupiter.api.Test;

/**
 * Backends see only the SPI: no class of {@code dev.baton.spi} or of a backend reaches into {@code
 * dev.baton.internal}, so the core alone settles the races of a lease (issue 10). The ZooKeeper and
 * Redis modules state the same rule for their packages ({@code *ArchitectureTest}).
 */
class SpiBoundaryTest {
    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.baton");

    /** The rule every backend package meets. */
    static ArchRule seesOnlyTheSpi(String backendPackage) {
        return noClasses()
                .that()
                .resideInAPackage(backendPackage)
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.baton.internal..")
                .because("a backend reports to the core through the SPI only");
    }

    @Test
    void theSpiDependsOnNothingOfTheCoresMachineryOrOfABackend() {
        noClasses()
                .that()
                .resideInAPackage("dev.baton.spi..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.baton.internal..", "dev.baton.mem..")
                .check(MAIN);
    }

    @Test
    void theInMemoryBackendSeesOnlyTheSpi() {
        seesOnlyTheSpi("dev.baton.mem..").check(MAIN);
    }

    @Test
    void theRuleRejectsABackendThatReachesIntoTheCore() {
        JavaClasses leaky = new ClassFileImporter().importClasses(LeakyBackend.class);
        assertThatThrownBy(() -> seesOnlyTheSpi("dev.baton.arch..").check(leaky))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Connector");
    }

    /** What the rule must reject: a backend that calls into the core's machinery. */
    static final class LeakyBackend {
        Object providers() {
            return Connector.providers();
        }
    }
}
