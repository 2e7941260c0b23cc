package dev.kami.core.signing;

import dev.kami.manifest.SecurityRequest;
import dev.kami.manifest.ToolArgument;
import dev.kami.manifest.ToolManifest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a tool signature covers (ADR 0012). The current scheme ({@link Scheme#PACKAGE}) signs the
 * module's SHA-256 <em>and</em> the canonical form of the whole manifest: identity ({@code [tool]}),
 * what the model sees ({@code [mcp]}), permissions and limits ({@code [security]}). Its token,
 * {@code v3:<signed text, base64url>:<signature hex>}, carries the text it signed, so a changed
 * field is named when it no longer matches. Older signatures still verify: KAMI's first version
 * over the module and {@code [security]} ({@link Scheme#V2}), and the original KAMI's over the
 * module alone or its digest ({@link Scheme#MODULE_ONLY}). Stateless and thread-safe.
 */
public final class ToolSignatures {
    /** The prefix of a whole-package signature token. */
    public static final String PACKAGE_PREFIX = "v3:";
    private static final String V3_HEADER = "kami-signature-v3\n";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private ToolSignatures() {
    }

    /** Which form a signature verified as. */
    public enum Scheme {
        /** Module digest and the whole manifest. */
        PACKAGE,
        /** Module digest and requested permissions (KAMI's first signature version). */
        V2,
        /** The module alone (original KAMI); permissions are not covered. */
        MODULE_ONLY,
        /** Does not verify. */
        INVALID
    }

    /**
     * How a signature verified.
     *
     * @param scheme the form it verified as, or {@link Scheme#INVALID}
     * @param changes for a whole-package signature that no longer matches, each changed field as
     *     {@code [tool] version: signed "1.0.0", now "2.0.0"}; empty otherwise
     */
    public record Verification(Scheme scheme, List<String> changes) {
        /** Copies. */
        public Verification {
            changes = List.copyOf(changes);
        }
    }

    /** @return whether the signature text is a whole-package token */
    public static boolean isPackageSignature(String signature) {
        return signature != null && signature.startsWith(PACKAGE_PREFIX);
    }

    /**
     * The canonical form of a package: one {@code key=value} line per field, sorted by key, values
     * as JSON strings (schemas as JSON with sorted keys), so a field reads the same however the
     * TOML was written.
     *
     * @return the fields a whole-package signature covers
     */
    public static Map<String, String> canonicalFields(String moduleSha256, ToolManifest m) {
        Map<String, String> f = new TreeMap<>();
        f.put("module_sha256", moduleSha256);
        f.put("tool.id", m.id().value());
        f.put("tool.name", m.name());
        f.put("tool.version", m.version().toString());
        f.put("tool.wasm", m.wasm());
        f.put("tool.abi", m.abi() == null ? "" : m.abi().label());
        f.put("tool.title", m.title() == null ? "" : m.title());
        f.put("mcp.description", m.description());
        f.put("mcp.input_schema", canonicalJson(m.effectiveInputSchema()));
        List<String> args = new ArrayList<>();
        for (ToolArgument a : m.arguments()) {
            args.add(a.name() + ":" + a.type().jsonName() + ":" + a.required() + ":" + a.description());
        }
        f.put("mcp.arguments", String.join("\u001f", args));
        f.put("mcp.output_schema", m.outputSchema() == null ? "" : canonicalJson(m.outputSchema()));
        f.put("mcp.annotations.read_only", String.valueOf(m.annotations().readOnly()));
        f.put("mcp.annotations.destructive", String.valueOf(m.annotations().destructive()));
        f.put("mcp.annotations.idempotent", String.valueOf(m.annotations().idempotent()));
        f.put("mcp.annotations.open_world", String.valueOf(m.annotations().openWorld()));
        SecurityRequest s = m.security();
        f.put("security.fs_access", s.fsAccess().label());
        f.put("security.net_allow_list", String.join(",", s.netAllowList().stream().sorted().toList()));
        f.put("security.env_allow_list", String.join(",", s.envAllowList().stream().sorted().toList()));
        f.put("security.max_memory_mb", String.valueOf(s.maxMemoryMb()));
        f.put("security.max_execution_ms", String.valueOf(s.maxExecutionMs()));
        f.put("security.max_fuel", String.valueOf(s.maxFuel()));
        f.put("security.max_output_bytes", String.valueOf(s.maxOutputBytes()));
        return f;
    }

    /** @return the text a whole-package signature signs (after its header line) */
    public static String canonicalText(String moduleSha256, ToolManifest m) {
        StringBuilder b = new StringBuilder();
        canonicalFields(moduleSha256, m).forEach((k, v) -> b.append(k).append('=').append(quote(v)).append('\n'));
        return b.toString();
    }

    /** @return a whole-package signature token of the module and its manifest */
    public static String signPackage(String secretKeyHex, byte[] module, ToolManifest manifest) {
        String text = canonicalText(sha256Hex(module), manifest);
        String sig = Ed25519.sign(secretKeyHex, (V3_HEADER + text).getBytes(StandardCharsets.UTF_8));
        return PACKAGE_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8))
                + ":" + sig;
    }

    /**
     * Verifies any signature form against a module and its manifest.
     *
     * @return how it verified; for a whole-package token that verifies but no longer matches, the
     *     scheme is {@link Scheme#INVALID} and the changed fields are named
     */
    public static Verification check(String publicKeyHex, String signature, byte[] module, ToolManifest manifest) {
        return check(publicKeyHex, signature, sha256Hex(module), () -> module, manifest);
    }

    /**
     * As {@link #check(String, String, byte[], ToolManifest)}, given the module's SHA-256: the
     * module's bytes are read (through {@code module}) only for an original-KAMI signature made
     * over the raw bytes, which no digest can stand for. The caller vouches that the digest is the
     * module's (the registry recorded it at install and checks it before every compile).
     */
    public static Verification check(String publicKeyHex, String signature, String moduleSha256,
            java.util.function.Supplier<byte[]> module, ToolManifest manifest) {
        if (!isPackageSignature(signature)) {
            return new Verification(verify(publicKeyHex, signature, moduleSha256, module, manifest.security()),
                    List.of());
        }
        String[] parts = signature.split(":", -1);
        if (parts.length != 3) {
            return new Verification(Scheme.INVALID, List.of("the signature token is malformed (expected"
                    + " v3:<signed text>:<signature>)"));
        }
        String signed;
        try {
            signed = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Verification(Scheme.INVALID, List.of("the signature token's signed text is not base64url"));
        }
        if (!Ed25519.verify(publicKeyHex, (V3_HEADER + signed).getBytes(StandardCharsets.UTF_8),
                parts[2].toLowerCase(Locale.ROOT))) {
            return new Verification(Scheme.INVALID, List.of("the signature does not verify over the text it carries"
                    + " (the token was altered, or made by another key)"));
        }
        Map<String, String> then = parseCanonical(signed);
        Map<String, String> now = canonicalFields(moduleSha256, manifest);
        List<String> changes = new ArrayList<>();
        for (Map.Entry<String, String> e : now.entrySet()) {
            String before = then.get(e.getKey());
            if (before == null) {
                continue; // a field this signature's version did not know
            }
            if (!before.equals(e.getValue())) {
                changes.add(fieldName(e.getKey()) + ": signed " + quote(shorten(before)) + ", now "
                        + quote(shorten(e.getValue())));
            }
        }
        if (!then.containsKey("module_sha256") || !then.containsKey("tool.id")) {
            changes.add("the signed text covers neither module nor identity");
        }
        return new Verification(changes.isEmpty() ? Scheme.PACKAGE : Scheme.INVALID, changes);
    }

    /** @return {@code [tool] version} for {@code tool.version}; {@code the module (sha256)} for the digest */
    static String fieldName(String key) {
        if (key.equals("module_sha256")) {
            return "the module (sha256)";
        }
        int dot = key.indexOf('.');
        String section = key.substring(0, dot);
        String rest = key.substring(dot + 1);
        if (rest.startsWith("annotations.")) {
            return "[mcp.annotations] " + rest.substring("annotations.".length());
        }
        return "[" + section + "] " + rest;
    }

    private static Map<String, String> parseCanonical(String text) {
        Map<String, String> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            try {
                out.put(line.substring(0, eq), JSON.readValue(line.substring(eq + 1), String.class));
            } catch (JacksonException e) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s);
    }

    private static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    /** JSON text re-written with sorted keys and no spaces; the text itself when it is not JSON. */
    static String canonicalJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            StringBuilder b = new StringBuilder();
            write(n, b);
            return b.toString();
        } catch (JacksonException e) {
            return json;
        }
    }

    private static void write(JsonNode n, StringBuilder b) {
        if (n.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                sorted.put(e.getKey(), e.getValue());
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append(quote(e.getKey())).append(':');
                write(e.getValue(), b);
            }
            b.append('}');
        } else if (n.isArray()) {
            b.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(n.get(i), b);
            }
            b.append(']');
        } else {
            b.append(JSON.writeValueAsString(n));
        }
    }

    /** @return the bytes a V2 signature covers */
    public static byte[] v2Message(String moduleSha256, SecurityRequest security) {
        return ("kami-signature-v2\nmodule_sha256=" + moduleSha256 + "\n" + security.canonical())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** @return a V2 signature (hex) of the module and its requested permissions (KAMI's first version) */
    public static String sign(String secretKeyHex, byte[] module, SecurityRequest security) {
        return Ed25519.sign(secretKeyHex, v2Message(sha256Hex(module), security));
    }

    /** @return how a hex (V2 or original) signature verifies, if at all */
    public static Scheme verify(String publicKeyHex, String signatureHex, byte[] module, SecurityRequest security) {
        return verify(publicKeyHex, signatureHex, sha256Hex(module), () -> module, security);
    }

    private static Scheme verify(String publicKeyHex, String signatureHex, String sha,
            java.util.function.Supplier<byte[]> module, SecurityRequest security) {
        if (Ed25519.verify(publicKeyHex, v2Message(sha, security), signatureHex)) {
            return Scheme.V2;
        }
        if (Ed25519.verify(publicKeyHex, HexFormat.of().parseHex(sha), signatureHex)
                || Ed25519.verify(publicKeyHex, module.get(), signatureHex)) {
            return Scheme.MODULE_ONLY;
        }
        return Scheme.INVALID;
    }

    /** @return the SHA-256 of the bytes, lowercase hex */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
