package dev.kami.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CausesTest {
    @Test
    void aRefusedHttpConnectionIsNamedWithItsTypeAndWhatItMeansNeverNull() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        IOException refused = null;
        try {
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x.zip")).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            refused = e;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).as("the JDK's own message").isNull();
        assertThat(Causes.describe(refused))
                .isEqualTo("ConnectException: the connection was refused or the host cannot be reached");
    }

    @Test
    void aMessageIsKeptAndAMissingOneIsLookedForAmongTheCauses() {
        assertThat(Causes.describe(new IOException("disk full"))).isEqualTo("IOException: disk full");
        assertThat(Causes.describe(new ConnectException())).isEqualTo(
                "ConnectException: the connection was refused or the host cannot be reached");
        assertThat(Causes.describe(new IOException(new IllegalStateException("bad state"))))
                .isEqualTo("IOException: IllegalStateException: bad state");
        assertThat(Causes.describe(new ConnectException() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Throwable getCause() {
                return new IOException("reset by peer");
            }
        })).isEqualTo("error: the connection was refused or the host cannot be reached (reset by peer)");
        assertThat(Causes.describe(new ClosedChannelException())).isEqualTo("ClosedChannelException: the connection was closed");
        assertThat(Causes.describe(new NullPointerException())).isEqualTo("NullPointerException");
        assertThat(Causes.describe(new RuntimeException(new NullPointerException())))
                .isEqualTo("RuntimeException: NullPointerException");
        assertThat(Causes.describe(null)).isEqualTo("unknown failure");
    }
}
