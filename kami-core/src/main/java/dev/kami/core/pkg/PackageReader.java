package dev.kami.core.pkg;

import dev.kami.core.internal.Causes;
import dev.kami.InstallException;
import dev.kami.ManifestException;
import dev.kami.core.manifest.ManifestParser;
import dev.kami.core.manifest.ManifestParser.ParsedManifest;
import dev.kami.core.signing.ToolSignatures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * Reads a tool package from a directory, a {@code .zip}, an {@code https://} URL of a zip, or the
 * GitHub shorthand {@code owner/repo@tag} (the release asset {@code plugin.zip}, as the original
 * KAMI). Everything is read into memory under bounds: module size, zip entry count, total
 * uncompressed bytes (counted while inflating, so a zip bomb stops early), download size and time.
 * Zip entries that would leave the package ({@code ..}, absolute, drive letters, backslashes) are
 * refused. Thread-safe.
 */
public final class PackageReader {
    /** The signature sidecar written by {@code kami sign}. */
    public static final String SIGNATURE_FILE = "tool.sig";
    /** The manifest's name. */
    public static final String MANIFEST_FILE = "tool.toml";

    private static final Pattern GITHUB = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9-]*)/([A-Za-z0-9._-]+)@([A-Za-z0-9._+-]+)$");

    private final Limits limits;
    private final HttpClient http;

    /**
     * Bounds on what a package may be.
     *
     * @param maxModuleBytes largest module
     * @param maxZipEntries most entries in a zip
     * @param maxUnzippedBytes most bytes a zip may inflate to, all entries together
     * @param maxDownloadBytes largest download
     * @param downloadTimeout longest download
     */
    public record Limits(long maxModuleBytes, int maxZipEntries, long maxUnzippedBytes, long maxDownloadBytes,
            Duration downloadTimeout) {
        /** @return 64 MiB modules, 1,000 entries, 128 MiB unzipped, 64 MiB downloads in 60 s */
        public static Limits defaults() {
            return new Limits(64L << 20, 1000, 128L << 20, 64L << 20, Duration.ofSeconds(60));
        }
    }

    /** Reads with the default limits. */
    public PackageReader() {
        this(Limits.defaults());
    }

    /** @param limits the bounds to apply */
    public PackageReader(Limits limits) {
        this.limits = limits;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(15)).build();
    }

    /**
     * @param source a directory, a {@code tool.toml}, a {@code .zip}, an {@code https://} URL, or
     *     {@code owner/repo@tag}
     * @return the package
     * @throws InstallException if it cannot be read or is unsafe
     * @throws ManifestException if its manifest is refused
     */
    public ToolPackage read(String source) {
        String s = source.trim();
        if (s.startsWith("https://") || s.startsWith("http://")) {
            return readZip(download(s), s);
        }
        Path p = Path.of(s);
        if (!Files.exists(p) && GITHUB.matcher(s).matches()) {
            return readZip(download(githubUrl(s)), s);
        }
        return read(p);
    }

    /** @return the package at a directory, its {@code tool.toml}, or a {@code .zip} */
    public ToolPackage read(Path path) {
        if (Files.isDirectory(path)) {
            return readDirectory(path);
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().equals(MANIFEST_FILE)) {
            return readDirectory(path.toAbsolutePath().getParent());
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
            try {
                if (Files.size(path) > limits.maxDownloadBytes()) {
                    throw new InstallException("zip " + path + " is " + Files.size(path) + " bytes; at most "
                            + limits.maxDownloadBytes() + " are accepted");
                }
                return readZip(Files.readAllBytes(path), path.toString());
            } catch (IOException e) {
                throw new InstallException("cannot read " + path + ": " + Causes.describe(e), e);
            }
        }
        if (!Files.exists(path)) {
            throw new InstallException("package " + path + " does not exist; give a directory holding tool.toml,"
                    + " a .zip, an https:// URL or owner/repo@tag");
        }
        throw new InstallException(path + " is not a package; give a directory holding tool.toml, a .zip, an"
                + " https:// URL or owner/repo@tag");
    }

    /** @return the release asset URL for {@code owner/repo@tag} */
    public static String githubUrl(String shorthand) {
        var m = GITHUB.matcher(shorthand);
        if (!m.matches()) {
            throw new InstallException("'" + shorthand + "' is not GitHub shorthand; expected owner/repo@tag");
        }
        return "https://github.com/" + m.group(1) + "/" + m.group(2) + "/releases/download/" + m.group(3)
                + "/plugin.zip";
    }

    private ToolPackage readDirectory(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        Path manifestFile = root.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new InstallException("no tool.toml in " + root + "; a package is a directory holding tool.toml and"
                    + " its module (create one with 'kami init')");
        }
        ParsedManifest parsed = ManifestParser.parseFile(manifestFile);
        String wasm = parsed.manifest().wasm();
        Path module = root.resolve(wasm).normalize();
        if (!module.startsWith(root)) {
            throw new InstallException("module path '" + wasm + "' in " + manifestFile + " leaves the package");
        }
        if (!Files.isRegularFile(module)) {
            throw new InstallException("module '" + wasm + "' named by " + manifestFile
                    + " does not exist; build it first, or fix [tool] wasm");
        }
        try {
            Path realRoot = root.toRealPath();
            Path realModule = module.toRealPath();
            if (!realModule.startsWith(realRoot)) {
                throw new InstallException("module '" + wasm + "' in " + root + " is a link to " + realModule
                        + ", outside the package; copy the module into the package");
            }
            long size = Files.size(module);
            if (size > limits.maxModuleBytes()) {
                throw new InstallException("module '" + wasm + "' is " + size + " bytes; at most "
                        + limits.maxModuleBytes() + " are accepted");
            }
            byte[] bytes = Files.readAllBytes(module);
            Path sig = root.resolve(SIGNATURE_FILE);
            String sigText = Files.isRegularFile(sig, LinkOption.NOFOLLOW_LINKS)
                    ? Files.readString(sig, StandardCharsets.UTF_8) : null;
            return build(parsed, bytes, sigText, root.toString(), root);
        } catch (IOException e) {
            throw new InstallException("cannot read package " + root + ": " + Causes.describe(e), e);
        }
    }

    /**
     * @param zip the archive's bytes
     * @param source shown in messages and recorded as the tool's source
     * @return the package inside
     */
    public ToolPackage readZip(byte[] zip, String source) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        long total = 0;
        int count = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++count > limits.maxZipEntries()) {
                    throw new InstallException("zip " + source + " has more than " + limits.maxZipEntries()
                            + " entries; refused as a possible zip bomb");
                }
                String name = e.getName();
                checkEntryName(name, source);
                if (e.isDirectory()) {
                    continue;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > limits.maxUnzippedBytes()) {
                        throw new InstallException("zip " + source + " inflates to more than "
                                + limits.maxUnzippedBytes() + " bytes; refused as a possible zip bomb");
                    }
                    out.write(buf, 0, n);
                }
                files.put(name, out.toByteArray());
            }
        } catch (IOException e) {
            throw new InstallException("zip " + source + " is not a valid archive: " + Causes.describe(e), e);
        } catch (IllegalArgumentException e) { // the JDK's answer to an entry name that is not UTF-8
            throw new InstallException("zip " + source + " has an entry whose name is not valid UTF-8 (entry "
                    + (count) + "); repack it with a zip tool that writes UTF-8 names", e);
        }
        if (count == 0) {
            throw new InstallException(source + " is not a zip archive (no entries); give a zip holding tool.toml and its module");
        }
        String prefix = "";
        if (!files.containsKey(MANIFEST_FILE)) {
            String found = files.keySet().stream().filter(k -> k.endsWith("/" + MANIFEST_FILE))
                    .filter(k -> k.indexOf('/') == k.length() - MANIFEST_FILE.length() - 1).findFirst().orElse(null);
            if (found == null) {
                throw new InstallException("zip " + source + " holds no tool.toml at its root or in one top-level directory");
            }
            prefix = found.substring(0, found.length() - MANIFEST_FILE.length());
        }
        ParsedManifest parsed = ManifestParser.parse(files.get(prefix + MANIFEST_FILE), source + "!/" + prefix + MANIFEST_FILE);
        String wasm = parsed.manifest().wasm();
        byte[] module = files.get(prefix + wasm);
        if (module == null) {
            throw new InstallException("module '" + wasm + "' named by tool.toml is not in zip " + source);
        }
        if (module.length > limits.maxModuleBytes()) {
            throw new InstallException("module '" + wasm + "' is " + module.length + " bytes; at most "
                    + limits.maxModuleBytes() + " are accepted");
        }
        byte[] sig = files.get(prefix + SIGNATURE_FILE);
        return build(parsed, module, sig == null ? null : new String(sig, StandardCharsets.UTF_8), source, null);
    }

    private static void checkEntryName(String name, String source) {
        String n = name.replace('\\', '/');
        boolean bad = name.contains("\\") || n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.contains("\0");
        for (String part : n.split("/")) {
            if (part.equals("..")) {
                bad = true;
            }
        }
        if (bad) {
            throw new InstallException("zip " + source + " has an entry '" + name
                    + "' that would leave the package (zip slip); refused");
        }
    }

    private ToolPackage build(ParsedManifest parsed, byte[] module, String sigText, String source, Path dir) {
        String sha = ToolSignatures.sha256Hex(module);
        if (parsed.wasmSha256() != null && !parsed.wasmSha256().equals(sha)) {
            throw new InstallException("module of " + parsed.manifest().id() + " has SHA-256 " + sha
                    + " but tool.toml says wasm_sha256 = " + parsed.wasmSha256() + "; rebuild or fix the manifest");
        }
        String signature = parsed.signature();
        String signer = parsed.signerPublicKey();
        if (sigText != null) {
            TomlParseResult t = Toml.parse(sigText);
            signature = t.getString("signature");
            signer = t.getString("public_key");
            if (t.hasErrors() || signature == null || signer == null) {
                throw new InstallException("tool.sig in " + source + " is malformed; expected signature = \"<hex>\" and"
                        + " public_key = \"<hex>\" (as 'kami sign' writes)");
            }
            if (!ToolSignatures.isPackageSignature(signature)) { // a v3 token carries base64url text
                signature = signature.toLowerCase(Locale.ROOT);
            }
            signer = signer.toLowerCase(Locale.ROOT);
        }
        return new ToolPackage(parsed, module, sha, signature, signer, source, dir);
    }

    private byte[] download(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InstallException("'" + url + "' is not a URL: " + Causes.describe(e));
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1");
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw new InstallException("'" + url + "': only https:// URLs are installed (plain http only from"
                    + " localhost, for local mirrors and tests)");
        }
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(limits.downloadTimeout()).GET().build();
        try {
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                if (resp.statusCode() != 200) {
                    throw new InstallException("download of " + url + " failed with HTTP " + resp.statusCode());
                }
                long declared = resp.headers().firstValueAsLong("content-length").orElse(-1);
                if (declared > limits.maxDownloadBytes()) {
                    throw new InstallException("download of " + url + " is " + declared + " bytes; at most "
                            + limits.maxDownloadBytes() + " are accepted");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[16384];
                int n;
                long total = 0;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > limits.maxDownloadBytes()) {
                        throw new InstallException("download of " + url + " exceeded " + limits.maxDownloadBytes()
                                + " bytes; refused");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            }
        } catch (IOException e) {
            throw new InstallException("download of " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("download of " + url + " was interrupted", e);
        }
    }
}
