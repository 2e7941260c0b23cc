package dev.kami.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kami-junit in a user's project on JUnit 5 (the oldest supported, 5.10, and 5.11, where
 * kami-junit used to crash the test JVM with {@code OutputDirectoryCreator} missing) and on
 * JUnit 6: a real {@code mvn test} of a project with the KAMI BOM, its own JUnit and kami-junit,
 * against the packaged artifacts (issue 16, ADR 0604).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KamiJunitProjectsTest {

    @TempDir
    static Path work;

    private static UserProjects projects;

    @BeforeAll
    static void install() throws Exception {
        projects = UserProjects.in(work);
    }

    @ParameterizedTest(name = "JUnit {0}")
    @ValueSource(strings = {"it.junit5.oldest", "it.junit5", "it.junit6"})
    void aJunitProjectRunsItsKamiTestsOnItsOwnJupiter(String versionProperty) throws Exception {
        String junit = System.getProperty(versionProperty);
        assertThat(junit).as("system property %s (set by the pom)", versionProperty).isNotBlank();
        Path project = projects.project("junit-user", "junit-" + junit, Map.of(
                "KAMI_VERSION", Reactor.VERSION,
                "JUNIT_VERSION", junit,
                "SLF4J_VERSION", System.getProperty("it.slf4j"),
                "RESOURCES_PLUGIN", System.getProperty("it.resourcesPlugin"),
                "COMPILER_PLUGIN", System.getProperty("it.compilerPlugin"),
                "SUREFIRE_PLUGIN", System.getProperty("it.surefirePlugin")));
        UserProjects.addTool(project, "echo");

        UserProjects.Run run = projects.mvn(project, "test");

        assertThat(run.exitCode()).as("mvn test on JUnit %s:%n%s", junit, run.output()).isZero();
        Path report = project.resolve("target/surefire-reports/TEST-example.EchoToolTest.xml");
        assertThat(report).as("surefire report; mvn said:%n%s", run.output()).isRegularFile();
        String xml = Files.readString(report);
        assertThat(xml).contains("tests=\"3\"").contains("failures=\"0\"").contains("errors=\"0\"")
                .contains("skipped=\"0\"");
        assertThat(run.output()).doesNotContain("OutputDirectoryCreator").doesNotContain("SurefireBooterForkException");
    }
}
