package dev.ferry.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The store, allocation and recovery cores stay free of Akka, Typesafe Config and Jackson, so they are testable with plain JUnit. */
class PureCoreArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ferry");

    @Test
    void storeDependsOnNeitherAkkaNorConfigNorJackson() {
        noClasses().that().resideInAPackage("dev.ferry.store..")
                .should().dependOnClassesThat().resideInAnyPackage("akka..", "com.typesafe.config..", "com.fasterxml.jackson..", "scala..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void allocationDependsOnNeitherAkkaNorConfigNorJackson() {
        noClasses().that().resideInAPackage("dev.ferry.allocation..")
                .should().dependOnClassesThat().resideInAnyPackage("akka..", "com.typesafe.config..", "com.fasterxml.jackson..", "scala..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void recoveryCoreDependsOnNeitherAkkaNorConfigNorJackson() {
        noClasses().that().resideInAPackage("dev.ferry.recovery..")
                .should().dependOnClassesThat().resideInAnyPackage("akka..", "com.typesafe.config..", "com.fasterxml.jackson..", "scala..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void pureCoresDoNotDependOnTheAkkaShell() {
        noClasses().that().resideInAnyPackage("dev.ferry.store..", "dev.ferry.allocation..", "dev.ferry.recovery..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ferry.journal..", "dev.ferry.cluster..", "dev.ferry.broker..",
                        "dev.ferry.queue..", "dev.ferry.replica..", "dev.ferry.http..", "dev.ferry.node..", "dev.ferry.cli..")
                .allowEmptyShould(true)
                .check(MAIN);
    }
}
