package dev.kami.junit;

import static dev.kami.junit.KamiAssertions.assertThat;

import dev.kami.Kami;
import org.junit.jupiter.api.Test;

/** A package kept in test resources, named with {@code classpath:}. */
@KamiTest
@InstallTool("classpath:tools/echo")
class ClasspathPackageTest {

    @Test
    void installsAPackageFromTheTestClassPath(Kami kami) {
        assertThat(kami.call("dev_kami_echo", "{\"message\":\"from resources\"}"))
                .succeeded()
                .hasStructured("message", "from resources");
    }
}
