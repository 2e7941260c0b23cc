package dev.kami.tck.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The engine TCK's WebAssembly fixtures: small hand-written modules ({@code .wat} source next to
 * the committed {@code .wasm}, rebuilt by {@code build-fixtures.sh}) that implement the guest ABI
 * of {@code docs/ABI.md}, or attack it. Usable by any test that needs a real module.
 *
 * <pre>{@code
 * byte[] echo = EngineFixtures.bytes("echo");
 * }</pre>
 */
public final class EngineFixtures {
    /** Every fixture, by name (the file name without {@code .wasm}). */
    public static final List<String> NAMES = List.of(
            "bad-alloc", "bad-signature", "big-minimum", "counter", "cpu", "echo", "env", "fs", "fs-ops", "fs-quota", "fs-stat", "grow-bomb",
            "http", "log", "log-flood", "loop", "loop-br-if", "memory-ops", "no-abi", "output-flood", "recursion",
            "stderr-flood", "stdout-flood", "table-grow", "traps", "unknown-import", "wasi-echo", "wasi-fail",
            "wasi-hello");

    private EngineFixtures() {
    }

    /**
     * @param name a fixture name from {@link #NAMES}
     * @return the module's bytes
     * @throws IllegalArgumentException if there is no such fixture
     */
    public static byte[] bytes(String name) {
        String resource = name + ".wasm";
        try (InputStream in = EngineFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no engine fixture '" + name + "'; known: " + NAMES);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read engine fixture " + resource, e);
        }
    }

    /** @return the fixture's WebAssembly text source */
    public static String source(String name) {
        try (InputStream in = EngineFixtures.class.getResourceAsStream(name + ".wat")) {
            if (in == null) {
                throw new IllegalArgumentException("no engine fixture source '" + name + ".wat'");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read engine fixture " + name + ".wat", e);
        }
    }
}
