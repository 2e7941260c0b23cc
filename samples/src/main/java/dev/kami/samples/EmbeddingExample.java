package dev.kami.samples;

import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.ToolResult;
import dev.kami.policy.HostPolicy;
import java.nio.file.Path;

/**
 * The smallest host application: embed KAMI, install a sample tool, call it, print the answer.
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl samples exec:java                      # from the repository root
 * </pre>
 *
 * Runs on an in-memory registry so it leaves nothing behind; drop {@code .inMemory()} to use the
 * SQLite registry at {@code ~/.kami/registry.db}.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    /**
     * @param args optional: a package directory (default samples/tools/echo) and JSON arguments
     */
    public static void main(String[] args) {
        Path pkg = Path.of(args.length > 0 ? args[0] : "samples/tools/echo");
        String json = args.length > 1 ? args[1] : "{\"message\":\"hello from an embedded KAMI\"}";
        try (Kami kami = Kami.builder()
                .inMemory()
                .policy(HostPolicy.builder().maxMemoryMb(128).build())
                .build()) {
            InstalledTool tool = kami.install(pkg);
            ToolResult result = kami.call(tool.id().value(), json);
            System.out.println(tool.id() + " " + tool.manifest().version() + " -> "
                    + (result.isError() ? "error (" + result.errorKind() + "): " : "") + result.text());
            System.out.println("took " + result.timings().total().toNanos() / 1000 + " µs (compile "
                    + result.timings().compile().toMillis() + " ms, run " + result.timings().run().toNanos() / 1000 + " µs)");
        }
    }
}
