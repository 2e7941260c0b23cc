package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ToolErrorKind;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java Extism kernel's semantics, checked one function at a time (Extism's kernel/src/lib.rs). */
class ExtismKernelTest {
    /** Host functions that record, with a 1 MiB memory cap and a 64-byte output cap. */
    static final class Abort extends RuntimeException {
        final ToolErrorKind kind;

        Abort(ToolErrorKind kind, String message) {
            super(message);
            this.kind = kind;
        }
    }

    private static final ExtismHost HOST = new ExtismHost() {
        @Override
        public String toolId() {
            return "k";
        }

        @Override
        public Map<String, String> config() {
            return Map.of();
        }

        @Override
        public long maxOutputBytes() {
            return 64;
        }

        @Override
        public long maxMemoryBytes() {
            return 1024 * 1024;
        }

        @Override
        public byte[] http(byte[] requestJson) {
            throw new AssertionError("no HTTP here");
        }

        @Override
        public void log(int level, byte[] message) {
        }

        @Override
        public RuntimeException abort(ToolErrorKind kind, String message) {
            return new Abort(kind, message);
        }
    };

    private final ExtismKernel kernel = new ExtismKernel(HOST);

    @Test
    void allocOfZeroIsTheNullOffsetAndBlocksNeverStartAtZero() {
        assertThat(kernel.alloc(null, 0)).isZero();
        long a = kernel.alloc(null, 10);
        assertThat(a).isGreaterThan(0);
        assertThat(kernel.length(a)).isEqualTo(10);
        assertThat(kernel.length(0)).isZero();
    }

    @Test
    void lengthOfAnythingButAnActiveBlockIsZero() {
        long a = kernel.alloc(null, 10);
        assertThat(kernel.length(a + 1)).isZero();
        kernel.free(a);
        assertThat(kernel.length(a)).isZero();
    }

    @Test
    void aFreedBlockIsReusedByAnAllocationThatFitsAndIsZeroed() {
        long a = kernel.alloc(null, 16);
        kernel.storeU8(a, 7);
        kernel.free(a);
        long b = kernel.alloc(null, 8);
        assertThat(b).isEqualTo(a);
        assertThat(kernel.length(b)).isEqualTo(8);
        assertThat(kernel.loadU8(b)).isZero();
        long c = kernel.alloc(null, 32);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void loadsAndStoresAreLittleEndianAndBoundsChecked() {
        long a = kernel.alloc(null, 16);
        kernel.storeU64(a, 0x0102030405060708L);
        assertThat(kernel.loadU8(a)).isEqualTo(8);
        assertThat(kernel.loadU64(a)).isEqualTo(0x0102030405060708L);
        kernel.storeU8(a + 15, 0xff);
        assertThat(kernel.loadU8(a + 15)).isEqualTo(0xff);
        // outside what was allocated: loads read 0, stores are ignored
        assertThat(kernel.loadU64(a + 9)).isZero();
        kernel.storeU8(a + 16, 1);
        assertThat(kernel.loadU8(a + 16)).isZero();
        assertThat(kernel.loadU8(1)).isZero();
    }

    @Test
    void inputIsABlockReadByOffset() {
        kernel.setInput("0123456789".getBytes(StandardCharsets.UTF_8));
        assertThat(kernel.inputLength()).isEqualTo(10);
        assertThat(kernel.length(kernel.inputOffset())).isEqualTo(10);
        assertThat(kernel.inputLoadU8(1)).isEqualTo('1');
        assertThat(kernel.inputLoadU64(2)).isEqualTo(0x3938373635343332L);
        assertThat(kernel.inputLoadU64(3)).isZero(); // would read past the input
        assertThat(kernel.inputLoadU8(10)).isZero();
        kernel.free(kernel.inputOffset());
        assertThat(kernel.inputLength()).isZero();
    }

    @Test
    void outputAndErrorAreRangesOfBlocks() {
        assertThat(kernel.output()).isNull();
        long a = kernel.alloc(null, "result".getBytes(StandardCharsets.UTF_8));
        kernel.outputSet(a, 6);
        assertThat(new String(kernel.output(), StandardCharsets.UTF_8)).isEqualTo("result");
        kernel.errorSet(a);
        assertThat(kernel.errorGet()).isEqualTo(a);
        assertThat(kernel.readString(kernel.errorGet())).isEqualTo("result");
        kernel.errorSet(0);
        assertThat(kernel.errorGet()).isZero();
        kernel.errorSet(999_999); // never allocated: ignored, as the bounds-checking kernel does
        assertThat(kernel.errorGet()).isZero();
    }

    @Test
    void outputBeyondTheCapStopsTheCall() {
        long a = kernel.alloc(null, 100);
        assertThatThrownBy(() -> kernel.outputSet(a, 100))
                .isInstanceOfSatisfying(Abort.class, e -> assertThat(e.kind).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE))
                .hasMessage("tool 'k' set an output of 100 bytes, more than its limit of 64 bytes (max_output_bytes)");
    }

    @Test
    void allocationBeyondTheMemoryCapStopsTheCall() {
        kernel.alloc(null, 1000 * 1024);
        assertThatThrownBy(() -> kernel.alloc(null, 100 * 1024))
                .isInstanceOfSatisfying(Abort.class, e -> assertThat(e.kind).isEqualTo(ToolErrorKind.MEMORY_LIMIT))
                .hasMessageContaining("asked Extism's alloc for 102400 bytes with 1024000 bytes of blocks")
                .hasMessageEndingWith("above its memory limit of 1 MiB (max_memory_mb)");
    }

    @Test
    void varsAreKeptAndRemoved() {
        kernel.setVar("a", new byte[] {1, 2});
        assertThat(kernel.var("a")).containsExactly(1, 2);
        kernel.setVar("a", null);
        assertThat(kernel.var("a")).isNull();
        assertThatThrownBy(() -> kernel.setVar("big", new byte[(int) ExtismKernel.MAX_VAR_BYTES + 1]))
                .hasMessageContaining("stored more than 1048576 bytes in Extism variables");
    }

    @Test
    void resetForgetsBlocksInputOutputAndErrorButKeepsVars() {
        kernel.setVar("v", new byte[] {9});
        kernel.setInput(new byte[] {1});
        long a = kernel.alloc(null, 4);
        kernel.outputSet(a, 4);
        kernel.errorSet(a);
        kernel.reset();
        assertThat(kernel.inputLength()).isZero();
        assertThat(kernel.output()).isNull();
        assertThat(kernel.errorGet()).isZero();
        assertThat(kernel.length(a)).isZero();
        assertThat(kernel.var("v")).containsExactly(9);
    }
}
