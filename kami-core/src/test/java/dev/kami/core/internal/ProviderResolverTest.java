package dev.kami.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ConfigurationException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.ServiceConfigurationError;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ProviderResolverTest {

    record Fake(String id, int priority) {
    }

    private static ProviderResolver<Fake> resolver(Supplier<Iterator<Fake>> loader) {
        return new ProviderResolver<>("engine", "kami.test.engine", "add dev.kami:kami-wasm-chicory to the classpath,"
                + " or call Kami.builder().engine(..)", Fake::id, Fake::priority, loader);
    }

    private static Supplier<Iterator<Fake>> of(Fake... fakes) {
        return () -> List.of(fakes).iterator();
    }

    @Test
    void noneFoundSaysWhatToAdd() {
        assertThatThrownBy(() -> resolver(of()).resolve(null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("No KAMI engine found; add dev.kami:kami-wasm-chicory to the classpath, or call Kami.builder().engine(..)");
    }

    @Test
    void oneFoundIsChosen() {
        assertThat(resolver(of(new Fake("chicory", 0))).resolve(null).id()).isEqualTo("chicory");
    }

    @Test
    void highestPriorityWins() {
        assertThat(resolver(of(new Fake("a", 1), new Fake("b", 5), new Fake("c", 3))).resolve(null).id()).isEqualTo("b");
    }

    @Test
    void ambiguousTopPriorityFailsListingTheTiedAndHowToChoose() {
        assertThatThrownBy(() -> resolver(of(new Fake("a", 5), new Fake("b", 5), new Fake("c", 1))).resolve(null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Several KAMI engines have the same highest priority 5: a (dev.kami.core.internal.ProviderResolverTest$Fake, priority 5), b (")
                .hasMessageEndingWith("choose one with Kami.builder().engine(\"<id>\") or -Dkami.test.engine=<id>, or remove one from the classpath");
    }

    @Test
    void explicitIdWinsOverPriority() {
        assertThat(resolver(of(new Fake("a", 5), new Fake("b", 5))).resolve("b").id()).isEqualTo("b");
    }

    @Test
    void unknownIdListsWhatWasFound() {
        assertThatThrownBy(() -> resolver(of(new Fake("chicory", 0))).resolve("wasmtime"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("No KAMI engine with id 'wasmtime'; found: chicory (");
    }

    @Test
    void systemPropertyChoosesWhenNoExplicitId() {
        System.setProperty("kami.test.engine", "b");
        try {
            assertThat(resolver(of(new Fake("a", 9), new Fake("b", 1))).resolve(null).id()).isEqualTo("b");
            System.setProperty("kami.test.engine", "zzz");
            assertThatThrownBy(() -> resolver(of(new Fake("a", 9))).resolve(null))
                    .hasMessageContaining("No KAMI engine with id 'zzz' (from -Dkami.test.engine)");
        } finally {
            System.clearProperty("kami.test.engine");
        }
    }

    @Test
    void brokenProviderIsReportedByNameAndOthersStillLoad() {
        Supplier<Iterator<Fake>> loader = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < 2;
            }

            @Override
            public Fake next() {
                if (i++ == 0) {
                    throw new ServiceConfigurationError("dev.kami.spi.EngineProvider: Provider com.acme.BrokenEngine could not be instantiated",
                            new NoClassDefFoundError("com/dylibso/chicory/runtime/Instance"));
                }
                if (i > 2) {
                    throw new NoSuchElementException();
                }
                return new Fake("good", 0);
            }
        };
        assertThat(resolver(loader).resolve(null).id()).isEqualTo("good");
        assertThat(resolver(loader).discover().broken()).singleElement().asString()
                .contains("com.acme.BrokenEngine could not be instantiated").contains("com/dylibso/chicory/runtime/Instance");
    }

    @Test
    void onlyBrokenProvidersFailWithTheirNames() {
        Supplier<Iterator<Fake>> loader = () -> new Iterator<>() {
            boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public Fake next() {
                done = true;
                throw new ServiceConfigurationError("Provider com.acme.BrokenEngine not found");
            }
        };
        assertThatThrownBy(() -> resolver(loader).resolve(null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("No KAMI engine found; add dev.kami:kami-wasm-chicory to the classpath, or call Kami.builder().engine(..); could not load: Provider com.acme.BrokenEngine not found");
    }
}
