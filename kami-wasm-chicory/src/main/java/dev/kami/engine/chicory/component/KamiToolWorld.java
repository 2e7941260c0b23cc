package dev.kami.engine.chicory.component;

import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.component.wasi.WasiPreview2;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code kami:tool/kami-tool@0.1.0} world of the original KAMI: the component exports
 * {@code kami:tool/tool} ({@code run: func(input: string) -> result<string, string>},
 * {@code describe: func() -> string}) and may import {@code kami:tool/host} ({@code log}) and
 * the WASI 0.2 interfaces {@link WasiPreview2} provides. {@link #check} refuses anything else at
 * install, with the list of what is missing. Stateless.
 */
public final class KamiToolWorld {
    /** The package of the world (any 0.1.x version). */
    public static final String PACKAGE = "kami:tool";
    static final CType.FuncT RUN = new CType.FuncT(List.of(new CType.Field("input", CType.Prim.STRING)),
            new CType.ResultT(CType.Prim.STRING, CType.Prim.STRING));
    static final CType.FuncT DESCRIBE = new CType.FuncT(List.of(), CType.Prim.STRING);
    static final CType.FuncT LOG = new CType.FuncT(List.of(
            new CType.Field("level", new CType.EnumT(List.of("trace", "debug", "info", "warn", "error"))),
            new CType.Field("message", CType.Prim.STRING)), null);

    private KamiToolWorld() {
    }

    /** @return whether the instance name is {@code kami:tool/<iface>@0.1.x} */
    static boolean isKami(String instance, String iface) {
        return instance.startsWith(PACKAGE + "/" + iface + "@0.1.");
    }

    /** @return the name of the exported {@code kami:tool/tool@0.1.x} instance, or null */
    public static String toolExport(Component c) {
        for (String name : c.exports().keySet()) {
            if (isKami(name, "tool")) {
                return name;
            }
        }
        return null;
    }

    /**
     * Checks the component against the world: the tool export with its two functions and their
     * types, and imports the host provides.
     *
     * @throws ModuleRejectedException naming every import KAMI does not provide, or the export problem
     */
    public static void check(String toolId, Component c) {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, CType> e : c.imports().entrySet()) {
            String name = e.getKey();
            if (!(e.getValue() instanceof CType.InstanceT it)) {
                missing.add(name + " (a " + e.getValue().wit() + ")");
                continue;
            }
            if (isKami(name, "host")) {
                it.exports().forEach((fn, t) -> {
                    if (t instanceof CType.FuncT f && !(fn.equals("log") && f.wit().equals(LOG.wit()))) {
                        missing.add(name + "#" + fn + " (" + t.wit() + ")");
                    }
                });
                continue;
            }
            missing.addAll(WasiPreview2.missing(name, it));
        }
        if (!missing.isEmpty()) {
            throw new ModuleRejectedException("component of tool '" + toolId + "' imports what KAMI does not provide: "
                    + String.join(", ", missing) + ". A kami:tool component may import kami:tool/host@0.1.x (log) "
                    + "and the WASI 0.2.x interfaces wasi:cli (environment, exit, stdin, stdout, stderr, "
                    + "terminal-*), wasi:io (error, streams, poll), wasi:clocks (wall-clock, monotonic-clock), "
                    + "wasi:random, wasi:filesystem (types, preopens) and wasi:http (outgoing-handler, types); see "
                    + "docs/ABI.md");
        }
        String export = toolExport(c);
        if (export == null) {
            throw new ModuleRejectedException("component of tool '" + toolId + "' does not export the interface "
                    + "kami:tool/tool@0.1.x of the kami:tool/kami-tool world; its exports are " + c.exports().keySet()
                    + ". See docs/ABI.md");
        }
        CType.InstanceT tool = (CType.InstanceT) c.exports().get(export);
        requireFunc(toolId, export, tool, "run", RUN);
        requireFunc(toolId, export, tool, "describe", DESCRIBE);
    }

    private static void requireFunc(String toolId, String export, CType.InstanceT tool, String name, CType.FuncT want) {
        CType t = tool.exports().get(name);
        if (!(t instanceof CType.FuncT f) || !typesMatch(f, want)) {
            throw new ModuleRejectedException("component of tool '" + toolId + "' exports " + export + " without "
                    + name + ": " + want.wit() + (t == null ? "" : " (it has " + name + ": " + t.wit() + ")")
                    + ". See docs/ABI.md");
        }
    }

    private static boolean typesMatch(CType.FuncT a, CType.FuncT b) {
        if (a.params().size() != b.params().size()) {
            return false;
        }
        for (int i = 0; i < a.params().size(); i++) {
            if (!a.params().get(i).type().wit().equals(b.params().get(i).type().wit())) {
                return false;
            }
        }
        return a.result() == null ? b.result() == null : b.result() != null && a.result().wit().equals(b.result().wit());
    }

    /**
     * The world the component implements as WIT-like text, for {@code kami inspect}: each imported
     * and exported instance with its resources, types and functions (names as the component
     * gives them, e.g. {@code [method]descriptor.stat}), one per line.
     */
    public static String wit(Component c) {
        StringBuilder sb = new StringBuilder("world kami-tool {\n");
        c.imports().forEach((name, t) -> item(sb, "import", name, t));
        c.exports().forEach((name, t) -> item(sb, "export", name, t));
        return sb.append("}").toString();
    }

    private static void item(StringBuilder sb, String kind, String name, CType t) {
        if (!(t instanceof CType.InstanceT it)) {
            sb.append("  ").append(kind).append(' ').append(name).append(": ").append(t.wit()).append(";\n");
            return;
        }
        // the instance's own named types, so its functions read "error-code", not the whole enum
        Map<CType, String> names = new java.util.HashMap<>();
        it.exports().forEach((member, mt) -> {
            if (!(mt instanceof CType.FuncT || mt instanceof CType.Resource || mt instanceof CType.Prim
                    || mt instanceof CType.InstanceT)) {
                names.putIfAbsent(mt, member);
            }
        });
        sb.append("  ").append(kind).append(' ').append(name).append(" {\n");
        it.exports().forEach((member, mt) -> {
            sb.append("    ");
            if (mt instanceof CType.Resource) {
                sb.append("resource ").append(member);
            } else if (mt instanceof CType.FuncT f) {
                sb.append(member).append(": ").append(render(f, names, false));
            } else {
                sb.append("type ").append(member).append(" = ").append(render(mt, names, true));
            }
            sb.append(";\n");
        });
        sb.append("  }\n");
    }

    /** WIT text of a type, naming the parts that are named types of the instance. */
    private static String render(CType t, Map<CType, String> names, boolean definition) {
        if (t == null) {
            return "_";
        }
        if (!definition && names.containsKey(t)) {
            return names.get(t);
        }
        java.util.function.Function<CType, String> in = x -> render(x, names, false);
        java.util.stream.Collector<CharSequence, ?, String> list = java.util.stream.Collectors.joining(", ");
        if (t instanceof CType.ListT l) {
            return "list<" + in.apply(l.element()) + ">";
        } else if (t instanceof CType.OptionT o) {
            return "option<" + in.apply(o.type()) + ">";
        } else if (t instanceof CType.ResultT r) {
            return "result<" + in.apply(r.ok()) + ", " + in.apply(r.error()) + ">";
        } else if (t instanceof CType.TupleT tt) {
            return "tuple<" + tt.types().stream().map(in).collect(list) + ">";
        } else if (t instanceof CType.RecordT rec) {
            return "record { " + rec.fields().stream().map(f -> f.name() + ": " + in.apply(f.type())).collect(list)
                    + " }";
        } else if (t instanceof CType.VariantT v) {
            return "variant { " + v.cases().stream().map(c -> c.type() == null ? c.name()
                    : c.name() + "(" + in.apply(c.type()) + ")").collect(list) + " }";
        } else if (t instanceof CType.FuncT f) {
            return "func(" + f.params().stream().map(p -> p.name() + ": " + in.apply(p.type())).collect(list) + ")"
                    + (f.result() == null ? "" : " -> " + in.apply(f.result()));
        }
        return t.wit();
    }
}
