package dev.kami.spi;

/** A running transport. {@link #close()} stops it (idempotent). */
public interface Server extends AutoCloseable {

    /** @return where it listens ({@code http://127.0.0.1:8080/mcp}, {@code stdio}) */
    String address();

    /** Blocks until the server stops (stdio: end of input; HTTP: {@link #close()}). */
    void awaitTermination() throws InterruptedException;

    /** Stops serving; running calls are cancelled. */
    @Override
    void close();
}
