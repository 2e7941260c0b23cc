package dev.kami.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolSchemasTest {

    @Test
    void convertsNestedObjectsWithRequiredAndDescriptions() {
        JsonObjectSchema root = ToolSchemas.toObjectSchema("""
                {"type":"object","description":"root",
                 "properties":{
                   "user":{"type":"object","description":"who",
                           "properties":{"name":{"type":"string","description":"full name"},
                                         "age":{"type":"integer"},
                                         "address":{"type":"object","properties":{"city":{"type":"string"}},
                                                    "required":["city"],"additionalProperties":false}},
                           "required":["name"]},
                   "score":{"type":"number"},
                   "active":{"type":"boolean"}},
                 "required":["user","score"],
                 "additionalProperties":false}
                """);

        assertThat(root.description()).isEqualTo("root");
        assertThat(root.required()).containsExactly("user", "score");
        assertThat(root.additionalProperties()).isFalse();
        assertThat(root.properties()).containsOnlyKeys("user", "score", "active");
        assertThat(root.properties().get("score")).isInstanceOf(JsonNumberSchema.class);
        assertThat(root.properties().get("active")).isInstanceOf(JsonBooleanSchema.class);

        JsonObjectSchema user = (JsonObjectSchema) root.properties().get("user");
        assertThat(user.description()).isEqualTo("who");
        assertThat(user.required()).containsExactly("name");
        assertThat(((JsonStringSchema) user.properties().get("name")).description()).isEqualTo("full name");
        assertThat(user.properties().get("age")).isInstanceOf(JsonIntegerSchema.class);
        JsonObjectSchema address = (JsonObjectSchema) user.properties().get("address");
        assertThat(address.required()).containsExactly("city");
        assertThat(address.additionalProperties()).isFalse();
    }

    @Test
    void convertsArraysWithTheirItemTypes() {
        JsonObjectSchema root = ToolSchemas.toObjectSchema("""
                {"type":"object","properties":{
                  "tags":{"type":"array","description":"labels","items":{"type":"string"}},
                  "matrix":{"type":"array","items":{"type":"array","items":{"type":"number"}}},
                  "points":{"type":"array","items":{"type":"object","properties":{"x":{"type":"integer"}},"required":["x"]}},
                  "anything":{"type":"array"}}}
                """);

        JsonArraySchema tags = (JsonArraySchema) root.properties().get("tags");
        assertThat(tags.description()).isEqualTo("labels");
        assertThat(tags.items()).isInstanceOf(JsonStringSchema.class);
        JsonArraySchema matrix = (JsonArraySchema) root.properties().get("matrix");
        assertThat(((JsonArraySchema) matrix.items()).items()).isInstanceOf(JsonNumberSchema.class);
        JsonObjectSchema point = (JsonObjectSchema) ((JsonArraySchema) root.properties().get("points")).items();
        assertThat(point.required()).containsExactly("x");
        assertThat(((JsonArraySchema) root.properties().get("anything")).items()).isNull();
    }

    @Test
    void convertsStringEnumsAndConst() {
        JsonObjectSchema root = ToolSchemas.toObjectSchema("""
                {"type":"object","properties":{
                  "action":{"type":"string","enum":["pick","flatten","count"],"description":"what to do"},
                  "mode":{"const":"fast"},
                  "level":{"type":"integer","enum":[1,2,3]}},
                 "required":["action"]}
                """);

        JsonEnumSchema action = (JsonEnumSchema) root.properties().get("action");
        assertThat(action.enumValues()).containsExactly("pick", "flatten", "count");
        assertThat(action.description()).isEqualTo("what to do");
        assertThat(((JsonEnumSchema) root.properties().get("mode")).enumValues()).containsExactly("fast");
        // LangChain4j enums are strings only: an integer enum is passed through unchanged.
        assertThat(((JsonRawSchema) root.properties().get("level")).schema())
                .isEqualTo("{\"type\":\"integer\",\"enum\":[1,2,3]}");
        assertThat(root.required()).containsExactly("action");
    }

    @Test
    void convertsAnyOfNullableTypesAndReferences() {
        JsonObjectSchema root = ToolSchemas.toObjectSchema("""
                {"type":"object",
                 "$defs":{"point":{"type":"object","properties":{"x":{"type":"number"}}}},
                 "properties":{
                   "id":{"anyOf":[{"type":"string"},{"type":"integer"}],"description":"either"},
                   "note":{"type":["string","null"]},
                   "origin":{"$ref":"#/$defs/point"}}}
                """);

        JsonAnyOfSchema id = (JsonAnyOfSchema) root.properties().get("id");
        assertThat(id.description()).isEqualTo("either");
        assertThat(id.anyOf()).hasExactlyElementsOfTypes(JsonStringSchema.class, JsonIntegerSchema.class);
        JsonAnyOfSchema note = (JsonAnyOfSchema) root.properties().get("note");
        assertThat(note.anyOf()).hasExactlyElementsOfTypes(JsonStringSchema.class, JsonNullSchema.class);
        assertThat(((JsonReferenceSchema) root.properties().get("origin")).reference()).isEqualTo("point");
        assertThat(root.definitions()).containsOnlyKeys("point");
    }

    @Test
    void flatArgumentSchemaOfASampleToolConverts() {
        // What kami-core builds from json-transform's [[mcp.arguments]].
        JsonObjectSchema root = ToolSchemas.toObjectSchema("""
                {"type":"object","properties":{"action":{"type":"string","description":"Transformation"},
                "data":{"type":"object","description":"JSON object to transform"},
                "keys":{"type":"array","description":"Keys to pick"}},"required":["action","data"]}
                """);

        assertThat(root.properties().get("data")).isInstanceOf(JsonObjectSchema.class);
        assertThat(((JsonObjectSchema) root.properties().get("data")).description()).isEqualTo("JSON object to transform");
        assertThat(root.properties().get("keys")).isInstanceOf(JsonArraySchema.class);
    }

    @Test
    void emptyObjectSchemaHasNoProperties() {
        JsonObjectSchema root = ToolSchemas.toObjectSchema("{\"type\":\"object\",\"additionalProperties\":false}");

        assertThat(root.properties()).isEmpty();
        assertThat(root.additionalProperties()).isFalse();
    }

    @Test
    void whatAModelProviderSendsMatchesTheOriginalSchema() {
        String schema = """
                {"type":"object","description":"args",
                 "properties":{
                   "action":{"type":"string","enum":["pick","count"],"description":"what"},
                   "data":{"type":"object","properties":{"ids":{"type":"array","items":{"type":"integer"}}},"required":["ids"]},
                   "level":{"type":"integer","enum":[1,2]}},
                 "required":["action","data"]}
                """;

        // LangChain4j's own serializer, which the model integrations (OpenAI, Ollama, ...) use.
        Map<String, Object> sent = JsonSchemaElementUtils.toMap(ToolSchemas.toObjectSchema(schema));

        assertThat(sent).isEqualTo(Map.of(
                "type", "object",
                "description", "args",
                "properties", Map.of(
                        "action", Map.of("type", "string", "enum", List.of("pick", "count"), "description", "what"),
                        "data", Map.of("type", "object",
                                "properties", Map.of("ids", Map.of("type", "array", "items", Map.of("type", "integer"))),
                                "required", List.of("ids")),
                        "level", Map.of("type", "integer", "enum", List.of(1, 2))),
                "required", List.of("action", "data")));
    }

    @Test
    void refusesARootThatIsNotAnObjectSchema() {
        assertThatThrownBy(() -> ToolSchemas.toObjectSchema("{\"type\":\"string\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must have \"type\":\"object\", got \"string\"");
        assertThatThrownBy(() -> ToolSchemas.toObjectSchema("{\"type\":"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid JSON at offset 8");
    }

    @Test
    void rawPassThroughKeepsValuesAsWritten() {
        JsonObjectSchema root = ToolSchemas.toObjectSchema("""
                {"type":"object","properties":{
                  "ratio":{"type":"number","enum":[0.10, -1.5e2, 12345678901234567890],"description":"r\u00e9"},
                  "label":{"type":"string","enum":["a\\"b\\n", 1, true, null, {}]},
                  "any":true}}
                """);

        assertThat(((JsonRawSchema) root.properties().get("ratio")).schema())
                .isEqualTo("{\"type\":\"number\",\"enum\":[0.10,-1.5E+2,12345678901234567890],\"description\":\"r\u00e9\"}");
        assertThat(((JsonRawSchema) root.properties().get("label")).schema())
                .isEqualTo("{\"type\":\"string\",\"enum\":[\"a\\\"b\\n\",1,true,null,{}]}");
        assertThat(((JsonRawSchema) root.properties().get("any")).schema()).isEqualTo("true");
    }

    @Test
    void refusesMalformedTextWithItsOffset() {
        assertThatThrownBy(() -> ToolSchemas.toObjectSchema("{\"a\":1,}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid JSON at offset 7: ");
        assertThatThrownBy(() -> ToolSchemas.toObjectSchema("{} x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid JSON at offset 3: ");
        assertThatThrownBy(() -> ToolSchemas.toObjectSchema(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON at offset 1: unexpected end of input");
        // Nesting is bounded by the parser, before the conversion could recurse that deep.
        assertThatThrownBy(() -> ToolSchemas.toElement("[".repeat(10_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid JSON");
        assertThatThrownBy(() -> ToolSchemas.toObjectSchema("[]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a tool input schema must be a JSON object, got: []");
    }
}
