package dev.kami.engine.chicory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kami.engine.chicory.component.CType;
import dev.kami.engine.chicory.component.Variant;
import dev.kami.engine.chicory.component.wasi.WasiPreview2;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.Invocation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * wasi:http (outgoing-handler, types) of the component host, on lifted values, through the
 * engine's real outbound-HTTP gateway to a loopback server: the grant is enforced as for
 * kami.http_request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ComponentHttpTest {
    private static final CType.VariantT ERROR_CODE = new CType.VariantT(List.of(
            new CType.Field("DNS-timeout", null),
            new CType.Field("connection-timeout", null),
            new CType.Field("HTTP-request-denied", null),
            new CType.Field("HTTP-request-URI-invalid", null),
            new CType.Field("HTTP-response-body-size", new CType.OptionT(CType.Prim.U64)),
            new CType.Field("internal-error", new CType.OptionT(CType.Prim.STRING))));
    /** Only the error-code in the result matters to the host; the rest stands in. */
    private static final CType.FuncT WITH_ERROR = new CType.FuncT(List.of(),
            new CType.ResultT(CType.Prim.U32, ERROR_CODE));
    private static final CType.FuncT PLAIN = new CType.FuncT(List.of(), null);

    private HttpServer server;
    private int port;
    private HttpGateway gateway;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            byte[] in = ex.getRequestBody().readAllBytes();
            byte[] b = ("{\"method\":\"" + ex.getRequestMethod() + "\",\"path\":\"" + ex.getRequestURI()
                    + "\",\"tool\":\"" + ex.getRequestHeaders().getFirst("x-tool") + "\",\"body\":\""
                    + new String(in, StandardCharsets.UTF_8) + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("content-type", "application/json");
            ex.sendResponseHeaders(201, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
        gateway = new HttpGateway(1024 * 1024, 5000, 8);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        gateway.close();
    }

    private WasiPreview2 wasi(List<String> grant) {
        EffectivePermissions p = EffectivePermissions.denyAll(16, 10_000).withNet(grant);
        CallState call = new CallState(Invocation.of("http-tool", new byte[0], p));
        return new WasiPreview2(new byte[0], call.stdout, call.stderr, Map.of(), List.of("http-tool"), null,
                (m, u, h, b) -> ComponentCompiledModule.http(gateway, call, m, u, h, b));
    }

    private static Object types(WasiPreview2 w, String name, Object... args) {
        return w.function("wasi:http/types@0.2.3", name, WITH_ERROR).call(Arrays.asList(args));
    }

    private static Object handle(WasiPreview2 w, Object request) {
        return w.function("wasi:http/outgoing-handler@0.2.3", "handle", WITH_ERROR)
                .call(Arrays.asList(request, Variant.none()));
    }

    private Object request(WasiPreview2 w, String authority, String path) {
        Object fields = types(w, "[constructor]fields");
        assertThat(types(w, "[method]fields.append", fields, "X-Tool", "kami".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Variant.ok(null));
        Object req = types(w, "[constructor]outgoing-request", fields);
        types(w, "[method]outgoing-request.set-scheme", req, Variant.some(new Variant(0, null)));
        types(w, "[method]outgoing-request.set-authority", req, Variant.some(authority));
        types(w, "[method]outgoing-request.set-path-with-query", req, Variant.some(path));
        return req;
    }

    private static String body(WasiPreview2 w, Object response) {
        Object body = ((Variant) types(w, "[method]incoming-response.consume", response)).value();
        Object stream = ((Variant) types(w, "[method]incoming-body.stream", body)).value();
        Variant read = (Variant) w.function("wasi:io/streams@0.2.3", "[method]input-stream.read", PLAIN)
                .call(List.of(stream, 4096L));
        return new String((byte[]) read.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aGrantedGetReachesTheServerAndTheResponseIsRead() {
        WasiPreview2 w = wasi(List.of("127.0.0.1:" + port));
        Variant handled = (Variant) handle(w, request(w, "127.0.0.1:" + port, "/hello?x=1"));
        assertThat(handled.index()).isZero();
        Variant got = (Variant) types(w, "[method]future-incoming-response.get", handled.value());
        Object response = ((Variant) ((Variant) got.value()).value()).value(); // some(ok(ok(response)))
        assertThat(types(w, "[method]incoming-response.status", response)).isEqualTo(201L);
        assertThat(body(w, response)).isEqualTo("{\"method\":\"GET\",\"path\":\"/hello?x=1\",\"tool\":\"kami\","
                + "\"body\":\"\"}");
        Object headers = types(w, "[method]incoming-response.headers", response);
        @SuppressWarnings("unchecked")
        List<Object> type = (List<Object>) types(w, "[method]fields.get", headers, "Content-Type");
        assertThat(new String((byte[]) type.get(0), StandardCharsets.UTF_8)).isEqualTo("application/json");
    }

    @Test
    void aPostBodyIsSentWhenTheBodyIsFinished() {
        WasiPreview2 w = wasi(List.of("127.0.0.1:" + port));
        Object req = request(w, "127.0.0.1:" + port, "/post");
        types(w, "[method]outgoing-request.set-method", req, new Variant(2, null));
        Object body = ((Variant) types(w, "[method]outgoing-request.body", req)).value();
        Variant handled = (Variant) handle(w, req);
        assertThat(types(w, "[method]future-incoming-response.get", handled.value())).isEqualTo(Variant.none());
        Object out = ((Variant) types(w, "[method]outgoing-body.write", body)).value();
        w.function("wasi:io/streams@0.2.3", "[method]output-stream.blocking-write-and-flush", PLAIN)
                .call(List.of(out, "ping".getBytes(StandardCharsets.UTF_8)));
        assertThat(types(w, "[static]outgoing-body.finish", body, Variant.none())).isEqualTo(Variant.ok(null));
        Variant got = (Variant) types(w, "[method]future-incoming-response.get", handled.value());
        Object response = ((Variant) ((Variant) got.value()).value()).value(); // some(ok(ok(response)))
        assertThat(body(w, response)).isEqualTo("{\"method\":\"POST\",\"path\":\"/post\",\"tool\":\"kami\","
                + "\"body\":\"ping\"}");
    }

    @Test
    void aHostOutsideTheGrantIsDeniedWithTheWasiErrorCode() {
        WasiPreview2 w = wasi(List.of("api.example.org"));
        Variant handled = (Variant) handle(w, request(w, "127.0.0.1:" + port, "/"));
        assertThat(handled).isEqualTo(Variant.err(new Variant(2, null))); // HTTP-request-denied
    }

    @Test
    void noGrantAtAllIsDeniedToo() {
        WasiPreview2 w = wasi(List.of());
        assertThat(handle(w, request(w, "127.0.0.1:" + port, "/"))).isEqualTo(Variant.err(new Variant(2, null)));
    }
}
