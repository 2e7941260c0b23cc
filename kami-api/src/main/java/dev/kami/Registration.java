package dev.kami;

/** Something registered that {@link #close()} unregisters; closing twice is harmless. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    /** Unregisters. */
    @Override
    void close();
}
