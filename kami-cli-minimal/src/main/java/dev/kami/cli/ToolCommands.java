package dev.kami.cli;

import dev.kami.CallOptions;
import dev.kami.InstalledTool;
import dev.kami.LogEntry;
import dev.kami.ToolResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Calling tools: {@code kami run} (without installing) and {@code kami exec} (an installed tool). */
final class ToolCommands {
    private ToolCommands() {
    }

    /**
     * The JSON arguments: positional, {@code -f file} or {@code -f -} (stdin); {@code {}} when none.
     *
     * @param command the command as the user would type it again ({@code kami exec dev.kami.echo})
     */
    static String arguments(KamiCli root, String command, String positional, String file) {
        if (positional != null && file != null) {
            throw Exit.usage("give the arguments either as JSON or with -f, not both", command + " '{\"k\":\"v\"}'"
                    + " or " + command + " -f args.json");
        }
        if (file == null) {
            return positional == null ? "{}" : positional;
        }
        try {
            if (file.equals("-")) {
                return new String(root.in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                throw Exit.notFound("arguments file " + p + " does not exist", "give a JSON file, or -f - for stdin");
            }
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Exit.failure("cannot read the arguments from " + file + ": " + Exit.why(e), null);
        }
    }

    /**
     * Prints a result; a tool error becomes exit code 1 with its message on stderr.
     *
     * @param schemaHint where the tool's input schema is shown, for arguments that do not fit it
     */
    static int show(KamiCli root, ToolResult r, String schemaHint) {
        if (root.verbose) {
            for (LogEntry l : r.logs()) {
                root.err.println("[tool log " + l.level() + "] " + l.message());
            }
        }
        if (root.json) {
            root.out.println(Json.write(Json.result(r)));
            return r.isError() ? Exit.TOOL_ERROR : Exit.OK;
        }
        if (r.isError()) {
            root.err.println("kami: tool error (" + Json.kind(r.errorKind()) + "): " + r.text().strip());
            root.err.println("hint: " + (r.errorKind() == dev.kami.ToolErrorKind.INVALID_ARGUMENTS ? schemaHint
                    : "run with --verbose to see the tool's logs"));
            return Exit.TOOL_ERROR;
        }
        root.out.println(r.text());
        return Exit.OK;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run a package or a bare .wasm once, without installing it (permissions: what the"
                    + " manifest requests, within the host policy; a bare .wasm gets none).")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(index = "0", paramLabel = "<package-dir|file.wasm>", description = "Package directory, .zip or .wasm")
        Path target;
        @Parameters(index = "1", arity = "0..1", paramLabel = "json", description = "Arguments, a JSON object")
        String json;
        @Mixin
        CallInput input;

        @Override
        public Integer call() {
            if (!Files.exists(target)) {
                throw Exit.notFound(target + " does not exist", "give a package directory (with tool.toml) or a .wasm");
            }
            String args = input.arguments(root, "kami run " + target, json);
            String schemaHint = Files.isDirectory(target)
                    ? "the [mcp] arguments (or input_schema) of " + target.resolve("tool.toml") + " say what it takes"
                    : "the tool's tool.toml says what arguments it takes";
            return show(root, root.scratchKami().run(target, args, input.options()), schemaHint);
        }
    }

    /**
     * The options {@code run} and {@code exec} share: where the arguments come from and the
     * deadline (each command declares the positional JSON itself: picocli validates a mixin's
     * positional indexes on their own).
     */
    static final class CallInput {
        @Option(names = "-f", paramLabel = "FILE", description = "Read the arguments from FILE (- for stdin)")
        String file;
        @Option(names = "--timeout", paramLabel = "MS", description = "Deadline in ms (at most the tool's own)")
        Long timeoutMs;

        String arguments(KamiCli root, String command, String json) {
            return ToolCommands.arguments(root, command, json, file);
        }

        CallOptions options() {
            if (timeoutMs == null) {
                return CallOptions.defaults();
            }
            if (timeoutMs <= 0) {
                throw Exit.usage("--timeout must be a positive number of milliseconds, got " + timeoutMs, null);
            }
            return CallOptions.defaults().withTimeout(java.time.Duration.ofMillis(timeoutMs));
        }
    }

    @Command(name = "exec", mixinStandardHelpOptions = true, description = "Call an installed tool.")
    static final class Exec implements Callable<Integer> {
        @ParentCommand
        KamiCli root;
        @Parameters(index = "0", paramLabel = "<id>", description = "Tool id (dev.kami.echo) or MCP name")
        String id;
        @Parameters(index = "1", arity = "0..1", paramLabel = "json", description = "Arguments, a JSON object")
        String json;
        @Mixin
        CallInput input;

        @Override
        public Integer call() {
            String args = input.arguments(root, "kami exec " + id, json);
            InstalledTool t = root.kami().tool(id);
            if (!t.enabled()) {
                throw Exit.refused("tool " + t.id() + " is disabled", "enable it with 'kami enable " + t.id() + "'");
            }
            // one tool of a plugin offering several is called by its own name (ADR 0120)
            String name = t.entry() != null ? t.mcpName() : t.id().value();
            return show(root, root.kami().call(name, args, input.options()),
                    "'kami inspect " + t.id() + "' shows the tool's input schema");
        }
    }
}
