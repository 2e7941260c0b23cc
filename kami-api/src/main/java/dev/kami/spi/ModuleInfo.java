package dev.kami.spi;

import dev.kami.manifest.Abi;
import java.util.List;
import java.util.Objects;

/**
 * What a module declares.
 *
 * @param abi the ABI it implements
 * @param imports its imports as {@code module.name}
 * @param exports its exported names
 * @param minMemoryPages declared initial memory in 64 KiB pages
 * @param maxMemoryPages declared maximum in pages, or -1 when unbounded
 * @param hasDescribe whether it describes itself ({@code kami_describe}, or a component's
 *     {@code describe})
 * @param world for a component, the world it implements as WIT-like text (its imported and
 *     exported interfaces with their functions); {@code null} for a core module
 */
public record ModuleInfo(Abi abi, List<String> imports, List<String> exports, long minMemoryPages,
        long maxMemoryPages, boolean hasDescribe, String world) {
    /** Validates and copies. */
    public ModuleInfo {
        Objects.requireNonNull(abi, "abi");
        imports = List.copyOf(imports);
        exports = List.copyOf(exports);
    }

    /** A core module's info: no {@link #world()}. */
    public ModuleInfo(Abi abi, List<String> imports, List<String> exports, long minMemoryPages, long maxMemoryPages,
            boolean hasDescribe) {
        this(abi, imports, exports, minMemoryPages, maxMemoryPages, hasDescribe, null);
    }
}
