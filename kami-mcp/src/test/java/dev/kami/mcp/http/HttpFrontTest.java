package dev.kami.mcp.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.mcp.protocol.McpServer;
import dev.kami.mcp.testkit.FakeKami;
import dev.kami.mcp.testkit.Rpc;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP/1.1 the built-in front speaks, with raw sockets: chunked bodies, {@code Expect:
 * 100-continue}, pipelining, HTTP/1.0, and the refusals that keep a proxy and the server from
 * reading one request two ways.
 */
@Timeout(60)
class HttpFrontTest {
    private final FakeKami kami = FakeKami.standard();
    private final McpServer mcp = McpServer.builder(kami).build();
    private McpHttpServer http;

    @BeforeEach
    void start() {
        http = McpHttpServer.builder(mcp).maxHeadBytes(2048).start();
    }

    @AfterEach
    void stop() {
        http.close();
        mcp.close();
        kami.close();
    }

    private String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n";
    }

    private static String message(RawHttp.Response r) {
        return Rpc.parse(r.body()).path("error").path("message").asString();
    }

    @Test
    void aChunkedBodyIsReadWhole() throws Exception {
        byte[] body = Rpc.initialize("2025-11-25").getBytes(StandardCharsets.UTF_8);
        String a = new String(body, 0, 20, StandardCharsets.UTF_8);
        String b = new String(body, 20, body.length - 20, StandardCharsets.UTF_8);
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("POST /mcp HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                    "Accept: application/json", "Transfer-Encoding: chunked", "") + Integer.toHexString(20) + ";ext=1\r\n"
                    + a + "\r\n" + Integer.toHexString(b.length()) + "\r\n" + b + "\r\n0\r\n\r\n");
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(200);
            assertThat(Rpc.parse(r.body()).path("result").path("protocolVersion").asString()).isEqualTo("2025-11-25");
        }
    }

    @Test
    void expectContinueGets100BeforeTheBody() throws Exception {
        byte[] body = Rpc.initialize("2025-11-25").getBytes(StandardCharsets.UTF_8);
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(c.postHead(body.length, "Expect: 100-continue") + "\r\n");
            assertThat(c.readHead()).isEqualTo("HTTP/1.1 100 Continue");
            c.write(new String(body, StandardCharsets.UTF_8));
            assertThat(c.read(10_000).status()).isEqualTo(200);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("GET /health HTTP/1.1", "Host: 127.0.0.1", "") + head("GET /nope HTTP/1.1", "Host: 127.0.0.1", "")
                    + head("GET /health/ready HTTP/1.1", "Host: 127.0.0.1", ""));
            assertThat(c.read(10_000).body()).isEqualTo("{\"status\":\"up\"}");
            assertThat(c.read(10_000).status()).isEqualTo(404);
            assertThat(c.read(10_000).body()).startsWith("{\"status\":\"ready\"");
        }
    }

    @Test
    void http10GetsItsAnswerAndTheConnectionCloses() throws Exception {
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("GET /health HTTP/1.0", ""));
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer(10_000)).isTrue();
        }
    }

    @Test
    void ambiguousFramingIsRefusedAndTheConnectionClosed() throws Exception {
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("POST /mcp HTTP/1.1", "Host: 127.0.0.1", "Content-Length: 5", "Transfer-Encoding: chunked", "")
                    + "0\r\n\r\n");
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(400);
            assertThat(message(r)).isEqualTo("Bad request: both Transfer-Encoding and Content-Length; send one");
            assertThat(c.closedByServer(10_000)).isTrue();
        }
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("POST /mcp HTTP/1.1", "Host: 127.0.0.1", "Content-Length: 5", "Content-Length: 6", "") + "12345");
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(400);
            assertThat(message(r)).isEqualTo("Bad request: conflicting Content-Length values");
        }
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("GET /health HTTP/1.1", "Host: 127.0.0.1", "X-Folded: a", " b", ""));
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(400);
            assertThat(message(r)).isEqualTo("Bad request: malformed header line ' b'");
        }
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("POST /mcp HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: gzip, chunked", ""));
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(501);
            assertThat(message(r)).isEqualTo("Transfer-Encoding 'gzip, chunked' is not supported; send chunked or a"
                    + " Content-Length");
        }
    }

    @Test
    void oversizedHeadsAndBadRequestLinesAreRefused() throws Exception {
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("GET /health HTTP/1.1", "Host: 127.0.0.1", "X-Big: " + "a".repeat(3000), ""));
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(431);
            assertThat(message(r)).isEqualTo("Request header fields too large: the request line and headers exceed 2048"
                    + " bytes");
        }
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("GET /health HTTP/2.0", "Host: 127.0.0.1", ""));
            assertThat(c.read(10_000).status()).isEqualTo(505);
        }
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("get health", "Host: 127.0.0.1", ""));
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(400);
            assertThat(message(r)).isEqualTo("Bad request: the request line 'get health' is not 'METHOD /path HTTP/1.1'");
        }
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(head("GET /health HTTP/1.1", ""));
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(400);
            assertThat(message(r)).isEqualTo("Bad request: an HTTP/1.1 request needs exactly one Host header");
        }
    }

    @Test
    void aBodyOverTheLimitIs413WithoutBeingRead() throws Exception {
        try (RawHttp c = RawHttp.connect(http.port())) {
            c.write(c.postHead(100_000_000) + "\r\n");
            RawHttp.Response r = c.read(10_000);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer(10_000)).isTrue();
        }
    }
}
