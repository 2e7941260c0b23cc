package dev.kami.engine.chicory.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import dev.kami.engine.chicory.component.CType.Field;
import dev.kami.engine.chicory.component.CType.Prim;
import dev.kami.engine.chicory.component.CanonicalAbi.Flat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalAbiTest {
    private final Memory memory = new ByteArrayMemory(new MemoryLimits(1, 1));
    private final List<int[]> allocations = new ArrayList<>();
    private int bump = 1024;
    private final ResourceTable table = new ResourceTable();
    private final CanonicalAbi abi = new CanonicalAbi(memory, (old, oldSize, align, size) -> {
        bump = CanonicalAbi.alignTo(bump, align);
        int p = bump;
        bump += size;
        allocations.add(new int[] {p, size, align});
        return p;
    }, table);

    private static final CType.RecordT POINT = new CType.RecordT(List.of(new Field("x", Prim.U8),
            new Field("y", Prim.F64), new Field("name", Prim.STRING)));
    private static final CType.VariantT SHAPE = new CType.VariantT(List.of(new Field("none", null),
            new Field("int", Prim.S32), new Field("float", Prim.F32), new Field("big", Prim.U64)));

    /** Stores at a fresh aligned address, loads back, lowers flat, lifts flat: all four must agree. */
    private Object roundTrip(CType t, Object v) {
        int ptr = CanonicalAbi.alignTo(bump, CanonicalAbi.alignment(t));
        bump = ptr + CanonicalAbi.size(t);
        abi.store(t, ptr, v);
        Object loaded = abi.load(t, ptr);
        CanonicalAbi.Out out = new CanonicalAbi.Out(1);
        abi.lowerFlat(t, v, out);
        assertThat(out.size).isEqualTo(CanonicalAbi.flatten(t).size());
        Object lifted = abi.liftFlat(t, new CanonicalAbi.In(out.toArray(), 0));
        assertEqual(loaded, v);
        assertEqual(lifted, v);
        return loaded;
    }

    private static void assertEqual(Object actual, Object expected) {
        if (expected instanceof byte[] b) {
            assertThat((byte[]) actual).isEqualTo(b);
        } else {
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void sizesAndAlignmentsFollowTheCanonicalAbi() {
        assertThat(CanonicalAbi.size(Prim.BOOL)).isEqualTo(1);
        assertThat(CanonicalAbi.size(Prim.STRING)).isEqualTo(8);
        assertThat(CanonicalAbi.alignment(Prim.STRING)).isEqualTo(4);
        // u8 at 0, f64 at 8, string at 16 (8 bytes) -> 24, align 8
        assertThat(CanonicalAbi.size(POINT)).isEqualTo(24);
        assertThat(CanonicalAbi.alignment(POINT)).isEqualTo(8);
        // discriminant u8, payload aligned to 8 (u64), 8 bytes
        assertThat(CanonicalAbi.size(SHAPE)).isEqualTo(16);
        assertThat(CanonicalAbi.size(new CType.ResultT(Prim.STRING, Prim.STRING))).isEqualTo(12);
        assertThat(CanonicalAbi.size(new CType.OptionT(Prim.U8))).isEqualTo(2);
        assertThat(CanonicalAbi.size(new CType.FlagsT(names(9)))).isEqualTo(2);
        assertThat(CanonicalAbi.size(new CType.FlagsT(names(32)))).isEqualTo(4);
        assertThat(CanonicalAbi.size(new CType.EnumT(names(300)))).isEqualTo(2);
        assertThat(CanonicalAbi.size(new CType.TupleT(List.of(Prim.U8, Prim.U16, Prim.U8)))).isEqualTo(6);
    }

    @Test
    void flatteningJoinsVariantPayloads() {
        assertThat(CanonicalAbi.flatten(SHAPE)).containsExactly(Flat.I32, Flat.I64);
        CType.VariantT ints = new CType.VariantT(List.of(new Field("a", Prim.S32), new Field("b", Prim.F32)));
        assertThat(CanonicalAbi.flatten(ints)).containsExactly(Flat.I32, Flat.I32);
        assertThat(CanonicalAbi.flatten(new CType.ResultT(Prim.STRING, Prim.STRING)))
                .containsExactly(Flat.I32, Flat.I32, Flat.I32);
        assertThat(CanonicalAbi.flatten(new CType.OptionT(Prim.F64))).containsExactly(Flat.I32, Flat.F64);
    }

    @Test
    void coreSignaturesSpillToMemoryPastTheFlatLimits() {
        CType.FuncT run = new CType.FuncT(List.of(new Field("input", Prim.STRING)),
                new CType.ResultT(Prim.STRING, Prim.STRING));
        assertThat(CanonicalAbi.liftedCoreType(run)).isEqualTo(FunctionType.of(List.of(ValType.I32, ValType.I32),
                List.of(ValType.I32)));
        assertThat(CanonicalAbi.loweredCoreType(run)).isEqualTo(FunctionType.of(
                List.of(ValType.I32, ValType.I32, ValType.I32), List.of()));
        List<Field> many = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(new Field("p" + i, Prim.U32));
        }
        CType.FuncT wide = new CType.FuncT(many, Prim.U64);
        assertThat(CanonicalAbi.loweredCoreType(wide)).isEqualTo(FunctionType.of(List.of(ValType.I32),
                List.of(ValType.I64)));
    }

    @Test
    void primitivesRoundTrip() {
        roundTrip(Prim.BOOL, true);
        roundTrip(Prim.S8, -5L);
        roundTrip(Prim.U8, 250L);
        roundTrip(Prim.S16, -30000L);
        roundTrip(Prim.U16, 65000L);
        roundTrip(Prim.S32, -2_000_000_000L);
        roundTrip(Prim.U32, 4_000_000_000L);
        roundTrip(Prim.S64, Long.MIN_VALUE);
        roundTrip(Prim.U64, -1L);
        roundTrip(Prim.F32, 1.5f);
        roundTrip(Prim.F64, -2.25e300);
        roundTrip(Prim.CHAR, 0x1F600);
        roundTrip(Prim.STRING, "héllo, wörld ✓");
    }

    @Test
    void flatIntegersWrapToTheirWidth() {
        assertThat(abi.liftFlat(Prim.U8, new CanonicalAbi.In(new long[] {0x1ff}, 0))).isEqualTo(0xffL);
        assertThat(abi.liftFlat(Prim.S8, new CanonicalAbi.In(new long[] {0xff}, 0))).isEqualTo(-1L);
        assertThat(abi.liftFlat(Prim.BOOL, new CanonicalAbi.In(new long[] {2}, 0))).isEqualTo(true);
    }

    @Test
    void compoundTypesRoundTrip() {
        roundTrip(POINT, List.of(7L, 0.5, "p"));
        roundTrip(new CType.TupleT(List.of(Prim.U8, Prim.STRING, Prim.S64)), List.of(1L, "", 99L));
        roundTrip(new CType.ListT(Prim.U8), "bytes".getBytes(StandardCharsets.UTF_8));
        roundTrip(new CType.ListT(Prim.STRING), List.of("a", "bc", ""));
        roundTrip(new CType.ListT(POINT), List.of(List.of(1L, 1.0, "one"), List.of(2L, 2.0, "two")));
        roundTrip(new CType.EnumT(List.of("trace", "debug", "info")), 2);
        roundTrip(new CType.FlagsT(names(3)), 0b101L);
        roundTrip(new CType.FlagsT(names(32)), 0x80000001L);
        roundTrip(new CType.OptionT(Prim.STRING), Variant.some("x"));
        roundTrip(new CType.OptionT(Prim.STRING), Variant.none());
        roundTrip(new CType.OptionT(new CType.OptionT(Prim.U32)), Variant.some(Variant.none()));
        roundTrip(new CType.ResultT(Prim.STRING, Prim.STRING), Variant.ok("fine"));
        roundTrip(new CType.ResultT(null, Prim.U16), Variant.err(404L));
        roundTrip(new CType.ResultT(null, null), Variant.ok(null));
        roundTrip(SHAPE, new Variant(0, null));
        roundTrip(SHAPE, new Variant(1, -7L));
        roundTrip(SHAPE, new Variant(2, 3.5f));
        roundTrip(SHAPE, new Variant(3, Long.MAX_VALUE));
    }

    @Test
    void aVariantWithA64BitJoinCarriesAnI32PayloadZeroExtended() {
        CanonicalAbi.Out out = new CanonicalAbi.Out(2);
        abi.lowerFlat(SHAPE, new Variant(1, -1L), out);
        assertThat(out.toArray()).containsExactly(1L, 0xffffffffL);
        assertThat(abi.liftFlat(SHAPE, new CanonicalAbi.In(new long[] {1, 0xffffffffL}, 0)))
                .isEqualTo(new Variant(1, -1L));
    }

    @Test
    void stringsAndListsAreCopiedThroughRealloc() {
        abi.store(Prim.STRING, 0, "abc");
        assertThat(allocations).hasSize(1);
        assertThat(allocations.get(0)[1]).isEqualTo(3);
        assertThat(allocations.get(0)[2]).isEqualTo(1);
        assertThat(memory.readInt(0)).isEqualTo(allocations.get(0)[0]);
        assertThat(memory.readInt(4)).isEqualTo(3);
        abi.store(new CType.ListT(Prim.U64), 8, List.of(1L, 2L));
        assertThat(allocations.get(1)[1]).isEqualTo(16);
        assertThat(allocations.get(1)[2]).isEqualTo(8);
    }

    @Test
    void ownHandlesMoveThroughTheTableAndBorrowsAreReleasedAfterTheCall() {
        CType.Resource stream = new CType.Resource("output-stream", false, -1);
        Object rep = new Object();
        CanonicalAbi.Out out = new CanonicalAbi.Out(1);
        abi.lowerFlat(new CType.Own(stream), rep, out);
        int handle = (int) out.toArray()[0];
        assertThat(handle).isEqualTo(1);
        assertThat(table.rep(handle, stream)).isSameAs(rep);
        assertThat(abi.liftFlat(new CType.Borrow(stream), new CanonicalAbi.In(new long[] {handle}, 0))).isSameAs(rep);
        assertThat(abi.liftFlat(new CType.Own(stream), new CanonicalAbi.In(new long[] {handle}, 0))).isSameAs(rep);
        assertThat(table.size()).isZero();
        assertThatThrownBy(() -> table.rep(handle, stream)).isInstanceOf(ComponentTrap.class)
                .hasMessage("handle 1 is not a live resource handle (expected output-stream)");
        CanonicalAbi.Out lent = new CanonicalAbi.Out(1);
        abi.lowerFlat(new CType.Borrow(stream), rep, lent);
        assertThat(table.size()).isEqualTo(1);
        abi.endCall();
        assertThat(table.size()).isZero();
    }

    @Test
    void aHandleOfAnotherResourceTypeTraps() {
        CType.Resource a = new CType.Resource("a", false, -1);
        CType.Resource b = new CType.Resource("b", false, -1);
        int h = table.addOwn(a, "x");
        assertThatThrownBy(() -> table.takeOwn(h, b)).isInstanceOf(ComponentTrap.class)
                .hasMessage("handle 1 is a a, not a b");
    }

    @Test
    void badValuesFromTheComponentTrap() {
        memory.write(100, new byte[] {(byte) 0xc3, 0x28});
        assertThatThrownBy(() -> abi.liftFlat(Prim.STRING, new CanonicalAbi.In(new long[] {100, 2}, 0)))
                .isInstanceOf(ComponentTrap.class).hasMessage("a string of 2 bytes at 100 is not valid UTF-8");
        assertThatThrownBy(() -> abi.liftFlat(Prim.STRING, new CanonicalAbi.In(new long[] {65530, 10}, 0)))
                .isInstanceOf(ComponentTrap.class)
                .hasMessage("pointer 65530 with length 10 lies outside the component's memory of 65536 bytes");
        assertThatThrownBy(() -> abi.liftFlat(Prim.CHAR, new CanonicalAbi.In(new long[] {0xd800}, 0)))
                .isInstanceOf(ComponentTrap.class).hasMessage("0xd800 is not a Unicode scalar value (char)");
        assertThatThrownBy(() -> abi.liftFlat(new CType.OptionT(Prim.U8), new CanonicalAbi.In(new long[] {2, 0}, 0)))
                .isInstanceOf(ComponentTrap.class).hasMessage("variant case 2 is out of range for option<u8>");
        assertThatThrownBy(() -> abi.load(Prim.U32, 2)).isInstanceOf(ComponentTrap.class)
                .hasMessage("pointer 2 for u32 is not aligned to 4 bytes");
    }

    @Test
    void manyParametersGoThroughMemoryAndWideResultsThroughTheReturnPointer() {
        List<Field> params = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            params.add(new Field("p" + i, Prim.U32));
            values.add((long) i);
        }
        CType.FuncT f = new CType.FuncT(params, new CType.TupleT(List.of(Prim.STRING, Prim.U8)));
        long[] core = abi.lowerArgs(f, values);
        assertThat(core).hasSize(1);
        assertThat(abi.liftArgs(f, core)).isEqualTo(values);
        int retptr = 4096;
        long[] none = abi.lowerResult(f, new long[] {core[0], retptr}, List.of("r", 9L));
        assertThat(none).isNull();
        assertThat(abi.liftResult(f, new long[] {retptr})).isEqualTo(List.of("r", 9L));
    }

    private static List<String> names(int n) {
        List<String> out = new ArrayList<>(Collections.nCopies(0, ""));
        for (int i = 0; i < n; i++) {
            out.add("f" + i);
        }
        return out;
    }
}
