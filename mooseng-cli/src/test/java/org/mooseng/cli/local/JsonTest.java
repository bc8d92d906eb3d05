package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.quote("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    @Test
    void objectsSeparateFieldsAndRenderNulls() {
        String json = new Json.ObjectWriter().field("s", "x").field("n", (Long) null).field("b", true)
                .array("a", List.of("1", "2")).toString();
        assertThat(json).isEqualTo("{\"s\":\"x\",\"n\":null,\"b\":true,\"a\":[1,2]}");
    }
}
