package dev.kami.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.kami.Kami;
import dev.kami.policy.HostPolicy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs fixture classes with the JUnit test kit to check what happens around the tests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KamiExtensionLifecycleTest {

    static final List<Kami> SEEN = new CopyOnWriteArrayList<>();

    private static EngineExecutionResults run(Class<?> fixture) {
        SEEN.clear();
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute();
    }

    @Test
    void eachTestGetsItsOwnInstanceClosedAfterIt() {
        EngineExecutionResults results = run(TwoTests.class);

        assertEquals(2, results.testEvents().succeeded().count());
        assertEquals(2, SEEN.size());
        assertNotSame(SEEN.get(0), SEEN.get(1));
        for (Kami k : SEEN) {
            assertThrows(IllegalStateException.class, k::list);
        }
    }

    @Test
    void beforeAllGetsAClassInstanceClosedAfterTheClass() {
        EngineExecutionResults results = run(ClassScoped.class);

        assertEquals(1, results.testEvents().succeeded().count());
        assertEquals(2, SEEN.size());
        assertNotSame(SEEN.get(0), SEEN.get(1), "the test has its own instance, not the class's");
        assertThrows(IllegalStateException.class, SEEN.get(0)::list);
    }

    @Test
    void registeredExtensionInstallsAndConfigures() {
        EngineExecutionResults results = run(Registered.class);

        assertEquals(1, results.testEvents().succeeded().count(), () -> failures(results));
    }

    @Test
    void missingPackageFailsTheTestWithThePathAndWhatToDo() {
        EngineExecutionResults results = run(MissingPackage.class);

        String message = failures(results);
        assertTrue(message.contains("@InstallTool(\"no/such/tool\"): no package at "), message);
        assertTrue(message.contains("relative to the working directory"), message);
    }

    @Test
    void refusedPackageFailsTheTestWithKamisMessage() {
        EngineExecutionResults results = run(RefusedPackage.class);

        String message = failures(results);
        assertTrue(message.contains("@InstallTool(\"src/test/resources/bad-tool\") was refused: "), message);
        assertTrue(message.contains("version"), message);
    }

    private static String failures(EngineExecutionResults results) {
        StringBuilder b = new StringBuilder();
        for (Event e : results.allEvents().failed().list()) {
            e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                    .ifPresent(t -> b.append(t.getMessage()).append('\n'));
        }
        assertNotNull(b);
        return b.toString();
    }

    @KamiTest
    @InstallTool("../../samples/tools/echo")
    static class TwoTests {
        @Test
        void one(Kami kami) {
            SEEN.add(kami);
            KamiAssertions.assertThat(kami.call("dev.kami.echo", "{\"message\":\"1\"}")).succeeded();
        }

        @Test
        void two(Kami kami) {
            SEEN.add(kami);
            KamiAssertions.assertThat(kami.call("dev.kami.echo", "{\"message\":\"2\"}")).succeeded();
        }
    }

    @KamiTest
    @InstallTool("../../samples/tools/echo")
    static class ClassScoped {
        @BeforeAll
        static void shared(Kami kami) {
            SEEN.add(kami);
        }

        @Test
        void test(Kami kami) {
            SEEN.add(kami);
            assertEquals(1, SEEN.get(0).list().size());
        }
    }

    static class Registered {
        @RegisterExtension
        static KamiExtension extension = KamiExtension.builder()
                .install("../../samples/tools/echo")
                .configure(b -> b.policy(HostPolicy.builder().maxMemoryMb(32).build()))
                .build();

        @Test
        void test(Kami kami) {
            assertEquals(32, kami.policy().maxMemoryMb());
            KamiAssertions.assertThat(kami.call("dev.kami.echo", "{\"message\":\"r\"}")).succeeded()
                    .hasStructured("message", "r");
        }
    }

    @KamiTest
    @InstallTool("no/such/tool")
    static class MissingPackage {
        @Test
        void test(Kami kami) {
        }
    }

    @KamiTest
    @InstallTool("src/test/resources/bad-tool")
    static class RefusedPackage {
        @Test
        void test(Kami kami) {
        }
    }
}
