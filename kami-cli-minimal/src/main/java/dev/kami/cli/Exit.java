package dev.kami.cli;

import dev.kami.BusyException;
import dev.kami.ConfigurationException;
import dev.kami.InstallException;
import dev.kami.IntegrityException;
import dev.kami.ManifestException;
import dev.kami.ModuleRejectedException;
import dev.kami.PolicyViolationException;
import dev.kami.SignatureException;
import dev.kami.StoreException;
import dev.kami.ToolConflictException;
import dev.kami.ToolExecutionException;
import dev.kami.ToolNotFoundException;
import dev.kami.core.internal.Causes;
import picocli.CommandLine;

/**
 * The exit codes of {@code kami} (documented in {@code docs/CLI.md} and ADR 0502) and the
 * mapping from library exceptions to a code and a hint.
 */
final class Exit {
    /** Success. */
    static final int OK = 0;
    /** The tool ran and failed (trap, timeout, limit, non-zero exit, error output). */
    static final int TOOL_ERROR = 1;
    /** Bad command line: unknown command or option, bad value, missing argument. */
    static final int USAGE = 2;
    /** Refused: bad manifest or module, policy, signature, integrity, conflict, no confirmation. */
    static final int REFUSED = 3;
    /** Not found: no such tool installed, no such file or directory. */
    static final int NOT_FOUND = 4;
    /** Anything else: busy, store or network failure, I/O, internal error. */
    static final int FAILURE = 5;

    private Exit() {
    }

    /** An error the CLI itself raises: its exit code, message and hint. */
    static final class CliException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;
        private final String hint;

        CliException(int code, String message, String hint) {
            super(message);
            this.code = code;
            this.hint = hint;
        }

        CliException(int code, String message, String hint, Throwable cause) {
            super(message, cause);
            this.code = code;
            this.hint = hint;
        }

        int code() {
            return code;
        }

        String hint() {
            return hint;
        }
    }

    static CliException usage(String message, String hint) {
        return new CliException(USAGE, message, hint);
    }

    static CliException refused(String message, String hint) {
        return new CliException(REFUSED, message, hint);
    }

    static CliException notFound(String message, String hint) {
        return new CliException(NOT_FOUND, message, hint);
    }

    static CliException failure(String message, String hint) {
        return new CliException(FAILURE, message, hint);
    }

    /**
     * @return what a failure says, never {@code null}: the message of KAMI's and the CLI's own
     *     exceptions and of a refused argument (written for the user), else the type and message
     *     of the cause ({@code ConnectException: the connection was refused ...})
     */
    static String why(Throwable t) {
        if ((t instanceof dev.kami.KamiException || t instanceof CliException
                || t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException)
                && t.getMessage() != null && !t.getMessage().isBlank()) {
            return t.getMessage();
        }
        return Causes.describe(t);
    }

    /** @return the exit code for a failure */
    static int codeOf(Throwable t) {
        if (t instanceof CliException c) {
            return c.code();
        }
        if (t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException) {
            return USAGE;
        }
        if (t instanceof ToolNotFoundException) {
            return NOT_FOUND;
        }
        if (t instanceof ToolExecutionException) {
            return TOOL_ERROR;
        }
        if (t instanceof ManifestException || t instanceof ModuleRejectedException
                || t instanceof PolicyViolationException || t instanceof SignatureException
                || t instanceof IntegrityException || t instanceof ToolConflictException
                || t instanceof InstallException) {
            return REFUSED;
        }
        return FAILURE;
    }

    /** @return a hint for a failure: what to run or read next */
    static String hintOf(Throwable t) {
        if (t instanceof CliException c) {
            return c.hint();
        }
        if (t instanceof ToolNotFoundException) {
            return "'kami list' shows the installed tools";
        }
        if (t instanceof ManifestException) {
            return "fix tool.toml; 'kami validate <package-dir>' checks a package before installing";
        }
        if (t instanceof ModuleRejectedException) {
            if (t.getMessage() != null && t.getMessage().contains("env.abort")) {
                return "rebuild with asc's --use abort=assembly/kami/kamiAbort (AssemblyScript in"
                        + " docs/TOOL_AUTHOR_GUIDE.md); the AssemblyScript template of 'kami init' builds so";
            }
            return "the message says what the module lacks or imports; docs/ABI.md says what each ABI expects and"
                    + " docs/TOOL_AUTHOR_GUIDE.md how each toolchain builds it";
        }
        if (t instanceof SignatureException) {
            return "sign with 'kami sign <package-dir>', or trust the signer's key in $KAMI_HOME/config.toml";
        }
        if (t instanceof PolicyViolationException) {
            return "the host policy ($KAMI_HOME/config.toml [policy]) sets what tools may request";
        }
        if (t instanceof IntegrityException) {
            return "reinstall the tool from a trusted source: 'kami install --force <source>'";
        }
        if (t instanceof ToolConflictException) {
            return "pass --force to reinstall, or use 'kami update <id> <source>'";
        }
        if (t instanceof InstallException) {
            return "a package is a directory or .zip with tool.toml and its module, an https:// URL or owner/repo@tag";
        }
        if (t instanceof BusyException) {
            return "too many calls at once; retry shortly";
        }
        if (t instanceof StoreException) {
            return "check the registry: $KAMI_HOME/registry.db or [store] url in config.toml (kami status)";
        }
        if (t instanceof ConfigurationException) {
            return "check $KAMI_HOME/config.toml and the command's options (kami --help)";
        }
        if (t instanceof ToolExecutionException) {
            return "the tool failed; run with --verbose to see its logs";
        }
        if (t instanceof IllegalArgumentException) {
            return "see 'kami <command> --help'";
        }
        return "run again with --verbose for the stack trace";
    }
}
