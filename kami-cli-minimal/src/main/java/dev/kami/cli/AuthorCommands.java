package dev.kami.cli;

import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.KamiException;
import dev.kami.core.pkg.PackageReader;
import dev.kami.core.pkg.ToolPackage;
import dev.kami.core.registry.RegistryEntry;
import dev.kami.core.registry.RegistryIndex;
import dev.kami.manifest.ToolId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** For tool authors: init, validate, dev, search, publish. */
final class AuthorCommands {
    static final List<String> LANGUAGES = List.of("c", "rust", "assemblyscript", "wat", "java");
    private static final String TEMPLATES = "dev/kami/guest/templates/";

    private AuthorCommands() {
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a new tool package from the guest SDK's template for a language.")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<name>", description = "Tool name: lowercase letters, digits and '-'; also the"
                + " directory and module name")
        String name;
        @Option(names = "--lang", required = true, paramLabel = "LANG",
                description = "c, rust, assemblyscript, wat or java")
        String lang;
        @Option(names = "--id", paramLabel = "ID", description = "Tool id (default com.example.<name>)")
        String id;
        @Option(names = "--dir", paramLabel = "DIR", description = "Parent directory (default: current directory)")
        Path parent;

        @Override
        public Integer call() throws IOException {
            if (!LANGUAGES.contains(lang)) {
                throw Exit.usage("unknown language '" + lang + "'", "--lang is one of " + String.join(", ", LANGUAGES));
            }
            if (!name.matches("[a-z][a-z0-9-]{0,62}")) {
                throw Exit.usage("'" + name + "' is not a tool name (lowercase letters, digits and '-', starting"
                        + " with a letter, at most 63 characters)", "for example: kami init my-tool --lang c");
            }
            String toolId = id != null ? id : "com.example." + name;
            if (!ToolId.isValid(toolId)) {
                throw Exit.usage("'" + toolId + "' is not a tool id (reverse-DNS, lowercase, such as com.example.tool)",
                        "pass --id com.yourdomain." + name);
            }
            Path dir = (parent == null ? Path.of("") : parent).resolve(name).toAbsolutePath().normalize();
            if (Files.exists(dir)) {
                throw Exit.refused(dir + " exists already; init never overwrites", "choose another name or --dir");
            }
            String base = TEMPLATES + lang + "/";
            List<String> files = lines(resource(base + "template.files"));
            Files.createDirectories(dir);
            List<String> written = new ArrayList<>();
            for (String f : files) {
                if (f.isBlank() || f.startsWith("#") || f.contains("..") || f.startsWith("/")) {
                    continue;
                }
                String text = new String(resource(base + f), StandardCharsets.UTF_8)
                        .replace("{{name}}", name).replace("{{id}}", toolId);
                Path target = dir.resolve(f);
                Files.createDirectories(target.getParent());
                Files.writeString(target, text, StandardCharsets.UTF_8);
                if (f.endsWith(".sh")) {
                    target.toFile().setExecutable(true, false);
                }
                written.add(f);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", toolId);
            m.put("directory", dir.toString());
            m.put("language", lang);
            m.put("files", written);
            root.print(m, "created " + toolId + " (" + lang + ") in " + dir + ": " + String.join(", ", written)
                    + "\nnext: kami build " + dir + " && kami install " + dir + "   (kami build runs build.sh and"
                    + " checks the module)");
            return Exit.OK;
        }

        private static byte[] resource(String path) throws IOException {
            try (InputStream in = AuthorCommands.class.getClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    throw Exit.failure("template file " + path + " is missing from the classpath",
                            "rebuild the CLI with kami-guest-sdk (mvn -pl kami-cli-minimal -am package)");
                }
                return in.readAllBytes();
            }
        }

        private static List<String> lines(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8).lines().map(String::strip).toList();
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check packages as install would (manifest, ABI, imports, memory, policy, signature),"
                    + " without installing them.")
    static final class Validate implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(arity = "1..*", paramLabel = "<package-dir>", description = "Package directories, tool.toml"
                + " files, .zip files or bare .wasm modules")
        List<Path> dirs;

        @Override
        public Integer call() {
            if (dirs.size() == 1) {
                return validate(dirs.get(0));
            }
            int worst = Exit.OK;
            List<Object> all = new ArrayList<>();
            for (Path dir : dirs) {
                try {
                    all.add(check(dir));
                } catch (KamiException | Exit.CliException | IllegalArgumentException e) {
                    int code = Exit.codeOf(e);
                    worst = Math.max(worst, code);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("package", dir.toString());
                    m.put("valid", false);
                    m.put("code", code);
                    m.put("message", Exit.why(e));
                    all.add(m);
                    if (!root.json) {
                        root.err.println("kami: " + dir + ": " + Exit.why(e));
                    }
                }
            }
            if (root.json) {
                root.out.println(Json.write(all));
            } else if (worst != Exit.OK) {
                root.err.println("hint: fix what is listed above; 'kami validate <package-dir>' checks one package");
            }
            return worst;
        }

        private int validate(Path dir) {
            check(dir);
            return Exit.OK;
        }

        private Map<String, Object> bareModule(Path wasm) {
            Map<String, Object> m = checkBareModule(root, wasm);
            String s = "ok: " + wasm + " is a bare module (" + m.get("abi") + ", " + m.get("module_size")
                    + " bytes) that 'kami run' accepts, with no permission; to install it, put it in a package"
                    + " with a tool.toml ('kami init' writes one)";
            if (dirs.size() == 1) {
                root.print(m, s);
            } else if (!root.json) {
                root.out.println(s);
            }
            return m;
        }

        private Map<String, Object> check(Path dir) {
            if (!Files.exists(dir)) {
                throw Exit.notFound("package " + dir + " does not exist", "give the directory holding tool.toml");
            }
            if (Files.isRegularFile(dir) && dir.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                    .endsWith(".wasm")) {
                return bareModule(dir);
            }
            InstalledTool t = root.scratchKami().validate(dir);
            Map<String, Object> m = Json.summary(t);
            m.put("package", dir.toString());
            m.put("valid", true);
            m.put("abi", t.abi().label());
            m.put("wasm_sha256", t.record().moduleSha256());
            m.put("requested", Json.requested(t.manifest().security()));
            m.remove("enabled");
            m.remove("pinned_version");
            StringBuilder s = new StringBuilder("ok: " + t.id() + " " + t.record().version() + " (" + t.abi().label()
                    + ", " + t.record().moduleSize() + " bytes, " + (t.record().signed() ? "signed" : "unsigned")
                    + ") would install as MCP tool " + t.mcpName() + "\n  requests:");
            for (String line : Json.requestedLines(t.id().value(), t.manifest().security())) {
                s.append("\n    ").append(line);
            }
            if (dirs.size() == 1) {
                root.print(m, s.toString());
            } else if (!root.json) {
                root.out.println(s);
            }
            return m;
        }
    }

    /**
     * Checks a bare module as {@code kami run} takes it: no manifest, so its ABI is detected and it
     * gets no permission. The module is checked inside a throw-away package that names it and
     * requests nothing, through the same validation as a package.
     */
    static Map<String, Object> checkBareModule(KamiCli root, Path wasm) {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("kami-validate");
            Files.copy(wasm, tmp.resolve("module.wasm"));
            String stem = wasm.getFileName().toString().replaceFirst("(?i)\\.wasm$", "")
                    .toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
            Files.writeString(tmp.resolve("tool.toml"), "[tool]\nid = \"bare." + (stem.isEmpty() ? "module" : stem)
                    + "\"\nname = \"" + (stem.isEmpty() ? "module" : stem) + "\"\nversion = \"0.0.0\"\n"
                    + "wasm = \"module.wasm\"\n\n[mcp]\ndescription = \"a bare module\"\n", StandardCharsets.UTF_8);
            InstalledTool t = root.scratchKami().validate(tmp);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("package", wasm.toString());
            m.put("valid", true);
            m.put("bare_module", true);
            m.put("abi", t.abi().label());
            m.put("module_size", t.record().moduleSize());
            m.put("wasm_sha256", t.record().moduleSha256());
            return m;
        } catch (IOException e) {
            throw Exit.failure("cannot check " + wasm + ": " + Exit.why(e), null);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless; the OS cleans it
        }
    }

    @Command(name = "dev", mixinStandardHelpOptions = true,
            description = "Build (build.sh) and install a package, and with --watch do it again on every change"
                    + " until Ctrl-C.")
    static final class Dev implements Callable<Integer> {
        private static final Set<String> SKIP = Set.of("target", "node_modules", ".git", ".idea", "build");
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<package-dir>", description = "Package directory")
        Path dir;
        @Option(names = "--watch", description = "Keep watching the package for changes")
        boolean watch;
        @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
                description = "How often to look for changes (default ${DEFAULT-VALUE} ms)")
        long intervalMs;
        @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "0",
                description = "Stop after N looks (default 0: until Ctrl-C)")
        long maxRounds;

        @Override
        public Integer call() throws IOException, InterruptedException {
            if (!Files.isDirectory(dir)) {
                throw Exit.notFound("package directory " + dir + " does not exist", "kami init <name> --lang wat"
                        + " creates one");
            }
            if (intervalMs < 10 || maxRounds < 0) {
                throw Exit.usage("--interval must be at least 10 ms and --max-rounds at least 0", null);
            }
            Path pkg = dir.toAbsolutePath().normalize();
            int last = round(pkg);
            if (!watch) {
                return last;
            }
            Map<String, String> seen = fingerprint(pkg);
            root.err.println("[dev] watching " + pkg + " every " + intervalMs + " ms; Ctrl-C stops");
            try {
                for (long r = 1; maxRounds == 0 || r < maxRounds; r++) {
                    Thread.sleep(intervalMs);
                    Map<String, String> now = fingerprint(pkg);
                    if (!now.equals(seen)) {
                        root.err.println("[dev] change detected");
                        last = round(pkg);
                        seen = fingerprint(pkg);
                    }
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
            root.err.println("[dev] stopped");
            return last;
        }

        /**
         * Builds as {@code kami build} does ([build] command, else build.sh), then installs with
         * --force; a failure is reported, not fatal.
         */
        private int round(Path pkg) throws IOException, InterruptedException {
            String buildCommand = null;
            try {
                buildCommand = dev.kami.core.manifest.ManifestParser.parseFile(pkg.resolve("tool.toml")).buildCommand();
            } catch (KamiException e) {
                // the install below reports what is wrong with tool.toml
            }
            BuildCommand.Step step = BuildCommand.step(pkg, buildCommand);
            if (step != null) {
                root.err.println("[dev] building: " + step.how());
                Process p = new ProcessBuilder(step.command()).directory(pkg.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(root.err);
                }
                int rc = p.waitFor();
                if (rc != 0) {
                    root.err.println("[dev] build failed (exit " + rc + "); waiting for the next change");
                    return Exit.REFUSED;
                }
            }
            try {
                InstalledTool t = root.kami().install(pkg.toString(), InstallOptions.defaults().withForce(true));
                root.out.println("[dev] installed " + t.id() + " " + t.record().version() + " (sha256 "
                        + t.record().moduleSha256().substring(0, 12) + ")");
                return Exit.OK;
            } catch (KamiException | Exit.CliException e) {
                root.err.println("[dev] not installed: " + Exit.why(e));
                return Exit.codeOf(e);
            }
        }

        private static Map<String, String> fingerprint(Path pkg) throws IOException {
            Map<String, String> out = new TreeMap<>();
            Files.walkFileTree(pkg, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    return !d.equals(pkg) && SKIP.contains(d.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    out.put(pkg.relativize(f).toString(), a.lastModifiedTime().toMillis() + ":" + a.size());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
            return out;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Search a registry index.")
    static final class Search implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(arity = "0..*", paramLabel = "<query>", description = "Words to look for (none: list all)")
        List<String> query = new ArrayList<>();
        @Option(names = "--index", paramLabel = "URL|FILE", description = "Index to search (default: [registry]"
                + " index in config.toml, $KAMI_REGISTRY_INDEX, then the community index)")
        String index;

        @Override
        public Integer call() {
            String from = index != null ? index : root.config().registryIndex() != null ? root.config().registryIndex()
                    : System.getenv("KAMI_REGISTRY_INDEX") != null ? System.getenv("KAMI_REGISTRY_INDEX")
                            : RegistryIndex.DEFAULT_URL;
            if (!from.startsWith("http://") && !from.startsWith("https://") && !Files.isRegularFile(Path.of(from))) {
                throw Exit.notFound("registry index " + from + " does not exist", "give a JSON file or an https://"
                        + " URL with --index");
            }
            RegistryIndex idx;
            try {
                idx = RegistryIndex.load(from);
            } catch (dev.kami.InstallException e) {
                throw Exit.failure(Exit.why(e), "check --index; a local file works offline");
            }
            String q = String.join(" ", query);
            List<RegistryEntry> hits = idx.search(q);
            List<Map<String, Object>> rows = new ArrayList<>();
            StringBuilder s = new StringBuilder();
            for (RegistryEntry e : hits) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.id());
                m.put("name", e.name());
                m.put("version", e.version());
                m.put("description", e.description());
                m.put("source", e.source());
                m.put("signed", e.signed());
                rows.add(m);
                s.append(String.format("%-32s %-10s %s%n    kami install %s%n", e.id(), e.version(), e.description(),
                        e.source()));
            }
            root.print(rows, hits.isEmpty() ? "no tool in " + idx.origin() + " matches '" + q + "'"
                    : s.toString().stripTrailing());
            return Exit.OK;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Validate a package and print its registry index entry (JSON) to submit to an index.")
    static final class Publish implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(paramLabel = "<package-dir>", description = "Package directory")
        Path dir;
        @Option(names = "--source", paramLabel = "owner/repo@tag",
                description = "Where users install it from: the GitHub release holding plugin.zip, or an https:// URL")
        String source;

        @Override
        public Integer call() {
            if (!Files.exists(dir)) {
                throw Exit.notFound("package " + dir + " does not exist", "give the directory holding tool.toml");
            }
            if (source != null && !Sources.isRemote(source)) {
                throw Exit.usage("--source '" + source + "' is neither owner/repo@tag nor an https:// URL",
                        "for example --source me/my-tool@v1.0.0");
            }
            root.scratchKami().validate(dir);
            ToolPackage pkg = new PackageReader().read(dir);
            RegistryEntry e = RegistryIndex.entryFor(pkg, source);
            if (!pkg.signed()) {
                root.err.println("warning: " + pkg.manifest().id() + " is unsigned; 'kami sign " + dir
                        + "' lets users check who published it");
            }
            if (source == null) {
                root.err.println("warning: no --source; others cannot install from " + pkg.source()
                        + " (pass --source owner/repo@tag)");
            }
            root.out.println(RegistryIndex.toJson(e));
            return Exit.OK;
        }
    }
}
