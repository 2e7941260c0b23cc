package dev.kami.cli;

import dev.kami.InstalledTool;
import dev.kami.core.manifest.ManifestParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kami build}: what a tool author runs before publishing (the original KAMI's command).
 * Checks {@code tool.toml}, builds the module with the package's own toolchain ({@code [build]
 * command}, else {@code build.sh}), checks the module as {@code kami install} would, prints its
 * SHA-256 and size, and with {@code --package} writes the {@code .zip} that {@code kami install}
 * and {@code kami publish} take. The zip holds {@code tool.toml}, the module and {@code tool.sig}
 * (when signed), with fixed timestamps, so the same package always gives the same bytes.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Check tool.toml, build the module ([build] command in tool.toml, else build.sh), check it as"
                + " install would, print its SHA-256 and size; --package writes the .zip to install or publish.")
final class BuildCommand implements Callable<Integer> {
    /** The zip entries' time: fixed, so that a package's zip depends on its content only. */
    private static final LocalDateTime ZIP_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    @ParentCommand
    KamiCli root;
    @Parameters(arity = "0..1", paramLabel = "<package-dir>", defaultValue = ".",
            description = "Package directory holding tool.toml (default: the current directory)")
    Path dir;
    @Option(names = "--package", arity = "0..1", paramLabel = "FILE", fallbackValue = "",
            description = "Also write the distributable .zip (default FILE: <package-dir>/plugin.zip, the asset name"
                    + " 'kami install owner/repo@tag' downloads)")
    String packageFile;

    @Override
    public Integer call() {
        Path pkg = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(pkg)) {
            throw Exit.notFound("package directory " + dir + " does not exist", "kami init <name> --lang wat creates one");
        }
        Path toml = pkg.resolve("tool.toml");
        if (!Files.isRegularFile(toml)) {
            throw Exit.notFound("no tool.toml in " + pkg, "a package directory holds tool.toml; 'kami init <name>"
                    + " --lang wat' creates one");
        }
        ManifestParser.ParsedManifest manifest = ManifestParser.parseFile(toml);
        String id = manifest.manifest().id().value();
        build(pkg, manifest, id);
        Path wasm = pkg.resolve(manifest.manifest().wasm()).normalize();
        if (!Files.isRegularFile(wasm)) {
            throw Exit.refused("there is no module " + wasm + " after the build ([tool] wasm = \""
                    + manifest.manifest().wasm() + "\")", "make the build write " + manifest.manifest().wasm()
                    + ", or set [tool] wasm to the file it writes");
        }
        InstalledTool t = root.scratchKami().validate(pkg);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("version", t.record().version().toString());
        m.put("abi", t.abi().label());
        m.put("module", wasm.toString());
        m.put("module_size", t.record().moduleSize());
        m.put("wasm_sha256", t.record().moduleSha256());
        m.put("signed", t.record().signed());
        StringBuilder text = new StringBuilder("built " + id + " " + t.record().version() + " (" + t.abi().label()
                + ", " + (t.record().signed() ? "signed" : "unsigned") + ")\n  module: " + wasm + "\n  size:   "
                + t.record().moduleSize() + " bytes\n  sha256: " + t.record().moduleSha256());
        if (packageFile != null) {
            Path zip = packageFile.isEmpty() ? pkg.resolve("plugin.zip") : Path.of(packageFile).toAbsolutePath()
                    .normalize();
            List<String> entries = writeZip(pkg, manifest.manifest().wasm(), zip);
            root.scratchKami().validate(zip); // what install and publish will read
            m.put("package", zip.toString());
            m.put("package_entries", entries);
            text.append("\n  package: ").append(zip).append(" (").append(String.join(", ", entries)).append(')')
                    .append("\nnext: kami install ").append(zip).append("   (or attach it to a release and run 'kami"
                            + " publish ").append(pkg).append(" --source owner/repo@tag')");
        } else {
            text.append("\nnext: kami install ").append(pkg).append("   (kami build --package writes the .zip to"
                    + " publish)");
        }
        root.print(m, text.toString());
        return Exit.OK;
    }

    /** How a package is built: the process to start and how to name it in messages. */
    record Step(List<String> command, String how) {
    }

    /**
     * @param buildCommand {@code [build] command} of the package's tool.toml, or null
     * @return the package's build: its [build] command, else its build.sh, else null (nothing to run)
     */
    static Step step(Path pkg, String buildCommand) {
        if (buildCommand != null) {
            return new Step(List.of("sh", "-c", buildCommand), "[build] command '" + buildCommand + "'");
        }
        if (Files.isRegularFile(pkg.resolve("build.sh"))) {
            return new Step(List.of("sh", pkg.resolve("build.sh").toString()), "build.sh");
        }
        return null;
    }

    /** Runs the package's build: [build] command, else build.sh; its output goes to stderr. */
    private void build(Path pkg, ManifestParser.ParsedManifest manifest, String id) {
        Step step = step(pkg, manifest.buildCommand());
        if (step == null) {
            root.note("[build] no [build] command in tool.toml and no build.sh: checking the module as it is");
            return;
        }
        List<String> cmd = step.command();
        String how = step.how();
        root.note("[build] " + id + ": " + how);
        int rc;
        try {
            Process p = new ProcessBuilder(cmd).directory(pkg.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(root.err);
            }
            rc = p.waitFor();
        } catch (IOException e) {
            throw Exit.failure("cannot run the build of " + id + " (" + how + "): " + Exit.why(e),
                    "kami build runs it with sh; check that sh is on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Exit.failure("the build of " + id + " was interrupted", null);
        }
        if (rc != 0) {
            throw Exit.refused("the build of " + id + " failed: " + how + " exited with code " + rc,
                    "its output is above; fix the build, or the toolchain it needs (docs/TOOL_AUTHOR_GUIDE.md)");
        }
    }

    /** @return the entries written: tool.toml, the module, and tool.sig when the package is signed */
    private static List<String> writeZip(Path pkg, String wasm, Path zip) {
        List<String> entries = new ArrayList<>(List.of("tool.toml", wasm.replace('\\', '/')));
        if (Files.isRegularFile(pkg.resolve("tool.sig"))) {
            entries.add("tool.sig");
        }
        try {
            Files.createDirectories(zip.getParent());
            Path part = Files.createTempFile(zip.getParent(), "package", ".part");
            try {
                try (OutputStream out = Files.newOutputStream(part); ZipOutputStream z = new ZipOutputStream(out)) {
                    for (String name : entries) {
                        ZipEntry e = new ZipEntry(name);
                        e.setTimeLocal(ZIP_TIME);
                        z.putNextEntry(e);
                        Files.copy(pkg.resolve(name), z);
                        z.closeEntry();
                    }
                }
                Files.move(part, zip, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw Exit.failure("cannot write the package " + zip + ": " + Exit.why(e), "check that its directory is"
                    + " writable, or give --package FILE elsewhere");
        }
        return entries;
    }
}
