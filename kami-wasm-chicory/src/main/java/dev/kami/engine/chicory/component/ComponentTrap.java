package dev.kami.engine.chicory.component;

/**
 * A trap raised by the canonical ABI or the component host (a bad handle, a pointer out of
 * bounds, invalid UTF-8, a misaligned pointer): it ends the call like a core trap.
 */
public final class ComponentTrap extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ComponentTrap(String message) {
        super(message, null, false, false);
    }
}
