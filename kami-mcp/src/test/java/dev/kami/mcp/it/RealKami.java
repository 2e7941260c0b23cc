package dev.kami.mcp.it;

import dev.kami.Kami;

/** Builds a real in-memory Kami (kami-core + kami-wasm-chicory) for the integration tests. */
final class RealKami {
    private RealKami() {
    }

    static Kami create() {
        return Kami.builder().inMemory().build();
    }
}
