package dev.kami.spi;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the items, in the listing's order
 * @param nextCursor the opaque cursor of the next page, or {@code null} on the last page
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String nextCursor) {
    /** Copies. */
    public Page {
        items = List.copyOf(items);
    }
}
