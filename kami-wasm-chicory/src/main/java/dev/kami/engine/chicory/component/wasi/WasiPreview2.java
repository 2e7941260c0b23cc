package dev.kami.engine.chicory.component.wasi;

import dev.kami.engine.chicory.component.CType;
import dev.kami.engine.chicory.component.ComponentHost;
import dev.kami.engine.chicory.component.ComponentTrap;
import dev.kami.engine.chicory.component.HostFunc;
import dev.kami.engine.chicory.component.Variant;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * WASI 0.2 (preview 2) for tools, on lifted values: {@code wasi:cli} (environment, exit, stdin,
 * stdout, stderr, terminal-*), {@code wasi:io} (error, streams, poll), {@code wasi:clocks} (wall,
 * monotonic), {@code wasi:random} (random, insecure, insecure-seed) and {@code wasi:filesystem}
 * (types, preopens) over the call's {@link FileSystemView}, {@code wasi:http} (outgoing-handler,
 * types) through {@link WasiHttp}. Every 0.2.x minor version is
 * accepted. One instance per call; confined to the calling thread.
 */
public final class WasiPreview2 implements ComponentHost {
    /** The functions this host provides, by interface (without version) and name. */
    static final Map<String, Set<String>> PROVIDED = new TreeMap<>();

    static {
        provide("wasi:io/error", "[method]error.to-debug-string");
        provide("wasi:io/poll", "[method]pollable.ready", "[method]pollable.block", "poll");
        provide("wasi:io/streams", "[method]input-stream.read", "[method]input-stream.blocking-read",
                "[method]input-stream.skip", "[method]input-stream.blocking-skip", "[method]input-stream.subscribe",
                "[method]output-stream.check-write", "[method]output-stream.write",
                "[method]output-stream.blocking-write-and-flush", "[method]output-stream.flush",
                "[method]output-stream.blocking-flush", "[method]output-stream.subscribe",
                "[method]output-stream.write-zeroes", "[method]output-stream.blocking-write-zeroes-and-flush",
                "[method]output-stream.splice", "[method]output-stream.blocking-splice");
        provide("wasi:cli/environment", "get-environment", "get-arguments", "initial-cwd");
        provide("wasi:cli/exit", "exit", "exit-with-code");
        provide("wasi:cli/stdin", "get-stdin");
        provide("wasi:cli/stdout", "get-stdout");
        provide("wasi:cli/stderr", "get-stderr");
        provide("wasi:cli/terminal-input");
        provide("wasi:cli/terminal-output");
        provide("wasi:cli/terminal-stdin", "get-terminal-stdin");
        provide("wasi:cli/terminal-stdout", "get-terminal-stdout");
        provide("wasi:cli/terminal-stderr", "get-terminal-stderr");
        provide("wasi:clocks/monotonic-clock", "now", "resolution", "subscribe-instant", "subscribe-duration");
        provide("wasi:clocks/wall-clock", "now", "resolution");
        provide("wasi:random/random", "get-random-bytes", "get-random-u64");
        provide("wasi:random/insecure", "get-insecure-random-bytes", "get-insecure-random-u64");
        provide("wasi:random/insecure-seed", "insecure-seed");
        provide("wasi:filesystem/preopens", "get-directories");
        provide("wasi:filesystem/types", FileSystemView.FUNCTIONS.toArray(String[]::new));
        provide("wasi:http/types", WasiHttp.TYPES.toArray(String[]::new));
        provide("wasi:http/outgoing-handler", WasiHttp.HANDLER.toArray(String[]::new));
    }

    private static void provide(String iface, String... names) {
        PROVIDED.put(iface, new TreeSet<>(List.of(names)));
    }

    /** The most bytes one read or write moves (what check-write grants). */
    static final int CHUNK = 64 * 1024;

    /** An input stream over bytes (stdin, a file). */
    static final class In {
        final byte[] data;
        int pos;

        In(byte[] data) {
            this.data = data;
        }
    }

    /** An output stream into a sink (stdout, stderr, a file). */
    static final class Out {
        final OutputStream sink;

        Out(OutputStream sink) {
            this.sink = sink;
        }
    }

    /** A pollable; every one is ready at once (a call never waits on I/O here). */
    static final class Pollable {
        final long deadlineNanos;

        Pollable(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }
    }

    /**
     * An {@code error} resource: a message, and for a failed file write the wasi:filesystem
     * error-code {@code filesystem-error-code} gives (-1 when none).
     */
    record IoError(String message, int fsCode) {
    }

    /** Thrown by {@code wasi:cli/exit}: ends the call with this exit code. */
    public static final class Exit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;

        Exit(int code) {
            super("exit " + code, null, false, false);
            this.code = code;
        }

        /** @return the exit code */
        public int code() {
            return code;
        }
    }

    private final byte[] stdin;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final Map<String, String> environment;
    private final List<String> arguments;
    private final FileSystemView fs;
    private final WasiHttp http;
    /** Made on first use: most calls never ask for randomness. */
    private SecureRandom random;
    private final long startNanos = System.nanoTime();

    /**
     * @param stdin what {@code get-stdin} reads
     * @param stdout where {@code get-stdout} writes (the engine's capped channel)
     * @param stderr where {@code get-stderr} writes
     * @param environment the granted environment variables only
     * @param arguments the program arguments
     * @param fs the call's file system view, or null when none is granted
     */
    public WasiPreview2(byte[] stdin, OutputStream stdout, OutputStream stderr, Map<String, String> environment,
            List<String> arguments, FileSystemView fs) {
        this(stdin, stdout, stderr, environment, arguments, fs, null);
    }

    /**
     * As above, with outbound HTTP ({@code wasi:http}) through {@code transport}; null: every
     * request is denied.
     */
    public WasiPreview2(byte[] stdin, OutputStream stdout, OutputStream stderr, Map<String, String> environment,
            List<String> arguments, FileSystemView fs, WasiHttp.HttpTransport transport) {
        this.http = new WasiHttp(transport != null ? transport : (m, u, h, b) -> new WasiHttp.Response(0, Map.of(),
                new byte[0], "denied", "outbound HTTP is not available to this tool"));
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.environment = new TreeMap<>(environment);
        this.arguments = List.copyOf(arguments);
        this.fs = fs;
    }

    /**
     * @param instance an imported instance name, e.g. {@code wasi:io/streams@0.2.3}
     * @return the interface without version if it is a WASI 0.2.x interface, else null
     */
    public static String wasiInterface(String instance) {
        int at = instance.indexOf('@');
        if (!instance.startsWith("wasi:") || at < 0 || !instance.startsWith("0.2.", at + 1)) {
            return null;
        }
        return instance.substring(0, at);
    }

    /**
     * @return the functions of {@code type} that this host does not provide, as
     *     {@code instance#name}; empty when it provides them all
     */
    public static List<String> missing(String instance, CType.InstanceT type) {
        List<String> out = new ArrayList<>();
        String iface = wasiInterface(instance);
        Set<String> names = iface == null ? null : PROVIDED.get(iface);
        for (Map.Entry<String, CType> e : type.exports().entrySet()) {
            if (e.getValue() instanceof CType.FuncT && (names == null || !names.contains(e.getKey()))) {
                out.add(instance + "#" + e.getKey());
            }
        }
        if (names == null && out.isEmpty()) {
            out.add(instance);
        }
        return out;
    }

    @Override
    public HostFunc function(String instance, String name, CType.FuncT type) {
        String iface = wasiInterface(instance);
        if (iface == null) {
            return null;
        }
        return switch (iface) {
            case "wasi:io/error" -> a -> ((IoError) a.get(0)).message();
            case "wasi:io/poll" -> poll(name);
            case "wasi:io/streams" -> streams(name);
            case "wasi:cli/environment" -> environment(name);
            case "wasi:cli/exit" -> a -> {
                if (name.equals("exit-with-code")) {
                    throw new Exit((int) (long) (Long) a.get(0));
                }
                throw new Exit(((Variant) a.get(0)).index() == 0 ? 0 : 1);
            };
            case "wasi:cli/stdin" -> a -> new In(stdin);
            case "wasi:cli/stdout" -> a -> new Out(stdout);
            case "wasi:cli/stderr" -> a -> new Out(stderr);
            case "wasi:cli/terminal-stdin", "wasi:cli/terminal-stdout", "wasi:cli/terminal-stderr" ->
                    a -> Variant.none(); // never a terminal
            case "wasi:clocks/monotonic-clock" -> monotonic(name);
            case "wasi:clocks/wall-clock" -> wall(name);
            case "wasi:random/random", "wasi:random/insecure", "wasi:random/insecure-seed" -> random(name);
            case "wasi:filesystem/preopens" -> a -> fs == null ? List.of() : fs.preopens();
            case "wasi:filesystem/types" -> fs == null ? FileSystemView.noFileSystem(name) : fs.function(name);
            case "wasi:http/types" -> http.types(name, type);
            case "wasi:http/outgoing-handler" -> http.handler(name, type);
            default -> null;
        };
    }

    private HostFunc poll(String name) {
        return switch (name) {
            case "[method]pollable.ready" -> a -> System.nanoTime() >= ((Pollable) a.get(0)).deadlineNanos;
            case "[method]pollable.block" -> a -> {
                sleepUntil(((Pollable) a.get(0)).deadlineNanos);
                return null;
            };
            case "poll" -> a -> {
                List<?> in = (List<?>) a.get(0);
                if (in.isEmpty()) {
                    throw new ComponentTrap("wasi:io/poll#poll was given no pollables");
                }
                long earliest = Long.MAX_VALUE;
                for (Object p : in) {
                    earliest = Math.min(earliest, ((Pollable) p).deadlineNanos);
                }
                sleepUntil(earliest);
                List<Object> ready = new ArrayList<>();
                long now = System.nanoTime();
                for (int i = 0; i < in.size(); i++) {
                    if (now >= ((Pollable) in.get(i)).deadlineNanos) {
                        ready.add((long) i);
                    }
                }
                return ready;
            };
            default -> null;
        };
    }

    /** Sleeps (interruptibly: the call's deadline interrupts) until the monotonic time given. */
    private static void sleepUntil(long deadline) {
        long wait = deadline - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new com.dylibso.chicory.runtime.ChicoryInterruptedException("Thread interrupted");
            }
        }
    }

    private static Variant closed() {
        return Variant.err(new Variant(1, null));
    }

    private static Variant failed(String message) {
        return failed(message, -1);
    }

    private static Variant failed(String message, int fsCode) {
        return Variant.err(new Variant(0, new IoError(message, fsCode)));
    }

    private HostFunc streams(String name) {
        return switch (name) {
            case "[method]input-stream.read", "[method]input-stream.blocking-read" -> a -> {
                In in = (In) a.get(0);
                long len = (Long) a.get(1);
                if (in.pos >= in.data.length) {
                    return closed();
                }
                int n = (int) Math.min(Math.min(len < 0 ? Long.MAX_VALUE : len, CHUNK), in.data.length - in.pos);
                byte[] out = java.util.Arrays.copyOfRange(in.data, in.pos, in.pos + n);
                in.pos += n;
                return Variant.ok(out);
            };
            case "[method]input-stream.skip", "[method]input-stream.blocking-skip" -> a -> {
                In in = (In) a.get(0);
                long len = (Long) a.get(1);
                if (in.pos >= in.data.length) {
                    return closed();
                }
                int n = (int) Math.min(len < 0 ? Long.MAX_VALUE : len, in.data.length - in.pos);
                in.pos += n;
                return Variant.ok((long) n);
            };
            case "[method]input-stream.subscribe", "[method]output-stream.subscribe" -> a -> new Pollable(0);
            case "[method]output-stream.check-write" -> a -> Variant.ok((long) CHUNK);
            case "[method]output-stream.write", "[method]output-stream.blocking-write-and-flush" -> a -> {
                Out out = (Out) a.get(0);
                byte[] bytes = (byte[]) a.get(1);
                return write(out, bytes);
            };
            case "[method]output-stream.flush", "[method]output-stream.blocking-flush" -> a -> Variant.ok(null);
            case "[method]output-stream.write-zeroes", "[method]output-stream.blocking-write-zeroes-and-flush" -> a -> {
                long n = (Long) a.get(1);
                if (n < 0 || n > CHUNK) {
                    return failed("write-zeroes of " + Long.toUnsignedString(n) + " bytes is more than check-write "
                            + "allowed (" + CHUNK + ")");
                }
                return write((Out) a.get(0), new byte[(int) n]);
            };
            case "[method]output-stream.splice", "[method]output-stream.blocking-splice" -> a -> {
                Out out = (Out) a.get(0);
                In in = (In) a.get(1);
                long len = (Long) a.get(2);
                if (in.pos >= in.data.length) {
                    return closed();
                }
                int n = (int) Math.min(Math.min(len < 0 ? Long.MAX_VALUE : len, CHUNK), in.data.length - in.pos);
                Variant r = write(out, java.util.Arrays.copyOfRange(in.data, in.pos, in.pos + n));
                if (r.index() != 0) {
                    return r;
                }
                in.pos += n;
                return Variant.ok((long) n);
            };
            default -> null;
        };
    }

    private static Variant write(Out out, byte[] bytes) {
        if (bytes.length > CHUNK) {
            return failed("a write of " + bytes.length + " bytes is more than check-write allowed (" + CHUNK + ")");
        }
        try {
            out.sink.write(bytes, 0, bytes.length);
        } catch (IOException e) {
            return failed(e.getMessage() == null ? "write failed" : e.getMessage(),
                    e instanceof FileSystemView.WriteFailure w ? w.code : -1);
        }
        return Variant.ok(null);
    }

    private HostFunc environment(String name) {
        return switch (name) {
            case "get-environment" -> a -> {
                List<Object> out = new ArrayList<>();
                environment.forEach((k, v) -> out.add(List.of(k, v)));
                return out;
            };
            case "get-arguments" -> a -> new ArrayList<Object>(arguments);
            case "initial-cwd" -> a -> fs == null ? Variant.none() : Variant.some(FileSystemView.MOUNT);
            default -> null;
        };
    }

    private HostFunc monotonic(String name) {
        return switch (name) {
            case "now" -> a -> System.nanoTime() - startNanos;
            case "resolution" -> a -> 1L;
            case "subscribe-instant" -> a -> new Pollable(startNanos + (Long) a.get(0));
            case "subscribe-duration" -> a -> new Pollable(System.nanoTime() + Math.max(0, (Long) a.get(0)));
            default -> null;
        };
    }

    private static HostFunc wall(String name) {
        return switch (name) {
            case "now" -> a -> {
                java.time.Instant now = java.time.Instant.now();
                return List.of(now.getEpochSecond(), (long) now.getNano());
            };
            case "resolution" -> a -> List.of(0L, 1000L);
            default -> null;
        };
    }

    private SecureRandom rng() {
        if (random == null) {
            random = new SecureRandom();
        }
        return random;
    }

    private HostFunc random(String name) {
        return switch (name) {
            case "get-random-bytes", "get-insecure-random-bytes" -> a -> {
                long len = (Long) a.get(0);
                if (len < 0 || len > 1024 * 1024) {
                    throw new ComponentTrap("wasi:random asked for " + Long.toUnsignedString(len)
                            + " bytes at once; at most 1 MiB per call");
                }
                byte[] b = new byte[(int) len];
                rng().nextBytes(b);
                return b;
            };
            case "get-random-u64", "get-insecure-random-u64" -> a -> rng().nextLong();
            case "insecure-seed" -> a -> List.of(rng().nextLong(), rng().nextLong());
            default -> null;
        };
    }
}
