package dev.kami.engine.chicory.component.wasi;

import dev.kami.engine.chicory.component.CType;
import dev.kami.engine.chicory.component.ComponentTrap;
import dev.kami.engine.chicory.component.HostFunc;
import dev.kami.engine.chicory.component.Variant;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code wasi:http/outgoing-handler} and the parts of {@code wasi:http/types} an outgoing request
 * needs, on an {@link HttpTransport} (the engine's outbound-HTTP gateway: the tool's net grant,
 * DNS pinning, private addresses refused, redirects re-checked, size and time bounds). The request
 * is sent when the body is finished (or at {@code handle} when it has none); the response is
 * complete when {@code handle} returns, so every pollable is ready. Bodies travel as UTF-8 text
 * (the gateway's contract): a binary body is not preserved. Confined to the calling thread.
 */
public final class WasiHttp {
    /** Sends one request; never throws for what the guest asks. */
    @FunctionalInterface
    public interface HttpTransport {
        Response send(String method, String url, Map<String, String> headers, byte[] body);
    }

    /**
     * A response, or a failure: {@code error} is the gateway's kind ({@code denied},
     * {@code invalid_request}, {@code timeout}, {@code too_large}, {@code limit}, {@code io}) or null.
     */
    public record Response(int status, Map<String, String> headers, byte[] body, String error, String message) {
    }

    static final Set<String> TYPES = new TreeSet<>(List.of("[constructor]fields", "[static]fields.from-list",
            "[method]fields.get", "[method]fields.has", "[method]fields.set", "[method]fields.delete",
            "[method]fields.append", "[method]fields.entries", "[method]fields.clone",
            "[constructor]outgoing-request", "[method]outgoing-request.body", "[method]outgoing-request.method",
            "[method]outgoing-request.set-method", "[method]outgoing-request.path-with-query",
            "[method]outgoing-request.set-path-with-query", "[method]outgoing-request.scheme",
            "[method]outgoing-request.set-scheme", "[method]outgoing-request.authority",
            "[method]outgoing-request.set-authority", "[method]outgoing-request.headers",
            "[constructor]request-options", "[method]request-options.connect-timeout",
            "[method]request-options.set-connect-timeout", "[method]request-options.first-byte-timeout",
            "[method]request-options.set-first-byte-timeout", "[method]request-options.between-bytes-timeout",
            "[method]request-options.set-between-bytes-timeout", "[method]outgoing-body.write",
            "[static]outgoing-body.finish", "[method]future-incoming-response.subscribe",
            "[method]future-incoming-response.get", "[method]incoming-response.status",
            "[method]incoming-response.headers", "[method]incoming-response.consume",
            "[method]incoming-body.stream", "[static]incoming-body.finish", "[method]future-trailers.subscribe",
            "[method]future-trailers.get", "http-error-code",
            // the server side (what an incoming-handler uses): a tool never receives a request, so
            // no incoming-request or response-outparam handle can exist; an outgoing-response can be
            // built but goes nowhere. JavaScript components import these whether they serve or not.
            "[method]incoming-request.method", "[method]incoming-request.path-with-query",
            "[method]incoming-request.scheme", "[method]incoming-request.authority",
            "[method]incoming-request.headers", "[method]incoming-request.consume", "[static]response-outparam.set",
            "[constructor]outgoing-response", "[method]outgoing-response.status-code",
            "[method]outgoing-response.set-status-code", "[method]outgoing-response.headers",
            "[method]outgoing-response.body"));
    static final Set<String> HANDLER = Set.of("handle");

    /** A fields (headers) resource: ordered, names lowercase. */
    static final class Fields {
        final List<String[]> entries = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();
        final boolean immutable;

        Fields(boolean immutable) {
            this.immutable = immutable;
        }

        void add(String name, byte[] value) {
            entries.add(new String[] {name.toLowerCase(Locale.ROOT)});
            values.add(value);
        }
    }

    /** An outgoing-request resource. */
    static final class Request {
        Object method = new Variant(0, null); // get
        String path;
        Object scheme;
        String authority;
        final Fields headers;
        Body body;

        Request(Fields headers) {
            this.headers = headers;
        }
    }

    /** An outgoing-body: bytes written through its stream. */
    static final class Body {
        final Capped bytes = new Capped();
        Request request;
        Future future;
    }

    /** The most bytes one request body may hold. */
    static final int MAX_BODY = 4 * 1024 * 1024;

    /** A request body's bytes, at most {@link #MAX_BODY}. */
    static final class Capped extends java.io.OutputStream {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            if (out.size() + len > MAX_BODY) {
                throw new java.io.IOException("a request body may hold at most " + MAX_BODY + " bytes");
            }
            out.write(b, off, len);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /** A future-incoming-response: resolved when handle returns (or when the body is finished). */
    static final class Future {
        Response response;
        boolean taken;
    }

    /** An outgoing-response a tool built; it is never sent (a tool serves no requests). */
    static final class OutgoingResponse {
        final Fields headers;
        int status = 200;

        OutgoingResponse(Fields headers) {
            this.headers = headers;
        }
    }

    /** Options are accepted and ignored: the engine's own timeouts bound every request. */
    static final class Options {
    }

    private final HttpTransport transport;

    WasiHttp(HttpTransport transport) {
        this.transport = transport;
    }

    HostFunc handler(String name, CType.FuncT type) {
        if (!name.equals("handle")) {
            return null;
        }
        CType.VariantT errorCode = errorCodeType(type);
        return a -> {
            Request req = (Request) a.get(0);
            Future f = new Future();
            if (req.body == null) {
                f.response = send(req, new byte[0]);
            } else {
                req.body.future = f; // sent when the body is finished
                req.body.request = req;
            }
            if (f.response != null && f.response.error() != null && errorCode != null) {
                return Variant.err(errorCode(errorCode, f.response));
            }
            return Variant.ok(f);
        };
    }

    private Response send(Request req, byte[] body) {
        String scheme = "https";
        if (req.scheme instanceof Variant v) {
            scheme = v.index() == 0 ? "http" : v.index() == 1 ? "https" : String.valueOf(v.value());
        }
        if (req.authority == null) {
            return new Response(0, Map.of(), new byte[0], "invalid_request", "the request has no authority");
        }
        String url = scheme + "://" + req.authority + (req.path == null ? "/" : req.path);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < req.headers.entries.size(); i++) {
            String n = req.headers.entries.get(i)[0];
            String v = new String(req.headers.values.get(i), StandardCharsets.UTF_8);
            headers.merge(n, v, (x, y) -> x + ", " + y);
        }
        return transport.send(method(req.method), url, headers, body);
    }

    private static String method(Object m) {
        Variant v = (Variant) m;
        String[] names = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
        return v.index() < names.length ? names[v.index()] : String.valueOf(v.value()).toUpperCase(Locale.ROOT);
    }

    /** Finds the error-code variant in {@code result<_, error-code>}-shaped results. */
    private static CType.VariantT errorCodeType(CType.FuncT type) {
        CType t = type.result();
        while (t != null) {
            if (t instanceof CType.ResultT r) {
                if (r.error() instanceof CType.VariantT v) {
                    return v;
                }
                t = r.ok();
            } else if (t instanceof CType.OptionT o) {
                t = o.type();
            } else {
                return null;
            }
        }
        return null;
    }

    private static Variant errorCode(CType.VariantT type, Response failure) {
        String name = switch (failure.error()) {
            case "denied" -> "HTTP-request-denied";
            case "timeout" -> "connection-timeout";
            case "too_large" -> "HTTP-response-body-size";
            case "invalid_request" -> "HTTP-request-URI-invalid";
            default -> "internal-error";
        };
        for (int i = 0; i < type.cases().size(); i++) {
            CType.Field c = type.cases().get(i);
            if (c.name().equals(name)) {
                Object payload = c.type() == null ? null
                        : c.type() instanceof CType.OptionT o && o.type() == CType.Prim.STRING
                                ? Variant.some(failure.message()) : Variant.none();
                return new Variant(i, payload);
            }
        }
        for (int i = 0; i < type.cases().size(); i++) {
            if (type.cases().get(i).name().equals("internal-error")) {
                return new Variant(i, Variant.some(failure.message()));
            }
        }
        throw new ComponentTrap("the component's wasi:http error-code has no case internal-error");
    }

    HostFunc types(String name, CType.FuncT type) {
        if (!TYPES.contains(name)) {
            return null;
        }
        CType.VariantT errorCode = errorCodeType(type);
        return switch (name) {
            case "[constructor]fields" -> a -> new Fields(false);
            case "[static]fields.from-list" -> a -> {
                Fields f = new Fields(false);
                for (Object e : (List<?>) a.get(0)) {
                    List<?> pair = (List<?>) e;
                    f.add((String) pair.get(0), (byte[]) pair.get(1));
                }
                return Variant.ok(f);
            };
            case "[method]fields.get" -> a -> {
                Fields f = (Fields) a.get(0);
                String n = ((String) a.get(1)).toLowerCase(Locale.ROOT);
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < f.entries.size(); i++) {
                    if (f.entries.get(i)[0].equals(n)) {
                        out.add(f.values.get(i));
                    }
                }
                return out;
            };
            case "[method]fields.has" -> a -> {
                Fields f = (Fields) a.get(0);
                String n = ((String) a.get(1)).toLowerCase(Locale.ROOT);
                return f.entries.stream().anyMatch(e -> e[0].equals(n));
            };
            case "[method]fields.set", "[method]fields.delete", "[method]fields.append" -> a -> {
                Fields f = (Fields) a.get(0);
                if (f.immutable) {
                    return Variant.err(new Variant(2, null)); // header-error.immutable
                }
                String n = ((String) a.get(1)).toLowerCase(Locale.ROOT);
                if (!name.endsWith("append")) {
                    for (int i = f.entries.size() - 1; i >= 0; i--) {
                        if (f.entries.get(i)[0].equals(n)) {
                            f.entries.remove(i);
                            f.values.remove(i);
                        }
                    }
                }
                if (name.endsWith("set")) {
                    for (Object v : (List<?>) a.get(2)) {
                        f.add(n, (byte[]) v);
                    }
                } else if (name.endsWith("append")) {
                    f.add(n, (byte[]) a.get(2));
                }
                return Variant.ok(null);
            };
            case "[method]fields.entries" -> a -> {
                Fields f = (Fields) a.get(0);
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < f.entries.size(); i++) {
                    out.add(List.of(f.entries.get(i)[0], f.values.get(i)));
                }
                return out;
            };
            case "[method]fields.clone" -> a -> {
                Fields f = (Fields) a.get(0);
                Fields c = new Fields(false);
                c.entries.addAll(f.entries);
                c.values.addAll(f.values);
                return c;
            };
            case "[constructor]outgoing-request" -> a -> new Request((Fields) a.get(0));
            case "[method]outgoing-request.body" -> a -> {
                Request r = (Request) a.get(0);
                if (r.body != null) {
                    return Variant.err(null);
                }
                r.body = new Body();
                return Variant.ok(r.body);
            };
            case "[method]outgoing-request.method" -> a -> ((Request) a.get(0)).method;
            case "[method]outgoing-request.set-method" -> a -> {
                ((Request) a.get(0)).method = a.get(1);
                return Variant.ok(null);
            };
            case "[method]outgoing-request.path-with-query" -> a -> option(((Request) a.get(0)).path);
            case "[method]outgoing-request.set-path-with-query" -> a -> {
                ((Request) a.get(0)).path = (String) ((Variant) a.get(1)).value();
                return Variant.ok(null);
            };
            case "[method]outgoing-request.scheme" -> a -> ((Request) a.get(0)).scheme == null ? Variant.none()
                    : Variant.some(((Request) a.get(0)).scheme);
            case "[method]outgoing-request.set-scheme" -> a -> {
                ((Request) a.get(0)).scheme = ((Variant) a.get(1)).value();
                return Variant.ok(null);
            };
            case "[method]outgoing-request.authority" -> a -> option(((Request) a.get(0)).authority);
            case "[method]outgoing-request.set-authority" -> a -> {
                ((Request) a.get(0)).authority = (String) ((Variant) a.get(1)).value();
                return Variant.ok(null);
            };
            case "[method]outgoing-request.headers" -> a -> {
                Fields f = ((Request) a.get(0)).headers;
                Fields view = new Fields(true);
                view.entries.addAll(f.entries);
                view.values.addAll(f.values);
                return view;
            };
            case "[constructor]request-options" -> a -> new Options();
            case "[method]request-options.connect-timeout", "[method]request-options.first-byte-timeout",
                    "[method]request-options.between-bytes-timeout" -> a -> Variant.none();
            case "[method]request-options.set-connect-timeout", "[method]request-options.set-first-byte-timeout",
                    "[method]request-options.set-between-bytes-timeout" -> a -> Variant.ok(null);
            case "[method]outgoing-body.write" -> a -> Variant.ok(new WasiPreview2.Out(((Body) a.get(0)).bytes));
            case "[static]outgoing-body.finish" -> a -> {
                Body b = (Body) a.get(0);
                if (b.future != null && b.future.response == null) {
                    b.future.response = send(b.request, b.bytes.toByteArray());
                }
                return Variant.ok(null);
            };
            case "[method]future-incoming-response.subscribe", "[method]future-trailers.subscribe" ->
                    a -> new WasiPreview2.Pollable(0);
            case "[method]future-incoming-response.get" -> a -> {
                Future f = (Future) a.get(0);
                if (f.response == null) {
                    return Variant.none(); // the body was not finished yet
                }
                if (f.taken) {
                    return Variant.some(Variant.err(null));
                }
                f.taken = true;
                if (f.response.error() != null) {
                    return Variant.some(Variant.ok(Variant.err(errorCode(errorCode, f.response))));
                }
                return Variant.some(Variant.ok(Variant.ok(f.response)));
            };
            case "[method]incoming-response.status" -> a -> (long) ((Response) a.get(0)).status();
            case "[method]incoming-response.headers" -> a -> {
                Fields f = new Fields(true);
                ((Response) a.get(0)).headers().forEach((k, v) -> f.add(k, v.getBytes(StandardCharsets.UTF_8)));
                return f;
            };
            case "[method]incoming-response.consume" -> a -> Variant.ok(a.get(0));
            case "[method]incoming-body.stream" -> a -> Variant.ok(new WasiPreview2.In(((Response) a.get(0)).body()));
            case "[static]incoming-body.finish" -> a -> new Future();
            case "[method]future-trailers.get" -> a -> Variant.some(Variant.ok(Variant.ok(Variant.none())));
            case "http-error-code" -> a -> Variant.none();
            case "[constructor]outgoing-response" -> a -> new OutgoingResponse((Fields) a.get(0));
            case "[method]outgoing-response.status-code" -> a -> (long) ((OutgoingResponse) a.get(0)).status;
            case "[method]outgoing-response.set-status-code" -> a -> {
                ((OutgoingResponse) a.get(0)).status = (int) (long) (Long) a.get(1);
                return Variant.ok(null);
            };
            case "[method]outgoing-response.headers" -> a -> ((OutgoingResponse) a.get(0)).headers;
            case "[method]outgoing-response.body" -> a -> Variant.ok(new Body());
            default -> a -> {
                throw new ComponentTrap(name + " was called, but a tool never receives an HTTP request");
            };
        };
    }

    private static Variant option(String s) {
        return s == null ? Variant.none() : Variant.some(s);
    }
}
