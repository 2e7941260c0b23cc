package dev.kami.langchain4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsAndWritesEveryKindOfValue() {
        String text = "{\"s\":\"a\\\"b\\\\c\\n\\u00e9\",\"n\":-1.5e2,\"i\":42,\"t\":true,\"f\":false,\"z\":null,"
                + "\"a\":[1,[],{}]}";

        Object v = Json.parse(text);

        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("s")).isEqualTo("a\"b\\c\né");
        assertThat(m.get("n")).isEqualTo(new BigDecimal("-1.5e2"));
        assertThat(m.get("z")).isSameAs(Json.NULL);
        assertThat(m.get("a")).isEqualTo(List.of(new BigDecimal(1), List.of(), Map.of()));
        assertThat(Json.write(v)).isEqualTo("{\"s\":\"a\\\"b\\\\c\\né\",\"n\":-1.5E+2,\"i\":42,\"t\":true,\"f\":false,"
                + "\"z\":null,\"a\":[1,[],{}]}");
    }

    @Test
    void refusesMalformedTextWithItsOffset() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).hasMessage("invalid JSON at offset 7: expected a string key");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessage("invalid JSON at offset 3: expected ']'");
        assertThatThrownBy(() -> Json.parse("\"open")).hasMessage("invalid JSON at offset 5: unterminated string");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessage("invalid JSON at offset 3: unexpected text after the JSON value");
        assertThatThrownBy(() -> Json.parse("tru")).hasMessage("invalid JSON at offset 0: expected 'true'");
    }

    @Test
    void boundsNesting() {
        assertThatThrownBy(() -> Json.parse("[".repeat(10_000))).hasMessageContaining("nesting deeper than 256");
    }
}
