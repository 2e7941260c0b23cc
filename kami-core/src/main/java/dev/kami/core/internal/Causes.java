package dev.kami.core.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a wrapped exception says, for a message: its type and its message, never {@code null}.
 * Many JDK exceptions carry no message ({@code ConnectException} of the HTTP client on a refused
 * connection, {@code EOFException}, {@code ClosedChannelException}), and {@code "failed: " +
 * e.getMessage()} then prints "failed: null". Every message that wraps a cause goes through
 * {@link #describe(Throwable)}. Only the simple name of the type is given: no Java package name
 * reaches a message.
 *
 * <p>Not an API: shared by kami-core and the {@code kami} CLI.
 */
public final class Causes {
    private static final int MAX_DEPTH = 8;

    private Causes() {
    }

    /**
     * @param t a failure, or {@code null}
     * @return {@code "Type: message"}; when the failure has no message, the first message found
     *     among its causes, else what its type means (a refused connection, an unknown host, ...)
     */
    public static String describe(Throwable t) {
        if (t == null) {
            return "unknown failure";
        }
        String type = t.getClass().getSimpleName().isEmpty() ? "error" : t.getClass().getSimpleName();
        String message = message(t);
        return message == null ? type : type + ": " + message;
    }

    private static String message(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && chain.size() < MAX_DEPTH && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        for (Throwable c : chain) {
            String m = c.getMessage();
            if (c.getCause() != null && c.getCause() != c && m != null && m.equals(c.getCause().toString())) {
                // new IOException(cause) copies cause.toString(), with its package name: name the cause instead
                String inner = describe(c.getCause());
                String meaning = c == t ? null : meaning(t);
                return meaning == null ? inner : meaning + " (" + inner + ")";
            }
            if (m != null && !m.isBlank() && !m.equals("null")) {
                String meaning = c == t ? null : meaning(t);
                return meaning == null ? m.strip() : meaning + " (" + m.strip() + ")";
            }
        }
        for (Throwable c : chain) {
            String meaning = meaning(c);
            if (meaning != null) {
                return meaning;
            }
        }
        return t.getCause() == null || t.getCause() == t ? null : "caused by " + t.getCause().getClass().getSimpleName();
    }

    /** @return what a message-less exception of a well-known type means, or null */
    private static String meaning(Throwable t) {
        if (t instanceof HttpConnectTimeoutException) {
            return "the connection timed out";
        }
        if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (t instanceof ConnectException) {
            return "the connection was refused or the host cannot be reached";
        }
        if (t instanceof NoRouteToHostException) {
            return "no route to the host";
        }
        if (t instanceof UnknownHostException) {
            return "the host name cannot be resolved";
        }
        if (t instanceof ClosedChannelException) {
            return "the connection was closed";
        }
        if (t instanceof java.io.EOFException) {
            return "the data ended early";
        }
        if (t instanceof NoSuchFileException) {
            return "no such file";
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (t instanceof FileAlreadyExistsException) {
            return "the file exists already";
        }
        if (t instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (t instanceof java.util.zip.ZipException) {
            return "not a valid zip archive";
        }
        if (t instanceof OutOfMemoryError) {
            return "out of memory";
        }
        return null;
    }
}
