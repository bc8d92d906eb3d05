package org.mooseng.jmh;

/**
 * Flags of the forked benchmark JVMs, for {@code @Fork}. {@link #HEAP} and {@link #GC} are
 * what the daemons of {@code mooseng up} run with (RoleJvm) and go in {@code jvmArgs}, which
 * {@code -jvmArgs} on the command line replaces; the rest keep RocksDB, Netty and SOFAJRaft
 * working without warnings on JDK 25, as in the daemons, and go in {@code jvmArgsAppend}.
 */
final class JvmFlags {
    static final String HEAP = "-Xmx512m";
    static final String GC = "-XX:+UseSerialGC";
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";
    static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    static final String OPEN_NIO_CHANNELS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    static final String NETTY_REFLECTION = "-Dio.netty.tryReflectionSetAccessible=true";
    /** SOFAJRaft's logging helper cannot configure Logback 1.5: it logs through SLF4J instead. */
    static final String SOFA_LOGGING = "-Dlogback.middleware.log.disable=true";

    private JvmFlags() {
    }
}
