package dev.kami.mcp.http;

import static dev.kami.mcp.testkit.Rpc.MODERN_META;
import static dev.kami.mcp.testkit.Rpc.call;
import static dev.kami.mcp.testkit.Rpc.initialize;
import static dev.kami.mcp.testkit.Rpc.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class McpHttpServerTest {
    private final FakeKami kami = FakeKami.standard();
    private final java.util.concurrent.BlockingQueue<String> cancelled = new java.util.concurrent.LinkedBlockingQueue<>();
    private final McpServer mcp = McpServer.builder(kami).listener(new dev.kami.mcp.protocol.McpServerListener() {
        @Override
        public void callCancelled(String toolName, Duration sinceCancel) {
            cancelled.add(toolName);
        }
    }).build();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private McpHttpServer http;
    private URI endpoint;

    @BeforeEach
    void start() {
        http = McpHttpServer.builder(mcp).maxRequestBytes(4096).keepAlive(Duration.ofMillis(50)).allowedOrigins(List.of("https://app.example.com")).start();
        endpoint = URI.create(http.address());
    }

    @AfterEach
    void stop() {
        http.close();
        mcp.close();
        kami.close();
    }

    private HttpRequest.Builder post(String body) {
        return HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String initSession() throws Exception {
        HttpResponse<String> r = send(post(initialize("2025-11-25")));
        assertThat(r.statusCode()).isEqualTo(200);
        String sid = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(sid).matches("[\\x21-\\x7E]{16,}");
        HttpResponse<String> n = send(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                .header("Mcp-Session-Id", sid).header("MCP-Protocol-Version", "2025-11-25"));
        assertThat(n.statusCode()).isEqualTo(202);
        assertThat(n.body()).isEmpty();
        return sid;
    }

    private static int code(HttpResponse<String> r) {
        return Rpc.errorCode(Rpc.parse(r.body()));
    }

    private HttpRequest.Builder modern(String method, String name, String body) {
        HttpRequest.Builder b = post(body).header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method);
        return name == null ? b : b.header("Mcp-Name", name);
    }

    private static String modernCall(String tool, String args) {
        return request(1, "tools/call", "{" + MODERN_META + ",\"name\":\"" + tool + "\",\"arguments\":" + args + "}");
    }

    // ---- health ---------------------------------------------------------------------------

    @Test
    void healthAndReadinessAnswer() throws Exception {
        HttpResponse<String> h = send(HttpRequest.newBuilder(endpoint.resolve("/health")));
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(h.body()).contains("up");
        HttpResponse<String> ready = send(HttpRequest.newBuilder(endpoint.resolve("/health/ready")));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(Rpc.parse(ready.body()).path("tools").asInt()).isEqualTo(8);
        mcp.close();
        assertThat(send(HttpRequest.newBuilder(endpoint.resolve("/health/ready"))).statusCode()).isEqualTo(503);
    }

    // ---- legacy sessions ------------------------------------------------------------------

    @Test
    void legacySessionLifecycle() throws Exception {
        String sid = initSession();
        HttpResponse<String> list = send(post(request(2, "tools/list", null)).header("Mcp-Session-Id", sid));
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(Rpc.parse(list.body()).path("result").path("tools").size()).isEqualTo(7);
        HttpResponse<String> del = send(HttpRequest.newBuilder(endpoint).header("Mcp-Session-Id", sid).DELETE());
        assertThat(del.statusCode()).isEqualTo(204);
        assertThat(send(post(request(3, "ping", null)).header("Mcp-Session-Id", sid)).statusCode()).isEqualTo(404);
        assertThat(http.sessionCount()).isZero();
    }

    @Test
    void legacyRequestsWithoutOrWithAnUnknownSessionAreRefused() throws Exception {
        HttpResponse<String> missing = send(post(request(1, "tools/list", null)));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(Rpc.parse(missing.body()).path("error").path("message").asString()).contains("Mcp-Session-Id");
        assertThat(send(post(request(1, "tools/list", null)).header("Mcp-Session-Id", "nope")).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(endpoint).DELETE()).statusCode()).isEqualTo(400);
        assertThat(send(HttpRequest.newBuilder(endpoint).header("Mcp-Session-Id", "nope").DELETE()).statusCode()).isEqualTo(404);
    }

    @Test
    void anUnsupportedProtocolVersionHeaderOnALegacySessionIs400() throws Exception {
        String sid = initSession();
        HttpResponse<String> r = send(post(request(1, "ping", null)).header("Mcp-Session-Id", sid)
                .header("MCP-Protocol-Version", "1999-01-01"));
        assertThat(r.statusCode()).isEqualTo(400);
    }

    @Test
    void legacyToolErrorsAndUnknownToolsAreJsonRpcAnswersWith200() throws Exception {
        String sid = initSession();
        HttpResponse<String> unknown = send(post(call(1, "nope", "{}")).header("Mcp-Session-Id", sid));
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(code(unknown)).isEqualTo(-32602);
        HttpResponse<String> fail = send(post(call(2, "dev_test_fail", null)).header("Mcp-Session-Id", sid));
        assertThat(Rpc.parse(fail.body()).path("result").path("isError").asBoolean()).isTrue();
    }

    @Test
    void getOpensAnSseStreamThatCarriesListChanged() throws Exception {
        String sid = initSession();
        HttpRequest get = HttpRequest.newBuilder(endpoint).header("Mcp-Session-Id", sid)
                .header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> stream = client.send(get, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/event-stream");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            send(post(call(5, "dev_test_install", null)).header("Mcp-Session-Id", sid));
            String line;
            String data = null;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    data = line.substring(6);
                    break;
                }
            }
            assertThat(Rpc.parse(data).path("method").asString()).isEqualTo("notifications/tools/list_changed");
        }
    }

    @Test
    void getWithoutASessionOrSseIs405AndOtherMethodsToo() throws Exception {
        HttpResponse<String> get = send(HttpRequest.newBuilder(endpoint).header("Accept", "text/event-stream").GET());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> put = send(HttpRequest.newBuilder(endpoint).PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow").orElseThrow()).contains("POST");
        String sid = initSession();
        assertThat(send(HttpRequest.newBuilder(endpoint).header("Mcp-Session-Id", "nope")
                .header("Accept", "text/event-stream").GET()).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(endpoint).header("Mcp-Session-Id", sid)
                .header("Accept", "application/json").GET()).statusCode()).isEqualTo(405);
    }

    @Test
    void cancelledNotificationStopsALegacyCall() throws Exception {
        String sid = initSession();
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                post(call("s1", "dev_test_slow", null)).header("Mcp-Session-Id", sid).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertThat(slow).isNotDone();
        long cancelAt = System.nanoTime();
        HttpResponse<String> cancel = send(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":\"s1\"}}").header("Mcp-Session-Id", sid));
        assertThat(cancel.statusCode()).isEqualTo(202);
        HttpResponse<String> answered = slow.get(10, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(Rpc.parse(answered.body()).path("id").asString()).isEqualTo("s1");
        assertThat(kami.slowStoppedAtNanos - cancelAt).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
    }

    // ---- request checks -------------------------------------------------------------------

    @Test
    void badOriginsAre403AndLocalOrConfiguredOnesPass() throws Exception {
        assertThat(send(post(initialize("2025-11-25")).header("Origin", "https://evil.example")).statusCode()).isEqualTo(403);
        assertThat(send(post(initialize("2025-11-25")).header("Origin", "null")).statusCode()).isEqualTo(403);
        assertThat(send(post(initialize("2025-11-25")).header("Origin", "http://localhost:5173")).statusCode()).isEqualTo(200);
        assertThat(send(post(initialize("2025-11-25")).header("Origin", "https://app.example.com")).statusCode()).isEqualTo(200);
    }

    @Test
    void aForeignHostHeaderIs403() throws Exception {
        assertThat(rawStatus("evil.example:" + http.port())).isEqualTo(403);
        assertThat(rawStatus("localhost:" + http.port())).isEqualTo(200);
    }

    private int rawStatus(String host) throws Exception {
        String body = request(1, "ping", null);
        try (Socket s = new Socket("127.0.0.1", http.port())) {
            OutputStream o = s.getOutputStream();
            o.write(("POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json\r\nMcp-Session-Id: x\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            o.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            int code = Integer.parseInt(status.split(" ")[1]);
            return code == 404 ? 200 : code; // past the host check, the unknown session is 404
        }
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        String big = call(1, "dev_test_echo", "{\"message\":\"" + "x".repeat(5000) + "\"}");
        HttpResponse<String> r = send(post(big));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(code(r)).isEqualTo(-32600);
    }

    @Test
    void wrongContentTypeIs415AndUnacceptableAcceptIs406() throws Exception {
        assertThat(send(post(initialize("2025-11-25")).setHeader("Content-Type", "text/plain")).statusCode()).isEqualTo(415);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .header("Accept", "text/html").POST(HttpRequest.BodyPublishers.ofString(initialize("2025-11-25")));
        assertThat(send(b).statusCode()).isEqualTo(406);
    }

    @Test
    void invalidJsonIs400WithAParseErrorAndTheServerKeepsServing() throws Exception {
        HttpResponse<String> r = send(post("{oops"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo(-32700);
        HttpResponse<String> bytes = send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', (byte) 0xFF, '}'})));
        assertThat(bytes.statusCode()).isEqualTo(400);
        assertThat(code(bytes)).isEqualTo(-32700);
        assertThat(send(post(initialize("2025-11-25"))).statusCode()).isEqualTo(200);
    }

    @Test
    void sseIsUsedWhenOnlyEventStreamIsAccepted() throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(initialize("2025-11-25")));
        HttpResponse<String> r = send(b);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/event-stream");
        assertThat(r.body()).startsWith("event: message\ndata: {");
        String data = r.body().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        assertThat(Rpc.parse(data).path("result").path("protocolVersion").asString()).isEqualTo("2025-11-25");
    }

    // ---- modern ---------------------------------------------------------------------------

    @Test
    void modernCallWithMatchingHeadersSucceedsWithoutASession() throws Exception {
        HttpResponse<String> r = send(modern("tools/call", "dev_test_echo", modernCall("dev_test_echo", "{\"message\":\"x\"}")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Mcp-Session-Id")).isEmpty();
        // JSON when the call finished before the reply was chosen, else an SSE stream.
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isIn("application/json", "text/event-stream");
        JsonNode result = Rpc.body(r).path("result");
        assertThat(result.path("resultType").asString()).isEqualTo("complete");
        assertThat(result.path("structuredContent").path("message").asString()).isEqualTo("x");
        String b64 = "=?base64?" + Base64.getEncoder().encodeToString("dev_test_echo".getBytes(StandardCharsets.UTF_8)) + "?=";
        assertThat(send(modern("tools/call", b64, modernCall("dev_test_echo", "{\"message\":\"x\"}"))).statusCode()).isEqualTo(200);
    }

    @Test
    void modernHeaderMismatchesAre400WithHeaderMismatch() throws Exception {
        String body = modernCall("dev_test_echo", "{\"message\":\"x\"}");
        HttpResponse<String> noVersion = send(post(body).header("Mcp-Method", "tools/call").header("Mcp-Name", "dev_test_echo"));
        // Without the header the body's _meta still marks the request modern.
        assertThat(noVersion.statusCode()).isEqualTo(400);
        assertThat(code(noVersion)).isEqualTo(-32020);
        HttpResponse<String> wrongMethod = send(modern("tools/list", "dev_test_echo", body));
        assertThat(wrongMethod.statusCode()).isEqualTo(400);
        assertThat(code(wrongMethod)).isEqualTo(-32020);
        HttpResponse<String> noName = send(modern("tools/call", null, body));
        assertThat(code(noName)).isEqualTo(-32020);
        HttpResponse<String> wrongName = send(modern("tools/call", "dev_test_fail", body));
        assertThat(wrongName.statusCode()).isEqualTo(400);
        assertThat(Rpc.parse(wrongName.body()).path("error").path("message").asString())
                .contains("'dev_test_fail' does not match body value 'dev_test_echo'");
        HttpResponse<String> wrongVersion = send(post(body).header("MCP-Protocol-Version", "2025-11-25")
                .header("Mcp-Method", "tools/call").header("Mcp-Name", "dev_test_echo"));
        assertThat(code(wrongVersion)).isEqualTo(-32020);
    }

    @Test
    void modernProtocolErrorsMapToStatusCodes() throws Exception {
        String unsupported = request(1, "tools/list", "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}");
        HttpResponse<String> v = send(post(unsupported).header("MCP-Protocol-Version", "2099-01-01").header("Mcp-Method", "tools/list"));
        assertThat(v.statusCode()).isEqualTo(400);
        assertThat(code(v)).isEqualTo(-32022);
        String noCaps = request(1, "tools/list", "{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}");
        HttpResponse<String> c = send(modern("tools/list", null, noCaps));
        assertThat(c.statusCode()).isEqualTo(400);
        assertThat(code(c)).isEqualTo(-32602);
        HttpResponse<String> unknown = send(modern("prompts/list", null, request(1, "prompts/list", "{" + MODERN_META + "}")));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(code(unknown)).isEqualTo(-32601);
        HttpResponse<String> tool = send(modern("tools/call", "nope", modernCall("nope", "{}")));
        assertThat(tool.statusCode()).isEqualTo(400);
        assertThat(code(tool)).isEqualTo(-32602);
        HttpResponse<String> discover = send(modern("server/discover", null, request(1, "server/discover", "{" + MODERN_META + "}")));
        assertThat(discover.statusCode()).isEqualTo(200);
        assertThat(Rpc.parse(discover.body()).path("result").path("supportedVersions").get(0).asString()).isEqualTo("2026-07-28");
    }

    @Test
    void aModernHeaderWithoutMetaInTheBodyIsInvalidParams() throws Exception {
        HttpResponse<String> r = send(modern("tools/list", null, request(1, "tools/list", null)));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo(-32602);
    }

    @Test
    void closingAModernResponseStreamCancelsTheCall() throws Exception {
        HttpRequest req = modern("tools/call", "dev_test_slow", request(1, "tools/call", "{" + MODERN_META
                + ",\"name\":\"dev_test_slow\"}")).build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/event-stream");
        InputStream body = r.body();
        assertThat(body.read()).isEqualTo(':'); // the first keep-alive comment: the call runs
        body.close();
        assertThat(cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("dev_test_slow");
        assertThat(kami.slowStoppedAtNanos).isNotZero();
    }

    @Test
    void listenStreamsTheAcknowledgmentAndListChanged() throws Exception {
        HttpRequest req = modern("subscriptions/listen", null, request("L", "subscriptions/listen", "{" + MODERN_META
                + ",\"notifications\":{\"toolsListChanged\":true}}")).build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            JsonNode ack = nextData(in);
            assertThat(ack.path("method").asString()).isEqualTo("notifications/subscriptions/acknowledged");
            send(modern("tools/call", "dev_test_install", modernCall("dev_test_install", "{}")));
            JsonNode changed = nextData(in);
            assertThat(changed.path("method").asString()).isEqualTo("notifications/tools/list_changed");
            assertThat(changed.path("params").path("_meta").path("io.modelcontextprotocol/subscriptionId").asString()).isEqualTo("L");
        }
    }

    private static JsonNode nextData(BufferedReader in) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("data: ")) {
                return Rpc.parse(line.substring(6));
            }
        }
        throw new AssertionError("stream ended");
    }

    @Test
    void listenWithoutSseIs400() throws Exception {
        HttpRequest.Builder b = modern("subscriptions/listen", null, request(1, "subscriptions/listen", "{" + MODERN_META + "}"))
                .setHeader("Accept", "application/json");
        HttpResponse<String> r = send(b);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(code(r)).isEqualTo(-32600);
    }

    @Test
    void aModernNotificationIs202() throws Exception {
        HttpResponse<String> r = send(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{"
                + MODERN_META + ",\"requestId\":1}}").header("MCP-Protocol-Version", "2026-07-28"));
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void aModernCallAnsweredAtOnceIsPlainJson() throws Exception {
        HttpResponse<String> r = send(modern("tools/call", "nope", modernCall("nope", "{}")));
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).isEqualTo("application/json");
    }

    @Test
    void sixtyFourConcurrentCallsAreAllAnswered() throws Exception {
        String sid = initSession();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            HttpRequest req = (i % 2 == 0 ? post(call(i, "dev_test_echo", "{\"message\":\"n" + i + "\"}")).header("Mcp-Session-Id", sid)
                    : modern("tools/call", "dev_test_echo", request(i, "tools/call", "{" + MODERN_META
                            + ",\"name\":\"dev_test_echo\",\"arguments\":{\"message\":\"n" + i + "\"}}"))).build();
            calls.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 64; i++) {
            HttpResponse<String> r = calls.get(i).get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode j = Rpc.body(r);
            assertThat(j.path("id").asInt()).isEqualTo(i);
            assertThat(j.path("result").path("structuredContent").path("message").asString()).isEqualTo("n" + i);
        }
    }
}
