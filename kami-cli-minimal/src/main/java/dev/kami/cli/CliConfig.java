package dev.kami.cli;

import dev.kami.manifest.FsAccess;
import dev.kami.policy.HostPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * {@code $KAMI_HOME/config.toml}: the host policy, engine, store and registry index the CLI uses
 * (ADR 0505). Every key is optional; an unknown key or a wrong type is an error that names it.
 *
 * <pre>
 * [policy]
 * require_signatures = true
 * trusted_keys = ["&lt;64 hex&gt;"]
 * allow_module_only_signatures = false   # accept signatures that do not cover the whole manifest
 * max_memory_mb = 256
 * max_execution_ms = 60000
 * max_fuel = 0
 * max_output_bytes = 16777216
 * allowed_hosts = ["*"]
 * allowed_env = []
 * max_fs_access = "read-only"   # none | sandbox | read-only
 *
 * [engine]
 * id = "chicory"
 * mode = "compiled"             # compiled | interpreter
 *
 * [store]
 * url = "jdbc:postgresql://db/kami"   # default: SQLite at $KAMI_HOME/registry.db
 *
 * [registry]
 * index = "https://…/index.json"
 *
 * [serve]
 * workers = 4                   # KAMI workers running calls (default: cores, at least 2)
 * queue_capacity = 256          # calls that may wait for a worker
 * queue_wait_ms = 30000         # longest wait for a worker before a call is refused as busy
 * client_share = 0.5            # HTTP: share of the workers one client address may hold
 * max_sessions_per_client = 64  # HTTP: legacy sessions per client address
 * max_connections_per_client = 256   # HTTP: open connections per client address
 *
 * [oauth]                       # HTTP: be an OAuth 2.1 resource server (JWT access tokens)
 * issuer = "https://auth.example.com"
 * jwks_url = "https://auth.example.com/.well-known/jwks.json"
 * resource = "https://mcp.example.com/mcp"   # this server's URI; tokens must name it in aud
 * [oauth.scopes]                # scope = tool-name patterns it grants (MCP names; * matches any run)
 * "tools:echo" = ["dev_kami_echo"]
 * </pre>
 */
record CliConfig(HostPolicy policy, String engineId, String engineMode, String storeUrl, String registryIndex,
        Path file, Serve serve, OAuth oauth) {

    /** The {@code [oauth]} table: null where unset; {@code scopes} in the file's order. */
    record OAuth(String issuer, String jwksUrl, String resource, String audience,
            java.util.LinkedHashMap<String, List<String>> scopes) {
        static final OAuth NONE = new OAuth(null, null, null, null, new java.util.LinkedHashMap<>());
    }

    /** The {@code [serve]} table: capacity and fairness of {@code kami serve}; null where unset. */
    record Serve(Integer workers, Integer queueCapacity, Long queueWaitMs, Double clientShare,
            Integer maxSessionsPerClient, Integer maxConnectionsPerClient) {
        static final Serve NONE = new Serve(null, null, null, null, null, null);
    }
    static final String FILE = "config.toml";

    private static final Map<String, Set<String>> KEYS = Map.of(
            "policy", Set.of("require_signatures", "trusted_keys", "max_memory_mb", "max_execution_ms", "max_fuel",
                    "max_output_bytes", "allowed_hosts", "allowed_env", "max_fs_access", "allow_module_only_signatures"),
            "engine", Set.of("id", "mode"),
            "store", Set.of("url"),
            "registry", Set.of("index"),
            "serve", Set.of("workers", "queue_capacity", "queue_wait_ms", "client_share", "max_sessions_per_client",
                    "max_connections_per_client"),
            "oauth", Set.of("issuer", "jwks_url", "resource", "audience", "scopes"));

    /** @return the configuration in {@code home/config.toml}, or the defaults when there is none */
    static CliConfig load(Path home) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return new CliConfig(HostPolicy.defaults(), null, null, null, null, null, Serve.NONE, OAuth.NONE);
        }
        TomlParseResult t;
        try {
            t = Toml.parse(file);
        } catch (IOException e) {
            throw Exit.failure("cannot read " + file + ": " + Exit.why(e), "check the file's permissions");
        }
        if (t.hasErrors()) {
            throw bad(file, t.errors().get(0).toString());
        }
        for (String top : t.keySet()) {
            Set<String> known = KEYS.get(top);
            if (known == null || !t.isTable(top)) {
                throw bad(file, "unknown table [" + top + "] (known: [policy], [engine], [store], [registry], [serve],"
                        + " [oauth])");
            }
            for (String k : t.getTable(top).keySet()) {
                if (!known.contains(k)) {
                    throw bad(file, "unknown key '" + k + "' in [" + top + "] (known: " + String.join(", ",
                            known.stream().sorted().toList()) + ")");
                }
            }
        }
        HostPolicy.Builder p = HostPolicy.builder();
        TomlTable pol = t.getTable("policy");
        try {
            if (pol != null) {
                List<String> keys = strings(file, pol, "trusted_keys");
                if (keys != null) {
                    p.trustKeys(keys.toArray(String[]::new));
                }
                if (bool(file, pol, "require_signatures")) {
                    p.requireSignatures();
                }
                p.allowModuleOnlySignatures(bool(file, pol, "allow_module_only_signatures"));
                Long v;
                if ((v = number(file, pol, "max_memory_mb")) != null) {
                    p.maxMemoryMb(Math.toIntExact(v));
                }
                if ((v = number(file, pol, "max_execution_ms")) != null) {
                    p.maxExecutionMs(v);
                }
                if ((v = number(file, pol, "max_fuel")) != null) {
                    p.maxFuel(v);
                }
                if ((v = number(file, pol, "max_output_bytes")) != null) {
                    p.maxOutputBytes(v);
                }
                List<String> hosts = strings(file, pol, "allowed_hosts");
                if (hosts != null) {
                    p.allowHosts(hosts.toArray(String[]::new));
                }
                List<String> env = strings(file, pol, "allowed_env");
                if (env != null) {
                    p.allowEnv(env.toArray(String[]::new));
                }
                String fs = string(file, pol, "max_fs_access");
                if (fs != null) {
                    p.maxFsAccess(FsAccess.fromLabel(fs).orElseThrow(() -> bad(file,
                            "[policy] max_fs_access = \"" + fs + "\" (expected none, sandbox or read-only)")));
                }
            }
            HostPolicy policy = p.build();
            TomlTable eng = t.getTable("engine");
            TomlTable store = t.getTable("store");
            TomlTable reg = t.getTable("registry");
            return new CliConfig(policy, eng == null ? null : string(file, eng, "id"),
                    eng == null ? null : string(file, eng, "mode"), store == null ? null : string(file, store, "url"),
                    reg == null ? null : string(file, reg, "index"), file, serve(file, t.getTable("serve")), oauth(file, t.getTable("oauth")));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw bad(file, Exit.why(e));
        }
    }

    private static Serve serve(Path file, TomlTable t) {
        if (t == null) {
            return Serve.NONE;
        }
        Long workers = positive(file, t, "workers", 4096);
        Long queue = number(file, t, "queue_capacity");
        if (queue != null && (queue < 0 || queue > 1_000_000)) {
            throw bad(file, "[serve] queue_capacity = " + queue + " (expected 0 to 1000000)");
        }
        Long wait = number(file, t, "queue_wait_ms");
        if (wait != null && wait < 0) {
            throw bad(file, "[serve] queue_wait_ms = " + wait + " (expected 0 or more milliseconds)");
        }
        Double share = null;
        if (t.contains("client_share")) {
            if (!t.isDouble("client_share") && !t.isLong("client_share")) {
                throw bad(file, "client_share must be a number");
            }
            share = t.isDouble("client_share") ? t.getDouble("client_share") : t.getLong("client_share").doubleValue();
            if (!(share > 0 && share <= 1)) {
                throw bad(file, "[serve] client_share = " + share + " (expected more than 0, at most 1)");
            }
        }
        Long sessions = positive(file, t, "max_sessions_per_client", 1_000_000);
        Long connections = positive(file, t, "max_connections_per_client", 1_000_000);
        return new Serve(workers == null ? null : workers.intValue(), queue == null ? null : queue.intValue(), wait, share,
                sessions == null ? null : sessions.intValue(), connections == null ? null : connections.intValue());
    }

    private static OAuth oauth(Path file, TomlTable t) {
        if (t == null) {
            return OAuth.NONE;
        }
        java.util.LinkedHashMap<String, List<String>> scopes = new java.util.LinkedHashMap<>();
        if (t.contains("scopes")) {
            if (!t.isTable("scopes")) {
                throw bad(file, "[oauth] scopes must be a table of scope = [\"tool pattern\", ...]");
            }
            TomlTable s = t.getTable("scopes");
            for (String scope : s.keySet()) {
                // the key as written (a scope may hold dots): not a dotted path
                Object v = s.get(List.of(scope));
                List<String> tools = new ArrayList<>();
                if (v instanceof TomlArray a) {
                    for (int i = 0; i < a.size(); i++) {
                        if (a.get(i) instanceof String p) {
                            tools.add(p);
                        }
                    }
                }
                if (!(v instanceof TomlArray a2) || tools.size() != a2.size() || tools.isEmpty()) {
                    throw bad(file, "[oauth.scopes] \"" + scope + "\" must be a non-empty list of tool-name patterns,"
                            + " e.g. [\"dev_kami_echo\", \"dev_kami_*\"]");
                }
                scopes.put(scope, tools);
            }
        }
        return new OAuth(string(file, t, "issuer"), string(file, t, "jwks_url"), string(file, t, "resource"),
                string(file, t, "audience"), scopes);
    }

    private static Long positive(Path file, TomlTable t, String key, long max) {
        Long v = number(file, t, key);
        if (v != null && (v < 1 || v > max)) {
            throw bad(file, "[serve] " + key + " = " + v + " (expected 1 to " + max + ")");
        }
        return v;
    }

    private static Exit.CliException bad(Path file, String what) {
        return Exit.usage("configuration " + file + ": " + what, "fix the file; docs/CLI.md lists every key");
    }

    private static boolean bool(Path file, TomlTable t, String key) {
        if (!t.contains(key)) {
            return false;
        }
        if (!t.isBoolean(key)) {
            throw bad(file, key + " must be true or false");
        }
        return Boolean.TRUE.equals(t.getBoolean(key));
    }

    private static Long number(Path file, TomlTable t, String key) {
        if (!t.contains(key)) {
            return null;
        }
        if (!t.isLong(key)) {
            throw bad(file, key + " must be an integer");
        }
        return t.getLong(key);
    }

    private static String string(Path file, TomlTable t, String key) {
        if (!t.contains(key)) {
            return null;
        }
        if (!t.isString(key)) {
            throw bad(file, key + " must be a string");
        }
        return t.getString(key);
    }

    private static List<String> strings(Path file, TomlTable t, String key) {
        if (!t.contains(key)) {
            return null;
        }
        if (!t.isArray(key)) {
            throw bad(file, key + " must be an array of strings");
        }
        TomlArray a = t.getArray(key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof String s)) {
                throw bad(file, key + " must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }
}
