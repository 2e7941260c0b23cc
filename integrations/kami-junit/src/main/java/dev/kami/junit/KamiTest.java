package dev.kami.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class whose tests get a fresh {@link dev.kami.Kami} as a parameter: an in-memory
 * registry with the packages named by {@link InstallTool} installed, closed after each test.
 * Shorthand for {@code @ExtendWith(KamiExtension.class)}.
 *
 * <pre>{@code
 * @KamiTest
 * @InstallTool("../samples/tools/echo")
 * class EchoTest {
 *     @Test
 *     void echoesItsInput(Kami kami) {
 *         assertThat(kami.call("dev.kami.echo", "{\"message\":\"hi\"}"))
 *                 .succeeded()
 *                 .hasStructured("message", "hi");
 *     }
 * }
 * }</pre>
 *
 * @see KamiExtension
 * @see KamiAssertions
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(KamiExtension.class)
public @interface KamiTest {
}
