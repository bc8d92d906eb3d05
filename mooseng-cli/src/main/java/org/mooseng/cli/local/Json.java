package org.mooseng.cli.local;

import java.util.List;

/** Just enough JSON output for the {@code --json} views: objects, arrays, strings, numbers, booleans. */
public final class Json {
    private Json() {
    }

    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Builds one JSON object field by field; nested values are passed as already-rendered JSON. */
    public static final class ObjectWriter {
        private final StringBuilder out = new StringBuilder("{");

        private ObjectWriter name(String name) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(name)).append(':');
            return this;
        }

        public ObjectWriter field(String name, String value) {
            name(name).out.append(value == null ? "null" : quote(value));
            return this;
        }

        public ObjectWriter field(String name, long value) {
            name(name).out.append(value);
            return this;
        }

        public ObjectWriter field(String name, Long value) {
            name(name).out.append(value == null ? "null" : value.toString());
            return this;
        }

        public ObjectWriter field(String name, boolean value) {
            name(name).out.append(value);
            return this;
        }

        public ObjectWriter raw(String name, String json) {
            name(name).out.append(json);
            return this;
        }

        public ObjectWriter array(String name, List<String> jsonValues) {
            name(name).out.append('[').append(String.join(",", jsonValues)).append(']');
            return this;
        }

        @Override
        public String toString() {
            return out + "}";
        }
    }
}
