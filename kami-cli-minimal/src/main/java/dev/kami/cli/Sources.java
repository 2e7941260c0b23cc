package dev.kami.cli;

import dev.kami.core.pkg.PackageReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Where packages come from (ADR 0506). A local directory or {@code .zip} is read in place. A
 * remote one ({@code https://} URL, or GitHub {@code owner/repo@tag}) is downloaded by the CLI,
 * bounded in size and time and with a progress line when stdout is a terminal, into
 * {@code $KAMI_HOME/downloads/}; the original source is recorded in the registry
 * ({@code InstallOptions.withSource}) so that {@code kami update} goes back to it from any node.
 */
final class Sources {
    static final long MAX_DOWNLOAD_BYTES = 64L << 20;
    static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern GITHUB = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+@[A-Za-z0-9._+-]+$");

    /** A source resolved to a local path: what to read, and what to remember. */
    record Local(Path path, String original, boolean remote) {
    }

    private Sources() {
    }

    static boolean isRemote(String source) {
        return source.startsWith("https://") || source.startsWith("http://")
                || (GITHUB.matcher(source).matches() && !Files.exists(Path.of(source)));
    }

    /** @return the local path of a source, downloading it first if remote */
    static Local resolve(KamiCli root, String source) {
        String s = source.trim();
        if (!isRemote(s)) {
            Path p = Path.of(s);
            if (!Files.exists(p)) {
                throw Exit.notFound("package " + p + " does not exist", "give a directory holding tool.toml, a .zip,"
                        + " an https:// URL or owner/repo@tag");
            }
            return new Local(p.toAbsolutePath().normalize(), p.toAbsolutePath().normalize().toString(), false);
        }
        String url = s.startsWith("http") ? s : PackageReader.githubUrl(s);
        Path dir = root.home().resolve("downloads");
        String name = s.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (name.length() > 120) {
            name = name.substring(name.length() - 120);
        }
        Path target = dir.resolve(name.endsWith(".zip") ? name : name + ".zip");
        download(url, target, root.json ? null : root.err);
        return new Local(target, s, true);
    }

    private static void download(String url, Path target, PrintStream progress) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw Exit.usage("'" + url + "' is not a URL: " + Exit.why(e), null);
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw Exit.refused("'" + url + "': only https:// URLs are downloaded (plain http only from localhost)",
                    "use the https:// address of the package");
        }
        boolean bar = progress != null && KamiCli.interactive();
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(15)).build();
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(DOWNLOAD_TIMEOUT).GET().build();
        long deadline = System.nanoTime() + DOWNLOAD_TIMEOUT.toNanos();
        try {
            Files.createDirectories(target.getParent());
            Path part = Files.createTempFile(target.getParent(), "download", ".part");
            try {
                HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                long total = resp.headers().firstValueAsLong("content-length").orElse(-1);
                try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(part)) {
                    if (resp.statusCode() != 200) {
                        throw Exit.notFound("download of " + url + " failed with HTTP " + resp.statusCode(),
                                "check the URL, or the release tag and its plugin.zip asset");
                    }
                    if (total > MAX_DOWNLOAD_BYTES) {
                        throw Exit.refused("download of " + url + " is " + total + " bytes; at most "
                                + MAX_DOWNLOAD_BYTES + " are accepted", null);
                    }
                    byte[] buf = new byte[16384];
                    long done = 0;
                    long lastShown = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        done += n;
                        if (done > MAX_DOWNLOAD_BYTES) {
                            throw Exit.refused("download of " + url + " exceeded " + MAX_DOWNLOAD_BYTES + " bytes",
                                    null);
                        }
                        if (System.nanoTime() > deadline) {
                            throw Exit.failure("download of " + url + " took longer than "
                                    + DOWNLOAD_TIMEOUT.toSeconds() + " s", "retry, or download it and install the .zip");
                        }
                        out.write(buf, 0, n);
                        if (bar && done - lastShown >= 64 * 1024) {
                            lastShown = done;
                            progress.print("\rdownloading " + url + "  " + bar(done, total));
                        }
                    }
                    if (bar) {
                        progress.println("\rdownloading " + url + "  " + bar(done, total <= 0 ? done : total));
                    }
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw Exit.failure("download of " + url + " failed: " + Exit.why(e), "check the network and the URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Exit.failure("download of " + url + " was interrupted", null);
        }
    }

    private static String bar(long done, long total) {
        if (total <= 0) {
            return (done / 1024) + " KiB";
        }
        int width = 30;
        int filled = (int) Math.min(width, done * width / total);
        return "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + (done * 100 / total) + "% ("
                + (done / 1024) + "/" + (total / 1024) + " KiB)";
    }

    /** Remembers where a tool came from, when that was remote. */
}
