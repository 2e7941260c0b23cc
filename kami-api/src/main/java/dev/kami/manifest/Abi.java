package dev.kami.manifest;

import java.util.Arrays;
import java.util.Optional;

/** The guest ABIs KAMI runs (see {@code docs/ABI.md}). */
public enum Abi {
    /** Reactor with {@code kami_alloc} / {@code kami_run}; one fresh instance per call. */
    KAMI_V1("kami-v1"),
    /** A WASI command: {@code _start}, JSON on stdin, output on stdout, exit code. */
    WASI_COMMAND("wasi-command"),
    /** An Extism plugin (hyper-mcp v1 / v2, mcp.run servlet) on KAMI's Extism kernel. */
    EXTISM("extism"),
    /**
     * A WebAssembly component of the world {@code kami:tool/kami-tool@0.1.0} (the original KAMI's
     * tools): {@code run(input: string) -> result<string, string>}, WASI 0.2 imports.
     */
    COMPONENT("component");

    private final String label;

    Abi(String label) {
        this.label = label;
    }

    /** @return the name used in {@code tool.toml} */
    public String label() {
        return label;
    }

    /** @return the ABI with this {@code tool.toml} name, if any */
    public static Optional<Abi> fromLabel(String label) {
        return Arrays.stream(values()).filter(a -> a.label.equals(label)).findFirst();
    }

    @Override
    public String toString() {
        return label;
    }
}
