package dev.kami.engine.chicory.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written edge.wat component (jco parse) through ComponentLinker, compiled and interpreted. */
class EdgeComponentTest {
    private final List<String> shouted = new ArrayList<>();

    private ComponentLinker.Linked link(boolean compile) {
        Component c = ComponentParser.parse("edge", ComponentParserTest.fixture("edge.wasm"));
        ComponentLinker linker = new ComponentLinker("edge", c, compile);
        ComponentHost host = (instance, name, type) -> instance.equals("test:edge/host") && name.equals("shout")
                ? args -> {
                    shouted.add((String) args.get(0));
                    return ((String) args.get(0)).toUpperCase(Locale.ROOT) + "!";
                }
                : null;
        return linker.instantiate(new ComponentLinker.Options(host, ByteArrayMemory::new, 16 * 16, null));
    }

    private static Object call(ComponentLinker.Linked l, String name, Object... args) {
        return l.export("test:edge/api", name).invoke(List.of(args));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void seventeenParametersGoThroughMemory(boolean compile) {
        ComponentLinker.Linked l = link(compile);
        Object[] args = new Object[17];
        long sum = 0;
        for (int i = 0; i < 17; i++) {
            args[i] = 4_000_000_000L - i;
            sum += 4_000_000_000L - i;
        }
        assertThat(call(l, "sum17", args)).isEqualTo(sum);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTupleComesBackThroughTheReturnPointerAndPostReturnRuns(boolean compile) {
        ComponentLinker.Linked l = link(compile);
        assertThat(call(l, "posts")).isEqualTo(0L);
        assertThat(call(l, "point", -5L, 1.25, "pünkt")).isEqualTo(List.of(2.5, -4L, "pünkt"));
        assertThat(call(l, "point", 0L, 0.0, "")).isEqualTo(List.of(0.0, 1L, ""));
        assertThat(call(l, "posts")).isEqualTo(2L);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLoweredHostFunctionGetsAndReturnsStringsThroughRealloc(boolean compile) {
        ComponentLinker.Linked l = link(compile);
        assertThat(call(l, "call-host", "héllo")).isEqualTo("HÉLLO!");
        assertThat(shouted).containsExactly("héllo");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theComponentsOwnResourceIsCreatedBorrowedAndDroppedWithItsDestructor(boolean compile) {
        ComponentLinker.Linked l = link(compile);
        Object thing = call(l, "make", 7L);
        assertThat(call(l, "get", thing)).isEqualTo(7L);
        assertThat(l.table().size()).isZero(); // the borrow lent for get was released
        assertThat(call(l, "churn")).isEqualTo(2L);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void invalidUtf8FromTheComponentTraps(boolean compile) {
        ComponentLinker.Linked l = link(compile);
        assertThatThrownBy(() -> call(l, "bad-utf8")).isInstanceOf(ComponentTrap.class)
                .hasMessage("a string of 2 bytes at 200 is not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void allTheComponentsMemoriesShareOneCap(boolean compile) {
        Component c = ComponentParser.parse("memories", ComponentParserTest.fixture("memories.wasm"));
        ComponentLinker linker = new ComponentLinker("memories", c, compile);
        // 4 pages for both memories, which start with one page each
        ComponentLinker.Linked l = linker.instantiate(new ComponentLinker.Options((i, n, t) -> null,
                ByteArrayMemory::new, 4, null));
        assertThat(l.memories()).hasSize(2);
        assertThat(l.export("test:edge/memories", "grow-a").invoke(List.of(2L))).isEqualTo(1L);
        assertThat(l.sharedBudgetRefused()).isFalse();
        assertThat(l.export("test:edge/memories", "grow-b").invoke(List.of(1L))).isEqualTo(-1L);
        assertThat(l.sharedBudgetRefused()).isTrue();
        assertThat(l.export("test:edge/memories", "grow-a").invoke(List.of(0L))).isEqualTo(3L);
        assertThatThrownBy(() -> linker.instantiate(new ComponentLinker.Options((i, n, t) -> null,
                ByteArrayMemory::new, 1, null))).isInstanceOf(ComponentMemoryLimit.class)
                .hasMessage("the component's memories start with 2 pages (128 KiB), above its limit of 1 pages "
                        + "(64 KiB, max_memory_mb)");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true})
    void aHostThatLacksAnImportIsNamedWhenTheImportIsCalled(boolean compile) {
        // imports are asked of the host on first call (install checks them: KamiToolWorld.check)
        Component c = ComponentParser.parse("edge", ComponentParserTest.fixture("edge.wasm"));
        ComponentLinker linker = new ComponentLinker("edge", c, compile);
        ComponentLinker.Linked l = linker.instantiate(new ComponentLinker.Options((i, n, t) -> null,
                ByteArrayMemory::new, 256, null));
        assertThat(call(l, "posts")).isEqualTo(0L);
        assertThatThrownBy(() -> call(l, "call-host", "héllo")).isInstanceOf(ComponentTrap.class)
                .hasMessage("the host does not provide test:edge/host#shout");
    }
}
