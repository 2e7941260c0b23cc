package dev.kami.cli;

import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.KamiException;
import dev.kami.MetricsSnapshot;
import dev.kami.core.pkg.PackageReader;
import dev.kami.core.pkg.ToolPackage;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.ToolManifest;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import dev.kami.spi.ToolRecord;
import java.io.Console;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The registry: install, list, inspect, uninstall, update, pin, enable, disable, grant, revoke, status. */
final class RegistryCommands {
    private RegistryCommands() {
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install a tool after showing the permissions it requests (--yes accepts them, for scripts).")
    static final class Install implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<source>", description = "Package directory, .zip, https:// URL or owner/repo@tag")
        String source;
        @Option(names = "--force", description = "Reinstall over an installed tool of the same id")
        boolean force;
        @Option(names = {"-y", "--yes"}, description = "Grant the requested permissions without asking")
        boolean yes;
        @Option(names = "--manifest", paramLabel = "<tool.toml>",
                description = "With a bare .wasm as <source> (an Extism plugin, say): the manifest to install it with")
        java.nio.file.Path manifest;

        @Override
        public Integer call() {
            if (manifest != null) {
                java.nio.file.Path dir = packageOf(java.nio.file.Path.of(source), manifest);
                try {
                    return install(new Sources.Local(dir, java.nio.file.Path.of(source).toAbsolutePath().toString(),
                            false));
                } finally {
                    deleteTree(dir);
                }
            }
            return install(Sources.resolve(root, source));
        }

        /** @return a temporary package directory: the manifest as tool.toml, the module where it says */
        private static java.nio.file.Path packageOf(java.nio.file.Path wasm, java.nio.file.Path toml) {
            if (!wasm.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".wasm")
                    || !java.nio.file.Files.isRegularFile(wasm)) {
                throw Exit.usage("--manifest goes with a .wasm file, and '" + wasm + "' is not one",
                        "give the module: kami install plugin.wasm --manifest tool.toml");
            }
            if (!java.nio.file.Files.isRegularFile(toml)) {
                throw Exit.notFound("manifest '" + toml + "' does not exist", "give the path of a tool.toml");
            }
            String wasmName = dev.kami.core.manifest.ManifestParser.parseFile(toml).manifest().wasm();
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kami-install-");
                java.nio.file.Files.copy(toml, dir.resolve("tool.toml"));
                java.nio.file.Path target = dir.resolve(wasmName).normalize();
                if (!target.startsWith(dir)) {
                    deleteTree(dir);
                    throw Exit.usage("the manifest's wasm = \"" + wasmName + "\" leaves its directory",
                            "name a file beside the manifest, such as wasm = \"plugin.wasm\"");
                }
                java.nio.file.Files.createDirectories(target.getParent());
                java.nio.file.Files.copy(wasm, target);
                return dir;
            } catch (java.io.IOException e) {
                throw Exit.failure("cannot make a package of " + wasm + " and " + toml + ": " + e.getMessage(),
                        "check the temporary directory (java.io.tmpdir) is writable");
            }
        }

        private static void deleteTree(java.nio.file.Path dir) {
            try (var paths = java.nio.file.Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                // a temporary directory left behind is harmless
            }
        }

        private Integer install(Sources.Local src) {
            ToolPackage pkg = new PackageReader().read(src.path());
            ToolManifest m = pkg.manifest();
            if (!root.json) {
                root.out.println(m.id() + " " + m.version() + "  " + m.description());
                root.out.println("  from " + src.original());
                root.out.println("  " + (pkg.signed() ? "signed by " + pkg.signerKey() : "unsigned"));
                root.out.println("  requests:");
                for (String line : Json.requestedLines(m.id().value(), m.security())) {
                    root.out.println("    " + line);
                }
            }
            var existing = root.kami().find(m.id().value());
            if (existing.isPresent() && !force) {
                String v = existing.get().record().version().toString();
                if (v.equals(m.version().toString())) {
                    throw Exit.refused("tool " + m.id() + " version " + v + " is already installed",
                            "pass --force to reinstall it");
                }
                throw Exit.refused("tool " + m.id() + " is installed at version " + v + "; this package is "
                        + m.version(), "'kami update " + m.id() + " " + source + "' installs it, keeping the grants");
            }
            if (KamiCli.interactive() && !root.json) {
                root.err.println("checking " + m.id() + " (manifest, module, policy, signature; compiling)...");
            }
            // refuse what install would refuse before asking for consent; compiles once (cached by digest)
            root.kami().validate(src.path());
            confirm(root, yes, "Grant these permissions and install " + m.id() + "?");
            InstalledTool t = root.kami().install(src.path().toString(),
                    InstallOptions.defaults().withForce(force).withSource(src.original()));
            Map<String, Object> j = Json.summary(t);
            j.put("requested", Json.requested(m.security()));
            j.put("grants", t.grants().texts());
            String text = "installed " + t.id() + " " + t.record().version() + " (MCP name " + t.mcpName() + ")";
            List<String> offered = new ArrayList<>();
            for (InstalledTool one : root.kami().list()) {
                if (one.id().equals(t.id()) && one.entry() != null && !one.mcpName().equals(t.mcpName())) {
                    offered.add(one.mcpName());
                }
            }
            if (!offered.isEmpty()) {
                j.put("tools", offered);
                text += "\noffers " + offered.size() + " tools: " + String.join(", ", offered);
            }
            if (m.security().fsAccess() == FsAccess.READ_ONLY) {
                text += "\nnote: read-only file access needs a directory: kami grant " + t.id() + " fs:read-only:DIR";
            }
            root.print(j, text);
            return Exit.OK;
        }
    }

    /** Asks y/N on a terminal; refuses without a terminal unless --yes. */
    static void confirm(KamiCli root, boolean yes, String question) {
        if (yes) {
            return;
        }
        Console console = System.console();
        if (console == null) {
            throw Exit.refused("not installed: the permissions above need your consent, and this run is not"
                    + " interactive", "pass --yes to grant them (kami install --yes <source>)");
        }
        String answer = console.readLine("%s [y/N] ", question);
        if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
            throw Exit.refused("not installed: permissions not granted", "answer y to install, or pass --yes");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the installed tools.")
    static final class ListTools implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Option(names = "--name", paramLabel = "TEXT", description = "Only tools whose id or name contains TEXT")
        String filter;

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            List<InstalledTool> tools = root.kami().list();
            for (InstalledTool t : tools) {
                String f = filter == null ? null : filter.toLowerCase(Locale.ROOT);
                if (f != null && !t.id().value().contains(f) && !t.record().name().toLowerCase(Locale.ROOT).contains(f)) {
                    continue;
                }
                rows.add(Json.summary(t));
                // one tool of a plugin offering several is listed by its own name and description (ADR 0120)
                boolean entry = t.entry() != null && !t.mcpName().equals(t.record().mcpName());
                text.append(String.format("%-32s %-10s %-8s %-8s %s%n", entry ? t.mcpName() : t.id(),
                        t.record().version(), t.enabled() ? "enabled" : "disabled",
                        t.record().signed() ? "signed" : "unsigned", entry ? t.description() : t.record().description()));
            }
            for (dev.kami.BrokenTool b : root.kami().broken()) {
                String f = filter == null ? null : filter.toLowerCase(Locale.ROOT);
                if (f != null && !b.id().contains(f)) {
                    continue;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", b.id());
                row.put("version", b.version());
                row.put("broken", true);
                row.put("reason", b.reason());
                rows.add(row);
                text.append(String.format("%-32s %-10s %-8s %-8s %s%n", b.id(), b.version(), "BROKEN", "-",
                        b.reason()));
            }
            if (!root.json && rows.isEmpty()) {
                root.out.println(filter == null ? "no tools installed; install one with 'kami install <package-dir>'"
                        : "no installed tool matches '" + filter + "'");
                return Exit.OK;
            }
            root.print(rows, String.format("%-32s %-10s %-8s %-8s %s%n", "ID", "VERSION", "STATE", "SIGNED",
                    "DESCRIPTION") + text.toString().stripTrailing());
            return Exit.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show everything about an installed tool: manifest, ABI, digest, signature, grants,"
                    + " effective permissions, limits, engine.")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<id>", description = "Tool id or MCP name")
        String id;

        @Override
        public Integer call() {
            Kami kami = root.kami();
            InstalledTool t = kami.tool(id);
            String engine = kami.engineDescription();
            ToolRecord r = t.record();
            var e = t.effective();
            StringBuilder s = new StringBuilder();
            s.append(t.id()).append(' ').append(r.version()).append("  (").append(r.name()).append(")  ")
                    .append(r.enabled() ? "enabled" : "disabled").append('\n');
            row(s, "title", t.manifest().title() == null ? "-" : t.manifest().title());
            row(s, "description", r.description());
            row(s, "MCP name", t.mcpName());
            row(s, "ABI", t.abi().label());
            row(s, "module", t.manifest().wasm() + ", " + r.moduleSize() + " bytes, sha256 " + r.moduleSha256());
            row(s, "signature", r.signed() ? r.signature() : "unsigned");
            row(s, "signer", r.signed() ? r.signerKey() : "-");
            row(s, "source", r.source());
            row(s, "installed", r.installedAt() + " (updated " + r.updatedAt() + ")");
            row(s, "pinned", r.pinnedVersion() == null ? "no" : r.pinnedVersion());
            s.append("  requested:\n");
            for (String line : Json.requestedLines(t.id().value(), t.manifest().security())) {
                s.append("      ").append(line).append('\n');
            }
            row(s, "granted", String.join(", ", t.grants().texts()));
            row(s, "effective fs", e.fsAccess().label() + (e.fsDirectory() == null ? "" : " " + e.fsDirectory()));
            row(s, "effective net", e.netAllowList().isEmpty() ? "none" : String.join(", ", e.netAllowList()));
            row(s, "effective env", e.envAllowList().isEmpty() ? "none" : String.join(", ", e.envAllowList()));
            row(s, "limits", "memory " + e.maxMemoryMb() + " MiB, time " + e.maxExecutionMs() + " ms, output "
                    + e.maxOutputBytes() + " bytes, fuel " + (e.maxFuel() == 0 ? "unlimited" : e.maxFuel()));
            row(s, "engine", engine);
            row(s, "fuel", Json.fuelNote(e, engine));
            row(s, "input schema", t.inputSchema());
            if (t.manifest().outputSchema() != null) {
                row(s, "output schema", t.manifest().outputSchema());
            }
            String world = kami.world(id).orElse(null);
            if (world != null) {
                s.append("world (WIT):\n");
                for (String line : world.split("\n")) {
                    s.append("    ").append(line).append('\n');
                }
            }
            s.append("manifest (tool.toml):\n");
            for (String line : r.manifestToml().split("\n")) {
                s.append("    ").append(line).append('\n');
            }
            Map<String, Object> json = Json.full(t, engine);
            json.put("world", world);
            root.print(json, s.toString().stripTrailing());
            return Exit.OK;
        }

        private static void row(StringBuilder s, String key, String value) {
            s.append(String.format("  %-14s %s%n", key + ":", value));
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true, description = "Remove an installed tool.")
    static final class Uninstall implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<id>", description = "Tool id or MCP name")
        String id;

        @Override
        public Integer call() {
            String name = root.kami().find(id).map(t -> t.id().value()).orElse(id); // a broken tool by its id
            if (!root.kami().uninstall(name)) {
                root.kami().tool(id); // says why: not installed
            }
            root.print(Map.of("uninstalled", name), "uninstalled " + name);
            return Exit.OK;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Update a tool from a source (default: where it was installed from), or every tool"
                    + " with --all. Grants are kept; a pinned tool stays at its version.")
    static final class Update implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;
        @Option(names = "--force", description = "Reinstall even when the version is the same")
        boolean force;

        static final class Target {
            @Option(names = "--all", required = true, description = "Update every installed tool from its source")
            boolean all;
            @Parameters(arity = "1..2", paramLabel = "<id> [<source>]", description = "Tool id, then optionally"
                    + " the package to update from")
            List<String> idAndSource;
        }

        @Override
        public Integer call() {
            Kami kami = root.kami();
            List<Map<String, Object>> results = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            int code = Exit.OK;
            if (target.all) {
                for (InstalledTool t : kami.list()) {
                    try {
                        results.add(update(kami, t, null, text));
                    } catch (KamiException | Exit.CliException e) {
                        int c = Exit.codeOf(e);
                        code = Math.max(code, c);
                        results.add(Map.of("id", t.id().value(), "error", Exit.why(e)));
                        text.append(t.id()).append(": failed: ").append(Exit.why(e)).append('\n');
                    }
                }
                if (results.isEmpty()) {
                    text.append("no tools installed");
                }
            } else {
                String id = target.idAndSource.get(0);
                String source = target.idAndSource.size() > 1 ? target.idAndSource.get(1) : null;
                results.add(update(kami, kami.tool(id), source, text));
            }
            if (code != Exit.OK && !root.json) {
                root.err.print(text);
                root.err.println("kami: some tools could not be updated");
                root.err.println("hint: update them one by one with 'kami update <id> <source>'");
                return code;
            }
            root.print(target.all ? results : results.get(0), text.toString().stripTrailing());
            return code;
        }

        private Map<String, Object> update(Kami kami, InstalledTool t, String source, StringBuilder text) {
            String id = t.id().value();
            String from = source != null ? source : t.record().source(); // the registry records the original source
            Sources.Local src = Sources.resolve(root, from);
            String before = t.record().version().toString();
            InstalledTool after = kami.update(id, src.path().toString(),
                    InstallOptions.defaults().withForce(force).withSource(src.original()));
            String now = after.record().version().toString();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("from", before);
            m.put("to", now);
            m.put("source", src.original());
            m.put("updated", !after.record().equals(t.record()));
            text.append(id).append(": ").append(before.equals(now) ? (after.record().equals(t.record())
                    ? "up to date at " + now : "reinstalled " + now) : before + " -> " + now).append('\n');
            return m;
        }
    }

    @Command(name = "pin", mixinStandardHelpOptions = true,
            description = "Pin a tool at a version (default: its current one) so update leaves it; --unpin releases it.")
    static final class Pin implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Option(names = "--unpin", description = "Remove the pin")
        boolean unpin;
        @Parameters(index = "0", paramLabel = "<id>", description = "Tool id or MCP name")
        String id;
        @Parameters(index = "1", arity = "0..1", paramLabel = "version", description = "SemVer version to pin")
        String version;

        @Override
        public Integer call() {
            InstalledTool t = root.kami().tool(id);
            if (unpin) {
                if (version != null) {
                    throw Exit.usage("--unpin takes no version", "kami pin --unpin " + t.id());
                }
                root.kami().pin(t.id().value(), null);
                root.print(Map.of("id", t.id().value(), "pinned_version", "none"), "unpinned " + t.id());
                return Exit.OK;
            }
            String v = version != null ? version : t.record().version().toString();
            root.kami().pin(t.id().value(), v);
            root.print(Map.of("id", t.id().value(), "pinned_version", v), "pinned " + t.id() + " at " + v);
            return Exit.OK;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled tool.")
    static final class Enable implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<id>", description = "Tool id or MCP name")
        String id;

        @Override
        public Integer call() {
            root.kami().enable(id);
            String tid = root.kami().tool(id).id().value();
            root.print(Map.of("id", tid, "enabled", true), "enabled " + tid);
            return Exit.OK;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable a tool: calls are refused and MCP clients no longer see it.")
    static final class Disable implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<id>", description = "Tool id or MCP name")
        String id;

        @Override
        public Integer call() {
            root.kami().disable(id);
            String tid = root.kami().tool(id).id().value();
            root.print(Map.of("id", tid, "enabled", false), "disabled " + tid);
            return Exit.OK;
        }
    }

    static Permission[] permissions(List<String> texts) {
        List<Permission> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(Permission.parse(t));
            } catch (IllegalArgumentException e) {
                throw Exit.usage(e.getMessage(), "permissions are net:HOST, env:NAME, fs:none, fs:sandbox or"
                        + " fs:read-only:DIR");
            }
        }
        return out.toArray(Permission[]::new);
    }

    static int showGrants(KamiCli root, String verb, String id, Grants g) {
        InstalledTool t = root.kami().tool(id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id().value());
        m.put("grants", g.texts());
        m.put("effective", Json.effective(t.effective()));
        var e = t.effective();
        root.print(m, verb + " " + t.id() + "\n  granted:   " + String.join(", ", g.texts()) + "\n  effective: fs "
                + e.fsAccess().label() + (e.fsDirectory() == null ? "" : " " + e.fsDirectory()) + "; net "
                + (e.netAllowList().isEmpty() ? "none" : String.join(", ", e.netAllowList())) + "; env "
                + (e.envAllowList().isEmpty() ? "none" : String.join(", ", e.envAllowList()))
                + "\n  (effective = requested by the tool, granted, and allowed by the host policy)");
        return Exit.OK;
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
            description = "Grant permissions to a tool (within what it requests and the host policy allows).")
    static final class Grant implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(index = "0", paramLabel = "<id>", description = "Tool id or MCP name")
        String id;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "<permission>",
                description = "net:HOST, env:NAME, fs:none, fs:sandbox or fs:read-only:DIR")
        List<String> permissions;

        @Override
        public Integer call() {
            Permission[] p = permissions(permissions);
            return showGrants(root, "granted", id, root.kami().grant(id, p));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke permissions from a tool.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(index = "0", paramLabel = "<id>", description = "Tool id or MCP name")
        String id;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "<permission>",
                description = "net:HOST, env:NAME, fs:none, fs:sandbox or fs:read-only:DIR")
        List<String> permissions;

        @Override
        public Integer call() {
            Permission[] p = permissions(permissions);
            return showGrants(root, "revoked from", id, root.kami().revoke(id, p));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show the registry's counts, the home, engine, store, policy and metrics.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        KamiCli root;

        @Override
        public Integer call() {
            Kami kami = root.kami();
            List<InstalledTool> tools = kami.list();
            List<dev.kami.BrokenTool> broken = kami.broken();
            long enabled = tools.stream().filter(InstalledTool::enabled).count();
            long signed = tools.stream().filter(t -> t.record().signed()).count();
            HostPolicy p = kami.policy();
            CliConfig c = root.config();
            String store = c.storeUrl() != null ? redact(c.storeUrl())
                    : "sqlite " + root.home().resolve("registry.db");
            MetricsSnapshot ms = kami.metrics();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", new KamiCli.Version().getVersion()[0]);
            m.put("home", root.home().toString());
            m.put("config", c.file() == null ? null : c.file().toString());
            m.put("store", store);
            m.put("engine", kami.engineDescription());
            m.put("tools", Map.of("installed", tools.size() + broken.size(), "enabled", enabled, "disabled",
                    tools.size() - enabled, "signed", signed, "broken", broken.size()));
            Map<String, Object> pol = new LinkedHashMap<>();
            pol.put("require_signatures", p.requireSignatures());
            pol.put("trusted_keys", List.copyOf(p.trustedKeys()));
            pol.put("max_memory_mb", p.maxMemoryMb());
            pol.put("max_execution_ms", p.maxExecutionMs());
            pol.put("allowed_hosts", p.allowedHosts());
            pol.put("max_fs_access", p.maxFsAccess().label());
            m.put("policy", pol);
            m.put("metrics", Map.of("compilations", ms.compilations(), "cache_hits", ms.cacheHits(), "cache_misses",
                    ms.cacheMisses(), "cached_modules", ms.cachedModules(), "rejected", ms.rejected(), "in_flight",
                    ms.inFlight(), "queued", ms.queued()));
            String text = String.join("\n",
                    (String) m.get("version"),
                    "home:     " + root.home() + (c.file() == null ? " (no config.toml)" : " (config " + c.file() + ")"),
                    "store:    " + store,
                    "engine:   " + kami.engineDescription(),
                    "tools:    " + (tools.size() + broken.size()) + " installed, " + enabled + " enabled, "
                            + (tools.size() - enabled) + " disabled, " + signed + " signed"
                            + (broken.isEmpty() ? "" : ", " + broken.size() + " BROKEN (quarantined; see 'kami list')"),
                    "policy:   signatures " + (p.requireSignatures() ? "required (" + p.trustedKeys().size()
                            + " trusted keys)" : "optional") + ", memory <= " + p.maxMemoryMb() + " MiB, time <= "
                            + p.maxExecutionMs() + " ms, hosts " + p.allowedHosts() + ", fs <= "
                            + p.maxFsAccess().label(),
                    "metrics:  " + ms.compilations() + " compilations, " + ms.cachedModules() + " cached modules, "
                            + ms.rejected() + " rejected calls (this process)");
            root.print(m, text);
            return Exit.OK;
        }

        private static String redact(String url) {
            return url.replaceAll("(password=)[^&;]*", "$1***").replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@");
        }
    }
}
