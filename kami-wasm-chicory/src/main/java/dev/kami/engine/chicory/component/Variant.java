package dev.kami.engine.chicory.component;

/**
 * A lifted variant, option or result value: the case's index and its payload (null when the case
 * has none). Options are case 0 = none, 1 = some; results are case 0 = ok, 1 = error.
 *
 * @param index the case index
 * @param value the payload, or null
 */
public record Variant(int index, Object value) {
    /** @return {@code ok(value)} */
    public static Variant ok(Object value) {
        return new Variant(0, value);
    }

    /** @return {@code error(value)} */
    public static Variant err(Object value) {
        return new Variant(1, value);
    }

    /** @return {@code some(value)} */
    public static Variant some(Object value) {
        return new Variant(1, value);
    }

    /** @return {@code none} */
    public static Variant none() {
        return new Variant(0, null);
    }
}
