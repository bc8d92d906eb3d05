package org.mooseng.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.FileStat;
import org.mooseng.client.LockInfo;
import org.mooseng.client.LockType;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import org.mooseng.client.SessionOptions;
import org.mooseng.client.SessionSummary;
import org.mooseng.client.UserCredentials;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;

/** Sessions, unlinked-but-open files, permission at open and locks, end to end with two clients. */
class ClusterSessionTest {
    @TempDir
    static Path root;
    static MiniCluster cluster;
    static MoosengClient admin;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = MiniCluster.start(root, 2);
        admin = cluster.newClient(ClientOptions.builder().expectedClusterId(cluster.clusterId())
                .credentials(UserCredentials.root()));
        admin.mkdir("/home", 0777);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void fileUnlinkedByOneClientStaysReadableAndWritableThroughTheOthersHandleUntilClosed() throws IOException {
        MoosengClient holder = mount("/mnt/holder", UserCredentials.root());
        MoosengClient other = mount("/mnt/other", UserCredentials.root());
        try (MoosengFile created = holder.create("/home/doomed", 0644, true)) {
            created.write(0, bytes("first"));
        }
        MoosengFile handle = holder.open("/home/doomed", OpenFlag.READ, OpenFlag.WRITE);
        InodeId inode = handle.inode();

        other.unlink("/home/doomed");

        assertThat(other.exists("/home/doomed")).isFalse();
        assertThat(read(handle, 0, 5)).isEqualTo("first");
        handle.write(5, bytes("+more"));
        handle.fsync();
        assertThat(read(handle, 0, 10)).isEqualTo("first+more");
        FileStat nameless = other.stat(inode);
        assertThat(nameless.nlink()).isZero();
        assertThat(nameless.sizeBytes()).isEqualTo(10);
        // The creating handle's release is sent in the background, batched: it lands within moments.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin.listSessions())
                .filteredOn(s -> s.sessionId() == holder.sessionId().orElseThrow())
                .singleElement().extracting(SessionSummary::openFiles).isEqualTo(1));

        handle.close();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(() -> other.stat(inode))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.ENOENT)));
    }

    @Test
    void lockOfOneClientRefusesTheOthersWithEagainUntilItsSessionCloses() throws Exception {
        MoosengClient first = mount("/mnt/first", UserCredentials.root());
        MoosengClient second = mount("/mnt/second", UserCredentials.root());
        InodeId inode;
        try (MoosengFile file = first.create("/home/locked", 0644, true)) {
            inode = file.inode();
        }
        first.setLock(inode, 11, LockType.EXCLUSIVE, 0, 100, 1234);
        first.flock(inode, 11, LockType.EXCLUSIVE, true);

        assertThatThrownBy(() -> second.setLock(inode, 22, LockType.SHARED, 50, 10, 99))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EAGAIN));
        assertThatThrownBy(() -> second.flock(inode, 22, LockType.SHARED, true))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EAGAIN));
        LockInfo holder = second.getLock(inode, 22, LockType.SHARED, 99, 1, 99);
        assertThat(holder).isEqualTo(new LockInfo(LockType.EXCLUSIVE, 0, 100, 1234,
                first.sessionId().orElseThrow(), 11));
        // Past the locked range there is no conflict.
        assertThat(second.getLock(inode, 22, LockType.EXCLUSIVE, 100, 0, 99).isUnlocked()).isTrue();

        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                second.setLockWait(inode, 22, LockType.EXCLUSIVE, 0, 0, 99);
            } catch (MoosengException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(waiter).isNotDone();

        first.close();

        waiter.get(20, TimeUnit.SECONDS);
        second.flock(inode, 22, LockType.EXCLUSIVE, true);
        assertThat(admin.listSessions()).extracting(SessionSummary::mountPoint).doesNotContain("/mnt/first");
    }

    @Test
    void readOnlyFileCreatedAndOpenedForWritingByAnOrdinaryUserStaysWritableThroughTheHandle() throws IOException {
        UserCredentials user = new UserCredentials(1000, 1000, List.of());
        MoosengClient tar = mount("/mnt/tar", user);
        try (MoosengFile file = tar.create("/home/readonly", 0444, true)) {
            file.write(0, bytes("extracted"));
            file.fsync();
            file.write(9, bytes(" and more"));
            file.truncate(13);
        }
        assertThat(admin.stat("/home/readonly").mode() & 07777).isEqualTo(0444);
        try (MoosengFile check = admin.open("/home/readonly")) {
            assertThat(read(check, 0, 13)).isEqualTo("extracted and");
        }
        // A new open for writing is checked against the mode now, as open(2) does.
        assertThatThrownBy(() -> tar.open("/home/readonly", OpenFlag.WRITE))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EACCES));

        // tar's order: create writable, chmod to 0444, then keep writing through the handle.
        try (MoosengFile file = tar.createAndOpen(admin.stat("/home").inode(), "chmodded", 0644, true,
                EnumSet.of(OpenFlag.WRITE))) {
            tar.chmod("/home/chmodded", 0444);
            file.write(0, bytes("still writable"));
        }
        try (MoosengFile check = admin.open("/home/chmodded")) {
            assertThat(read(check, 0, 14)).isEqualTo("still writable");
        }
    }

    @Test
    void clientWithoutSessionKeepsWorkingByModeBits() throws IOException {
        MoosengClient plain = cluster.newClient(ClientOptions.builder().expectedClusterId(cluster.clusterId())
                .credentials(new UserCredentials(1000, 1000, List.of())));
        assertThat(plain.sessionId()).isEmpty();
        try (MoosengFile file = plain.create("/home/plain", 0644, true)) {
            file.write(0, bytes("ok"));
        }
        assertThat(plain.stat("/home/plain").sizeBytes()).isEqualTo(2);
        assertThatThrownBy(() -> plain.flock(plain.stat("/home/plain").inode(), 1, LockType.SHARED, true))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.ENOTSUP));
    }

    private static MoosengClient mount(String mountPoint, UserCredentials credentials) throws MoosengException {
        MoosengClient client = cluster.newClient(ClientOptions.builder().expectedClusterId(cluster.clusterId())
                .credentials(credentials).session(SessionOptions.forMount(mountPoint)));
        assertThat(client.sessionId()).isPresent();
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.listSessions().stream()
                .anyMatch(s -> s.mountPoint().equals(mountPoint)));
        return client;
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(MoosengFile file, long position, int length) throws MoosengException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = file.read(position + buffer.position(), buffer);
            if (n < 0) {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
