package dev.kami.engine.chicory.component;

/**
 * What the host gives one instantiation of a component: the functions of the instances it
 * imports. Built per call (the host functions hold that call's state).
 */
public interface ComponentHost {
    /**
     * @param instance the imported instance's name as the component spells it, e.g. {@code wasi:io/streams@0.2.3}
     * @param name the function's name in it, e.g. {@code [method]output-stream.write}
     * @param type its type, as the component declares it
     * @return the function, or null if the host does not provide it
     */
    HostFunc function(String instance, String name, CType.FuncT type);

    /** Called when the component drops its last handle to a host resource (resource.drop). */
    default void dropped(CType.Resource type, Object rep) {
        if (rep instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new ComponentTrap("dropping a " + type.name() + " failed: " + e.getMessage());
            }
        }
    }
}
