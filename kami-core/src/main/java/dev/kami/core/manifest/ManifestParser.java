package dev.kami.core.manifest;

import dev.kami.core.internal.Causes;
import dev.kami.ManifestException;
import dev.kami.manifest.Abi;
import dev.kami.manifest.ArgumentType;
import dev.kami.manifest.FsAccess;
import dev.kami.manifest.SecurityRequest;
import dev.kami.manifest.ToolAnnotations;
import dev.kami.manifest.ToolArgument;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolManifest;
import dev.kami.manifest.ToolVersion;
import dev.kami.policy.NetPatterns;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses and validates {@code tool.toml} (the format of DESIGN.md §3). Every refusal is a
 * {@link ManifestException} naming the file, the key, the line when known, what was expected and,
 * for an unknown key, the closest known key. Stateless and thread-safe.
 *
 * <pre>{@code
 * ParsedManifest m = ManifestParser.parseFile(Path.of("samples/tools/echo/tool.toml"));
 * }</pre>
 */
public final class ManifestParser {
    /** Largest accepted {@code tool.toml}, in bytes. */
    public static final int MAX_MANIFEST_BYTES = 256 * 1024;
    /** Largest {@code max_memory_mb}: the whole 32-bit address space. */
    public static final int MAX_MEMORY_MB = 4096;
    /** Largest {@code max_execution_ms}: one hour. */
    public static final long MAX_EXECUTION_MS = 3_600_000;
    /** Largest {@code max_output_bytes}: 256 MiB. */
    public static final long MAX_OUTPUT_BYTES = 256L * 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final Set<String> TOP = Set.of("tool", "mcp", "security", "build");
    private static final Set<String> TOOL_KEYS = Set.of("id", "name", "version", "wasm", "abi", "title", "wasm_sha256",
            "signature", "signer_public_key");
    private static final Set<String> MCP_KEYS = Set.of("description", "arguments", "input_schema", "output_schema",
            "annotations", "skip_tools");
    private static final Set<String> ARG_KEYS = Set.of("name", "type", "description", "required");
    private static final Set<String> ANNOTATION_KEYS = Set.of("read_only", "destructive", "idempotent", "open_world");
    private static final Set<String> SECURITY_KEYS = Set.of("fs_access", "net_allow_list", "env_allow_list",
            "max_memory_mb", "max_execution_ms", "max_fuel", "max_output_bytes");
    private static final Set<String> BUILD_KEYS = Set.of("command");

    private ManifestParser() {
    }

    /**
     * A parsed manifest with the package-level extras the original format allows in {@code [tool]}.
     *
     * @param manifest the validated manifest
     * @param text the TOML text as read
     * @param wasmSha256 {@code [tool] wasm_sha256} when given (checked against the module), else null
     * @param signature {@code [tool] signature} (hex) when given, else null
     * @param signerPublicKey {@code [tool] signer_public_key} (hex) when given, else null
     * @param buildCommand {@code [build] command} when given, else null: the shell command that
     *     builds the module, run by {@code kami build} in the package directory (an author's
     *     setting: nothing at install or call time reads it)
     */
    public record ParsedManifest(ToolManifest manifest, String text, String wasmSha256, String signature,
            String signerPublicKey, String buildCommand) {
    }

    /**
     * @param file the {@code tool.toml} to read
     * @return the parsed manifest
     * @throws ManifestException if the file cannot be read or is refused
     */
    public static ParsedManifest parseFile(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                throw new ManifestException(file.toString(), null, 0, "the file is " + Files.size(file)
                        + " bytes; a tool.toml may have at most " + MAX_MANIFEST_BYTES);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ManifestException(file.toString(), null, 0, "cannot be read (" + Causes.describe(e)
                    + "); check that the package holds a tool.toml");
        }
        return parse(decode(bytes, file.toString()), file.toString());
    }

    /**
     * @param bytes the manifest's bytes (UTF-8)
     * @param fileName shown in messages
     * @return the parsed manifest
     */
    public static ParsedManifest parse(byte[] bytes, String fileName) {
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new ManifestException(fileName, null, 0, "the file is " + bytes.length
                    + " bytes; a tool.toml may have at most " + MAX_MANIFEST_BYTES);
        }
        return parse(decode(bytes, fileName), fileName);
    }

    private static String decode(byte[] bytes, String fileName) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException(fileName, null, 0, "is not valid UTF-8; save it as UTF-8");
        }
    }

    /**
     * @param text the TOML text
     * @param fileName shown in messages (e.g. the path)
     * @return the parsed manifest
     * @throws ManifestException if refused
     */
    public static ParsedManifest parse(String text, String fileName) {
        return new Reader(text, fileName).read();
    }

    /** One parse; holds the file name and the TOML result for messages. */
    private static final class Reader {
        private final String text;
        private final String file;
        private TomlParseResult toml;

        Reader(String text, String file) {
            this.text = text;
            this.file = file;
        }

        ParsedManifest read() {
            try {
                toml = Toml.parse(text);
            } catch (RuntimeException | AssertionError e) {
                // tomlj's own internal checks (assertions, with -ea) can trip on hostile input (found by
                // fuzzing): the text is untrusted, so that is a refusal like any other syntax error
                throw new ManifestException(file, null, 0, "is not valid TOML: the TOML reader stopped at "
                        + "inconsistent input (check the table headers and comments)");
            }
            if (toml.hasErrors()) {
                TomlParseError e = toml.errors().get(0);
                throw new ManifestException(file, null, e.position() == null ? 0 : e.position().line(),
                        "is not valid TOML: " + e.getMessage());
            }
            unknownKeys(toml, "", TOP);
            TomlTable tool = table(toml, "tool", true);
            TomlTable mcp = table(toml, "mcp", true);
            TomlTable security = table(toml, "security", false);
            TomlTable build = table(toml, "build", false);
            unknownKeys(tool, "tool.", TOOL_KEYS);
            unknownKeys(mcp, "mcp.", MCP_KEYS);
            if (security != null) {
                unknownKeys(security, "security.", SECURITY_KEYS);
            }
            String buildCommand = null;
            if (build != null) {
                unknownKeys(build, "build.", BUILD_KEYS);
                buildCommand = requiredString(build, "build", "command");
                if (buildCommand.isBlank()) {
                    fail("build.command", build, "command", "must not be blank; give the shell command that builds"
                            + " the module, such as \"wat2wasm tool.wat -o tool.wasm\", or leave [build] out");
                }
            }

            ToolId id = parseValue(tool, "tool", "id", ToolId::of);
            String name = requiredString(tool, "tool", "name");
            if (name.isBlank()) {
                fail("tool.name", tool, "name", "must not be blank; give the tool a human name such as \"echo\"");
            }
            ToolVersion version = parseValue(tool, "tool", "version", ToolVersion::parse);
            String wasm = requiredString(tool, "tool", "wasm");
            checkWasmPath(tool, wasm);
            Abi abi = null;
            String abiText = optionalString(tool, "tool", "abi");
            if (abiText != null) {
                abi = Abi.fromLabel(abiText).orElseThrow(() -> error("tool.abi", tool, "abi",
                        "'" + abiText + "' is not an ABI; expected one of " + java.util.Arrays.stream(Abi.values())
                                .map(a -> "\"" + a.label() + "\"").collect(java.util.stream.Collectors.joining(", "))
                                + " (or leave it out to detect it)"));
            }
            String title = optionalString(tool, "tool", "title");
            String wasmSha = optionalString(tool, "tool", "wasm_sha256");
            if (wasmSha != null && !wasmSha.toLowerCase(Locale.ROOT).matches("[0-9a-f]{64}")) {
                fail("tool.wasm_sha256", tool, "wasm_sha256", "'" + wasmSha + "' is not a SHA-256; expected 64 hex characters");
            }
            String signature = optionalString(tool, "tool", "signature");
            String signer = optionalString(tool, "tool", "signer_public_key");
            if ((signature == null) != (signer == null)) {
                fail("tool." + (signature == null ? "signature" : "signer_public_key"), tool,
                        signature == null ? "signer_public_key" : "signature",
                        "signature and signer_public_key go together; give both or neither");
            }

            // a component describes itself (describe()); the core fills the description from it at install
            String description = abi == null || abi == Abi.COMPONENT ? optionalString(mcp, "mcp", "description")
                    : requiredString(mcp, "mcp", "description");
            if (description == null) {
                description = "";
            }
            stringList(mcp, "mcp", "skip_tools"); // checked here, read by the core (skipTools)
            List<ToolArgument> arguments = arguments(mcp);
            String inputSchema = jsonSchema(mcp, "input_schema");
            String outputSchema = jsonSchema(mcp, "output_schema");
            if (inputSchema != null && !arguments.isEmpty()) {
                fail("mcp.input_schema", mcp, "input_schema",
                        "cannot be given together with [[mcp.arguments]]; keep one: flat arguments or a full JSON Schema");
            }
            ToolAnnotations annotations = annotations(mcp);
            SecurityRequest req = security(security);

            ToolManifest manifest = new ToolManifest(id, name, version, wasm, abi, title, description, arguments,
                    inputSchema, outputSchema, annotations, req);
            return new ParsedManifest(manifest, text, wasmSha == null ? null : wasmSha.toLowerCase(Locale.ROOT),
                    signature == null || signature.startsWith("v3:") ? signature : signature.toLowerCase(Locale.ROOT),
                    signer == null ? null : signer.toLowerCase(Locale.ROOT), buildCommand);
        }

        private void checkWasmPath(TomlTable tool, String wasm) {
            String why = null;
            if (wasm.isBlank()) {
                why = "must not be empty";
            } else if (wasm.startsWith("/") || wasm.startsWith("\\") || wasm.matches("^[A-Za-z]:.*")) {
                why = "'" + wasm + "' is absolute";
            } else if (wasm.contains("\\")) {
                why = "'" + wasm + "' contains '\\'";
            } else if (List.of(wasm.split("/")).contains("..")) {
                why = "'" + wasm + "' contains '..'";
            }
            if (why != null) {
                fail("tool.wasm", tool, "wasm", why + "; expected a relative path inside the package, such as \"echo.wasm\"");
            }
        }

        private List<ToolArgument> arguments(TomlTable mcp) {
            if (!mcp.contains("arguments")) {
                return List.of();
            }
            TomlArray array = mcp.getArrayOrEmpty("arguments");
            if (!mcp.isArray("arguments")) {
                fail("mcp.arguments", mcp, "arguments", "expected an array of tables ([[mcp.arguments]])");
            }
            for (int i = 0; i < array.size(); i++) {
                if (!array.isTable(i)) {
                    fail("mcp.arguments", mcp, "arguments", "expected an array of tables ([[mcp.arguments]]); item "
                            + i + " is " + describe(array.get(i)));
                }
            }
            List<ToolArgument> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                TomlTable arg = array.getTable(i);
                String prefix = "mcp.arguments[" + i + "]";
                unknownKeys(arg, prefix + ".", ARG_KEYS);
                String name = requiredString(arg, prefix, "name");
                if (name.isBlank()) {
                    fail(prefix + ".name", arg, "name", "must not be blank");
                }
                if (!names.add(name)) {
                    fail(prefix + ".name", arg, "name", "'" + name + "' is given twice; argument names must be unique");
                }
                String typeText = requiredString(arg, prefix, "type");
                ArgumentType type = ArgumentType.fromJsonName(typeText).orElseThrow(() -> error(prefix + ".type", arg,
                        "type", "'" + typeText + "' is not a type; expected one of string, number, integer, boolean,"
                                + " object, array" + suggestion(typeText, jsonTypes())));
                String desc = optionalString(arg, prefix, "description");
                boolean required = false;
                if (arg.contains("required")) {
                    if (!arg.isBoolean("required")) {
                        fail(prefix + ".required", arg, "required", "expected true or false, got " + describe(arg.get("required")));
                    }
                    required = Boolean.TRUE.equals(arg.getBoolean("required"));
                }
                out.add(new ToolArgument(name, type, desc == null ? "" : desc, required));
            }
            return out;
        }

        private Set<String> jsonTypes() {
            Set<String> s = new HashSet<>();
            for (ArgumentType t : ArgumentType.values()) {
                s.add(t.jsonName());
            }
            return s;
        }

        private String jsonSchema(TomlTable mcp, String key) {
            String schema = optionalString(mcp, "mcp", key);
            if (schema == null) {
                return null;
            }
            JsonNode node;
            try {
                node = JSON.readTree(schema);
            } catch (JacksonException e) {
                throw error("mcp." + key, mcp, key, "is not valid JSON (" + e.getOriginalMessage()
                        + "); expected a JSON Schema object such as '{\"type\":\"object\",\"properties\":{...}}'");
            }
            if (node == null || !node.isObject()) {
                fail("mcp." + key, mcp, key, "expected a JSON object (a JSON Schema), got " + (node == null ? "nothing" : node.getNodeType()));
            }
            JsonNode type = node.get("type");
            if (type == null || !type.isString() || !"object".equals(type.asString())) {
                fail("mcp." + key, mcp, key, "must have \"type\": \"object\" at its root (MCP requires object schemas)");
            }
            return JSON.writeValueAsString(node);
        }

        private ToolAnnotations annotations(TomlTable mcp) {
            if (!mcp.contains("annotations")) {
                return ToolAnnotations.NONE;
            }
            if (!mcp.isTable("annotations")) {
                fail("mcp.annotations", mcp, "annotations", "expected a table ([mcp.annotations])");
            }
            TomlTable a = mcp.getTable("annotations");
            unknownKeys(a, "mcp.annotations.", ANNOTATION_KEYS);
            return new ToolAnnotations(optionalBoolean(a, "mcp.annotations", "read_only"),
                    optionalBoolean(a, "mcp.annotations", "destructive"),
                    optionalBoolean(a, "mcp.annotations", "idempotent"),
                    optionalBoolean(a, "mcp.annotations", "open_world"));
        }

        private SecurityRequest security(TomlTable s) {
            if (s == null) {
                return SecurityRequest.denyAll();
            }
            FsAccess fs = FsAccess.NONE;
            String fsText = optionalString(s, "security", "fs_access");
            if (fsText != null) {
                fs = FsAccess.fromLabel(fsText).orElseThrow(() -> error("security.fs_access", s, "fs_access",
                        "'" + fsText + "' is not an access mode; expected \"none\", \"read-only\" or \"sandbox\""));
            }
            List<String> net = stringList(s, "net_allow_list");
            for (String h : net) {
                if (!NetPatterns.isValid(h)) {
                    fail("security.net_allow_list", s, "net_allow_list", "'" + h + "' is not a host pattern; expected"
                            + " a host (\"api.github.com\"), a suffix (\"*.example.org\"), an IP literal, optionally"
                            + " with \":port\", or \"*\"");
                }
            }
            List<String> env = stringList(s, "env_allow_list");
            for (String e : env) {
                if (!e.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    fail("security.env_allow_list", s, "env_allow_list", "'" + e
                            + "' is not an environment variable name; expected letters, digits and '_'");
                }
            }
            long mem = longIn(s, "max_memory_mb", SecurityRequest.DEFAULT_MAX_MEMORY_MB, 1, MAX_MEMORY_MB);
            long ms = longIn(s, "max_execution_ms", SecurityRequest.DEFAULT_MAX_EXECUTION_MS, 1, MAX_EXECUTION_MS);
            long fuel = longIn(s, "max_fuel", 0, 1, Long.MAX_VALUE);
            long out = longIn(s, "max_output_bytes", SecurityRequest.DEFAULT_MAX_OUTPUT_BYTES, 1, MAX_OUTPUT_BYTES);
            return new SecurityRequest(fs, net, env, (int) mem, ms, fuel, out);
        }

        private long longIn(TomlTable t, String key, long fallback, long min, long max) {
            if (!t.contains(key)) {
                return fallback;
            }
            if (!t.isLong(key)) {
                fail("security." + key, t, key, "expected a whole number, got " + describe(t.get(key)));
            }
            long v = t.getLong(key);
            if (v < min || v > max) {
                fail("security." + key, t, key, v + " is out of range; expected " + min + " to " + max);
            }
            return v;
        }

        private List<String> stringList(TomlTable t, String key) {
            return stringList(t, "security", key);
        }

        private List<String> stringList(TomlTable t, String section, String key) {
            if (!t.contains(key)) {
                return List.of();
            }
            if (!t.isArray(key)) {
                fail(section + "." + key, t, key, "expected an array of strings such as [\"a\", \"b\"], got " + describe(t.get(key)));
            }
            TomlArray a = t.getArray(key);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                Object v = a.get(i);
                if (!(v instanceof String str)) {
                    throw error(section + "." + key, t, key, "expected strings only; item " + i + " is " + describe(v));
                }
                out.add(str);
            }
            return out;
        }

        private TomlTable table(TomlTable parent, String key, boolean required) {
            if (!parent.contains(key)) {
                if (required) {
                    throw new ManifestException(file, key, 0, "the [" + key + "] table is missing; every tool.toml needs [tool] and [mcp]");
                }
                return null;
            }
            if (!parent.isTable(key)) {
                fail(key, parent, key, "expected a table ([" + key + "]), got " + describe(parent.get(key)));
            }
            return parent.getTable(key);
        }

        private void unknownKeys(TomlTable t, String prefix, Set<String> known) {
            for (String k : t.keySet()) {
                if (!known.contains(k)) {
                    throw error(prefix + k, t, k, "is not a known key" + suggestion(k, known)
                            + "; known keys here: " + String.join(", ", known.stream().sorted().toList()));
                }
            }
        }

        private String requiredString(TomlTable t, String section, String key) {
            if (!t.contains(key)) {
                throw new ManifestException(file, section + "." + key, 0, "is required but missing; add "
                        + key + " = \"...\" to [" + section.replaceAll("\\[\\d+]$", "") + "]");
            }
            return optionalString(t, section, key);
        }

        private String optionalString(TomlTable t, String section, String key) {
            if (!t.contains(key)) {
                return null;
            }
            if (!t.isString(key)) {
                fail(section + "." + key, t, key, "expected a string, got " + describe(t.get(key)));
            }
            return t.getString(key);
        }

        private Boolean optionalBoolean(TomlTable t, String section, String key) {
            if (!t.contains(key)) {
                return null;
            }
            if (!t.isBoolean(key)) {
                fail(section + "." + key, t, key, "expected true or false, got " + describe(t.get(key)));
            }
            return t.getBoolean(key);
        }

        private <T> T parseValue(TomlTable t, String section, String key, java.util.function.Function<String, T> f) {
            String v = requiredString(t, section, key);
            try {
                return f.apply(v);
            } catch (IllegalArgumentException e) {
                throw error(section + "." + key, t, key, e.getMessage());
            }
        }

        private void fail(String fullKey, TomlTable t, String key, String detail) {
            throw error(fullKey, t, key, detail);
        }

        private ManifestException error(String fullKey, TomlTable t, String key, String detail) {
            TomlPosition p = null;
            try {
                p = t.inputPositionOf(key);
            } catch (RuntimeException ignored) {
                // position is a nicety
            }
            return new ManifestException(file, fullKey, p == null ? 0 : p.line(), detail);
        }
    }

    /**
     * @param manifestToml the text of a manifest this parser accepted
     * @return its {@code [mcp] skip_tools}: the tools of a plugin offering several that are not
     *     offered (ADR 0120); empty when it gives none
     */
    public static List<String> skipTools(String manifestToml) {
        TomlParseResult toml = Toml.parse(manifestToml);
        TomlArray a = toml.getArray("mcp.skip_tools");
        List<String> out = new ArrayList<>();
        for (int i = 0; a != null && i < a.size(); i++) {
            if (a.get(i) instanceof String str) {
                out.add(str);
            }
        }
        return out;
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof TomlTable) {
            return "a table";
        }
        if (v instanceof TomlArray) {
            return "an array";
        }
        if (v instanceof Long || v instanceof Double) {
            return "the number " + v;
        }
        if (v instanceof Boolean) {
            return "the boolean " + v;
        }
        return v.getClass().getSimpleName() + " " + v;
    }

    /** @return {@code "; did you mean 'x'?"} for the closest known key within a small distance, else "" */
    static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        String lower = key.toLowerCase(Locale.ROOT);
        for (String k : known) {
            if (lower.length() >= 3 && k.startsWith(lower)) {
                return "; did you mean '" + k + "'?";
            }
        }
        for (String k : known) {
            int d = levenshtein(lower, k);
            if (d < bestD || (d == bestD && best != null && k.compareTo(best) < 0)) {
                best = k;
                bestD = d;
            }
        }
        int allowed = Math.max(2, key.length() / 3);
        return best != null && bestD <= allowed ? "; did you mean '" + best + "'?" : "";
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** For tests and tools: the known keys by table. */
    static Map<String, Set<String>> knownKeys() {
        return Map.of("", TOP, "tool", TOOL_KEYS, "mcp", MCP_KEYS, "mcp.arguments", ARG_KEYS, "mcp.annotations",
                ANNOTATION_KEYS, "security", SECURITY_KEYS, "build", BUILD_KEYS);
    }
}
