package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.config.Config;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaResult;

/** The Raft log is the write-ahead log: what a master acknowledged survives SIGKILL of its JVM. */
@DisabledIfSystemProperty(named = "skipProcessTests", matches = ".*")
class MasterKillTest {
    private static final int CHANGES = 40;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedChangeSurvivesKillMinusNine() throws Exception {
        Config config = TestMasters.config(dir.resolve("m"));
        MasterServer.format(config, "cluster-k");
        Path portFile = dir.resolve("client-port");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:ActiveProcessorCount=2",
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath, MasterProcessMain.class.getName(),
                config.get(MasterConfig.DATA_DIR), portFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        List<MetaResult> acknowledged = new ArrayList<>();
        ManagedChannel channel = null;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(portFile) || !child.isAlive());
            assertThat(child.isAlive()).as("child master log: %s", dir.resolve("child.log")).isTrue();
            channel = TestMasters.channel(Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8)));
            MasterClientServiceBlockingStub client = TestMasters.client(channel);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    client.getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);

            // Concurrent proposals share log appends (group commit); each is acknowledged on its own.
            var async = MasterClientServiceGrpc.newFutureStub(channel);
            List<ListenableFuture<MetaResult>> pending = new ArrayList<>();
            for (int i = 0; i < CHANGES; i++) {
                pending.add(async.mutate(TestMasters.create(ROOT_INODE, "d" + i, FileType.DIRECTORY)));
            }
            for (ListenableFuture<MetaResult> f : pending) {
                acknowledged.add(f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            if (channel != null) {
                TestMasters.shutdown(channel);
            }
        }
        assertThat(acknowledged).hasSize(CHANGES).allSatisfy(r -> assertThat(r.getStatus()).isZero());

        try (MasterServer restarted = MasterServer.start(config)) {
            ManagedChannel again = TestMasters.channel(restarted.clientPort());
            try {
                MasterClientServiceBlockingStub client = TestMasters.client(again);
                await().atMost(Duration.ofSeconds(30)).until(() -> restarted.isLeader()
                        && client.getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);
                for (int i = 0; i < CHANGES; i++) {
                    var found = client.lookup(LookupRequest.newBuilder().setCred(ROOT).setParent(ROOT_INODE)
                            .setName("d" + i).build());
                    assertThat(found.getStatus()).as("d%d", i).isZero();
                    assertThat(found.getAttr().getInode()).isEqualTo(acknowledged.get(i).getAttr().getInode());
                }
            } finally {
                TestMasters.shutdown(again);
            }
        }
    }
}
