package dev.kami.engine.chicory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private static final int PAGE = Memory.PAGE_SIZE;

    @Test
    void startsAtItsInitialSizeAndZeroed() {
        GuestMemory m = new GuestMemory(new MemoryLimits(2, 10));
        assertThat(m.pages()).isEqualTo(2);
        assertThat(m.initialPages()).isEqualTo(2);
        assertThat(m.maximumPages()).isEqualTo(10);
        assertThat(m.readLong(2 * PAGE - 8)).isZero();
        assertThat(m.shared()).isFalse();
    }

    @Test
    void typedAccessesAreLittleEndianAndRoundTrip() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 1));
        m.writeI32(0, 0x01020304);
        assertThat(m.read(0)).isEqualTo((byte) 4);
        assertThat(m.readInt(0)).isEqualTo(0x01020304);
        m.writeLong(8, 0x1122334455667788L);
        assertThat(m.readLong(8)).isEqualTo(0x1122334455667788L);
        assertThat(m.readInt(12)).isEqualTo(0x11223344);
        m.writeShort(20, (short) 0xBEEF);
        assertThat(m.readShort(20)).isEqualTo((short) 0xBEEF);
        assertThat(m.readU16(20)).isEqualTo(0xBEEFL);
        m.writeF32(24, 1.5f);
        assertThat(m.readFloat(24)).isEqualTo(1.5f);
        assertThat(m.readF32(24)).isEqualTo(Float.floatToRawIntBits(1.5f));
        m.writeF64(32, -2.25);
        assertThat(m.readDouble(32)).isEqualTo(-2.25);
        assertThat(m.readF64(32)).isEqualTo(Double.doubleToRawLongBits(-2.25));
        m.writeByte(PAGE - 1, (byte) 7);
        assertThat(m.read(PAGE - 1)).isEqualTo((byte) 7);
        assertThat(m.readI32(0)).isEqualTo(0x01020304L);
    }

    @Test
    void everyAccessPastTheEndTrapsNamingTheAddress() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 1));
        assertThatThrownBy(() -> m.readInt(PAGE - 3)).isInstanceOf(WasmRuntimeException.class)
                .hasMessageStartingWith("out of bounds memory access").hasMessageContaining("65533");
        assertThatThrownBy(() -> m.readLong(PAGE - 7)).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.writeI32(PAGE, 1)).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.writeByte(-1, (byte) 1)).isInstanceOf(WasmRuntimeException.class)
                .hasMessageContaining(String.valueOf(0xFFFFFFFFL));
        assertThatThrownBy(() -> m.read(Integer.MIN_VALUE)).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.readBytes(PAGE - 2, 3)).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.write(PAGE - 2, new byte[3])).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.fill((byte) 1, PAGE - 2, PAGE + 1)).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.copy(0, PAGE - 2, 3)).isInstanceOf(WasmRuntimeException.class);
        assertThatThrownBy(() -> m.copy(PAGE - 2, 0, 3)).isInstanceOf(WasmRuntimeException.class);
        // zero-length accesses are fine up to the end, and trap past it
        assertThat(m.readBytes(PAGE, 0)).isEmpty();
        m.fill((byte) 1, PAGE, PAGE);
        assertThatThrownBy(() -> m.fill((byte) 1, PAGE + 1, PAGE + 1)).isInstanceOf(WasmRuntimeException.class);
        // nothing was written by the refused accesses
        assertThat(m.readInt(PAGE - 4)).isZero();
    }

    @Test
    void growReturnsTheOldSizeKeepsTheContentAndNeverPassesTheMaximum() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 40));
        m.writeI32(PAGE - 4, 42);
        for (int p = 1; p < 40; p++) {
            assertThat(m.grow(1)).isEqualTo(p);
            m.writeI32(p * PAGE, p);
        }
        assertThat(m.pages()).isEqualTo(40);
        assertThat(m.readInt(PAGE - 4)).isEqualTo(42);
        for (int p = 1; p < 40; p++) {
            assertThat(m.readInt(p * PAGE)).isEqualTo(p);
        }
        assertThat(m.readLong(40 * PAGE - 8)).isZero();
        assertThat(m.growRefused()).isFalse();
        assertThat(m.grow(0)).isEqualTo(40);
        assertThat(m.grow(1)).isEqualTo(-1);
        assertThat(m.growRefused()).isTrue();
        assertThat(m.pages()).isEqualTo(40);
        assertThatThrownBy(() -> m.read(40 * PAGE)).isInstanceOf(WasmRuntimeException.class);
    }

    @Test
    void spareCapacityAfterDoublingIsNotReadable() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 100));
        assertThat(m.grow(1)).isEqualTo(1); // the array doubles to 2 pages
        assertThat(m.grow(1)).isEqualTo(2); // and to 4: page 3 is capacity, not memory
        assertThatThrownBy(() -> m.readInt(3 * PAGE)).isInstanceOf(WasmRuntimeException.class);
    }

    @Test
    void aNegativeOrHugeGrowIsRefused() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 100));
        assertThat(m.grow(-1)).isEqualTo(-1); // 4,294,967,295 pages as an unsigned i32
        assertThat(m.growRefused()).isTrue();
        assertThat(m.pages()).isEqualTo(1);
    }

    @Test
    void theMaximumIsBoundedByWhatAJavaArrayHolds() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, MemoryLimits.MAX_PAGES));
        assertThat(m.maximumPages()).isEqualTo(Memory.RUNTIME_MAX_PAGES);
    }

    @Test
    void anInitialSizeAboveWhatAJavaArrayHoldsIsRefused() {
        assertThatThrownBy(() -> new GuestMemory(new MemoryLimits(40_000, MemoryLimits.MAX_PAGES)))
                .hasMessageContaining("40000 pages").hasMessageContaining("32767 pages");
    }

    @Test
    void theFirstZeroIsSkippedAndLaterOnesZero() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 1));
        m.zero(); // what Chicory does while instantiating: nothing to clear
        m.writeI32(0, 5);
        m.zero();
        assertThat(m.readInt(0)).isZero();
        GuestMemory written = new GuestMemory(new MemoryLimits(1, 1));
        written.write(8, new byte[] {1, 2, 3});
        written.zero(); // a host write came first: this zero() must clear it
        assertThat(written.read(9)).isZero();
    }

    @Test
    void fillAndOverlappingCopiesBehaveLikeMemset() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 1));
        m.write(100, "abcdefg".getBytes(StandardCharsets.US_ASCII));
        m.copy(102, 100, 7);
        assertThat(new String(m.readBytes(100, 9), StandardCharsets.US_ASCII)).isEqualTo("ababcdefg");
        m.copy(100, 101, 8);
        assertThat(new String(m.readBytes(100, 9), StandardCharsets.US_ASCII)).isEqualTo("babcdefgg");
        m.fill((byte) 'x', 10, 15);
        assertThat(m.readBytes(9, 7)).containsExactly(0, 'x', 'x', 'x', 'x', 'x', 0);
        byte[] source = "0123456789".getBytes(StandardCharsets.US_ASCII);
        m.write(0, source, 3, 4);
        assertThat(new String(m.readBytes(0, 4), StandardCharsets.US_ASCII)).isEqualTo("3456");
        assertThatThrownBy(() -> m.write(0, source, 8, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void passiveSegmentsAreCopiedUntilDropped() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 1));
        DataSegment[] segments = {PassiveDataSegment.EMPTY, new PassiveDataSegment("hello".getBytes(StandardCharsets.US_ASCII))};
        m.initialize(null, segments);
        m.initPassiveSegment(1, 50, 1, 3);
        assertThat(new String(m.readBytes(50, 3), StandardCharsets.US_ASCII)).isEqualTo("ell");
        assertThatThrownBy(() -> m.initPassiveSegment(1, 50, 3, 3)).isInstanceOf(WasmRuntimeException.class)
                .hasMessageContaining("data segment 1").hasMessageContaining("5 bytes");
        assertThatThrownBy(() -> m.initPassiveSegment(1, PAGE - 1, 0, 2)).isInstanceOf(WasmRuntimeException.class);
        m.drop(1);
        m.initPassiveSegment(1, 50, 0, 0);
        assertThatThrownBy(() -> m.initPassiveSegment(1, 50, 0, 1)).isInstanceOf(WasmRuntimeException.class)
                .hasMessageContaining("0 once dropped");
        assertThatThrownBy(() -> m.initPassiveSegment(7, 0, 0, 0)).hasMessageContaining("unknown data segment 7");
    }

    @Test
    void anActiveSegmentOutsideTheMemoryMakesTheModuleUninstantiable() throws Exception {
        // (module (memory 1) (data (i32.const 65534) "abc")), built by wat2wasm
        byte[] wasm = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0b, 0x0b, 0x01,
            0x00, 0x41, (byte) 0xfe, (byte) 0xff, 0x03, 0x0b, 0x03, 0x61, 0x62, 0x63};
        var module = com.dylibso.chicory.wasm.Parser.parse(wasm);
        assertThatThrownBy(() -> com.dylibso.chicory.runtime.Instance.builder(module)
                .withMemoryFactory(GuestMemory::new).build())
                .isInstanceOf(com.dylibso.chicory.wasm.UninstantiableException.class)
                .hasMessageContaining("out of bounds memory access").hasMessageContaining("65534");
    }

    @Test
    void atomicsWorkOnOneThreadAndWaitingTraps() {
        GuestMemory m = new GuestMemory(new MemoryLimits(1, 1));
        m.atomicWriteInt(16, 40);
        assertThat(m.atomicAddInt(16, 2)).isEqualTo(40);
        assertThat(m.atomicReadInt(16)).isEqualTo(42);
        assertThat(m.atomicCmpxchgInt(16, 42, 7)).isEqualTo(42);
        assertThat(m.readInt(16)).isEqualTo(7);
        assertThat(m.notify(16, 1)).isZero();
        assertThatThrownBy(() -> m.waitOn(16, 7, 0L)).isInstanceOf(WasmRuntimeException.class)
                .hasMessageContaining("shared");
    }
}
