package dev.kami.mcp.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on the MCP endpoint and its response, which may be written from any thread once the
 * request went asynchronous: one plain response, or an SSE stream (head, events, end). Writes are
 * serialized; a write that fails (the client is gone), an async error or timeout from the
 * container marks the exchange closed and runs the {@link #onClientClose} callbacks, on
 * {@code callbacks} rather than the writing thread. Thread-safe.
 */
final class Exchange implements AsyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    static final byte[] COMMENT = ":\n\n".getBytes(StandardCharsets.UTF_8);

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Executor callbacks;
    private AsyncContext async; // guarded by this
    private boolean streaming; // guarded by this
    private boolean done; // guarded by this: the response is complete (or the client gone)
    private boolean clientGone; // guarded by this
    private final List<Runnable> onClose = new ArrayList<>(); // guarded by this

    Exchange(HttpServletRequest request, HttpServletResponse response, Executor callbacks) {
        this.request = request;
        this.response = response;
        this.callbacks = callbacks;
    }

    String header(String name) {
        return request.getHeader(name);
    }

    String clientAddress() {
        return request.getRemoteAddr();
    }

    /** Lets the response outlive the container's thread; no container timeout (calls have their own deadlines). */
    synchronized void startAsync() {
        if (async == null) {
            async = request.startAsync(request, response);
            async.setTimeout(0);
            async.addListener(this);
        }
    }

    synchronized Exchange setHeader(String name, String value) {
        if (!done && !response.isCommitted()) {
            response.setHeader(name, value);
        }
        return this;
    }

    synchronized void setHeaderIfAbsent(String name, String value) {
        if (!done && !response.isCommitted() && !response.containsHeader(name)) {
            response.setHeader(name, value);
        }
    }

    /**
     * Runs {@code r} once the client is seen gone (a failed write, an async error), unless the
     * response completed first. Runs it at once if the client is already gone.
     */
    void onClientClose(Runnable r) {
        synchronized (this) {
            if (!clientGone) {
                if (!done) {
                    onClose.add(r);
                }
                return;
            }
        }
        callbacks.execute(r);
    }

    /** Sends one whole response; false when it was already answered or the client is gone. */
    boolean respond(int status, String contentType, byte[] body) {
        synchronized (this) {
            if (done) {
                return false;
            }
            done = true;
            try {
                response.setStatus(status);
                if (contentType != null) {
                    response.setContentType(contentType);
                }
                response.setContentLength(body.length);
                if (body.length > 0) {
                    ServletOutputStream out = response.getOutputStream();
                    out.write(body);
                    out.flush();
                }
                return true;
            } catch (IOException | IllegalStateException e) {
                LOG.debug("response not delivered: {}", e.toString());
                return false;
            } finally {
                completeAsync();
                onClose.clear();
            }
        }
    }

    boolean respondEmpty(int status) {
        return respond(status, null, new byte[0]);
    }

    /** Sends the head of an SSE response and a first comment; false when the client is gone. */
    boolean beginStream() {
        synchronized (this) {
            if (done) {
                return false;
            }
            streaming = true;
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
        }
        return streamWrite(COMMENT);
    }

    /** Writes and flushes bytes of an open stream; false when the client is gone. */
    boolean streamWrite(byte[] bytes) {
        synchronized (this) {
            if (done || !streaming) {
                return false;
            }
            try {
                ServletOutputStream out = response.getOutputStream();
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException | IllegalStateException e) {
                LOG.debug("stream write failed, the client is gone: {}", e.toString());
            }
        }
        clientGone();
        return false;
    }

    /** Writes a last event (if any) and ends the stream. Idempotent. */
    void endStream(byte[] last) {
        synchronized (this) {
            if (done) {
                return;
            }
            if (streaming && last.length > 0) {
                try {
                    ServletOutputStream out = response.getOutputStream();
                    out.write(last);
                    out.flush();
                } catch (IOException | IllegalStateException e) {
                    LOG.debug("last event not delivered: {}", e.toString());
                }
            }
            done = true;
            completeAsync();
            onClose.clear();
        }
    }

    private void completeAsync() {
        if (async != null) {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                LOG.debug("async request already completed: {}", e.toString());
            }
        }
    }

    /** The client is gone: the response can no longer be written; tell whoever waits on it. */
    private void clientGone() {
        List<Runnable> run;
        synchronized (this) {
            if (clientGone) {
                return;
            }
            clientGone = true;
            boolean wasDone = done;
            done = true;
            run = wasDone ? List.of() : List.copyOf(onClose);
            onClose.clear();
            completeAsync();
        }
        run.forEach(callbacks::execute);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        synchronized (this) {
            done = true;
            onClose.clear();
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone();
    }

    @Override
    public void onError(AsyncEvent event) {
        LOG.debug("async request failed: {}", String.valueOf(event.getThrowable()));
        clientGone();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // a re-dispatch: keep listening
        event.getAsyncContext().addListener(this);
    }
}
