package org.mooseng.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.mooseng.chunkserver.ChunkServerConfig;
import org.mooseng.common.config.Config;
import org.mooseng.common.config.ConfigSchema;
import org.mooseng.master.MasterConfig;
import org.mooseng.metalogger.MetaloggerConfig;

/** The daemon roles this launcher runs, each with its configuration schema. */
public enum Role {
    MASTER("master"),
    CHUNKSERVER("chunkserver"),
    METALOGGER("metalogger");

    private final String command;

    Role(String command) {
        this.command = command;
    }

    /** The role's name on the command line and in file names. */
    public String command() {
        return command;
    }

    public ConfigSchema schema() {
        return switch (this) {
            case MASTER -> MasterConfig.SCHEMA;
            case CHUNKSERVER -> ChunkServerConfig.SCHEMA;
            case METALOGGER -> MetaloggerConfig.SCHEMA;
        };
    }

    public static Optional<Role> byCommand(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.command.equals(wanted)).findFirst();
    }

    public static String commands() {
        return Arrays.stream(values()).map(Role::command).collect(Collectors.joining(", "));
    }

    /**
     * Loads a role's configuration file. Unknown keys and bad values become one
     * {@link CliException} whose message names the file, the line and the closest known key.
     */
    public Config load(Path file) throws IOException {
        try {
            return schema().load(file);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no such " + command + " configuration file (print one with: mooseng config sample "
                    + command + ")");
        } catch (IllegalArgumentException e) {
            throw new CliException(Errors.oneLine(e), e);
        }
    }
}
