package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution storing real data: {@code bin/mooseng up}, a 200 MiB file put and
 * read back through the CLI, and the crashes a cluster must survive — kill -9 of a chunk
 * server, kill -9 of the master, a flipped byte in a chunk file. The steps build on each
 * other, in order, on one cluster. The cluster runs without its FUSE mount: these steps use
 * the CLI, and MountIT covers the mount.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterDataIT {
    private static final int CHUNK_SERVERS = 3;
    private static final long FILE_BYTES = 200L << 20;
    private static final Pattern CHUNK_LINE = Pattern.compile("(?m)^  chunk (\\d+): ([0-9A-F]{16}) v\\d+$");
    private static final Pattern REPLICA_LINE = Pattern.compile("(?m)^    \\S+ 127\\.0\\.0\\.1:(\\d+) v\\d+$");

    @TempDir
    static Path dir;
    static LocalClusterProcesses cluster;
    static Path source;
    static String sourceSha;

    @BeforeAll
    static void startClusterAndMakeTheFile() throws Exception {
        cluster = new LocalClusterProcesses(dir, CHUNK_SERVERS);
        Launcher.Result up = cluster.up("--chunkservers", String.valueOf(CHUNK_SERVERS), "--no-mount");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        source = dir.resolve("source.bin");
        byte[] block = new byte[1 << 20];
        Random random = new Random(2026);
        try (OutputStream out = Files.newOutputStream(source)) {
            for (long written = 0; written < FILE_BYTES; written += block.length) {
                random.nextBytes(block);
                out.write(block);
            }
        }
        sourceSha = sha256(source);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void putAndGetOf200MiBGiveTheSameSha256() throws Exception {
        Launcher.Result put = fs("put", source.toString(), "/big.bin");
        assertThat(put.exitCode()).as(put.toString()).isZero();

        assertThat(getSha("/big.bin")).isEqualTo(sourceSha);
        Launcher.Result info = admin("fileinfo", "/big.bin");
        assertThat(info.exitCode()).as(info.toString()).isZero();
        List<Integer> replicaPorts = ports(info.out());
        assertThat(chunkIds(info.out())).hasSize(4);
        assertThat(replicaPorts).hasSize(8);
    }

    @Test
    @Order(2)
    void fileStillReadsAfterKillMinus9OfAChunkServer() throws Exception {
        kill9("chunkserver-1");

        assertThat(getSha("/big.bin")).isEqualTo(sourceSha);
    }

    @Test
    @Order(3)
    void namespaceAndDataSurviveKillMinus9OfTheMaster() throws Exception {
        assertThat(fs("mkdir", "-p", "/kept/deep/dir").exitCode()).isZero();
        assertThat(fs("ln", "-s", "/big.bin", "/kept/link").exitCode()).isZero();
        kill9("master-1");

        Launcher.Result up = cluster.up("--no-mount");
        assertThat(up.exitCode()).as(up.toString()).isZero();

        Launcher.Result ls = fs("ls", "-l", "/kept");
        assertThat(ls.exitCode()).as(ls.toString()).isZero();
        assertThat(ls.out()).contains("deep").contains("link -> /big.bin");
        Launcher.Result stat = fs("stat", "/big.bin");
        assertThat(stat.out()).contains(String.valueOf(FILE_BYTES));
        assertThat(getSha("/big.bin")).isEqualTo(sourceSha);
    }

    @Test
    @Order(4)
    void flippedByteIsDetectedOnReadAndTheReadIsServedFromTheOtherReplica() throws Exception {
        String info = admin("fileinfo", "/big.bin").out();
        String chunkHex = chunkIds(info).getFirst();
        List<Integer> firstChunkPorts = ports(info.substring(0, info.indexOf("  chunk 1:")));
        assertThat(firstChunkPorts).hasSize(2);
        int corrupted = serverIndexOfPort(firstChunkPorts.get(0));
        int healthy = serverIndexOfPort(firstChunkPorts.get(1));
        Path chunkFile = chunkFile(corrupted, chunkHex);
        flipByte(chunkFile, Files.size(chunkFile) - 12345);

        // With the healthy copy's server down, the only copy left is the damaged one: the
        // read must fail rather than return wrong bytes.
        kill9("chunkserver-" + healthy);
        Path out = dir.resolve("must-not-complete.bin");
        Launcher.Result failed = fs("get", "/big.bin", out.toString());
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(Files.list(cluster.dir().resolve("data/chunkserver-" + corrupted + "/damaged")))
                .as("the damaged replica is moved aside").isNotEmpty();

        // The healthy copy back: the read is served from it, byte for byte.
        Launcher.Result up = cluster.up("--no-mount");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(getSha("/big.bin")).isEqualTo(sourceSha);
    }

    // ------------------------------------------------------------------ helpers

    private static Launcher.Result fs(String... args) throws Exception {
        return command("fs", args);
    }

    private static Launcher.Result admin(String... args) throws Exception {
        return command("admin", args);
    }

    private static Launcher.Result command(String group, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(group));
        all.addAll(List.of(args));
        all.addAll(List.of("--dir", cluster.dir().toString()));
        return Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, all.toArray(String[]::new));
    }

    private static String getSha(String path) throws Exception {
        Path out = dir.resolve("got.bin");
        Files.deleteIfExists(out);
        Launcher.Result get = fs("get", path, out.toString());
        assertThat(get.exitCode()).as(get.toString()).isZero();
        String sha = sha256(out);
        Files.delete(out);
        return sha;
    }

    private static void kill9(String daemon) throws Exception {
        long pid = Long.parseLong(Files.readString(cluster.dir().resolve("run/" + daemon + ".pid")).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(daemon + " is not running"));
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        process.onExit().get();
    }

    private static List<String> chunkIds(String fileInfo) {
        List<String> ids = new ArrayList<>();
        Matcher m = CHUNK_LINE.matcher(fileInfo);
        while (m.find()) {
            ids.add(m.group(2));
        }
        return ids;
    }

    private static List<Integer> ports(String fileInfo) {
        List<Integer> ports = new ArrayList<>();
        Matcher m = REPLICA_LINE.matcher(fileInfo);
        while (m.find()) {
            ports.add(Integer.parseInt(m.group(1)));
        }
        return ports;
    }

    /** Chunk server k listens on base port + 10k (see PortPlan). */
    private static int serverIndexOfPort(int port) {
        int offset = port - cluster.basePort();
        assertThat(offset % 10).as("data port %d of base %d", port, cluster.basePort()).isZero();
        return offset / 10;
    }

    private static Path chunkFile(int server, String chunkHex) throws IOException {
        try (Stream<Path> files = Files.walk(cluster.dir().resolve("data/chunkserver-" + server + "/chunks"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(chunkHex)).findFirst()
                    .orElseThrow(() -> new AssertionError("chunk " + chunkHex + " not on chunkserver-" + server));
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            ch.write(one, position);
            ch.force(true);
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
