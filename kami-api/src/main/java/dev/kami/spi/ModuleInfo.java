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
 * @param hasDescribe whether it exports {@code kami_describe}
 */
public record ModuleInfo(Abi abi, List<String> imports, List<String> exports, long minMemoryPages,
        long maxMemoryPages, boolean hasDescribe) {
    /** Validates and copies. */
    public ModuleInfo {
        Objects.requireNonNull(abi, "abi");
        imports = List.copyOf(imports);
        exports = List.copyOf(exports);
    }
}
