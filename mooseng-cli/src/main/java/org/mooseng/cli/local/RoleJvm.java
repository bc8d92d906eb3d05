package org.mooseng.cli.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of a daemon JVM started by {@code mooseng up}: the launcher's own java
 * and classpath (bin/mooseng passes them as {@code -Dmooseng.java} and
 * {@code -Dmooseng.classpath}), the flags below, and {@code MOOSENG_ROLE_JAVA_OPTS}.
 */
public final class RoleJvm {
    /**
     * Flags of every daemon JVM. The native-access and Unsafe flags keep RocksDB, Netty and
     * SOFAJRaft working without warnings on JDK 25. SOFAJRaft's logging helper cannot
     * configure Logback 1.5 (it calls a removed method and prints a stack trace), so it is told
     * to log through SLF4J directly. bin/mooseng passes the same set to the JVMs it starts.
     */
    public static final List<String> FLAGS = List.of(
            "-XX:ActiveProcessorCount=2",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dlogback.middleware.log.disable=true");

    private RoleJvm() {
    }

    public static String javaExecutable() {
        String configured = System.getProperty("mooseng.java");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public static String classpath() {
        String configured = System.getProperty("mooseng.classpath");
        return configured != null && !configured.isBlank() ? configured : System.getProperty("java.class.path");
    }

    /** The full command that runs {@code instance} with its configuration file, detached from the terminal. */
    public static List<String> command(Instance instance, Path config) {
        List<String> command = new ArrayList<>();
        // A new session keeps the daemons alive when the terminal that ran 'mooseng up' sends
        // SIGINT/SIGHUP to its process group; setsid execs in place, so the PID stays the JVM's.
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                command.add(setsid);
                break;
            }
        }
        command.add(javaExecutable());
        command.addAll(FLAGS);
        String extra = System.getenv("MOOSENG_ROLE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(Arrays.asList(extra.strip().split("\\s+")));
        }
        command.add("-Dmooseng.instance=" + instance.name());
        command.add("-cp");
        command.add(classpath());
        command.add("org.mooseng.cli.Main");
        command.add(instance.role().command());
        command.add("-c");
        command.add(config.toString());
        return command;
    }
}
