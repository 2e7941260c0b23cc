package dev.kami.spi;

import dev.kami.Kami;

/**
 * Implemented once, by {@code kami-core}, to turn {@link KamiSettings} into a running
 * {@link Kami}. {@link Kami.Builder#build()} finds it by its well-known class name
 * ({@value #IMPLEMENTATION}); it is not a user extension point.
 */
public interface KamiFactory {
    /** The implementing class in {@code kami-core}. */
    String IMPLEMENTATION = "dev.kami.core.internal.DefaultKamiFactory";

    /** @return a running Kami */
    Kami create(KamiSettings settings);
}
