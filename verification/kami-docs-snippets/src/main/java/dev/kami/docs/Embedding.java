package dev.kami.docs;

// tag::program[]
import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.ToolResult;
import dev.kami.policy.HostPolicy;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import java.nio.file.Path;
import java.util.Map;

/** Installs a tool, calls it once, then offers the installed tools over MCP until stopped. */
public class Embedding {
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: Embedding <tool package: directory or .zip> [port]");
            System.exit(2);
        }
        Path pkg = Path.of(args[0]).toAbsolutePath();     // e.g. ~/kami/samples/tools/echo
        String port = args.length > 1 ? args[1] : "8080";

        try (Kami kami = Kami.builder()                   // Chicory + SQLite at ~/.kami
                .policy(HostPolicy.builder().maxMemoryMb(128).allowHosts("api.github.com").build())
                .build()) {
            // withForce(true): a second run replaces the tool instead of refusing it
            InstalledTool tool = kami.install(pkg.toString(), InstallOptions.defaults().withForce(true));
            ToolResult r = kami.call(tool.id().value(), "{\"message\":\"hi\"}");
            System.out.println(r.isError() ? "failed: " + r.text() : r.text());

            Server server = kami.serve("http", TransportConfig.of(Map.of("port", port)));
            System.out.println("MCP at " + server.address() + "; Ctrl+C stops");
            Runtime.getRuntime().addShutdownHook(new Thread(kami::close)); // stops serving, drains calls
            server.awaitTermination();
        }
    }
}
// end::program[]
