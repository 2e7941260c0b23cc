package dev.kami.mcp.protocol;

import java.util.List;

/** The MCP protocol versions this server knows, newest first. */
public final class ProtocolVersions {
    /** The stateless modern revision: per-request {@code _meta}, {@code server/discover}. */
    public static final String V2026_07_28 = "2026-07-28";
    /** The newest legacy (handshake) revision. */
    public static final String V2025_11_25 = "2025-11-25";
    /** Legacy revision. */
    public static final String V2025_06_18 = "2025-06-18";
    /** Legacy revision; the first with Streamable HTTP. */
    public static final String V2025_03_26 = "2025-03-26";
    /** Legacy revision. */
    public static final String V2024_11_05 = "2024-11-05";

    /** Versions served statelessly with per-request {@code _meta}. */
    public static final List<String> MODERN = List.of(V2026_07_28);
    /** Versions negotiated with {@code initialize}, newest first. */
    public static final List<String> LEGACY = List.of(V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05);
    /** Every version, newest first. */
    public static final List<String> ALL = List.of(V2026_07_28, V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05);

    private ProtocolVersions() {
    }

    /** @return whether {@code version} is one of the modern (stateless) revisions this server knows */
    public static boolean isModern(String version) {
        return MODERN.contains(version);
    }
}
