package dev.kami.engine.chicory.internal;

import java.util.regex.Pattern;

/**
 * Turns host exceptions into text a tool's caller may read: no Java class name ever reaches it.
 * Public for the engine's other packages (component); not an API.
 */
public final class Messages {
    /** A qualified Java name such as {@code com.dylibso.chicory.wasi.Descriptors$PreopenedDirectory}. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(?:java|javax|jdk|sun|com|org|net|io|dev\\.kami)(?:\\.[A-Za-z_$][\\w$]*)+");

    private Messages() {
    }

    /** @return the throwable's message with qualified class names replaced, or a plain fallback */
    static String hostText(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return "an internal error of the engine";
        }
        return scrub(m);
    }

    /** @return the text with qualified Java class names replaced by "(host class)" */
    static String scrub(String text) {
        return CLASS_NAME.matcher(text).replaceAll("(host class)");
    }

    /**
     * What Chicory's parser found wrong, in words: its own parse errors say it; anything else (a
     * null reference or an index out of range on a damaged section, found by fuzzing) is named
     * without its Java exception text, which would mean nothing to a tool author.
     */
    public static String parseProblem(RuntimeException e) {
        String m = e.getMessage();
        if (e instanceof com.dylibso.chicory.wasm.ChicoryException && m != null && m.equals(scrub(m))) {
            return m;
        }
        return "a section is damaged (the parser stopped at inconsistent data)";
    }
}
