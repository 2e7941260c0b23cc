package dev.kami.engine.chicory.component;

import java.util.List;
import java.util.Map;

/**
 * A parsed component: its definitions in binary order (which is the order they are
 * instantiated in), its imports and its exports. Produced by {@link ComponentParser}; immutable.
 *
 * @param defs what instantiation evaluates, in order; each adds to one index space
 * @param coreModules the embedded core modules' bytes, by core module index
 * @param imports the component's imports (instances and functions), by name
 * @param exports the component's exports, by name: a function's type or an instance's
 * @param components the nested (re-exporting) components, by component index
 */
public record Component(List<Def> defs, List<byte[]> coreModules, Map<String, CType> imports,
        Map<String, CType> exports, List<Nested> components) {

    /** Core sorts as the binary format numbers them. */
    enum CoreSort { FUNC, TABLE, MEMORY, GLOBAL, TAG, TYPE, MODULE, INSTANCE }

    /** Component-level sorts. */
    enum Sort { CORE, FUNC, VALUE, TYPE, COMPONENT, INSTANCE }

    /** Canonical options of a lift or lower. memory/realloc/postReturn are core indices or -1. */
    record Opts(int memory, int realloc, int postReturn, String encoding) {
    }

    /** One definition; the comment on each says which index space it adds to. */
    sealed interface Def {
    }

    /** Adds a core module (index {@code module}). */
    record CoreModule(int module) implements Def {
    }

    /** Adds a core instance: the module instantiated with named core instances as its imports. */
    record CoreInstantiate(int module, Map<String, Integer> args) implements Def {
    }

    /** A core export of an inline core instance. */
    record CoreExport(String name, CoreSort sort, int index) {
    }

    /** Adds a core instance made of existing core items. */
    record CoreInline(List<CoreExport> exports) implements Def {
    }

    /** Adds a core func, table, memory or global: an export of a core instance. */
    record CoreAlias(CoreSort sort, int instance, String name) implements Def {
    }

    /** Adds a component instance (type {@code type}) or a function, imported under {@code name}. */
    record Import(String name, Sort sort, CType type) implements Def {
    }

    /** Adds a function or instance: an export of a component instance. */
    record Alias(Sort sort, int instance, String name) implements Def {
    }

    /** An export of an inline component instance. */
    record InstanceExport(String name, Sort sort, int index) {
    }

    /** Adds a component instance made of existing functions and instances. */
    record Inline(List<InstanceExport> exports) implements Def {
    }

    /** Adds a component function: core function {@code coreFunc} lifted to {@code type}. */
    record Lift(int coreFunc, Opts opts, CType.FuncT type) implements Def {
    }

    /** Adds a core function: component function {@code func} lowered. */
    record Lower(int func, Opts opts, CType.FuncT type) implements Def {
    }

    /** Adds a core function: resource.new, resource.drop or resource.rep of {@code resource}. */
    record ResourceBuiltin(String op, CType.Resource resource) implements Def {
    }

    /**
     * A nested component that only re-exports its imports.
     *
     * @param exportPaths export name to the import it passes on: the import's name, then export
     *     names into it
     * @param exportTypes the exports' types
     */
    record Nested(Map<String, List<String>> exportPaths, Map<String, CType> exportTypes) {
    }

    /** Adds a component instance: a nested component instantiated with outer functions/instances. */
    record Instantiate(int component, Map<String, InstanceExport> args) implements Def {
    }

    /** Adds a function or instance again, under the export {@code name}. */
    record Export(String name, Sort sort, int index) implements Def {
    }
}
