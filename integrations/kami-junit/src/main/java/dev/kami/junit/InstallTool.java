package dev.kami.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a tool package to install into the {@link dev.kami.Kami} a test receives from
 * {@link KamiExtension}. On a class it applies to every test of the class (and of its
 * {@code @Nested} classes); on a method, to that test only, after the class's packages.
 * Repeatable.
 *
 * <p>The value is a package directory or {@code .zip}, relative to the working directory (the
 * module directory under Maven and Gradle) or absolute, or {@code classpath:some/dir} for a
 * package kept in test resources. A package that is missing or refused fails the test with
 * KAMI's message (manifest key, line, what was expected).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(InstallTools.class)
public @interface InstallTool {
    /** @return the package: a path, or {@code classpath:} followed by a resource directory or zip */
    String value();
}
