package dev.kami.langchain4j;

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
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

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

    /** Floats as {@code BigDecimal}, so that a schema passed through raw keeps its numbers as written. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

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
        JsonNode schema = parse(jsonSchema);
        if (!schema.isObject()) {
            throw new IllegalArgumentException("a tool input schema must be a JSON object, got: " + abbreviate(jsonSchema));
        }
        JsonNode type = schema.get("type");
        if (type != null && !(type.isString() && "object".equals(type.asString()))) {
            throw new IllegalArgumentException("a tool input schema must have \"type\":\"object\", got "
                    + write(type) + " in: " + abbreviate(jsonSchema));
        }
        JsonObjectSchema.Builder b = objectBuilder(schema);
        Map<String, JsonSchemaElement> defs = new LinkedHashMap<>();
        for (String key : List.of("$defs", "definitions")) {
            JsonNode d = schema.get(key);
            if (d != null && d.isObject()) {
                for (Map.Entry<String, JsonNode> def : d.properties()) {
                    defs.put(def.getKey(), element(def.getValue()));
                }
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
        return element(parse(Objects.requireNonNull(jsonSchema, "jsonSchema")));
    }

    private static JsonSchemaElement element(JsonNode s) {
        if (!s.isObject()) {
            // `true`, `false` or garbage: let the model see it as written.
            return JsonRawSchema.from(write(s));
        }
        String description = string(s.get("description"));

        String ref = string(s.get("$ref"));
        if (ref != null) {
            String name = refName(ref);
            if (name != null) {
                return JsonReferenceSchema.builder().reference(name).build();
            }
            return JsonRawSchema.from(write(s));
        }
        if (s.has("enum")) {
            List<String> values = strings(s.get("enum"));
            if (values != null && !values.isEmpty()) {
                return JsonEnumSchema.builder().enumValues(values).description(description).build();
            }
            return JsonRawSchema.from(write(s));
        }
        String c = string(s.get("const"));
        if (c != null) {
            return JsonEnumSchema.builder().enumValues(List.of(c)).description(description).build();
        }
        for (String key : List.of("anyOf", "oneOf")) {
            JsonNode alternatives = s.get(key);
            if (alternatives != null && alternatives.isArray() && !alternatives.isEmpty() && !s.has("type")) {
                List<JsonSchemaElement> parts = new ArrayList<>();
                for (JsonNode a : alternatives) {
                    parts.add(element(a));
                }
                return JsonAnyOfSchema.builder().anyOf(parts).description(description).build();
            }
        }
        JsonNode all = s.get("allOf");
        if (all != null && all.isArray() && all.size() == 1 && !s.has("type")) {
            return element(all.get(0));
        }

        JsonNode type = s.get("type");
        if (type == null && s.has("properties")) {
            type = StringNode.valueOf("object");
        }
        if (type == null && s.has("items")) {
            type = StringNode.valueOf("array");
        }
        if (type != null && type.isArray()) {
            List<JsonSchemaElement> parts = new ArrayList<>();
            for (JsonNode t : type) {
                if (!t.isString()) {
                    return JsonRawSchema.from(write(s));
                }
                ObjectNode single = ((ObjectNode) s).deepCopy();
                single.put("type", t.asString());
                single.remove("description");
                JsonSchemaElement e = typed(t.asString(), single, null);
                if (e == null) {
                    return JsonRawSchema.from(write(s));
                }
                parts.add(e);
            }
            if (parts.size() == 1) {
                return typed(type.get(0).asString(), s, description);
            }
            return JsonAnyOfSchema.builder().anyOf(parts).description(description).build();
        }
        if (type != null && type.isString()) {
            JsonSchemaElement e = typed(type.asString(), s, description);
            if (e != null) {
                return e;
            }
        }
        return JsonRawSchema.from(write(s));
    }

    private static JsonSchemaElement typed(String type, JsonNode s, String description) {
        switch (type) {
            case "object":
                return objectBuilder(s).build();
            case "array": {
                JsonNode items = s.get("items");
                if (items != null && !items.isObject()) {
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

    private static JsonObjectSchema.Builder objectBuilder(JsonNode s) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        String description = string(s.get("description"));
        if (description != null) {
            b.description(description);
        }
        JsonNode props = s.get("properties");
        if (props != null && props.isObject()) {
            Map<String, JsonSchemaElement> converted = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                converted.put(p.getKey(), element(p.getValue()));
            }
            b.addProperties(converted);
        }
        List<String> required = strings(s.get("required"));
        if (required != null && !required.isEmpty()) {
            b.required(required);
        }
        JsonNode ap = s.get("additionalProperties");
        if (ap != null && ap.isBoolean()) {
            b.additionalProperties(ap.booleanValue());
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

    /** @return the text of a JSON string, {@code null} for anything else (absent included) */
    private static String string(JsonNode node) {
        return node != null && node.isString() ? node.asString() : null;
    }

    private static List<String> strings(JsonNode node) {
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode o : node) {
            if (!o.isString()) {
                return null;
            }
            out.add(o.asString());
        }
        return out;
    }

    /** One JSON value, or {@code IllegalArgumentException} naming the offset where the text goes wrong. */
    private static JsonNode parse(String text) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            throw new IllegalArgumentException("invalid JSON" + (at == null ? "" : " at offset " + at.getCharOffset())
                    + ": " + e.getOriginalMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new IllegalArgumentException("invalid JSON at offset " + text.length() + ": unexpected end of input");
        }
        return node;
    }

    /** @return compact JSON text, numbers as they were written */
    private static String write(JsonNode node) {
        return MAPPER.writeValueAsString(node);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
