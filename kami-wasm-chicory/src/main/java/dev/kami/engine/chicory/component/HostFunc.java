package dev.kami.engine.chicory.component;

import java.util.List;

/** A host function a component imports, on lifted values ({@link CanonicalAbi} representation). */
@FunctionalInterface
public interface HostFunc {
    /**
     * @param args the lifted arguments, in order
     * @return the result to lower, or null for a function without result
     */
    Object call(List<Object> args);
}
