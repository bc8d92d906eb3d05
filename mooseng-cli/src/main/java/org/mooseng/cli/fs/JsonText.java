package org.mooseng.cli.fs;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.mooseng.cli.local.Json;
import org.mooseng.common.InodeId;

/**
 * Renders the client's result records as JSON: a record becomes an object of its
 * components, so the {@code --json} views follow the public API without a second schema.
 */
public final class JsonText {
    private JsonText() {
    }

    public static String of(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case String s -> out.append(Json.quote(s));
            case Number n -> out.append(n);
            case Boolean b -> out.append(b);
            case Enum<?> e -> out.append(Json.quote(e.name()));
            case Instant t -> out.append(Json.quote(t.toString()));
            case InodeId id -> out.append(id.value());
            case Optional<?> o -> write(o.orElse(null), out);
            case Collection<?> c -> {
                out.append('[');
                boolean first = true;
                for (Object item : c) {
                    out.append(first ? "" : ",");
                    first = false;
                    write(item, out);
                }
                out.append(']');
            }
            case Map<?, ?> m -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.append(first ? "" : ",").append(Json.quote(String.valueOf(e.getKey()))).append(':');
                    first = false;
                    write(e.getValue(), out);
                }
                out.append('}');
            }
            case Record r -> {
                out.append('{');
                boolean first = true;
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    out.append(first ? "" : ",").append(Json.quote(c.getName())).append(':');
                    first = false;
                    write(component(r, c), out);
                }
                out.append('}');
            }
            default -> out.append(Json.quote(value.toString()));
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }
}
