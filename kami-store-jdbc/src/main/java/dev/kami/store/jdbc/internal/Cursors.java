package dev.kami.store.jdbc.internal;

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

    static String after(String lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((TAG + lastId).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException naming the cursor when this store did not make it */
    static String lastId(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            text = "";
        }
        // the last id of a page may be a damaged row's id, so any non-empty id is taken back
        if (text.startsWith(TAG) && text.length() > TAG.length()) {
            return text.substring(TAG.length());
        }
        throw new IllegalArgumentException("cursor '" + cursor + "' was not made by this tool store; pass the"
                + " nextCursor of a previous page unchanged, or null to start from the first page");
    }
}
