package dev.kami.engine.chicory.component;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A component-model value type (the {@code valtype}s of the component binary format), resolved:
 * type indices are replaced by the types they name. Resource types keep their identity
 * ({@link Resource} compares by reference), so {@code own<T>} of two different resources differ.
 */
public sealed interface CType {
    /** Primitive kinds, in the order of the binary format's {@code primvaltype} (0x7f downwards). */
    enum Prim implements CType {
        BOOL, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, CHAR, STRING;

        @Override
        public String wit() {
            return switch (this) {
                case F32 -> "f32";
                case F64 -> "f64";
                default -> name().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }

    /** @return the type as WIT writes it */
    String wit();

    /** A named field or case. {@code type} is null for a case without payload. */
    record Field(String name, CType type) {
    }

    record ListT(CType element) implements CType {
        @Override
        public String wit() {
            return "list<" + element.wit() + ">";
        }
    }

    record RecordT(List<Field> fields) implements CType {
        public RecordT {
            fields = List.copyOf(fields);
        }

        @Override
        public String wit() {
            return fields.stream().map(f -> f.name() + ": " + f.type().wit()).collect(Collectors.joining(", ",
                    "record { ", " }"));
        }
    }

    record TupleT(List<CType> types) implements CType {
        public TupleT {
            types = List.copyOf(types);
        }

        @Override
        public String wit() {
            return types.stream().map(CType::wit).collect(Collectors.joining(", ", "tuple<", ">"));
        }
    }

    /** A variant; its cases may carry a payload (Field.type) or not (null). */
    record VariantT(List<Field> cases) implements CType {
        public VariantT {
            cases = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(cases));
        }

        @Override
        public String wit() {
            return cases.stream().map(c -> c.type() == null ? c.name() : c.name() + "(" + c.type().wit() + ")")
                    .collect(Collectors.joining(", ", "variant { ", " }"));
        }
    }

    record EnumT(List<String> names) implements CType {
        public EnumT {
            names = List.copyOf(names);
        }

        @Override
        public String wit() {
            return String.join(", ", names).isEmpty() ? "enum { }" : "enum { " + String.join(", ", names) + " }";
        }
    }

    record OptionT(CType type) implements CType {
        @Override
        public String wit() {
            return "option<" + type.wit() + ">";
        }
    }

    /** {@code ok} and {@code error} may each be null (no payload). */
    record ResultT(CType ok, CType error) implements CType {
        @Override
        public String wit() {
            return "result<" + (ok == null ? "_" : ok.wit()) + ", " + (error == null ? "_" : error.wit()) + ">";
        }
    }

    record FlagsT(List<String> names) implements CType {
        public FlagsT {
            names = List.copyOf(names);
        }

        @Override
        public String wit() {
            return "flags { " + String.join(", ", names) + " }";
        }
    }

    record Own(Resource resource) implements CType {
        @Override
        public String wit() {
            return "own<" + resource.name() + ">";
        }
    }

    record Borrow(Resource resource) implements CType {
        @Override
        public String wit() {
            return "borrow<" + resource.name() + ">";
        }
    }

    /**
     * A resource type. Identity is the object: each {@code (sub resource)} declaration and each
     * {@code resource} definition is a new one. The name is filled in when the declaration is
     * bound (an import's instance, an export), for messages and for the WASI host.
     */
    final class Resource implements CType {
        private String name;
        private String owner = "";
        /** For a resource the component defines: the core destructor's index, or -1. */
        final int dtor;
        final boolean local;

        Resource(String name, boolean local, int dtor) {
            this.name = name;
            this.local = local;
            this.dtor = dtor;
        }

        /** @return the resource's name in its interface, e.g. {@code output-stream} */
        public String name() {
            return name;
        }

        /** @return the interface it belongs to, e.g. {@code wasi:io/streams@0.2.3}, or "" */
        public String owner() {
            return owner;
        }

        void bind(String owner, String name) {
            if (this.owner.isEmpty()) {
                this.owner = owner;
                this.name = name;
            }
        }

        @Override
        public String wit() {
            return name;
        }

        @Override
        public String toString() {
            return "resource " + (owner.isEmpty() ? "" : owner + "#") + name;
        }
    }

    /** A component function type; {@code result} is null when it returns nothing. */
    record FuncT(List<Field> params, CType result) implements CType {
        public FuncT {
            params = List.copyOf(params);
        }

        @Override
        public String wit() {
            return params.stream().map(p -> p.name() + ": " + p.type().wit())
                    .collect(Collectors.joining(", ", "func(", ")")) + (result == null ? "" : " -> " + result.wit());
        }
    }

    /** An instance type: what an instance exports, by name (funcs, types, nested instances). */
    record InstanceT(Map<String, CType> exports) implements CType {
        @Override
        public String wit() {
            return "instance { " + exports.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().wit())
                    .collect(Collectors.joining("; ")) + " }";
        }
    }

    /** A component type (for nested component imports); kept only for messages. */
    record ComponentT(Map<String, CType> imports, Map<String, CType> exports) implements CType {
        @Override
        public String wit() {
            return "component";
        }
    }

    /** A core module type: known to exist, not used further. */
    record CoreModuleT() implements CType {
        @Override
        public String wit() {
            return "core module";
        }
    }
}
