package dev.kami.benchmarks;

import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.ToolResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The fresh-JVM and many-tools measurements of scripts/startup-bench.sh, one step per process so
 * that each "fresh JVM" number is one: each mode prints one line of {@code key=value} pairs.
 *
 * <ul>
 *   <li>{@code empty <home> <url>}: {@code Kami.builder().build()} on an empty registry.
 *   <li>{@code first <home> <url> <tool> <json>}: build, then the first call of an installed tool.
 *   <li>{@code install-many <home> <url> <n> <hello-wat dir>}: installs n distinct copies of the
 *       hello-wat sample (each with another data segment, so another module and digest).
 *   <li>{@code install <home> <url> <dir>}: installs one package.
 *   <li>{@code clear-code <home> <url>}: deletes every compiled-code row (the "without the cache" runs).
 *   <li>{@code list <home> <url>}: build, then {@code list()}.
 *   <li>{@code roundrobin <home> <url> <rounds>}: calls every installed tool round-robin against
 *       calling one of them as often, both after a warm-up round, in one JVM.
 * </ul>
 */
public final class StartupBench {
    private static final String HELLO_DATA = "missing argument 'name' (a string)";

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path home = Path.of(args[1]);
        String url = args[2];
        long t0 = System.nanoTime();
        switch (mode) {
            case "empty" -> {
                try (Kami kami = Kami.builder().home(home).storeUrl(url).build()) {
                    print("build_ms", ms(t0), "tools", kami.list().size());
                }
            }
            case "first" -> {
                try (Kami kami = Kami.builder().home(home).storeUrl(url).build()) {
                    long t1 = System.nanoTime();
                    ToolResult r = kami.call(args[3], args[4]);
                    long t2 = System.nanoTime();
                    if (r.isError()) {
                        throw new IllegalStateException("the call failed: " + r.text());
                    }
                    print("build_ms", ms(t0, t1), "first_call_ms", ms(t1, t2), "compile_ms",
                            r.timings().compile().toNanos() / 1e6, "compilations", kami.metrics().compilations());
                }
            }
            case "install" -> {
                try (Kami kami = Kami.builder().home(home).storeUrl(url).build()) {
                    kami.install(Path.of(args[3]));
                    print("install_ms", ms(t0), "compilations", kami.metrics().compilations());
                }
            }
            case "clear-code" -> {
                try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                        java.sql.Statement st = c.createStatement()) {
                    print("deleted", st.executeUpdate("DELETE FROM kami_compiled"));
                }
            }
            case "install-many" -> installMany(home, url, Integer.parseInt(args[3]), Path.of(args[4]));
            case "list" -> {
                try (Kami kami = Kami.builder().home(home).storeUrl(url).build()) {
                    long t1 = System.nanoTime();
                    List<InstalledTool> all = kami.list();
                    long t2 = System.nanoTime();
                    print("build_ms", ms(t0, t1), "list_ms", ms(t1, t2), "tools", all.size());
                }
            }
            case "roundrobin" -> roundRobin(home, url, Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static void installMany(Path home, String url, int n, Path hello) throws IOException {
        byte[] wasm = Files.readAllBytes(hello.resolve("hello-wat.wasm"));
        String toml = Files.readString(hello.resolve("tool.toml"));
        byte[] data = HELLO_DATA.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(wasm, data);
        if (at < 0) {
            throw new IllegalStateException("the hello-wat module no longer holds \"" + HELLO_DATA + "\"");
        }
        Path pkgs = Files.createDirectories(home.resolve("generated"));
        long t0 = System.nanoTime();
        try (Kami kami = Kami.builder().home(home).storeUrl(url).build()) {
            for (int i = 0; i < n; i++) {
                String text = String.format(Locale.ROOT, "missing argument 'name' (tool %04d)", i);
                byte[] copy = wasm.clone();
                System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, copy, at, data.length);
                Path p = Files.createDirectories(pkgs.resolve("t" + i));
                Files.write(p.resolve("hello-wat.wasm"), copy);
                Files.writeString(p.resolve("tool.toml"), toml.replace("id = \"dev.kami.hello-wat\"",
                        "id = \"dev.kami.hello-" + i + "\"").replace("abi = \"kami-v1\"\n", ""));
                kami.install(p);
            }
            print("installed", n, "install_ms_each", ms(t0) / n, "compilations", kami.metrics().compilations());
        }
    }

    private static void roundRobin(Path home, String url, int rounds) {
        try (Kami kami = Kami.builder().home(home).storeUrl(url).build()) {
            List<String> ids = new ArrayList<>();
            kami.list().forEach(t -> ids.add(t.id().value()));
            String args = "{\"name\":\"bench\"}";
            long t0 = System.nanoTime();
            for (String id : ids) { // first call of each: loaded from the compiled-code cache
                check(kami.call(id, args));
            }
            long firstAll = System.nanoTime() - t0;
            String hot = ids.get(0);
            for (int i = 0; i < 2000; i++) { // warm the JIT on the call path
                check(kami.call(hot, args));
            }
            int calls = rounds * ids.size();
            long[] rr = new long[3];
            long[] one = new long[3];
            for (int rep = 0; rep < 3; rep++) { // interleaved, so both see the same load
                long a = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    for (String id : ids) {
                        check(kami.call(id, args));
                    }
                }
                rr[rep] = System.nanoTime() - a;
                long b = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    check(kami.call(hot, args));
                }
                one[rep] = System.nanoTime() - b;
            }
            Arrays.sort(rr);
            Arrays.sort(one);
            double rrUs = rr[1] / 1e3 / calls;
            double oneUs = one[1] / 1e3 / calls;
            Runtime rt = Runtime.getRuntime();
            print("tools", ids.size(), "first_call_all_ms", firstAll / 1e6, "roundrobin_us_per_call", rrUs,
                    "hot_us_per_call", oneUs, "ratio", rrUs / oneUs, "compilations", kami.metrics().compilations(),
                    "cached_modules", kami.metrics().cachedModules(), "heap_used_mb",
                    (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024));
        }
    }

    private static void check(ToolResult r) {
        if (r.isError()) {
            throw new IllegalStateException("a call failed: " + r.text());
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static double ms(long from) {
        return ms(from, System.nanoTime());
    }

    private static double ms(long from, long to) {
        return (to - from) / 1e6;
    }

    private static void print(Object... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            b.append(i == 0 ? "" : " ").append(kv[i]).append('=')
                    .append(v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : v);
        }
        System.out.println(b);
    }
}
