package dev.kami.engine.chicory.component;

import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.component.CType.Field;
import dev.kami.engine.chicory.component.Component.CoreSort;
import dev.kami.engine.chicory.component.Component.Def;
import dev.kami.engine.chicory.component.Component.Sort;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the component binary format (layer 1, version 0x0d) into a {@link Component}: sections
 * in order, every index checked against its index space, types resolved. Anything malformed, or
 * a feature KAMI does not run (nested components, async, values, start functions, UTF-16
 * strings), is refused with a {@link ModuleRejectedException} that says what was found and where.
 * Stateless; one parser per component.
 */
public final class ComponentParser {
    /** The preamble's version and layer for components (layer 1, version 0x0d). */
    static final byte[] PREAMBLE = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};

    private final String toolId;
    private final byte[] bytes;
    private int pos;
    /** Where this (possibly nested) component ends. */
    private final int limit;
    /** Whether this is a nested component (no core code allowed). */
    private final boolean nested;
    private final List<Component.Nested> components = new ArrayList<>();

    // index spaces of the top-level component
    private final List<Def> defs = new ArrayList<>();
    private final List<byte[]> coreModules = new ArrayList<>();
    private int coreFuncs;
    private int coreTables;
    private int coreMemories;
    private int coreGlobals;
    private int coreTypes;
    private int coreInstances;
    private final List<CType.FuncT> funcs = new ArrayList<>();
    private final List<CType.InstanceT> instances = new ArrayList<>();
    private final Scope top;
    private final Map<String, CType> imports = new LinkedHashMap<>();
    private final Map<String, CType> exports = new LinkedHashMap<>();
    /** Per core instance: the names and sorts it exports, where known (null: unknown). */
    private final List<Map<String, CoreSort>> coreInstanceExports = new ArrayList<>();
    private final List<Map<String, CoreSort>> moduleExports = new ArrayList<>();

    private ComponentParser(String toolId, byte[] bytes) {
        this(toolId, bytes, 0, bytes.length, null);
    }

    private ComponentParser(String toolId, byte[] bytes, int start, int limit, Scope outer) {
        this.toolId = toolId;
        this.bytes = bytes;
        this.pos = start;
        this.limit = limit;
        this.nested = outer != null;
        this.top = new Scope(outer);
    }

    /** @return whether the bytes start with the component preamble (any version of layer 1) */
    public static boolean isComponent(byte[] bytes) {
        return bytes.length >= 8 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm'
                && bytes[6] == 1 && bytes[7] == 0;
    }

    /**
     * @param toolId for messages
     * @throws ModuleRejectedException if the bytes are not a well-formed component KAMI can run
     */
    public static Component parse(String toolId, byte[] bytes) {
        ComponentParser p = new ComponentParser(toolId, bytes);
        try {
            return p.component();
        } catch (ModuleRejectedException e) {
            throw e;
        } catch (RuntimeException e) { // index/buffer errors on truncated input
            throw p.error("is truncated or malformed near byte " + p.pos + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private ModuleRejectedException error(String what) {
        return new ModuleRejectedException("component of tool '" + toolId + "' " + what
                + ". Rebuild it with a current toolchain (wasm-tools, jco, cargo component) and check it with "
                + "`wasm-tools validate`");
    }

    private Component component() {
        int b = pos;
        if (limit - b < 8 || bytes[b] != 0 || bytes[b + 1] != 'a' || bytes[b + 2] != 's' || bytes[b + 3] != 'm') {
            throw error("does not start with the magic bytes \\0asm");
        }
        if (bytes[b + 6] != 1 || bytes[b + 7] != 0) {
            throw error("is a core module (layer " + (bytes[b + 6] & 0xff) + "), not a component");
        }
        if (bytes[b + 4] != 0x0d || bytes[b + 5] != 0) {
            throw error("has component binary version 0x" + Integer.toHexString((bytes[b + 4] & 0xff)
                    | (bytes[b + 5] & 0xff) << 8) + "; KAMI reads version 0x0d");
        }
        pos = b + 8;
        while (pos < limit) {
            int at = pos;
            int id = u8();
            int size = u32();
            int start = pos;
            int end = start + size;
            if (end > limit || size < 0) {
                throw error("has section " + id + " of " + size + " bytes at byte " + at
                        + ", past the end of the file (" + bytes.length + " bytes)");
            }
            switch (id) {
                case 0 -> pos = end; // custom section: names, producers
                case 1, 2, 4, 8 -> {
                    if (nested) {
                        throw error("nests a component that holds core code or components (section " + id
                                + " at byte " + at + "); KAMI runs nested components that only re-export "
                                + "what they import, as wit-component emits them");
                    }
                    switch (id) {
                        case 1 -> coreModule(start, end);
                        case 2 -> repeat(this::coreInstance);
                        case 4 -> nestedComponent(start, end);
                        default -> repeat(this::canon);
                    }
                }
                case 3 -> repeat(this::coreType);
                case 5 -> repeat(this::instance);
                case 6 -> repeat(this::alias);
                case 7 -> repeat(() -> top.add(defType(top)));
                case 9 -> throw error("has a start function (section 9); component start functions and values "
                        + "are not supported");
                case 10 -> repeat(this::importDef);
                case 11 -> repeat(this::exportDef);
                case 12 -> throw error("has a value section (12); component values are not supported");
                default -> throw error("has an unknown section id " + id + " at byte " + at);
            }
            if (pos != end) {
                throw error("has section " + id + " whose contents end at byte " + pos + " but its size says "
                        + end);
            }
        }
        return new Component(List.copyOf(defs), List.copyOf(coreModules),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(imports)), exportsInOrder(),
                List.copyOf(components));
    }

    private Map<String, CType> exportsInOrder() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(exports));
    }

    private void repeat(Runnable item) {
        int n = u32();
        for (int i = 0; i < n; i++) {
            item.run();
        }
    }

    // ---- core modules and instances

    private void coreModule(int start, int end) {
        byte[] module = Arrays.copyOfRange(bytes, start, end);
        if (module.length < 8 || module[0] != 0 || module[1] != 'a' || module[4] != 1 || module[6] != 0) {
            throw error("embeds core module " + coreModules.size() + " that is not a core module");
        }
        coreModules.add(module);
        moduleExports.add(CoreExports.of(module));
        defs.add(new Component.CoreModule(coreModules.size() - 1));
        pos = end;
    }

    private void coreInstance() {
        int kind = u8();
        if (kind == 0) {
            int module = index(u32(), coreModules.size(), "core module");
            Map<String, Integer> args = new LinkedHashMap<>();
            int n = u32();
            for (int i = 0; i < n; i++) {
                String name = name();
                int sort = u8();
                if (sort != 0x12) {
                    throw error("instantiates core module " + module + " with argument '" + name + "' of core sort 0x"
                            + Integer.toHexString(sort) + "; only core instances can be arguments");
                }
                args.put(name, index(u32(), coreInstances, "core instance"));
            }
            defs.add(new Component.CoreInstantiate(module, args));
            coreInstanceExports.add(moduleExports.get(module));
        } else if (kind == 1) {
            List<Component.CoreExport> list = new ArrayList<>();
            Map<String, CoreSort> names = new LinkedHashMap<>();
            int n = u32();
            for (int i = 0; i < n; i++) {
                String name = name();
                CoreSort sort = coreSort(u8());
                int idx = index(u32(), coreCount(sort), "core " + sort.name().toLowerCase(java.util.Locale.ROOT));
                list.add(new Component.CoreExport(name, sort, idx));
                names.put(name, sort);
            }
            defs.add(new Component.CoreInline(list));
            coreInstanceExports.add(names);
        } else {
            throw error("has a core instance of unknown kind 0x" + Integer.toHexString(kind));
        }
        coreInstances++;
    }

    private void coreType() {
        int form = u8();
        if (form == 0x60) {
            skipCoreFuncType();
        } else if (form == 0x50) {
            int n = u32();
            for (int i = 0; i < n; i++) {
                int decl = u8();
                switch (decl) {
                    case 0x00 -> { // import: module name, name, core externdesc
                        name();
                        name();
                        skipCoreExternDesc();
                    }
                    case 0x01 -> {
                        if (u8() != 0x60) {
                            throw error("has a core module type with a non-function type");
                        }
                        skipCoreFuncType();
                    }
                    case 0x02 -> { // outer alias of a core type
                        u8();
                        u8();
                        u32();
                        u32();
                    }
                    case 0x03 -> {
                        name();
                        skipCoreExternDesc();
                    }
                    default -> throw error("has a core module type declaration of unknown kind 0x"
                            + Integer.toHexString(decl));
                }
            }
        } else {
            throw error("has a core type of form 0x" + Integer.toHexString(form)
                    + " (only function and module types are supported)");
        }
        coreTypes++;
    }

    private void skipCoreFuncType() {
        int params = u32();
        for (int i = 0; i < params; i++) {
            coreValType();
        }
        int results = u32();
        for (int i = 0; i < results; i++) {
            coreValType();
        }
    }

    private void coreValType() {
        int t = u8();
        if (t == 0x63 || t == 0x64) { // (ref null ht) / (ref ht)
            s33();
        } else if (!(t == 0x7f || t == 0x7e || t == 0x7d || t == 0x7c || t == 0x7b || t == 0x70 || t == 0x6f)) {
            throw error("has an unknown core value type 0x" + Integer.toHexString(t));
        }
    }

    private void skipCoreExternDesc() {
        int kind = u8();
        switch (kind) {
            case 0x00 -> u32(); // func type index
            case 0x01 -> { // table
                coreValType();
                limits();
            }
            case 0x02 -> limits();
            case 0x03 -> {
                coreValType();
                u8();
            }
            default -> throw error("has a core import of unknown kind 0x" + Integer.toHexString(kind));
        }
    }

    private void limits() {
        int flags = u8();
        u32();
        if ((flags & 1) != 0) {
            u32();
        }
    }

    private int coreCount(CoreSort sort) {
        return switch (sort) {
            case FUNC -> coreFuncs;
            case TABLE -> coreTables;
            case MEMORY -> coreMemories;
            case GLOBAL -> coreGlobals;
            case TYPE -> coreTypes;
            case MODULE -> coreModules.size();
            case INSTANCE -> coreInstances;
            case TAG -> throw error("uses a core tag (exception handling), which is not supported");
        };
    }

    private void addCore(CoreSort sort) {
        switch (sort) {
            case FUNC -> coreFuncs++;
            case TABLE -> coreTables++;
            case MEMORY -> coreMemories++;
            case GLOBAL -> coreGlobals++;
            case TYPE -> coreTypes++;
            default -> throw error("aliases a core " + sort.name().toLowerCase(java.util.Locale.ROOT)
                    + ", which KAMI does not support");
        }
    }

    private CoreSort coreSort(int b) {
        return switch (b) {
            case 0x00 -> CoreSort.FUNC;
            case 0x01 -> CoreSort.TABLE;
            case 0x02 -> CoreSort.MEMORY;
            case 0x03 -> CoreSort.GLOBAL;
            case 0x04 -> CoreSort.TAG;
            case 0x10 -> CoreSort.TYPE;
            case 0x11 -> CoreSort.MODULE;
            case 0x12 -> CoreSort.INSTANCE;
            default -> throw error("has an unknown core sort 0x" + Integer.toHexString(b));
        };
    }

    private Sort sort(int[] coreOut) {
        int b = u8();
        return switch (b) {
            case 0x00 -> {
                coreOut[0] = u8();
                yield Sort.CORE;
            }
            case 0x01 -> Sort.FUNC;
            case 0x02 -> Sort.VALUE;
            case 0x03 -> Sort.TYPE;
            case 0x04 -> Sort.COMPONENT;
            case 0x05 -> Sort.INSTANCE;
            default -> throw error("has an unknown sort 0x" + Integer.toHexString(b));
        };
    }

    // ---- component instances, aliases, imports, exports

    private void instance() {
        int kind = u8();
        if (kind == 0) {
            int c = index(u32(), components.size(), "component");
            Component.Nested comp = components.get(c);
            Map<String, Component.InstanceExport> args = new LinkedHashMap<>();
            int n = u32();
            for (int i = 0; i < n; i++) {
                String name = name();
                int[] core = new int[1];
                Sort sort = sort(core);
                int idx = u32();
                switch (sort) {
                    case FUNC -> index(idx, funcs.size(), "function");
                    case INSTANCE -> index(idx, instances.size(), "instance");
                    case TYPE -> top.get(idx, this);
                    default -> throw error("instantiates component " + c + " with a "
                            + sort.name().toLowerCase(java.util.Locale.ROOT) + " argument '" + name + "'");
                }
                args.put(name, new Component.InstanceExport(name, sort, idx));
            }
            for (Map.Entry<String, List<String>> e : comp.exportPaths().entrySet()) {
                if (!args.containsKey(e.getValue().get(0))) {
                    throw error("instantiates component " + c + " without its import '" + e.getValue().get(0) + "'");
                }
            }
            defs.add(new Component.Instantiate(c, args));
            instances.add(new CType.InstanceT(comp.exportTypes()));
            return;
        }
        if (kind != 1) {
            throw error("has a component instance of unknown kind 0x" + Integer.toHexString(kind));
        }
        List<Component.InstanceExport> list = new ArrayList<>();
        Map<String, CType> types = new LinkedHashMap<>();
        int n = u32();
        for (int i = 0; i < n; i++) {
            String name = externName();
            int[] core = new int[1];
            Sort sort = sort(core);
            int idx = u32();
            switch (sort) {
                case FUNC -> types.put(name, funcs.get(index(idx, funcs.size(), "function")));
                case INSTANCE -> types.put(name, instances.get(index(idx, instances.size(), "instance")));
                case TYPE -> types.put(name, top.get(idx, this));
                default -> throw error("puts a " + sort.name().toLowerCase(java.util.Locale.ROOT) + " into an "
                        + "inline instance as '" + name + "'; only functions, types and instances are supported");
            }
            list.add(new Component.InstanceExport(name, sort, idx));
        }
        defs.add(new Component.Inline(list));
        instances.add(new CType.InstanceT(types));
    }

    private void alias() {
        int[] core = new int[1];
        Sort sort = sort(core);
        int target = u8();
        switch (target) {
            case 0x00 -> { // export of a component instance
                int inst = index(u32(), instances.size(), "instance");
                String name = name();
                CType t = instances.get(inst).exports().get(name);
                if (t == null) {
                    throw error("aliases '" + name + "' of instance " + inst + ", which exports only "
                            + instances.get(inst).exports().keySet());
                }
                switch (sort) {
                    case FUNC -> {
                        funcs.add(asFunc(t, name));
                        defs.add(new Component.Alias(sort, inst, name));
                    }
                    case INSTANCE -> {
                        if (!(t instanceof CType.InstanceT it)) {
                            throw error("aliases '" + name + "' as an instance but it is " + t.wit());
                        }
                        instances.add(it);
                        defs.add(new Component.Alias(sort, inst, name));
                    }
                    case TYPE -> top.add(t);
                    default -> throw error("aliases a " + sort.name().toLowerCase(java.util.Locale.ROOT)
                            + " export '" + name + "', which is not supported");
                }
            }
            case 0x01 -> { // export of a core instance
                if (sort != Sort.CORE) {
                    throw error("aliases a core export as a component " + sort);
                }
                int inst = index(u32(), coreInstances, "core instance");
                String name = name();
                CoreSort cs = coreSort(core[0]);
                Map<String, CoreSort> known = coreInstanceExports.get(inst);
                if (known != null && known.get(name) != cs) {
                    throw error("aliases core " + cs.name().toLowerCase(java.util.Locale.ROOT) + " '" + name
                            + "' of core instance " + inst + ", which exports " + (known.containsKey(name)
                            ? "it as a " + known.get(name).name().toLowerCase(java.util.Locale.ROOT)
                            : "no such name"));
                }
                addCore(cs);
                defs.add(new Component.CoreAlias(cs, inst, name));
            }
            case 0x02 -> { // outer
                int count = u32();
                int idx = u32();
                if (sort == Sort.TYPE) {
                    Scope s = top;
                    for (int i = 0; i < count && s != null; i++) {
                        s = s.outer;
                    }
                    if (s == null) {
                        throw error("aliases an outer type " + count + " levels up, past the top level");
                    }
                    top.add(s.get(idx, this));
                } else if (sort == Sort.CORE && core[0] == 0x10) {
                    coreTypes++;
                } else {
                    throw error("aliases an outer " + sort.name().toLowerCase(java.util.Locale.ROOT)
                            + "; only outer types are supported");
                }
            }
            default -> throw error("has an alias of unknown target kind 0x" + Integer.toHexString(target));
        }
    }

    private CType.FuncT asFunc(CType t, String name) {
        if (t instanceof CType.FuncT f) {
            return f;
        }
        throw error("uses '" + name + "' as a function but it is " + t.wit());
    }

    /**
     * Reads a nested component that only re-exports what it imports (the shape wit-component
     * gives an exported interface: imports of functions, exports of them with ascribed types).
     */
    private void nestedComponent(int start, int end) {
        ComponentParser inner = new ComponentParser(toolId, bytes, start, end, top);
        inner.component();
        // symbolic evaluation: every function/instance is a path from an import
        List<List<String>> funcPaths = new ArrayList<>();
        List<List<String>> instancePaths = new ArrayList<>();
        Map<String, List<String>> exportPaths = new LinkedHashMap<>();
        for (Def d : inner.defs) {
            if (d instanceof Component.Import i) {
                (i.sort() == Sort.FUNC ? funcPaths : instancePaths).add(List.of(i.name()));
            } else if (d instanceof Component.Alias a) {
                List<String> path = new ArrayList<>(instancePaths.get(a.instance()));
                path.add(a.name());
                (a.sort() == Sort.FUNC ? funcPaths : instancePaths).add(List.copyOf(path));
            } else if (d instanceof Component.Export e) {
                List<String> path = (e.sort() == Sort.FUNC ? funcPaths : instancePaths).get(e.index());
                (e.sort() == Sort.FUNC ? funcPaths : instancePaths).add(path);
                exportPaths.put(e.name(), path);
            } else {
                throw error("nests a component with a " + d.getClass().getSimpleName() + " definition; KAMI runs "
                        + "nested components that only re-export what they import");
            }
        }
        components.add(new Component.Nested(exportPaths, inner.exportsInOrder()));
        pos = end;
    }

    private void importDef() {
        String name = externName();
        CType t = externDesc(top);
        imports.put(name, t);
        if (t instanceof CType.InstanceT it) {
            bindResources(name, it);
            instances.add(it);
            defs.add(new Component.Import(name, Sort.INSTANCE, it));
        } else if (t instanceof CType.FuncT f) {
            funcs.add(f);
            defs.add(new Component.Import(name, Sort.FUNC, f));
        } else if (t instanceof CType.Resource r) {
            r.bind("", name);
            throw error("imports the resource type '" + name + "' directly; only instances and functions can be "
                    + "imported");
        } else if (isTypeImport) {
            top.add(t); // an imported (eq T) type
        } else {
            throw error("imports '" + name + "' as a " + t.wit() + "; only instances and functions can be "
                    + "imported");
        }
    }

    private boolean isTypeImport;

    private static void bindResources(String owner, CType.InstanceT it) {
        for (Map.Entry<String, CType> e : it.exports().entrySet()) {
            if (e.getValue() instanceof CType.Resource r) {
                r.bind(owner, e.getKey());
            }
        }
    }

    private void exportDef() {
        String name = externName();
        int[] core = new int[1];
        Sort sort = sort(core);
        int idx = u32();
        if (u8() == 1) { // optional ascribed type
            externDesc(top);
        }
        switch (sort) {
            case FUNC -> {
                CType.FuncT f = funcs.get(index(idx, funcs.size(), "function"));
                funcs.add(f);
                exports.put(name, f);
            }
            case INSTANCE -> {
                CType.InstanceT it = instances.get(index(idx, instances.size(), "instance"));
                bindResources(name, it);
                instances.add(it);
                exports.put(name, it);
            }
            case TYPE -> {
                CType t = top.get(idx, this);
                if (t instanceof CType.Resource r) {
                    r.bind("", name);
                }
                top.add(t);
                return;
            }
            default -> throw error("exports '" + name + "' as a " + sort.name().toLowerCase(java.util.Locale.ROOT)
                    + "; only functions, instances and types can be exported");
        }
        defs.add(new Component.Export(name, sort, idx));
    }

    // ---- canonical definitions

    private void canon() {
        int op = u8();
        switch (op) {
            case 0x00 -> {
                expect(0x00, "canon lift");
                int coreFunc = index(u32(), coreFuncs, "core function");
                Component.Opts opts = opts();
                CType t = top.get(u32(), this);
                CType.FuncT f = asFunc(t, "canon lift of core function " + coreFunc);
                funcs.add(f);
                defs.add(new Component.Lift(coreFunc, opts, f));
            }
            case 0x01 -> {
                expect(0x00, "canon lower");
                int func = index(u32(), funcs.size(), "function");
                Component.Opts opts = opts();
                coreFuncs++;
                defs.add(new Component.Lower(func, opts, funcs.get(func)));
            }
            case 0x02, 0x03, 0x04, 0x07 -> {
                CType t = top.get(u32(), this);
                if (!(t instanceof CType.Resource r)) {
                    throw error("applies a resource built-in to " + t.wit() + ", which is not a resource");
                }
                String name = op == 0x02 ? "new" : op == 0x04 ? "rep" : "drop";
                if ((op == 0x02 || op == 0x04) && !r.local) {
                    throw error("applies resource." + name + " to the imported resource " + r.name()
                            + "; only a resource the component defines has a representation");
                }
                coreFuncs++;
                defs.add(new Component.ResourceBuiltin(name, r));
            }
            default -> throw error("has the canonical built-in 0x" + Integer.toHexString(op) + " (async, threads "
                    + "or streams), which KAMI does not support; only lift, lower and resource.new/drop/rep are");
        }
    }

    private void expect(int b, String what) {
        int got = u8();
        if (got != b) {
            throw error("has " + what + " with byte 0x" + Integer.toHexString(got) + " where 0x"
                    + Integer.toHexString(b) + " belongs");
        }
    }

    private Component.Opts opts() {
        int memory = -1;
        int realloc = -1;
        int post = -1;
        String encoding = "utf8";
        int n = u32();
        for (int i = 0; i < n; i++) {
            int o = u8();
            switch (o) {
                case 0x00 -> encoding = "utf8";
                case 0x01, 0x02 -> throw error("asks for " + (o == 1 ? "UTF-16" : "latin1+UTF-16")
                        + " strings; KAMI's canonical ABI passes strings in UTF-8 only");
                case 0x03 -> memory = index(u32(), coreMemories, "core memory");
                case 0x04 -> realloc = index(u32(), coreFuncs, "core function");
                case 0x05 -> post = index(u32(), coreFuncs, "core function");
                case 0x06, 0x07 -> throw error("uses the async canonical options; KAMI runs synchronous components "
                        + "only");
                default -> throw error("has an unknown canonical option 0x" + Integer.toHexString(o));
            }
        }
        return new Component.Opts(memory, realloc, post, encoding);
    }

    // ---- types

    /** A type index space: the top level's, or one instance or component type's own. */
    static final class Scope {
        final Scope outer;
        final List<CType> types = new ArrayList<>();

        Scope(Scope outer) {
            this.outer = outer;
        }

        void add(CType t) {
            types.add(t);
        }

        CType get(int idx, ComponentParser p) {
            if (idx < 0 || idx >= types.size()) {
                throw p.error("refers to type " + Integer.toUnsignedString(idx) + " but only " + types.size()
                        + " types are defined at that point");
            }
            return types.get(idx);
        }
    }

    private CType defType(Scope scope) {
        int b = u8();
        switch (b) {
            case 0x40 -> {
                return funcType(scope);
            }
            case 0x43 -> throw error("defines an async function type; KAMI runs synchronous components only");
            case 0x41 -> {
                return componentType(scope);
            }
            case 0x42 -> {
                return instanceType(scope);
            }
            case 0x3f -> {
                expect(0x7f, "a resource type");
                int dtor = -1;
                if (u8() == 1) {
                    dtor = index(u32(), coreFuncs, "core function");
                }
                return new CType.Resource("resource" + scope.types.size(), true, dtor);
            }
            case 0x3e -> throw error("defines an async resource type; not supported");
            default -> {
                pos--;
                return defValType(scope);
            }
        }
    }

    private CType.FuncT funcType(Scope scope) {
        List<Field> params = labelled(scope);
        int kind = u8();
        CType result;
        if (kind == 0x00) {
            result = valType(scope);
        } else if (kind == 0x01) {
            List<Field> named = labelled(scope);
            result = named.isEmpty() ? null : new CType.RecordT(named);
        } else {
            throw error("has a function result list of unknown kind 0x" + Integer.toHexString(kind));
        }
        return new CType.FuncT(params, result);
    }

    private List<Field> labelled(Scope scope) {
        int n = u32();
        List<Field> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String label = name();
            out.add(new Field(label, valType(scope)));
        }
        return out;
    }

    private CType defValType(Scope scope) {
        int b = u8();
        CType prim = prim(b);
        if (prim != null) {
            return prim;
        }
        switch (b) {
            case 0x72 -> {
                return new CType.RecordT(labelled(scope));
            }
            case 0x71 -> {
                int n = u32();
                List<Field> cases = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String label = name();
                    CType t = u8() == 1 ? valType(scope) : null;
                    int refines = u8();
                    if (refines != 0) {
                        throw error("has a variant case '" + label + "' that refines another (obsolete encoding)");
                    }
                    cases.add(new Field(label, t));
                }
                return new CType.VariantT(cases);
            }
            case 0x70 -> {
                return new CType.ListT(valType(scope));
            }
            case 0x67 -> throw error("uses a fixed-length list, which KAMI does not support");
            case 0x6f -> {
                int n = u32();
                List<CType> types = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    types.add(valType(scope));
                }
                return new CType.TupleT(types);
            }
            case 0x6e -> {
                List<String> names = labels();
                if (names.size() > 32) {
                    throw error("defines flags with " + names.size() + " labels; at most 32 are allowed");
                }
                return new CType.FlagsT(names);
            }
            case 0x6d -> {
                return new CType.EnumT(labels());
            }
            case 0x6b -> {
                return new CType.OptionT(valType(scope));
            }
            case 0x6a -> {
                CType ok = u8() == 1 ? valType(scope) : null;
                CType err = u8() == 1 ? valType(scope) : null;
                return new CType.ResultT(ok, err);
            }
            case 0x69, 0x68 -> {
                CType t = scope.get(u32(), this);
                if (!(t instanceof CType.Resource r)) {
                    throw error("takes a handle (" + (b == 0x69 ? "own" : "borrow") + ") to " + t.wit()
                            + ", which is not a resource");
                }
                return b == 0x69 ? new CType.Own(r) : new CType.Borrow(r);
            }
            case 0x66, 0x65 -> throw error("uses " + (b == 0x66 ? "stream" : "future") + " types (async); not "
                    + "supported");
            case 0x64 -> throw error("uses error-context (async); not supported");
            default -> throw error("has an unknown type constructor 0x" + Integer.toHexString(b) + " at byte "
                    + (pos - 1));
        }
    }

    private List<String> labels() {
        int n = u32();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(name());
        }
        return out;
    }

    private static CType prim(int b) {
        return switch (b) {
            case 0x7f -> CType.Prim.BOOL;
            case 0x7e -> CType.Prim.S8;
            case 0x7d -> CType.Prim.U8;
            case 0x7c -> CType.Prim.S16;
            case 0x7b -> CType.Prim.U16;
            case 0x7a -> CType.Prim.S32;
            case 0x79 -> CType.Prim.U32;
            case 0x78 -> CType.Prim.S64;
            case 0x77 -> CType.Prim.U64;
            case 0x76 -> CType.Prim.F32;
            case 0x75 -> CType.Prim.F64;
            case 0x74 -> CType.Prim.CHAR;
            case 0x73 -> CType.Prim.STRING;
            default -> null;
        };
    }

    /** A valtype: a primitive (one byte, 0x64..0x7f) or a type index. */
    private CType valType(Scope scope) {
        int b = bytes[pos] & 0xff;
        if (b >= 0x64 && b <= 0x7f) {
            pos++;
            CType p = prim(b);
            if (p == null) {
                throw error("uses the value type 0x" + Integer.toHexString(b) + ", which is not supported");
            }
            return p;
        }
        return scope.get(u32(), this);
    }

    private CType.InstanceT instanceType(Scope outer) {
        Scope scope = new Scope(outer);
        Map<String, CType> exportTypes = new LinkedHashMap<>();
        int n = u32();
        for (int i = 0; i < n; i++) {
            decl(scope, exportTypes, null);
        }
        return new CType.InstanceT(java.util.Collections.unmodifiableMap(exportTypes));
    }

    private CType.ComponentT componentType(Scope outer) {
        Scope scope = new Scope(outer);
        Map<String, CType> importTypes = new LinkedHashMap<>();
        Map<String, CType> exportTypes = new LinkedHashMap<>();
        int n = u32();
        for (int i = 0; i < n; i++) {
            decl(scope, exportTypes, importTypes);
        }
        return new CType.ComponentT(importTypes, exportTypes);
    }

    private void decl(Scope scope, Map<String, CType> exportTypes, Map<String, CType> importTypes) {
        int kind = u8();
        switch (kind) {
            case 0x00 -> coreType();
            case 0x01 -> scope.add(defType(scope));
            case 0x02 -> {
                int[] core = new int[1];
                Sort sort = sort(core);
                int target = u8();
                if (target != 0x02) {
                    throw error("has an alias of kind 0x" + Integer.toHexString(target) + " inside a type; only "
                            + "outer aliases may appear there");
                }
                int count = u32();
                int idx = u32();
                if (sort == Sort.TYPE) {
                    Scope s = scope;
                    for (int i = 0; i < count && s != null; i++) {
                        s = s.outer;
                    }
                    if (s == null) {
                        throw error("aliases an outer type " + count + " levels up, past the top level");
                    }
                    scope.add(s.get(idx, this));
                } else if (!(sort == Sort.CORE && core[0] == 0x10)) {
                    throw error("aliases an outer " + sort.name().toLowerCase(java.util.Locale.ROOT)
                            + " inside a type");
                }
            }
            case 0x03, 0x04 -> {
                if (kind == 0x03 && importTypes == null) {
                    throw error("declares an import inside an instance type");
                }
                String name = externName();
                isTypeDecl = false;
                CType t = externDesc(scope);
                if (isTypeDecl) {
                    scope.add(t);
                }
                (kind == 0x03 ? importTypes : exportTypes).put(name, t);
            }
            default -> throw error("has a type declaration of unknown kind 0x" + Integer.toHexString(kind));
        }
    }

    private boolean isTypeDecl;

    /** Reads an externdesc; for a type bound, sets {@link #isTypeDecl}/{@link #isTypeImport}. */
    private CType externDesc(Scope scope) {
        int kind = u8();
        isTypeImport = false;
        switch (kind) {
            case 0x00 -> {
                expect(0x11, "a core module import");
                u32();
                return new CType.CoreModuleT();
            }
            case 0x01 -> {
                return asFunc(scope.get(u32(), this), "an imported function");
            }
            case 0x02 -> throw error("imports or exports a value; component values are not supported");
            case 0x03 -> {
                isTypeDecl = true;
                isTypeImport = true;
                int bound = u8();
                if (bound == 0x00) {
                    return scope.get(u32(), this);
                }
                if (bound == 0x01) {
                    return new CType.Resource("resource", false, -1);
                }
                throw error("has a type bound of unknown kind 0x" + Integer.toHexString(bound));
            }
            case 0x04 -> {
                CType t = scope.get(u32(), this);
                return t;
            }
            case 0x05 -> {
                CType t = scope.get(u32(), this);
                if (!(t instanceof CType.InstanceT)) {
                    throw error("declares an instance of type " + t.wit() + ", which is not an instance type");
                }
                return t;
            }
            default -> throw error("has an extern descriptor of unknown kind 0x" + Integer.toHexString(kind));
        }
    }

    // ---- primitives

    private String externName() {
        int kind = u8();
        String name = name();
        if (kind == 0x01) {
            name();  // version suffix, for semver matching; the name already carries its version
        } else if (kind != 0x00) {
            throw error("has an import or export name of unknown kind 0x" + Integer.toHexString(kind));
        }
        return name;
    }

    private int index(int idx, int size, String what) {
        if (idx < 0 || idx >= size) {
            throw error("refers to " + what + " " + Integer.toUnsignedString(idx) + " but only " + size
                    + " are defined at that point");
        }
        return idx;
    }

    private int u8() {
        if (pos >= bytes.length) {
            throw error("ends unexpectedly at byte " + pos);
        }
        return bytes[pos++] & 0xff;
    }

    private int u32() {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = u8();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw error("has an over-long LEB128 number at byte " + pos);
            }
        }
        if (result > 0xffffffffL) {
            throw error("has a number above 2^32 at byte " + pos);
        }
        return (int) result;
    }

    private long s33() {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            result |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    private String name() {
        int len = u32();
        if (len < 0 || pos + len > bytes.length) {
            throw error("has a name of " + Integer.toUnsignedString(len) + " bytes at byte " + pos
                    + ", past the end");
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, pos, len)).toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw error("has a name that is not UTF-8 at byte " + pos);
        }
    }
}
