package dev.kami.store.jdbc.internal;

import dev.kami.manifest.ToolId;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Listing cursors: the last id of a page, tagged and base64url-encoded, so that a cursor stays
 * valid when tools are added or removed between pages and works on every node sharing the
 * registry (ADR 0204). Callers treat them as opaque.
 */
final class Cursors {
    private static final String TAG = "kami.tools.v1:";

    private Cursors() {
    }

    static String after(ToolId lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((TAG + lastId.value()).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException naming the cursor when this store did not make it */
    static ToolId lastId(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            text = "";
        }
        if (text.startsWith(TAG) && ToolId.isValid(text.substring(TAG.length()))) {
            return ToolId.of(text.substring(TAG.length()));
        }
        throw new IllegalArgumentException("cursor '" + cursor + "' was not made by this tool store; pass the"
                + " nextCursor of a previous page unchanged, or null to start from the first page");
    }
}
