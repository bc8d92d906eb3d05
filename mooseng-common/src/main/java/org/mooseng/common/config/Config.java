package org.mooseng.common.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parsed configuration of one role: typed values, defaults for keys the file leaves out. */
public final class Config {
    private final ConfigSchema schema;
    private final Map<String, Object> values;

    Config(ConfigSchema schema, Map<String, Object> values) {
        this.schema = schema;
        this.values = Map.copyOf(values);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        if (!schema.keys().contains(key)) {
            throw new IllegalArgumentException(key.name() + " is not a " + schema.role() + " key");
        }
        Object value = values.get(key.name());
        return value != null ? (T) value : key.defaultValue();
    }

    /** A copy with one key overridden (used by launchers that derive per-instance settings). */
    public <T> Config with(ConfigKey<T> key, T value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key.name(), value);
        return new Config(schema, copy);
    }

    public ConfigSchema schema() {
        return schema;
    }
}
