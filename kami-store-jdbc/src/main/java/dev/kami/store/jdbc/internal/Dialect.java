package dev.kami.store.jdbc.internal;

import java.sql.SQLException;
import java.util.Locale;

/** The two databases the JDBC store speaks, and what differs between them. */
public enum Dialect {
    /** The embedded default: one file, one writer at a time. */
    SQLITE("sqlite", "jdbc:sqlite:"),
    /** A registry shared by several nodes. */
    POSTGRESQL("postgresql", "jdbc:postgresql:");

    private final String folder;
    private final String prefix;

    Dialect(String folder, String prefix) {
        this.folder = folder;
        this.prefix = prefix;
    }

    /** @return the folder holding this dialect's migrations, under {@code dev/kami/store/jdbc/migrations/} */
    public String folder() {
        return folder;
    }

    /** @return the JDBC URL prefix */
    public String prefix() {
        return prefix;
    }

    /** @return the dialect of a JDBC URL, or {@code null} when the store does not support it */
    public static Dialect of(String url) {
        for (Dialect d : values()) {
            if (url.toLowerCase(Locale.ROOT).startsWith(d.prefix)) {
                return d;
            }
        }
        return null;
    }

    /**
     * Whether a failure is one a fresh attempt of the same transaction can get past: a busy or
     * locked SQLite file, a PostgreSQL serialization failure or deadlock, or a unique or foreign
     * key violation caused by a concurrent writer (the next attempt sees the winner's row and turns
     * it into a proper conflict).
     */
    boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if (this == SQLITE) {
                    int code = s.getErrorCode() & 0xff;
                    String m = String.valueOf(s.getMessage());
                    if (code == 5 || code == 6 || m.contains("SQLITE_BUSY") || m.contains("SQLITE_LOCKED")) {
                        return true;
                    }
                } else {
                    String state = s.getSQLState();
                    if ("40001".equals(state) || "40P01".equals(state) || "23505".equals(state)
                            || "23503".equals(state) || "55P03".equals(state)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether a failure means the connection is no longer usable. */
    boolean isBroken(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("08");
    }
}
