package dev.kami.engine.chicory.component;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.component.Component.CoreSort;
import dev.kami.engine.chicory.component.Component.Def;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A component made ready to run: parsed, each core module parsed (and in compiled mode compiled
 * to JVM bytecode) once. {@link #instantiate} builds one fresh instantiation of the whole
 * component (every core instance, in the order and wiring the component gives) for one call.
 * Thread-safe: nothing mutable is shared between instantiations.
 */
public final class ComponentLinker {
    /** The most elements a core table may have (each costs the host memory per call). */
    static final long MAX_TABLE_ELEMENTS = 100_000;

    private final String toolId;
    private final Component component;
    private final WasmModule[] modules;
    private final List<Function<Instance, Machine>> factories;
    /** How many memories one instantiation defines (several share one budget). */
    private final int definedMemories;
    /**
     * One core import, resolved once: where its value comes from (the argument instance of the
     * {@code CoreInstantiate}), what it is and, for a function, its type.
     */
    private record ImportPlan(Import imp, Integer argIndex, String field, CoreSort sort, FunctionType type) {
    }

    /** The import plan of each core instantiation, in import order, computed once. */
    private final Map<Def, ImportPlan[]> importPlans = new java.util.IdentityHashMap<>();
    /** Whether one instantiation wired every core import with a matching type (types never change). */
    private volatile boolean wiringChecked;
    /** The core signature of each lift and lower, computed once. */
    private final Map<Def, FunctionType> coreTypes = new java.util.IdentityHashMap<>();

    /**
     * @param compile whether to compile each core module to JVM bytecode (else: interpreter)
     * @throws ModuleRejectedException if a core module is malformed or cannot be compiled
     */
    public ComponentLinker(String toolId, Component component, boolean compile) {
        this.toolId = Objects.requireNonNull(toolId, "toolId");
        this.component = Objects.requireNonNull(component, "component");
        this.modules = new WasmModule[component.coreModules().size()];
        this.factories = new ArrayList<>();
        for (int i = 0; i < modules.length; i++) {
            byte[] bytes = component.coreModules().get(i);
            try {
                modules[i] = Parser.parse(CoreExports.patchEmptyImports(bytes));
            } catch (RuntimeException e) {
                throw new ModuleRejectedException("core module " + i + " of the component of tool '" + toolId
                        + "' is malformed (" + bytes.length + " bytes): "
                        + dev.kami.engine.chicory.internal.Messages.parseProblem(e)
                        + ". Rebuild the component", e);
            }
            for (int t = 0; t < modules[i].tableSection().tableCount(); t++) {
                long min = modules[i].tableSection().getTable(t).limits().min();
                if (min > MAX_TABLE_ELEMENTS) {
                    throw new ModuleRejectedException("core module " + i + " of the component of tool '" + toolId
                            + "' declares a table of " + min + " elements, above KAMI's limit of "
                            + MAX_TABLE_ELEMENTS);
                }
            }
            Function<Instance, Machine> factory = null;
            if (compile) {
                try {
                    factory = MachineFactoryCompiler.builder(modules[i])
                            .withInterpreterFallback(InterpreterFallback.SILENT).compile();
                } catch (RuntimeException | LinkageError e) {
                    throw new ModuleRejectedException("core module " + i + " of the component of tool '" + toolId
                            + "' cannot be compiled to JVM bytecode: " + e.getMessage()
                            + ". Try the interpreter (engine option mode=interpreter)", e);
                }
            }
            factories.add(factory);
        }
        int memories = 0;
        for (Def d : component.defs()) {
            if (d instanceof Component.CoreInstantiate ci && modules[ci.module()].memorySection().isPresent()) {
                memories += modules[ci.module()].memorySection().get().memoryCount();
            }
        }
        this.definedMemories = memories;
        for (Def d : component.defs()) {
            if (d instanceof Component.CoreInstantiate ci) {
                importPlans.put(d, plan(modules[ci.module()], ci));
            }
        }
        for (Def d : component.defs()) {
            if (d instanceof Component.Lift lift) {
                coreTypes.put(d, CanonicalAbi.liftedCoreType(lift.type()));
            } else if (d instanceof Component.Lower lower) {
                coreTypes.put(d, CanonicalAbi.loweredCoreType(lower.type()));
            }
        }
    }

    private static ImportPlan[] plan(WasmModule module, Component.CoreInstantiate ci) {
        int count = module.importSection().importCount();
        ImportPlan[] plans = new ImportPlan[count];
        for (int i = 0; i < count; i++) {
            Import imp = module.importSection().getImport(i);
            CoreSort sort = switch (imp.importType()) {
                case FUNCTION -> CoreSort.FUNC;
                case TABLE -> CoreSort.TABLE;
                case MEMORY -> CoreSort.MEMORY;
                case GLOBAL -> CoreSort.GLOBAL;
                default -> CoreSort.TAG;
            };
            FunctionType type = imp instanceof FunctionImport f ? module.typeSection().getType(f.typeIndex()) : null;
            String field = imp.name().equals(CoreExports.EMPTY_NAME) ? "" : imp.name();
            plans[i] = new ImportPlan(imp, ci.args().get(imp.module()), field, sort, type);
        }
        return plans;
    }

    /** @return the parsed component */
    public Component component() {
        return component;
    }

    /** @return the sum of the initial memory pages the core modules define */
    public long initialPages() {
        long pages = 0;
        for (WasmModule m : modules) {
            if (m.memorySection().isPresent()) {
                for (int i = 0; i < m.memorySection().get().memoryCount(); i++) {
                    pages += m.memorySection().get().getMemory(i).limits().initialPages();
                }
            }
        }
        return pages;
    }

    /**
     * What one instantiation needs from the engine.
     *
     * @param host the imported instances' functions
     * @param memoryFactory makes each memory a core module defines (the engine's capped memory)
     * @param capPages the most pages all the component's memories together may start with and
     *     grow to
     * @param listener in interpreter mode, called per instruction (fuel, interrupts); or null
     */
    public record Options(ComponentHost host, Function<MemoryLimits, Memory> memoryFactory, int capPages,
            ExecutionListener listener) {
    }

    /** Instantiates the whole component for one call; start functions (e.g. _initialize) run here. */
    public Linked instantiate(Options options) {
        return instantiate(options, new Linked[1]);
    }

    /**
     * As {@link #instantiate(Options)}; {@code out[0]} receives the instantiation before it
     * runs, so a caller can inspect it after a trap during instantiation.
     */
    public Linked instantiate(Options options, Linked[] out) {
        Linked linked = new Linked(options);
        out[0] = linked;
        return linked.run();
    }

    // ---- runtime values

    /** A core function: a Chicory export, a lowered function or a canonical built-in. */
    interface CoreFunc {
        FunctionType type();

        long[] call(long[] args);
    }

    /** A component function. */
    public interface Func {
        CType.FuncT type();

        Object invoke(List<Object> args);
    }

    /** A core instance's exports by name: CoreFunc, TableInstance, Memory or GlobalInstance. */
    private interface CoreInst {
        Object export(String name, CoreSort sort);
    }

    /** One instantiation of the component. Confined to the calling thread. */
    public final class Linked {
        private final Options options;
        private final ResourceTable table = new ResourceTable();
        private final List<CoreInst> coreInstances = new ArrayList<>();
        private final List<CoreFunc> coreFuncs = new ArrayList<>();
        private final List<TableInstance> coreTables = new ArrayList<>();
        private final List<Memory> coreMemories = new ArrayList<>();
        private final List<GlobalInstance> coreGlobals = new ArrayList<>();
        private final List<Func> funcs = new ArrayList<>();
        private final List<Map<String, Object>> instances = new ArrayList<>();
        private final Map<String, Object> exports = new LinkedHashMap<>();
        private final List<Memory> memories = new ArrayList<>();
        private final BudgetedMemory.Budget budget;

        private Linked(Options options) {
            this.options = options;
            this.budget = new BudgetedMemory.Budget(options.capPages());
        }

        /** @return whether a memory.grow was refused because all the memories together reached the cap */
        public boolean sharedBudgetRefused() {
            return budget.refused;
        }

        /** @return the handle table */
        public ResourceTable table() {
            return table;
        }

        /** @return every memory the core instances defined */
        public List<Memory> memories() {
            return memories;
        }

        /**
         * @return the exported function {@code name} of the exported instance {@code instance},
         *     or null
         */
        public Func export(String instance, String name) {
            Object inst = exports.get(instance);
            if (inst instanceof Map<?, ?> m && m.get(name) instanceof Func f) {
                return f;
            }
            return null;
        }

        /** @return the exports: instance name to a map of function names to {@link Func} */
        public Map<String, Object> exports() {
            return exports;
        }

        private Linked run() {
            for (Def d : component.defs()) {
                eval(d);
            }
            wiringChecked = true;
            return this;
        }

        private void eval(Def d) {
            if (d instanceof Component.CoreModule) {
                return; // modules are ready; nothing per call
            }
            if (d instanceof Component.CoreInstantiate ci) {
                Instance inst = instantiateCore(ci);
                coreInstances.add((name, sort) -> switch (sort) {
                    case FUNC -> chicoryFunc(inst, name);
                    case TABLE -> inst.exports().table(name);
                    case MEMORY -> inst.exports().memory(name);
                    case GLOBAL -> inst.exports().global(name);
                    default -> null;
                });
            } else if (d instanceof Component.CoreInline inline) {
                Map<String, Object> bag = new LinkedHashMap<>();
                for (Component.CoreExport e : inline.exports()) {
                    bag.put(e.name(), core(e.sort(), e.index()));
                }
                coreInstances.add((name, sort) -> bag.get(name));
            } else if (d instanceof Component.CoreAlias a) {
                Object item = coreInstances.get(a.instance()).export(a.name(), a.sort());
                if (item == null) {
                    throw new ComponentTrap("core instance " + a.instance() + " has no export '" + a.name() + "'");
                }
                switch (a.sort()) {
                    case FUNC -> coreFuncs.add((CoreFunc) item);
                    case TABLE -> coreTables.add((TableInstance) item);
                    case MEMORY -> coreMemories.add((Memory) item);
                    case GLOBAL -> coreGlobals.add((GlobalInstance) item);
                    default -> {
                    }
                }
            } else if (d instanceof Component.Import imp) {
                if (imp.sort() == Component.Sort.FUNC) {
                    funcs.add(hostFunc("", imp.name(), (CType.FuncT) imp.type()));
                } else {
                    Map<String, Object> bag = new LinkedHashMap<>();
                    ((CType.InstanceT) imp.type()).exports().forEach((name, t) -> {
                        if (t instanceof CType.FuncT f) {
                            bag.put(name, hostFunc(imp.name(), name, f));
                        }
                    });
                    instances.add(bag);
                }
            } else if (d instanceof Component.Alias a) {
                Object item = instances.get(a.instance()).get(a.name());
                addComponentItem(a.sort(), item);
            } else if (d instanceof Component.Inline inline) {
                Map<String, Object> bag = new LinkedHashMap<>();
                for (Component.InstanceExport e : inline.exports()) {
                    if (e.sort() == Component.Sort.FUNC) {
                        bag.put(e.name(), funcs.get(e.index()));
                    } else if (e.sort() == Component.Sort.INSTANCE) {
                        bag.put(e.name(), instances.get(e.index()));
                    }
                }
                instances.add(bag);
            } else if (d instanceof Component.Instantiate in) {
                Component.Nested nested = component.components().get(in.component());
                Map<String, Object> bag = new LinkedHashMap<>();
                nested.exportPaths().forEach((name, path) -> {
                    Component.InstanceExport arg = in.args().get(path.get(0));
                    Object item = arg.sort() == Component.Sort.FUNC ? funcs.get(arg.index())
                            : instances.get(arg.index());
                    for (String step : path.subList(1, path.size())) {
                        item = ((Map<?, ?>) item).get(step);
                    }
                    bag.put(name, item);
                });
                instances.add(bag);
            } else if (d instanceof Component.Lift lift) {
                funcs.add(lifted(lift));
            } else if (d instanceof Component.Lower lower) {
                coreFuncs.add(lowered(lower));
            } else if (d instanceof Component.ResourceBuiltin rb) {
                coreFuncs.add(builtin(rb));
            } else if (d instanceof Component.Export e) {
                Object item = e.sort() == Component.Sort.FUNC ? funcs.get(e.index()) : instances.get(e.index());
                addComponentItem(e.sort(), item);
                exports.put(e.name(), item);
            }
        }

        @SuppressWarnings("unchecked")
        private void addComponentItem(Component.Sort sort, Object item) {
            if (sort == Component.Sort.FUNC) {
                funcs.add((Func) item);
            } else if (sort == Component.Sort.INSTANCE) {
                instances.add((Map<String, Object>) item);
            }
        }

        private Object core(CoreSort sort, int index) {
            return switch (sort) {
                case FUNC -> coreFuncs.get(index);
                case TABLE -> coreTables.get(index);
                case MEMORY -> coreMemories.get(index);
                case GLOBAL -> coreGlobals.get(index);
                default -> throw new ComponentTrap("core " + sort + " items cannot be exported by an inline instance");
            };
        }

        private CoreFunc chicoryFunc(Instance inst, String name) {
            FunctionType type;
            try {
                type = inst.exportType(name);
            } catch (RuntimeException e) {
                return null;
            }
            ExportFunction fn = inst.export(name);
            return new CoreFunc() {
                @Override
                public FunctionType type() {
                    return type;
                }

                @Override
                public long[] call(long[] args) {
                    return fn.apply(args);
                }
            };
        }

        private Instance instantiateCore(Component.CoreInstantiate ci) {
            WasmModule module = modules[ci.module()];
            ImportValues.Builder values = ImportValues.builder();
            for (ImportPlan plan : importPlans.get(ci)) {
                Import imp = plan.imp();
                if (plan.argIndex() == null) {
                    throw new ComponentTrap("core module " + ci.module() + " imports '" + imp.module() + "' but the "
                            + "component instantiates it without that argument");
                }
                CoreInst arg = coreInstances.get(plan.argIndex());
                Object item = arg.export(plan.field(), plan.sort());
                if (item == null) {
                    throw new ComponentTrap("core module " + ci.module() + " imports " + imp.module() + "."
                            + imp.name() + ", which its argument instance does not export");
                }
                ExternalType kind = imp.importType();
                switch (kind) {
                    case FUNCTION -> {
                        CoreFunc f = (CoreFunc) item;
                        FunctionType want = plan.type();
                        if (!wiringChecked && !want.equals(f.type())) {
                            throw new ComponentTrap("core module " + ci.module() + " imports " + imp.module() + "."
                                    + imp.name() + " as " + want + " but is given " + f.type());
                        }
                        values.addFunction(new HostFunction(imp.module(), imp.name(), want,
                                (instance, args) -> f.call(args)));
                    }
                    case TABLE -> values.addTable(new ImportTable(imp.module(), imp.name(), (TableInstance) item));
                    case MEMORY -> values.addMemory(new ImportMemory(imp.module(), imp.name(), (Memory) item));
                    case GLOBAL -> values.addGlobal(new ImportGlobal(imp.module(), imp.name(), (GlobalInstance) item));
                    default -> throw new ComponentTrap("core module " + ci.module() + " imports a "
                            + kind + ", which KAMI does not provide");
                }
            }
            Instance.Builder builder = Instance.builder(module)
                    .withImportValues(values.build())
                    .withMemoryFactory(this::memory)
                    .withTableFactory(ComponentLinker::privateTable);
            Function<Instance, Machine> factory = factories.get(ci.module());
            if (factory != null) {
                builder.withMachineFactory(factory);
            } else if (options.listener() != null) {
                builder.withUnsafeExecutionListener(options.listener());
            }
            return builder.build();
        }

        /**
         * Every memory of the component shares one budget, {@code capPages} in total: a single
         * memory gets the engine's memory capped directly; several are each wrapped to draw on
         * the shared budget when they grow.
         */
        private Memory memory(MemoryLimits declared) {
            long left = budget.cap - budget.used;
            if (declared.initialPages() > left) {
                long pages = budget.used + declared.initialPages();
                throw new ComponentMemoryLimit("the component's memories start with " + pages + " pages ("
                        + pages * 64 + " KiB), above its limit of " + budget.cap + " pages (" + budget.cap * 64
                        + " KiB, max_memory_mb)");
            }
            Memory m = options.memoryFactory().apply(new MemoryLimits(declared.initialPages(),
                    (int) Math.min(declared.maximumPages(), left)));
            budget.used += declared.initialPages();
            memories.add(m);
            return definedMemories > 1 ? new BudgetedMemory(m, budget) : m;
        }

        /**
         * An imported function, asked of the host on its first call: a component imports dozens
         * of WASI functions (the preview-1 adapter all of wasi:filesystem) and a call uses a few,
         * so resolving them all at every instantiation was most of its cost. That the host
         * provides each is checked once, at install ({@link KamiToolWorld#check}).
         */
        private Func hostFunc(String instance, String name, CType.FuncT type) {
            return new Func() {
                private HostFunc impl;

                @Override
                public CType.FuncT type() {
                    return type;
                }

                @Override
                public Object invoke(List<Object> args) {
                    HostFunc f = impl;
                    if (f == null) {
                        f = options.host().function(instance, name, type);
                        if (f == null) {
                            throw new ComponentTrap("the host does not provide " + instance + "#" + name);
                        }
                        impl = f;
                    }
                    return f.call(args);
                }
            };
        }

        private CanonicalAbi abi(Component.Opts opts) {
            Memory memory = opts.memory() < 0 ? null : coreMemories.get(opts.memory());
            CanonicalAbi.Realloc realloc = null;
            if (opts.realloc() >= 0) {
                CoreFunc r = coreFuncs.get(opts.realloc());
                realloc = (old, oldSize, align, size) -> (int) r.call(new long[] {old, oldSize, align, size})[0];
            }
            return new CanonicalAbi(memory, realloc, table);
        }

        private Func lifted(Component.Lift lift) {
            CoreFunc core = coreFuncs.get(lift.coreFunc());
            CoreFunc post = lift.opts().postReturn() < 0 ? null : coreFuncs.get(lift.opts().postReturn());
            FunctionType expected = coreTypes.get(lift);
            if (!wiringChecked && !expected.equals(core.type())) {
                throw new ComponentTrap("core function " + lift.coreFunc() + " is lifted to " + lift.type().wit()
                        + ", which needs the core type " + expected + ", but it has " + core.type());
            }
            Component.Opts opts = lift.opts();
            return new Func() {
                @Override
                public CType.FuncT type() {
                    return lift.type();
                }

                @Override
                public Object invoke(List<Object> args) {
                    CanonicalAbi abi = abi(opts);
                    long[] coreArgs = abi.lowerArgs(lift.type(), args);
                    long[] results = core.call(coreArgs);
                    Object value = abi.liftResult(lift.type(), results);
                    if (post != null) {
                        post.call(results == null ? new long[0] : results);
                    }
                    abi.endCall();
                    return value;
                }
            };
        }

        private CoreFunc lowered(Component.Lower lower) {
            Func target = funcs.get(lower.func());
            FunctionType type = coreTypes.get(lower);
            Component.Opts opts = lower.opts();
            return new CoreFunc() {
                @Override
                public FunctionType type() {
                    return type;
                }

                @Override
                public long[] call(long[] args) {
                    CanonicalAbi abi = abi(opts);
                    List<Object> values = abi.liftArgs(lower.type(), args);
                    Object result = target.invoke(values);
                    return abi.lowerResult(lower.type(), args, result);
                }
            };
        }

        private CoreFunc builtin(Component.ResourceBuiltin rb) {
            CType.Resource r = rb.resource();
            FunctionType type = switch (rb.op()) {
                case "drop" -> FunctionType.of(List.of(com.dylibso.chicory.wasm.types.ValType.I32), List.of());
                default -> FunctionType.of(List.of(com.dylibso.chicory.wasm.types.ValType.I32),
                        List.of(com.dylibso.chicory.wasm.types.ValType.I32));
            };
            return new CoreFunc() {
                @Override
                public FunctionType type() {
                    return type;
                }

                @Override
                public long[] call(long[] args) {
                    int h = (int) args[0];
                    switch (rb.op()) {
                        case "new" -> {
                            return new long[] {table.addOwn(r, h)};
                        }
                        case "rep" -> {
                            return new long[] {(Integer) table.rep(h, r)};
                        }
                        default -> {
                            Object rep = table.drop(h, r);
                            if (rep != null) {
                                if (r.local) {
                                    if (r.dtor >= 0) {
                                        coreFuncs.get(r.dtor).call(new long[] {(Integer) rep});
                                    }
                                } else {
                                    options.host().dropped(r, rep);
                                }
                            }
                            return null;
                        }
                    }
                }
            };
        }
    }

    /**
     * Gives each core instance a table with limits of its own, capped at {@link #MAX_TABLE_ELEMENTS}:
     * Chicory's {@code table.grow} updates the limits object it was built from, which belongs to
     * the module shared by every call.
     */
    private static TableInstance privateTable(Table declared, int initialRef) {
        TableLimits limits = declared.limits();
        TableLimits own = new TableLimits(limits.min(), Math.min(limits.max(), MAX_TABLE_ELEMENTS));
        return new TableInstance(new Table(declared.elementType(), own, declared.initialize()), initialRef);
    }
}
