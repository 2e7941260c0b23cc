package dev.kami.core.registry;

import dev.kami.core.internal.Causes;
import dev.kami.InstallException;
import dev.kami.core.pkg.ToolPackage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A registry index: the original KAMI's JSON list of tools (a top-level array of entries, or
 * {@code {"tools": [...]}}), read from a file or an {@code http(s)://} URL with bounded size and
 * time, searched by words, and extended by {@code kami publish} with {@link #entryFor}.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * RegistryIndex index = RegistryIndex.load(RegistryIndex.DEFAULT_URL);
 * for (RegistryEntry e : index.search("json")) {
 *     log.info("{} {}: kami install {}", e.id(), e.version(), e.source());
 * }
 * }</pre>
 */
public final class RegistryIndex {
    /** The community index the original KAMI searches. */
    public static final String DEFAULT_URL = "https://raw.githubusercontent.com/kami-tools/registry/main/index.json";
    /** Largest index accepted (8 MiB). */
    public static final long MAX_INDEX_BYTES = 8L << 20;
    /** Longest an index download may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final List<RegistryEntry> entries;
    private final String origin;

    private RegistryIndex(List<RegistryEntry> entries, String origin) {
        this.entries = List.copyOf(entries);
        this.origin = origin;
    }

    /** @return the entries, in index order */
    public List<RegistryEntry> entries() {
        return entries;
    }

    /** @return where the index was read from */
    public String origin() {
        return origin;
    }

    /**
     * @param query words that must all appear in an entry's id, name or description
     *     (case-insensitive); blank lists every entry
     * @return the matching entries: exact id or name matches first, then by id
     */
    public List<RegistryEntry> search(String query) {
        String q = Objects.requireNonNull(query, "query").trim().toLowerCase(Locale.ROOT);
        return entries.stream().filter(e -> e.matches(q))
                .sorted(Comparator.comparing((RegistryEntry e) -> !(e.id().equalsIgnoreCase(q)
                        || e.name().equalsIgnoreCase(q))).thenComparing(RegistryEntry::id))
                .toList();
    }

    /**
     * Reads an index from a file path or an {@code http(s)://} URL.
     *
     * @throws InstallException if it cannot be read, is too large or slow, or is not an index
     */
    public static RegistryIndex load(String fileOrUrl) {
        Objects.requireNonNull(fileOrUrl, "fileOrUrl");
        String s = fileOrUrl.trim();
        if (s.startsWith("https://") || s.startsWith("http://")) {
            return parse(new String(download(s), StandardCharsets.UTF_8), s);
        }
        Path p = Path.of(s);
        try {
            if (!Files.isRegularFile(p)) {
                throw new InstallException("registry index " + p + " does not exist; give a JSON file or an"
                        + " https:// URL (--index)");
            }
            if (Files.size(p) > MAX_INDEX_BYTES) {
                throw new InstallException("registry index " + p + " is " + Files.size(p) + " bytes; at most "
                        + MAX_INDEX_BYTES + " are accepted");
            }
            return parse(Files.readString(p, StandardCharsets.UTF_8), p.toString());
        } catch (IOException e) {
            throw new InstallException("cannot read registry index " + p + ": " + Causes.describe(e), e);
        }
    }

    /**
     * @param json a top-level array of entries, or an object with a {@code tools} array
     * @param origin named in messages
     * @throws InstallException if it is not an index
     */
    public static RegistryIndex parse(String json, String origin) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InstallException("registry index " + origin + " is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode list = root != null && root.isObject() ? root.get("tools") : root;
        if (list == null || !list.isArray()) {
            throw new InstallException("registry index " + origin + " is neither a JSON array of tools nor an"
                    + " object with a \"tools\" array");
        }
        List<RegistryEntry> out = new ArrayList<>();
        int i = 0;
        for (JsonNode n : list) {
            if (!n.isObject()) {
                throw new InstallException("registry index " + origin + ": entry " + i + " is not an object");
            }
            try {
                out.add(new RegistryEntry(text(n, "id"), text(n, "name"), text(n, "version"), text(n, "description"),
                        text(n, "source"), text(n, "wasm_sha256"), text(n, "signature"), text(n, "signer_public_key")));
            } catch (IllegalArgumentException e) {
                throw new InstallException("registry index " + origin + ": entry " + i + ": " + e.getMessage(), e);
            }
            i++;
        }
        return new RegistryIndex(out, origin);
    }

    /**
     * The entry {@code kami publish} prints for a package.
     *
     * @param pkg the package as read by {@code PackageReader}
     * @param source where users will install it from ({@code owner/repo@tag}); when null, the
     *     package's own source
     */
    public static RegistryEntry entryFor(ToolPackage pkg, String source) {
        var m = pkg.manifest();
        return new RegistryEntry(m.id().value(), m.name(), m.version().toString(), m.description(),
                source != null ? source : pkg.source(), pkg.sha256(), pkg.signature(), pkg.signerKey());
    }

    /** @return the entry as index JSON (snake_case keys, unsigned fields omitted), indented */
    public static String toJson(RegistryEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("name", e.name());
        m.put("version", e.version());
        m.put("description", e.description());
        m.put("source", e.source());
        if (e.wasmSha256() != null) {
            m.put("wasm_sha256", e.wasmSha256());
        }
        if (e.signed()) {
            m.put("signature", e.signature());
            m.put("signer_public_key", e.signerPublicKey());
        }
        return JSON.writeValueAsString(m);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new IllegalArgumentException("'" + field + "' must be a string, got " + v.getNodeType());
        }
        return v.asString();
    }

    private static byte[] download(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InstallException("'" + url + "' is not a URL: " + Causes.describe(e), e);
        }
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(TIMEOUT).build();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                if (resp.statusCode() != 200) {
                    throw new InstallException("registry index " + url + " answered HTTP " + resp.statusCode());
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[16384];
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (out.size() + (long) n > MAX_INDEX_BYTES) {
                        throw new InstallException("registry index " + url + " is larger than " + MAX_INDEX_BYTES
                                + " bytes; refused");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new InstallException("registry index " + url + " took longer than " + TIMEOUT.toSeconds()
                                + " s to download");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            }
        } catch (IOException e) {
            throw new InstallException("cannot download registry index " + url + ": " + Causes.describe(e)
                    + "; check the URL or use a local file (--index FILE)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("download of registry index " + url + " was interrupted", e);
        }
    }
}
