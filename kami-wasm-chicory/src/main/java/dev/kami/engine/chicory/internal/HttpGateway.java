package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The host side of {@code kami.http_request}: checks every request (and every redirect) against
 * the call's net grant with {@link NetGuard}, sends it with {@code java.net.http}, and bounds the
 * response size, the time and the number of requests per call. Never throws for anything the
 * guest asks: errors come back as the ABI's error JSON. Thread-safe; one per engine.
 */
final class HttpGateway {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE");
    private static final int MAX_REDIRECTS = 5;

    private final long maxResponseBytes;
    private final long timeoutMs;
    private final int maxRequests;
    private volatile HttpClient client;
    /** Name lookups run here, so a slow resolver cannot hold a call past its deadline. */
    private final ThreadPoolExecutor dns = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "kami-chicory-dns");
                t.setDaemon(true);
                return t;
            });

    HttpGateway(long maxResponseBytes, long timeoutMs, int maxRequests) {
        this.maxResponseBytes = maxResponseBytes;
        this.timeoutMs = timeoutMs;
        this.maxRequests = maxRequests;
    }

    /** Creates the shared client now, so no call pays for its setup. */
    void warmUp() {
        client();
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .followRedirects(HttpClient.Redirect.NEVER) // followed here, each hop re-checked
                            .proxy(HttpClient.Builder.NO_PROXY) // a proxy would resolve names we did not check
                            .connectTimeout(Duration.ofMillis(timeoutMs))
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    /**
     * @return the response JSON (UTF-8)
     * @throws ChicoryInterruptedException if the calling thread is interrupted (deadline, cancel)
     */
    byte[] handle(CallState call, byte[] requestJson) {
        String json;
        try {
            json = handleOrError(call, new String(requestJson, StandardCharsets.UTF_8));
        } catch (ChicoryInterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            json = error("io", "unexpected failure: " + Messages.hostText(e));
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private String handleOrError(CallState call, String requestText) {
        Map<?, ?> req;
        try {
            Object parsed = Json.parse(requestText);
            if (!(parsed instanceof Map<?, ?> m)) {
                return error("invalid_request", "the request must be a JSON object");
            }
            req = m;
        } catch (IllegalArgumentException e) {
            return error("invalid_request", "the request is not JSON: " + e.getMessage());
        }
        Object methodValue = req.containsKey("method") ? req.get("method") : "GET";
        if (!(methodValue instanceof String) || !METHODS.contains(((String) methodValue).toUpperCase(Locale.ROOT))) {
            return error("invalid_request", "method must be one of " + new java.util.TreeSet<>(METHODS) + ", got "
                    + methodValue);
        }
        String method = ((String) methodValue).toUpperCase(Locale.ROOT);
        if (!(req.get("url") instanceof String url)) {
            return error("invalid_request", "url is required and must be a string");
        }
        Object headersValue = req.get("headers");
        if (headersValue != null && !(headersValue instanceof Map)) {
            return error("invalid_request", "headers must be an object of strings");
        }
        Map<?, ?> headers = headersValue == null ? Map.of() : (Map<?, ?>) headersValue;
        Object bodyValue = req.get("body");
        if (bodyValue != null && !(bodyValue instanceof String)) {
            return error("invalid_request", "body must be a string");
        }
        String body = (String) bodyValue;
        List<String> grant = call.invocation.permissions().netAllowList();

        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return error("invalid_request", "url is not a valid URI: " + e.getMessage());
        }
        for (int hop = 0; ; hop++) {
            if (call.httpRequests >= maxRequests) {
                return error("limit", "tool '" + call.toolId + "' made more than " + maxRequests
                        + " HTTP requests in one call (engine option http.maxRequests = " + maxRequests + ")");
            }
            call.httpRequests++;
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return error("invalid_request", "only http and https URLs are allowed, got '" + uri + "'");
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null) {
                return error("invalid_request", "url must name a host and carry no user info: '" + uri + "'");
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            long lookupMs = Math.min(timeoutMs, TimeUnit.NANOSECONDS.toMillis(call.invocation.remainingNanos()));
            if (lookupMs <= 0) {
                return error("timeout", "no time left before the call's deadline");
            }
            NetGuard.Verdict verdict = NetGuard.check(grant, uri.getHost(), port, host -> resolve(host, lookupMs));
            if (!verdict.allowed()) {
                return error(verdict.errorKind(), (hop > 0 ? "redirect refused: " : "") + verdict.denial());
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(call.invocation.remainingNanos());
            long budgetMs = Math.min(timeoutMs, remainingMs);
            if (budgetMs <= 0) {
                return error("timeout", "no time left before the call's deadline");
            }
            HttpRequest request;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(budgetMs));
                for (Map.Entry<?, ?> h : headers.entrySet()) {
                    if (!(h.getValue() instanceof String v)) {
                        return error("invalid_request", "header '" + h.getKey() + "' must be a string");
                    }
                    b.header(String.valueOf(h.getKey()), v);
                }
                b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
                request = b.build();
            } catch (IllegalArgumentException e) {
                return error("invalid_request", e.getMessage());
            }
            HttpResponse<byte[]> response;
            CompletableFuture<HttpResponse<byte[]>> future =
                    client().sendAsync(request, info -> new CappedBody(maxResponseBytes));
            try {
                response = future.get(budgetMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                future.cancel(true);
                throw new ChicoryInterruptedException("interrupted during an outbound HTTP request", e);
            } catch (TimeoutException e) {
                future.cancel(true);
                return error("timeout", "no response from " + uri.getHost() + " within " + budgetMs + " ms");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof TooLarge || (cause != null && cause.getCause() instanceof TooLarge)) {
                    return error("too_large", "the response body from " + uri.getHost() + " is larger than "
                            + maxResponseBytes + " bytes (engine option http.maxResponseBytes)");
                }
                if (cause instanceof HttpTimeoutException) {
                    return error("timeout", "no response from " + uri.getHost() + " within " + budgetMs + " ms");
                }
                return error("io", Messages.scrub(String.valueOf(cause instanceof IOException ? cause.getMessage() : cause)));
            }
            int status = response.statusCode();
            String location = response.headers().firstValue("location").orElse(null);
            if (location != null && (status == 301 || status == 302 || status == 303 || status == 307
                    || status == 308)) {
                if (hop >= MAX_REDIRECTS) {
                    return error("io", "more than " + MAX_REDIRECTS + " redirects");
                }
                try {
                    uri = uri.resolve(new URI(location));
                } catch (URISyntaxException e) {
                    return error("io", "bad redirect location '" + location + "'");
                }
                if (status == 303 || ((status == 301 || status == 302) && method.equals("POST"))) {
                    method = "GET";
                    body = null;
                }
                continue;
            }
            return success(status, response.headers(), response.body());
        }
    }

    private InetAddress[] resolve(String host, long budgetMs) throws IOException {
        Future<InetAddress[]> lookup;
        try {
            lookup = dns.submit(() -> InetAddress.getAllByName(host));
        } catch (RejectedExecutionException e) {
            throw new IOException("too many DNS lookups in progress, try again");
        }
        try {
            return lookup.get(budgetMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            lookup.cancel(true);
            throw new ChicoryInterruptedException("interrupted during a DNS lookup", e);
        } catch (TimeoutException e) {
            lookup.cancel(true);
            throw new IOException("DNS lookup took longer than " + budgetMs + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** Stops the lookup threads; idempotent. */
    void close() {
        dns.shutdownNow();
    }

    private static String success(int status, HttpHeaders headers, byte[] body) {
        StringBuilder b = new StringBuilder(body.length + 128);
        b.append("{\"status\":").append(status).append(",\"headers\":{");
        Map<String, String> flat = new TreeMap<>();
        headers.map().forEach((k, v) -> {
            if (!k.startsWith(":")) {
                flat.merge(k.toLowerCase(Locale.ROOT), String.join(", ", v), (x, y) -> x + ", " + y);
            }
        });
        boolean first = true;
        for (Map.Entry<String, String> e : flat.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            Json.quote(b, e.getKey());
            b.append(':');
            Json.quote(b, e.getValue());
        }
        b.append("},\"body\":");
        Json.quote(b, new String(body, StandardCharsets.UTF_8));
        return b.append('}').toString();
    }

    static String error(String kind, String message) {
        StringBuilder b = new StringBuilder("{\"error\":");
        Json.quote(b, kind);
        b.append(",\"message\":");
        Json.quote(b, message);
        return b.append('}').toString();
    }

    /** Marks a body that passed the cap. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("response too large", null);
        }
    }

    /** Collects a body up to a cap; cancels the stream beyond it. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(long max) {
            this.max = max;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
