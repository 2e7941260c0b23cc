package dev.kami.tck.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Generated kami-v1 modules that attack compilation rather than execution: too many functions,
 * or one huge function. Written byte by byte in the WebAssembly binary format (no toolchain
 * needed; each shape was checked with wabt's {@code wasm-validate}). Every module exports
 * {@code memory}, {@code kami_alloc} and {@code kami_run}.
 *
 * <pre>{@code
 * byte[] bomb = CompileBombs.manyFunctions(200_000);   // 1.8 MB
 * }</pre>
 */
public final class CompileBombs {
    private CompileBombs() {
    }

    /**
     * @param count tiny functions {@code (i32) -> i32} besides {@code kami_alloc} and {@code kami_run}
     * @return a module of {@code count + 2} defined functions
     */
    public static byte[] manyFunctions(int count) {
        byte[] tiny = {0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b}; // local.get 0, i32.const 1, i32.add
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, count + 2);
        body(code, new byte[] {0x00, 0x41, 0x00, 0x0b}); // kami_alloc: i32.const 0
        body(code, new byte[] {0x00, 0x41, 0x00, 0x0b}); // kami_run: i32.const 0
        for (int i = 0; i < count; i++) {
            body(code, tiny);
        }
        return module(count, code.toByteArray());
    }

    /**
     * A {@code kami_run} of one straight-line body that adds 1 to a local {@code additions} times
     * and returns the sum as its status, so a call fails as a tool error whose message says
     * "returned {@code additions}": proof that the whole body ran.
     *
     * @param additions the repetitions of {@code local.get, i32.const 1, i32.add, local.set} (7 bytes each)
     * @return the module; its {@code kami_run} body is about {@code 7 * additions} bytes
     */
    public static byte[] oneLargeFunction(int additions) {
        return largeFunctions(additions, 0);
    }

    /**
     * As {@link #oneLargeFunction(int)}, plus a second function {@code (i32) -> i32}, never called,
     * of {@code otherAdditions} additions to its parameter: a module with two bodies that may each
     * be too large for the JVM's 64 KiB method limit.
     *
     * @param additions the repetitions in {@code kami_run}
     * @param otherAdditions the repetitions in the second function; 0 for none
     * @return the module
     */
    public static byte[] largeFunctions(int additions, int otherAdditions) {
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        run.write(new byte[] {0x01, 0x01, 0x7f}, 0, 3); // one local i32 (index 2, after the two params)
        byte[] add = {0x20, 0x02, 0x41, 0x01, 0x6a, 0x21, 0x02};
        for (int i = 0; i < additions; i++) {
            run.write(add, 0, add.length);
        }
        run.write(new byte[] {0x20, 0x02, 0x0b}, 0, 3); // local.get 2, end
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        leb(code, otherAdditions > 0 ? 3 : 2);
        body(code, new byte[] {0x00, 0x41, 0x00, 0x0b});
        body(code, run.toByteArray());
        if (otherAdditions > 0) {
            ByteArrayOutputStream other = new ByteArrayOutputStream();
            other.write(0x00); // no locals: adds to its parameter
            byte[] addToParam = {0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00};
            for (int i = 0; i < otherAdditions; i++) {
                other.write(addToParam, 0, addToParam.length);
            }
            other.write(new byte[] {0x20, 0x00, 0x0b}, 0, 3);
            body(code, other.toByteArray());
        }
        return module(otherAdditions > 0 ? 1 : 0, code.toByteArray());
    }

    private static byte[] module(int extraFunctions, byte[] code) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.write(new byte[] {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}, 0, 8);
        // types: 0 = (i32) -> i32, 1 = (i32, i32) -> i32
        section(m, 1, new byte[] {0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f});
        ByteArrayOutputStream functions = new ByteArrayOutputStream();
        leb(functions, extraFunctions + 2);
        functions.write(0);
        functions.write(1);
        for (int i = 0; i < extraFunctions; i++) {
            functions.write(0);
        }
        section(m, 3, functions.toByteArray());
        section(m, 5, new byte[] {0x01, 0x00, 0x01}); // one memory, 1 page
        ByteArrayOutputStream exports = new ByteArrayOutputStream();
        leb(exports, 3);
        export(exports, "memory", 2, 0);
        export(exports, "kami_alloc", 0, 0);
        export(exports, "kami_run", 0, 1);
        section(m, 7, exports.toByteArray());
        section(m, 10, code);
        return m.toByteArray();
    }

    private static void export(ByteArrayOutputStream out, String name, int kind, int index) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        leb(out, n.length);
        out.write(n, 0, n.length);
        out.write(kind);
        leb(out, index);
    }

    private static void body(ByteArrayOutputStream out, byte[] body) {
        leb(out, body.length);
        out.write(body, 0, body.length);
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        leb(out, content.length);
        out.write(content, 0, content.length);
    }

    private static void leb(ByteArrayOutputStream out, long value) {
        long v = value;
        do {
            int b = (int) (v & 0x7f);
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }
}
