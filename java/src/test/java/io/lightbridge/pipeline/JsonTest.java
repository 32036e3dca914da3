package io.lightbridge.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void quotedStringsReadBackAsTheOriginal() throws Exception {
        var mapper = new ObjectMapper();
        for (String s : new String[] {"", "breast-cancer", "a\"b\\c", "line\nfeed\r\ttab", "\u0001\u001f", "héllo ✓"}) {
            String quoted = Json.quote(s);
            assertEquals(s, mapper.readTree(quoted).asText(), quoted);
            assertEquals("[" + quoted + "]", Json.appendQuoted(new StringBuilder("["), s).append(']').toString());
        }
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", Json.quote("a\"b\\c\n\u0001"));
    }
}
