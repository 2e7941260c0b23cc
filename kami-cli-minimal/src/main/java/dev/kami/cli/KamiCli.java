package dev.kami.cli;

import dev.kami.Kami;
import dev.kami.core.internal.Suggestions;
import dev.kami.policy.HostPolicy;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code kami} command: runs, installs, serves and signs WebAssembly tools with the KAMI
 * library. Global options ({@code --home}, {@code --json}, {@code --verbose},
 * {@code --require-signatures}) may be given before or after the command. Exit codes: see
 * {@link Exit} and {@code docs/CLI.md}.
 */
@Command(name = "kami", mixinStandardHelpOptions = true, versionProvider = KamiCli.Version.class,
        usageHelpAutoWidth = true, sortOptions = false,
        description = "Runs untrusted WebAssembly tools in a capability sandbox, keeps them in a verified registry"
                + " and serves them to AI agents over MCP.",
        footer = {"", "Exit codes: 0 ok, 1 tool error, 2 usage, 3 refused or verification failed, 4 not found,"
                + " 5 other failure.", "Configuration: $KAMI_HOME/config.toml (docs/CLI.md)."},
        subcommands = {
            ToolCommands.Run.class, RegistryCommands.Install.class, RegistryCommands.ListTools.class,
            RegistryCommands.Inspect.class, ToolCommands.Exec.class, RegistryCommands.Uninstall.class,
            RegistryCommands.Update.class, RegistryCommands.Pin.class, RegistryCommands.Enable.class,
            RegistryCommands.Disable.class, RegistryCommands.Grant.class, RegistryCommands.Revoke.class,
            ServeCommand.class, TrustCommands.Keygen.class, TrustCommands.Sign.class, TrustCommands.Verify.class,
            AuthorCommands.Init.class, AuthorCommands.Validate.class, BuildCommand.class, AuthorCommands.Dev.class,
            AuthorCommands.Search.class, AuthorCommands.Publish.class, RegistryCommands.Status.class})
public final class KamiCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "KAMI home: registry, keys, config.toml (default: $KAMI_HOME, then ~/.kami)")
    Path homeOption;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON for scripts")
    boolean json;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log to stderr and print stack traces")
    boolean verbose;

    @Option(names = "--require-signatures", paramLabel = "KEYHEX", split = ",", scope = ScopeType.INHERIT,
            description = "Refuse tools not signed by one of these Ed25519 public keys (adds to config.toml [policy])")
    List<String> requiredKeys = new ArrayList<>();

    final PrintStream out;
    final PrintStream err;
    final InputStream in;
    private CliConfig config;
    private Kami kami;

    KamiCli(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    /** Runs {@code kami} and exits with its code. */
    public static void main(String[] args) {
        boolean verbose = List.of(args).contains("--verbose") || List.of(args).contains("-v");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        System.exit(execute(args, out, err, System.in));
    }

    /** @return the exit code of {@code kami args} */
    static int execute(String[] args, PrintStream out, PrintStream err, InputStream in) {
        KamiCli root = new KamiCli(out, err, in);
        CommandLine cl = new CommandLine(root);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        cl.setParameterExceptionHandler((ex, a) -> {
            String hint = "'kami " + ex.getCommandLine().getCommandName().replace("kami", "").trim()
                    + " --help' shows the usage";
            hint = hint.replace("'kami  --help'", "'kami --help'");
            String msg = ex.getMessage();
            if (ex instanceof CommandLine.UnmatchedArgumentException u && ex.getCommandLine() == cl
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                // picocli suggests by shared prefix ("lsit" -> init); the nearest by edit distance is meant
                String typed = u.getUnmatched().get(0);
                msg = "unknown command '" + typed + "'";
                String didYouMean = Suggestions.didYouMean(Suggestions.closest(typed, cl.getSubcommands().keySet(), 2));
                hint = (didYouMean == null ? "" : didYouMean + " ") + "'kami --help' lists the commands";
            } else if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                hint = "did you mean " + String.join(" or ", u.getSuggestions()) + "? " + hint;
            }
            root.fail(Exit.USAGE, msg, hint, ex);
            return Exit.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            int code = Exit.codeOf(ex);
            root.fail(code, Exit.why(ex), Exit.hintOf(ex), ex);
            return code;
        });
        try {
            return cl.execute(args);
        } finally {
            root.closeKami();
        }
    }

    @Override
    public void run() {
        throw Exit.usage("no command given", "'kami --help' lists the commands; start with 'kami run samples/tools/echo"
                + " '{\"message\":\"hi\"}''");
    }

    // ---- shared by the commands ------------------------------------------------------------

    /** @return the KAMI home: --home, then $KAMI_HOME, then ~/.kami */
    Path home() {
        if (homeOption != null) {
            return homeOption.toAbsolutePath().normalize();
        }
        String env = System.getenv("KAMI_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        return Path.of(System.getProperty("user.home"), ".kami");
    }

    CliConfig config() {
        if (config == null) {
            config = CliConfig.load(home());
        }
        return config;
    }

    HostPolicy policy() {
        HostPolicy p = config().policy();
        if (requiredKeys.isEmpty()) {
            return p;
        }
        try {
            return p.toBuilder().requireSignatures(requiredKeys.toArray(String[]::new)).build();
        } catch (IllegalArgumentException e) {
            throw Exit.usage("--require-signatures: " + Exit.why(e), "give the 64-hex public key 'kami keygen'"
                    + " printed");
        }
    }

    /** @return the KAMI on the registry at the home (or the configured store), built once */
    /** Capacity set by {@code kami serve} (flags or [serve]) before KAMI is built; null: the default. */
    Integer workers;
    Integer queueCapacity;
    Long queueWaitMs;

    Kami kami() {
        if (kami == null) {
            kami = build(false);
        }
        return kami;
    }

    /** @return a KAMI with an in-memory registry: for run, validate, publish, which install nothing */
    Kami scratchKami() {
        if (kami == null) {
            kami = build(true);
        }
        return kami;
    }

    private Kami build(boolean inMemory) {
        CliConfig c = config();
        Kami.Builder b = Kami.builder().home(home()).policy(policy());
        if (c.engineId() != null) {
            b.engine(c.engineId());
        }
        if (c.engineMode() != null) {
            b.engineOption("mode", c.engineMode());
        }
        if (workers != null) {
            b.workers(workers);
        }
        if (queueCapacity != null) {
            b.queueCapacity(queueCapacity);
        }
        if (queueWaitMs != null) {
            b.queueTimeout(java.time.Duration.ofMillis(queueWaitMs));
        }
        if (inMemory) {
            b.inMemory();
        } else if (c.storeUrl() != null) {
            b.storeUrl(c.storeUrl());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new Exit.CliException(Exit.USAGE, Exit.why(e), "check [engine] and [store] in " + home()
                    .resolve(CliConfig.FILE), e);
        }
    }

    void closeKami() {
        if (kami != null) {
            try {
                kami.close();
            } catch (RuntimeException e) {
                if (verbose) {
                    e.printStackTrace(err);
                }
            }
            kami = null;
        }
    }

    /** @return whether stdout is a terminal (progress indicators, prompts) */
    static boolean interactive() {
        return System.console() != null;
    }

    /** Prints a value: as JSON with --json, else the text. */
    void print(Object jsonValue, String text) {
        if (json) {
            out.println(Json.write(jsonValue));
        } else if (text != null && !text.isEmpty()) {
            out.println(text);
        }
    }

    /** Human-only notes (never in --json output): on stderr. */
    void note(String text) {
        if (!json) {
            err.println(text);
        }
    }

    void fail(int code, String message, String hint, Throwable cause) {
        String msg = message == null ? "" : message.strip().replace("\r", "").replace("\n", " ");
        if (hint == null || hint.isBlank()) {
            hint = switch (code) {
                case Exit.USAGE -> "'kami <command> --help' shows a command's options";
                case Exit.NOT_FOUND -> "check the name or path";
                default -> "run again with --verbose for details";
            };
        }
        if (json) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", code);
            e.put("message", msg);
            e.put("hint", hint);
            e.put("type", cause == null ? "error" : cause.getClass().getSimpleName());
            out.println(Json.write(Map.of("error", e)));
        } else {
            err.println("kami: " + msg);
            err.println("hint: " + hint);
        }
        if (verbose && cause != null) {
            cause.printStackTrace(err);
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = KamiCli.class.getPackage().getImplementationVersion();
            return new String[] {"kami " + (v == null ? "dev" : v) + " (KAMI for Java, Java "
                    + System.getProperty("java.version") + ")"};
        }
    }
}
