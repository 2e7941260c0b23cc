package dev.kami.langchain4j;

import dev.kami.langchain4j.internal.Json;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Converts a KAMI tool's input JSON Schema (text) into LangChain4j's {@link JsonSchemaElement}
 * tree, so that a model sees the tool's full argument shape.
 *
 * <p>Mapping: {@code type} object/array/string/integer/number/boolean/null become the matching
 * LangChain4j schema with its {@code description}; {@code properties}, {@code required} and a
 * boolean {@code additionalProperties} are kept; {@code items} gives the array's item type; a
 * string {@code enum} (or a string {@code const}) becomes {@link JsonEnumSchema}; {@code anyOf}
 * and {@code oneOf} become {@link JsonAnyOfSchema}; a {@code type} list such as
 * {@code ["string","null"]} becomes an any-of of those types; {@code $ref} into
 * {@code $defs}/{@code definitions} becomes {@link JsonReferenceSchema} with the definitions
 * carried on the root. Anything LangChain4j cannot express (a non-string enum, {@code allOf} of
 * several parts, an array {@code items} list, a schema with no type) is passed through as
 * {@link JsonRawSchema} so nothing is lost silently. Validation keywords LangChain4j has no slot
 * for ({@code pattern}, {@code minimum}, {@code format}, ...) are dropped from what the model
 * sees; the tool still receives whatever the model sends, KAMI refuses arguments that are not a
 * JSON object ({@code INVALID_ARGUMENTS}), and the tool's own error message goes back to the
 * model as an error result it can correct (ADR 0602).
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * JsonObjectSchema params = ToolSchemas.toObjectSchema(tool.inputSchema());
 * }</pre>
 */
public final class ToolSchemas {

    private ToolSchemas() {
    }

    /**
     * Converts a tool's input schema, which describes the argument object.
     *
     * @param jsonSchema a JSON Schema object as text, not {@code null}
     * @return the parameters schema; an empty object schema when the root has no properties
     * @throws IllegalArgumentException if the text is not JSON, or its root is not an object
     *     schema
     */
    public static JsonObjectSchema toObjectSchema(String jsonSchema) {
        Objects.requireNonNull(jsonSchema, "jsonSchema");
        Object root = Json.parse(jsonSchema);
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("a tool input schema must be a JSON object, got: " + abbreviate(jsonSchema));
        }
        Map<String, Object> schema = cast(m);
        Object type = schema.get("type");
        if (type != null && !"object".equals(type)) {
            throw new IllegalArgumentException("a tool input schema must have \"type\":\"object\", got "
                    + Json.write(type) + " in: " + abbreviate(jsonSchema));
        }
        JsonObjectSchema.Builder b = objectBuilder(schema);
        Map<String, JsonSchemaElement> defs = new LinkedHashMap<>();
        for (String key : List.of("$defs", "definitions")) {
            if (schema.get(key) instanceof Map<?, ?> d) {
                cast(d).forEach((name, def) -> defs.put(name, element(def)));
            }
        }
        if (!defs.isEmpty()) {
            b.definitions(defs);
        }
        return b.build();
    }

    /**
     * Converts one (sub)schema.
     *
     * @param jsonSchema a JSON Schema as text (an object, or {@code true}/{@code false})
     * @return its LangChain4j form
     * @throws IllegalArgumentException if the text is not JSON
     */
    public static JsonSchemaElement toElement(String jsonSchema) {
        return element(Json.parse(Objects.requireNonNull(jsonSchema, "jsonSchema")));
    }

    private static JsonSchemaElement element(Object node) {
        if (!(node instanceof Map<?, ?> raw)) {
            // `true`, `false` or garbage: let the model see it as written.
            return JsonRawSchema.from(Json.write(node));
        }
        Map<String, Object> s = cast(raw);
        String description = s.get("description") instanceof String d ? d : null;

        if (s.get("$ref") instanceof String ref) {
            String name = refName(ref);
            if (name != null) {
                return JsonReferenceSchema.builder().reference(name).build();
            }
            return JsonRawSchema.from(Json.write(s));
        }
        if (s.containsKey("enum")) {
            List<String> values = strings(s.get("enum"));
            if (values != null && !values.isEmpty()) {
                return JsonEnumSchema.builder().enumValues(values).description(description).build();
            }
            return JsonRawSchema.from(Json.write(s));
        }
        if (s.get("const") instanceof String c) {
            return JsonEnumSchema.builder().enumValues(List.of(c)).description(description).build();
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (s.get(key) instanceof List<?> alternatives && !alternatives.isEmpty() && !s.containsKey("type")) {
                List<JsonSchemaElement> parts = new ArrayList<>();
                for (Object a : alternatives) {
                    parts.add(element(a));
                }
                return JsonAnyOfSchema.builder().anyOf(parts).description(description).build();
            }
        }
        if (s.get("allOf") instanceof List<?> all && all.size() == 1 && !s.containsKey("type")) {
            return element(all.get(0));
        }

        Object type = s.get("type");
        if (type == null && s.containsKey("properties")) {
            type = "object";
        }
        if (type == null && s.containsKey("items")) {
            type = "array";
        }
        if (type instanceof List<?> types) {
            List<JsonSchemaElement> parts = new ArrayList<>();
            for (Object t : types) {
                if (!(t instanceof String ts)) {
                    return JsonRawSchema.from(Json.write(s));
                }
                Map<String, Object> single = new LinkedHashMap<>(s);
                single.put("type", ts);
                single.remove("description");
                JsonSchemaElement e = typed(ts, single, null);
                if (e == null) {
                    return JsonRawSchema.from(Json.write(s));
                }
                parts.add(e);
            }
            if (parts.size() == 1) {
                return typed((String) types.get(0), s, description);
            }
            return JsonAnyOfSchema.builder().anyOf(parts).description(description).build();
        }
        if (type instanceof String ts) {
            JsonSchemaElement e = typed(ts, s, description);
            if (e != null) {
                return e;
            }
        }
        return JsonRawSchema.from(Json.write(s));
    }

    private static JsonSchemaElement typed(String type, Map<String, Object> s, String description) {
        switch (type) {
            case "object":
                return objectBuilder(s).build();
            case "array": {
                Object items = s.get("items");
                if (items != null && !(items instanceof Map<?, ?>)) {
                    return null; // tuple form or boolean items: pass the schema through raw
                }
                return JsonArraySchema.builder().description(description).items(items == null ? null : element(items))
                        .build();
            }
            case "string":
                return JsonStringSchema.builder().description(description).build();
            case "integer":
                return JsonIntegerSchema.builder().description(description).build();
            case "number":
                return JsonNumberSchema.builder().description(description).build();
            case "boolean":
                return JsonBooleanSchema.builder().description(description).build();
            case "null":
                return new JsonNullSchema();
            default:
                return null;
        }
    }

    private static JsonObjectSchema.Builder objectBuilder(Map<String, Object> s) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        if (s.get("description") instanceof String d) {
            b.description(d);
        }
        if (s.get("properties") instanceof Map<?, ?> props) {
            Map<String, JsonSchemaElement> converted = new LinkedHashMap<>();
            cast(props).forEach((name, p) -> converted.put(name, element(p)));
            b.addProperties(converted);
        }
        List<String> required = strings(s.get("required"));
        if (required != null && !required.isEmpty()) {
            b.required(required);
        }
        if (s.get("additionalProperties") instanceof Boolean ap) {
            b.additionalProperties(ap);
        }
        return b;
    }

    private static String refName(String ref) {
        for (String prefix : List.of("#/$defs/", "#/definitions/")) {
            if (ref.startsWith(prefix) && ref.length() > prefix.length() && ref.indexOf('/', prefix.length()) < 0) {
                return ref.substring(prefix.length());
            }
        }
        return null;
    }

    private static List<String> strings(Object node) {
        if (!(node instanceof List<?> l)) {
            return null;
        }
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) {
            if (!(o instanceof String str)) {
                return null;
            }
            out.add(str);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
