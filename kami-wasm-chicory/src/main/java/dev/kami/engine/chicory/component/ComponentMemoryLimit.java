package dev.kami.engine.chicory.component;

/** Instantiation stopped: the component's memories would start above the call's memory limit. */
public final class ComponentMemoryLimit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ComponentMemoryLimit(String message) {
        super(message, null, false, false);
    }
}
