package org.mooseng.common.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key, declared once: its name, type, default, unit, allowed range and
 * documentation. A role's keys form a {@link ConfigSchema}.
 *
 * @param <T> the parsed value type
 */
public final class ConfigKey<T> {
    private final String name;
    private final String description;
    private final String unit;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Function<T, String> validator;
    private final boolean reloadable;

    private ConfigKey(String name, String description, String unit, T defaultValue,
                      Function<String, T> parser, Function<T, String> validator, boolean reloadable) {
        this.name = Objects.requireNonNull(name);
        this.description = Objects.requireNonNull(description);
        this.unit = unit;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.validator = validator;
        this.reloadable = reloadable;
    }

    public static ConfigKey<String> string(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, description, null, defaultValue, s -> s, v -> null, false);
    }

    public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String description) {
        return new ConfigKey<>(name, description, null, defaultValue, ConfigKey::parseBoolean, v -> null, false);
    }

    /** An integer in [min, max]; the unit is part of the documentation (and of the key's name). */
    public static ConfigKey<Long> integer(String name, long defaultValue, long min, long max, String unit,
                                          String description) {
        return new ConfigKey<>(name, description, unit, defaultValue, s -> parseLong(name, s),
                v -> v < min || v > max ? "must be between " + min + " and " + max : null, false);
    }

    /** A size in bytes; the file may use suffixes K, M, G, T (powers of 1024). */
    public static ConfigKey<Long> bytes(String name, long defaultValue, long min, long max, String description) {
        return new ConfigKey<>(name, description, "bytes", defaultValue, s -> parseBytes(name, s),
                v -> v < min || v > max ? "must be between " + min + " and " + max + " bytes" : null, false);
    }

    public ConfigKey<T> reloadable() {
        return new ConfigKey<>(name, description, unit, defaultValue, parser, validator, true);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public String unit() {
        return unit;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean isReloadable() {
        return reloadable;
    }

    /** Parses and validates a raw value; throws IllegalArgumentException naming the key. */
    T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        String problem = validator.apply(value);
        if (problem != null) {
            throw new IllegalArgumentException(name + " = " + raw.trim() + ": " + problem);
        }
        return value;
    }

    String render(Object value) {
        return value == null ? "" : value.toString();
    }

    private static boolean parseBoolean(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean: '" + s + "' (use true or false)");
        };
    }

    private static long parseLong(String name, String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: '" + s + "'");
        }
    }

    static long parseBytes(String name, String s) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        int shift = switch (last) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1).trim();
        try {
            return Math.multiplyExact(Long.parseLong(digits), 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (examples: 4096, 64K, 10G)");
        }
    }
}
