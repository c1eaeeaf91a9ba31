package dev.baton.http;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * This backend sees only the SPI and the public API; the rule itself is proven to reject a leaky
 * backend in baton-core's {@code SpiBoundaryTest}.
 */
class HttpArchitectureTest {

    @Test
    void seesNothingOfTheCoreButItsApiAndSpi() {
        noClasses()
                .that()
                .resideInAPackage("dev.baton.http..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.baton.internal..", "dev.baton.mem..", "dev.baton.gateway..")
                .because("a backend reports to the core through the SPI only")
                .check(
                        new ClassFileImporter()
                                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                                .importPackages("dev.baton"));
    }
}
