package dev.kami.junit;

import dev.kami.Kami;
import java.lang.reflect.AnnotatedElement;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A JUnit Jupiter extension that gives a test a {@link Kami} parameter: an in-memory registry
 * with the packages named by {@link InstallTool} (and by {@link Builder#install}) installed.
 *
 * <p>Declarative, with defaults ({@link KamiTest} is the same as {@code @ExtendWith}):
 *
 * <pre>{@code
 * @KamiTest
 * @InstallTool("../samples/tools/echo")
 * class EchoTest {
 *     @Test
 *     void echoes(Kami kami) {
 *         KamiAssertions.assertThat(kami.call("dev_kami_echo", "{\"message\":\"hi\"}")).succeeded();
 *     }
 * }
 * }</pre>
 *
 * <p>Programmatic, to set the host policy or other builder options:
 *
 * <pre>{@code
 * @RegisterExtension
 * static KamiExtension kamiExtension = KamiExtension.builder()
 *         .install("../samples/tools/http-fetch")
 *         .configure(b -> b.policy(HostPolicy.builder().allowHosts("example.com").build()))
 *         .build();
 * }</pre>
 *
 * <p>Lifecycle: a {@code Kami} parameter of a test method, or of a {@code @BeforeEach} /
 * {@code @AfterEach} method, is one instance per test, with the class's and the method's
 * packages, closed after the test. A {@code Kami} parameter of a {@code @BeforeAll} method or of
 * the constructor (with {@code @TestInstance(PER_CLASS)}) is one instance per class, with the
 * class's packages, closed after the class. Tests never share a registry unless they ask for
 * the class's instance.
 *
 * <p>Default builder: {@code Kami.builder().inMemory().workers(2)}; {@link Builder#configure}
 * runs after these defaults. Thread-safe for parallel test execution: every test has its own
 * instance.
 */
public final class KamiExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KamiExtension.class);
    private static final String TEST_KEY = "kami.test";
    private static final String CLASS_KEY = "kami.class";

    private final List<String> packages;
    private final Consumer<Kami.Builder> configurer;

    /** An extension with the defaults, for {@code @ExtendWith(KamiExtension.class)} and {@link KamiTest}. */
    public KamiExtension() {
        this(List.of(), b -> {
        });
    }

    private KamiExtension(List<String> packages, Consumer<Kami.Builder> configurer) {
        this.packages = List.copyOf(packages);
        this.configurer = configurer;
    }

    /** @return a builder for {@code @RegisterExtension} */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Kami.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        boolean perTest = context.getTestMethod().isPresent();
        // Separate keys: a store lookup also searches the parent (class) store, and a test must
        // not silently receive the class's instance without its own @InstallTool packages.
        String key = perTest ? TEST_KEY : CLASS_KEY;
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Kami existing = store.get(key, Kami.class);
        if (existing != null) {
            return existing;
        }
        Kami kami = start(context, perTest);
        store.put(key, kami);
        return kami;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close(context, TEST_KEY);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close(context, CLASS_KEY);
    }

    private static void close(ExtensionContext context, String key) {
        Kami kami = context.getStore(NAMESPACE).remove(key, Kami.class);
        if (kami != null) {
            kami.close();
        }
    }

    private Kami start(ExtensionContext context, boolean perTest) {
        Kami.Builder b = Kami.builder().inMemory().workers(2);
        configurer.accept(b);
        Kami kami = b.build();
        try {
            for (String p : packagesFor(context, perTest)) {
                Path path = resolve(p, context);
                try {
                    kami.install(path);
                } catch (RuntimeException e) {
                    throw new ParameterResolutionException("@InstallTool(\"" + p + "\") was refused: " + e.getMessage(), e);
                }
            }
            return kami;
        } catch (RuntimeException e) {
            kami.close();
            throw e;
        }
    }

    private List<String> packagesFor(ExtensionContext context, boolean perTest) {
        List<String> out = new ArrayList<>(packages);
        Deque<Class<?>> classes = new ArrayDeque<>();
        for (Class<?> c = context.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            classes.push(c);
        }
        for (Class<?> c : classes) {
            addFrom(c, out);
        }
        if (perTest) {
            addFrom(context.getRequiredTestMethod(), out);
        }
        return out;
    }

    private static void addFrom(AnnotatedElement element, List<String> out) {
        for (InstallTool t : AnnotationSupport.findRepeatableAnnotations(element, InstallTool.class)) {
            if (!out.contains(t.value())) {
                out.add(t.value());
            }
        }
    }

    private static Path resolve(String spec, ExtensionContext context) {
        if (spec.startsWith("classpath:")) {
            String resource = spec.substring("classpath:".length()).replaceFirst("^/+", "");
            ClassLoader loader = context.getRequiredTestClass().getClassLoader();
            URL url = loader.getResource(resource);
            if (url == null) {
                throw new ExtensionConfigurationException("@InstallTool(\"" + spec + "\"): no resource '" + resource
                        + "' on the test class path");
            }
            if (!"file".equals(url.getProtocol())) {
                throw new ExtensionConfigurationException("@InstallTool(\"" + spec + "\"): resource is at " + url
                        + ", not a directory or file; keep packages in unpacked test resources or give a path");
            }
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new ExtensionConfigurationException("@InstallTool(\"" + spec + "\"): bad resource URL " + url, e);
            }
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new ExtensionConfigurationException("@InstallTool(\"" + spec + "\"): no package at "
                    + path.toAbsolutePath().normalize() + "; paths are relative to the working directory "
                    + Path.of("").toAbsolutePath() + ", or use classpath:<resource>");
        }
        return path;
    }

    /** Builds a {@link KamiExtension} for {@code @RegisterExtension}. Not thread-safe. */
    public static final class Builder {
        private final List<String> packages = new ArrayList<>();
        private Consumer<Kami.Builder> configurer = b -> {
        };

        private Builder() {
        }

        /**
         * Installs these packages for every test, before those named by {@link InstallTool}.
         * Same forms as {@link InstallTool#value()}.
         *
         * @param packagePaths paths, or {@code classpath:} resources
         * @return this builder
         */
        public Builder install(String... packagePaths) {
            for (String p : packagePaths) {
                Objects.requireNonNull(p, "package path");
                if (p.isBlank()) {
                    throw new IllegalArgumentException("package path must not be blank");
                }
                packages.add(p);
            }
            return this;
        }

        /**
         * Adjusts the {@link Kami.Builder} after the defaults ({@code inMemory()},
         * {@code workers(2)}): a policy, listeners, an engine option. Calls accumulate.
         *
         * @param configurer what to set on the builder
         * @return this builder
         */
        public Builder configure(Consumer<Kami.Builder> configurer) {
            Objects.requireNonNull(configurer, "configurer");
            this.configurer = this.configurer.andThen(configurer);
            return this;
        }

        /** @return the extension */
        public KamiExtension build() {
            return new KamiExtension(packages, configurer);
        }
    }
}
