package dev.baton.zookeeper;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * This backend sees only the SPI (issue 10); the rule itself is proven to reject a leaky backend in
 * baton-core's {@code SpiBoundaryTest}. Its parts see only the shared plumbing, never the facade.
 */
class ZooKeeperArchitectureTest {
    private static final JavaClasses PRODUCTION =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.baton");

    @Test
    void seesNothingOfTheCoreButItsApiAndSpi() {
        noClasses()
                .that()
                .resideInAPackage("dev.baton.zookeeper..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.baton.internal..", "dev.baton.mem..")
                .because("a backend reports to the core through the SPI only")
                .check(PRODUCTION);
    }

    /** Failed on the tree before issue 10's split, where every part reached back into it. */
    @Test
    void noPartDependsOnTheBackendFacade() {
        noClasses()
                .that()
                .doNotBelongToAnyOf(ZooKeeperBackend.class, ZooKeeperBackendProvider.class)
                .should()
                .dependOnClassesThat()
                .belongToAnyOf(ZooKeeperBackend.class)
                .because(
                        "the parts share ZooKeeper's plumbing through ZooKeeperClient; only the"
                                + " provider opens the facade")
                .check(PRODUCTION);
    }
}
