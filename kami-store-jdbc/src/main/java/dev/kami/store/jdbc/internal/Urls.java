package dev.kami.store.jdbc.internal;

import java.util.regex.Pattern;

/** JDBC URLs as they may appear in messages and logs: without passwords. */
public final class Urls {
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]+:)[^/@]*@");

    private Urls() {
    }

    /** @return the URL with any password replaced by {@code ***} */
    public static String redact(String url) {
        String out = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(out).replaceAll("$1***@");
    }
}
