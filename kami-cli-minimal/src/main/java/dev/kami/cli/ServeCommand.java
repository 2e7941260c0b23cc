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
    @Option(names = "--workers", paramLabel = "N", description = "Workers running tool calls (default: [serve] workers,"
            + " else the cores, at least 2)")
    Integer workers;
    @Option(names = "--queue-capacity", paramLabel = "N", description = "Calls that may wait for a worker (default:"
            + " [serve] queue_capacity, else 256)")
    Integer queueCapacity;
    @Option(names = "--queue-wait", paramLabel = "MS", description = "Longest wait for a worker before a call is refused"
            + " as busy (default: [serve] queue_wait_ms, else 30000)")
    Long queueWaitMs;
    @Option(names = "--client-share", paramLabel = "F", description = "HTTP: the share of the workers one client address"
            + " may hold, in (0, 1] (default: [serve] client_share, else 0.5)")
    Double clientShare;
    @Option(names = "--oauth-issuer", paramLabel = "URL", description = "HTTP: accept JWT access tokens of this issuer"
            + " (an OAuth 2.1 resource server; default: [oauth] issuer)")
    String oauthIssuer;
    @Option(names = "--oauth-jwks-url", paramLabel = "URL", description = "HTTP: where the issuer publishes its signing"
            + " keys (default: [oauth] jwks_url)")
    String oauthJwksUrl;
    @Option(names = "--oauth-resource", paramLabel = "URI", description = "HTTP: this server's resource URI as clients"
            + " reach it; tokens must name it in their audience (default: [oauth] resource)")
    String oauthResource;
    @Option(names = "--oauth-scope", paramLabel = "SCOPE=TOOLS", description = "HTTP: a scope and the tool names"
            + " (comma-separated, * matches any run) it grants (repeatable; replaces [oauth.scopes])")
    List<String> oauthScopes = new ArrayList<>();

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
        boolean oauthFlags = oauthIssuer != null || oauthJwksUrl != null || oauthResource != null
                || !oauthScopes.isEmpty();
        if (!http && oauthFlags) {
            throw Exit.usage("--oauth-issuer, --oauth-jwks-url, --oauth-resource and --oauth-scope apply to --transport"
                    + " http only", "kami serve --transport http --oauth-issuer https://auth.example.com ...");
        }
        if (port != null && (port < 0 || port > 65535)) {
            throw Exit.usage("--port must be in [0, 65535], got " + port, null);
        }
        if (!http && clientShare != null) {
            throw Exit.usage("--client-share applies to --transport http only", "kami serve --transport http"
                    + " --client-share 0.5");
        }
        CliConfig.Serve cfg = root.config().serve();
        int w = workers != null ? workers : cfg.workers() != null ? cfg.workers()
                : Math.max(2, Runtime.getRuntime().availableProcessors());
        int q = queueCapacity != null ? queueCapacity : cfg.queueCapacity() != null ? cfg.queueCapacity() : 256;
        long wait = queueWaitMs != null ? queueWaitMs : cfg.queueWaitMs() != null ? cfg.queueWaitMs() : 30_000;
        double share = clientShare != null ? clientShare : cfg.clientShare() != null ? cfg.clientShare() : 0.5;
        if (w < 1 || w > 4096) {
            throw Exit.usage("--workers must be in [1, 4096], got " + w, "kami serve --workers 4");
        }
        if (q < 0 || q > 1_000_000) {
            throw Exit.usage("--queue-capacity must be in [0, 1000000], got " + q, "kami serve --queue-capacity 256");
        }
        if (wait < 0) {
            throw Exit.usage("--queue-wait must be 0 or more milliseconds, got " + wait, "kami serve --queue-wait 30000");
        }
        if (!(share > 0 && share <= 1)) {
            throw Exit.usage("--client-share must be more than 0 and at most 1, got " + share,
                    "kami serve --transport http --client-share 0.5");
        }
        root.workers = w;
        root.queueCapacity = q;
        root.queueWaitMs = wait;
        // one client address may hold this many calls; all clients together as many as KAMI can
        // run or queue, so /health/ready says busy exactly when a call could not be admitted
        int perClient = Math.max(1, (int) Math.floor(w * share));
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
            opts.put("maxCallsPerClient", String.valueOf(perClient));
            opts.put("clientQueueWaitMs", String.valueOf(wait));
            opts.put("maxConcurrentCalls", String.valueOf(Math.min(100_000, w + q)));
            if (cfg.maxSessionsPerClient() != null) {
                opts.put("maxSessionsPerClient", String.valueOf(cfg.maxSessionsPerClient()));
            }
            if (cfg.maxConnectionsPerClient() != null) {
                opts.put("maxConnectionsPerClient", String.valueOf(cfg.maxConnectionsPerClient()));
            }
        }
        dev.kami.mcp.http.TokenValidator oauth = http ? oauthValidator(root.config().oauth()) : null;
        if (oauth != null && opts.remove("token") != null) {
            throw Exit.usage("a bearer token (--token or $KAMI_TOKEN) and OAuth cannot both guard the endpoint",
                    "drop --token (and unset KAMI_TOKEN) to use OAuth, or drop the OAuth settings");
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
        Server server = kami.serve(transport, new TransportConfig(opts, oauth == null ? Map.of()
                : Map.of("tokenValidator", oauth)));
        Thread hook = new Thread(() -> {
            server.close();
            root.closeKami();
        }, "kami-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // stdout belongs to MCP (stdio) or stays quiet (http): the CLI talks on stderr
        if (http) {
            root.err.println("kami: serving " + tools + " tools over MCP Streamable HTTP at " + server.address()
                    + " (health: /health, /health/ready" + (opts.containsKey("token") ? "; bearer token required"
                            : "") + (oauth != null ? "; OAuth access tokens of " + oauth.protectedResource()
                                    .authorizationServers().get(0) + " for " + oauth.protectedResource().resource()
                                    + ", metadata at " + oauth.protectedResource().metadataUrl() : "") + "; " + w + " workers, " + q + " queued at most " + wait + " ms, " + perClient
                    + " calls at once per client address); Ctrl-C stops");
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

    /** @return the JWT validator the flags and [oauth] describe, or null when neither names an issuer */
    private dev.kami.mcp.oauth.JwtTokenValidator oauthValidator(CliConfig.OAuth cfg) {
        String issuer = oauthIssuer != null ? oauthIssuer : cfg.issuer();
        String jwks = oauthJwksUrl != null ? oauthJwksUrl : cfg.jwksUrl();
        String resource = oauthResource != null ? oauthResource : cfg.resource();
        if (issuer == null && jwks == null && resource == null && oauthScopes.isEmpty() && cfg.scopes().isEmpty()) {
            return null;
        }
        if (issuer == null || jwks == null || resource == null) {
            throw Exit.usage("OAuth needs the issuer, the JWKS URL and this server's resource URI; missing:"
                    + (issuer == null ? " --oauth-issuer" : "") + (jwks == null ? " --oauth-jwks-url" : "")
                    + (resource == null ? " --oauth-resource" : ""), "kami serve --transport http --oauth-issuer"
                    + " https://auth.example.com --oauth-jwks-url https://auth.example.com/jwks.json --oauth-resource"
                    + " https://mcp.example.com/mcp (or [oauth] issuer, jwks_url, resource in config.toml)");
        }
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        if (oauthScopes.isEmpty()) {
            scopes.putAll(cfg.scopes());
        }
        for (String s : oauthScopes) {
            int eq = s.indexOf('=');
            List<String> tools = eq < 0 ? List.of() : java.util.Arrays.stream(s.substring(eq + 1).split(","))
                    .map(String::trim).filter(x -> !x.isEmpty()).toList();
            if (eq <= 0 || tools.isEmpty()) {
                throw Exit.usage("--oauth-scope '" + s + "' is not SCOPE=TOOL[,TOOL...]",
                        "--oauth-scope tools:echo=dev_kami_echo");
            }
            scopes.put(s.substring(0, eq).trim(), tools);
        }
        try {
            dev.kami.mcp.oauth.JwtTokenValidator.Builder b = dev.kami.mcp.oauth.JwtTokenValidator.builder()
                    .issuer(issuer).jwksUri(java.net.URI.create(jwks)).resource(resource)
                    .toolScopes(dev.kami.mcp.http.ToolScopes.of(scopes));
            if (cfg.audience() != null) {
                b.audience(cfg.audience());
            }
            return b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw Exit.usage("OAuth settings: " + e.getMessage(), "see docs/OPERATIONS.md, \"OAuth\"");
        }
    }
}
