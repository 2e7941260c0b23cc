package dev.kami.engine.chicory.internal;

import java.util.regex.Pattern;

/** Turns host exceptions into text a tool's caller may read: no Java class name ever reaches it. */
final class Messages {
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

}
