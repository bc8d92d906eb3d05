package org.mooseng.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The configuration keys of one role, and the parser of its flat {@code KEY = VALUE} file. */
public final class ConfigSchema {
    private final String role;
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

    public ConfigSchema(String role, List<ConfigKey<?>> keys) {
        this.role = role;
        for (ConfigKey<?> key : keys) {
            if (this.keys.put(key.name(), key) != null) {
                throw new IllegalArgumentException("duplicate config key " + key.name() + " in " + role);
            }
        }
    }

    public String role() {
        return role;
    }

    public List<ConfigKey<?>> keys() {
        return List.copyOf(keys.values());
    }

    /** A configuration with every key at its default. */
    public Config defaults() {
        return new Config(this, Map.of());
    }

    public Config load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses a flat {@code KEY = VALUE} file: '#' starts a comment, blank lines are skipped.
     * Unknown keys are rejected, naming the closest known key.
     */
    public Config parse(String text, String source) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            int eq = line.indexOf('=');
            if (eq <= 0) {
                errors.add(where + "expected KEY = VALUE, got '" + line + "'");
                continue;
            }
            String name = line.substring(0, eq).strip();
            String raw = line.substring(eq + 1).strip();
            ConfigKey<?> key = keys.get(name);
            if (key == null) {
                errors.add(where + "unknown key " + name + hint(name));
                continue;
            }
            try {
                values.put(name, key.parse(raw));
            } catch (IllegalArgumentException e) {
                errors.add(where + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid " + role + " configuration:\n  " + String.join("\n  ", errors));
        }
        return new Config(this, values);
    }

    /** The full documented file with every key at its default, as {@code mooseng config sample} prints it. */
    public String sample() {
        StringBuilder out = new StringBuilder();
        out.append("# MooseNG ").append(role).append(" configuration.\n");
        out.append("# Format: KEY = VALUE, one per line; '#' starts a comment. Unknown keys are rejected.\n");
        out.append("# Sizes accept K, M, G, T suffixes (powers of 1024).\n");
        for (ConfigKey<?> key : keys.values()) {
            out.append('\n');
            for (String line : key.description().split("\n")) {
                out.append("# ").append(line).append('\n');
            }
            if (key.unit() != null) {
                out.append("# Unit: ").append(key.unit()).append('.');
                out.append(key.isReloadable() ? " Reloadable.\n" : "\n");
            }
            out.append(key.name()).append(" = ").append(key.render(key.defaultValue())).append('\n');
        }
        return out.toString();
    }

    private String hint(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : keys.keySet()) {
            int d = distance(name.toUpperCase(java.util.Locale.ROOT), known.toUpperCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        if (best != null && bestDistance <= Math.max(3, name.length() / 3)) {
            return " (did you mean " + best + "?)";
        }
        List<String> names = new ArrayList<>(keys.keySet());
        Collections.sort(names);
        return " (known keys: " + String.join(", ", names) + ")";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
