package dev.kami.cli;

import dev.kami.Kami;
import dev.kami.spi.Server;
import dev.kami.spi.TransportConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kami serve}: the installed, enabled tools over MCP. Over stdio nothing but MCP reaches
 * stdout (every message of the CLI goes to stderr) and the server stops at end of input; over
 * HTTP it serves until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the installed tools to AI agents over MCP (stdio or Streamable HTTP).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    KamiCli root;
    @Option(names = "--transport", paramLabel = "stdio|http", defaultValue = "stdio",
            description = "Transport (default: ${DEFAULT-VALUE})")
    String transport;
    @Option(names = "--port", paramLabel = "N", description = "HTTP port (default 8080; 0 picks a free one)")
    Integer port;
    @Option(names = "--bind", paramLabel = "ADDR", description = "HTTP address to listen on (default 127.0.0.1)")
    String bind;
    @Option(names = "--token", paramLabel = "T",
            description = "HTTP: require 'Authorization: Bearer T' (default: $KAMI_TOKEN when set)")
    String token;
    @Option(names = "--allowed-origin", paramLabel = "O", description = "HTTP: an Origin browsers may call from"
            + " (repeatable)")
    List<String> origins = new ArrayList<>();
    @Option(names = "--allowed-host", paramLabel = "H", description = "HTTP: a Host name clients may use besides"
            + " localhost and the bound address, when binding beyond loopback (repeatable; * allows any)")
    List<String> hosts = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if (!transport.equals("stdio") && !transport.equals("http")) {
            throw Exit.usage("unknown transport '" + transport + "'", "use --transport stdio or --transport http");
        }
        boolean http = transport.equals("http");
        if (!http && (port != null || bind != null || token != null || !origins.isEmpty() || !hosts.isEmpty())) {
            throw Exit.usage("--port, --bind, --token, --allowed-origin and --allowed-host apply to --transport http"
                    + " only",
                    "kami serve --transport http --port 8080");
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw Exit.usage("--port must be in [0, 65535], got " + port, null);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("serverName", "kami");
        String v = KamiCli.class.getPackage().getImplementationVersion();
        if (v != null) {
            opts.put("serverVersion", v);
        }
        if (http) {
            opts.put("bind", bind == null ? "127.0.0.1" : bind);
            opts.put("port", String.valueOf(port == null ? 8080 : port));
            String t = token != null ? token : System.getenv("KAMI_TOKEN");
            if (t != null && !t.isBlank()) {
                opts.put("token", t);
            }
            if (!origins.isEmpty()) {
                opts.put("allowedOrigins", String.join(",", origins));
            }
            if (!hosts.isEmpty()) {
                opts.put("allowedHosts", String.join(",", hosts));
            }
        }
        Kami kami = root.kami();
        // load and compile every tool before serving: stdin is not read and /health/ready not
        // answered before this; a tool that cannot be loaded is reported and not served
        java.util.Set<String> unloadable = new java.util.HashSet<>();
        for (dev.kami.BrokenTool b : kami.loadAll()) {
            unloadable.add(b.id());
            root.err.println("kami: not serving " + b.id() + ": " + b.reason());
        }
        int tools = (int) kami.list().stream().filter(t -> t.enabled() && !unloadable.contains(t.id().value()))
                .count();
        Server server = kami.serve(transport, TransportConfig.of(opts));
        Thread hook = new Thread(() -> {
            server.close();
            root.closeKami();
        }, "kami-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // stdout belongs to MCP (stdio) or stays quiet (http): the CLI talks on stderr
        if (http) {
            root.err.println("kami: serving " + tools + " tools over MCP Streamable HTTP at " + server.address()
                    + " (health: /health, /health/ready" + (opts.containsKey("token") ? "; bearer token required"
                            : "") + "); Ctrl-C stops");
        } else {
            root.err.println("kami: serving " + tools + " tools over MCP stdio (home " + root.home() + ")");
        }
        server.awaitTermination();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
        server.close();
        return Exit.OK;
    }
}
