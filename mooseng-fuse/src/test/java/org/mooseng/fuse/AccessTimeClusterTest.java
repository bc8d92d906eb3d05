package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.SessionOptions;
import org.mooseng.client.UserCredentials;
import org.mooseng.fuse.AccessTimePolicy.Mode;
import org.mooseng.fuse.ll.AttributeChange;
import org.mooseng.fuse.ll.Caller;
import org.mooseng.fuse.ll.FileAttributes;
import org.mooseng.fuse.ll.Reply;
import org.mooseng.testkit.MiniCluster;

/**
 * atime on read through the file system's operations against an in-JVM cluster, without a
 * kernel: one mount per atime policy. Every check reads the atime with getattr right after
 * the read, as {@code stat} after {@code read} does.
 */
class AccessTimeClusterTest {
    private static final long ROOT = 1;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final Caller ROOT_CALLER = new Caller(0, 0, 100, 022, List.of());
    /** Far in the past: before any mtime or ctime the cluster stamps. */
    private static final long OLD_SECONDS = 1_000_000_000L;

    @TempDir
    static Path dir;
    private static MiniCluster cluster;
    private static MoosengFileSystem relatime;
    private static MoosengFileSystem strictatime;
    private static MoosengFileSystem noatime;

    @BeforeAll
    static void start() throws Exception {
        cluster = MiniCluster.start(dir, 1);
        relatime = mount("/mnt/relatime", AccessTimePolicy.DEFAULT);
        strictatime = mount("/mnt/strictatime", new AccessTimePolicy(Mode.STRICTATIME, true));
        noatime = mount("/mnt/noatime", new AccessTimePolicy(Mode.NOATIME, true));
    }

    private static MoosengFileSystem mount(String mountPoint, AccessTimePolicy policy) throws Exception {
        MoosengClient client = cluster.newClient(ClientOptions.builder().expectedClusterId(cluster.clusterId())
                .credentials(UserCredentials.root()).session(SessionOptions.forMount(mountPoint)));
        return new MoosengFileSystem(client, 0, 0, policy, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        for (MoosengFileSystem fs : new MoosengFileSystem[] {relatime, strictatime, noatime}) {
            if (fs != null) {
                fs.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A file with some content whose atime is set far back (older than its mtime). */
    private static long fileWithOldAtime(MoosengFileSystem fs, String name) {
        Reply.Create created = (Reply.Create) fs.create(ROOT_CALLER, ROOT, name, 0644, O_RDWR | O_CREAT);
        long inode = created.entry().attributes().inode();
        ByteBuffer text = ByteBuffer.wrap("content".getBytes(StandardCharsets.UTF_8));
        assertThat(fs.write(ROOT_CALLER, inode, created.open().handle(), 0, text)).isEqualTo(new Reply.Written(7));
        assertThat(fs.release(ROOT_CALLER, inode, created.open().handle(), 0, false)).isEqualTo(Reply.OK);
        setAtime(fs, inode, OLD_SECONDS);
        return inode;
    }

    private static void setAtime(MoosengFileSystem fs, long inode, long seconds) {
        AttributeChange change = new AttributeChange(AttributeChange.SET_ATIME, 0, 0, 0, 0, seconds, 0, 0, 0);
        assertThat(fs.setattr(ROOT_CALLER, inode, change, -1)).isInstanceOf(Reply.Attributes.class);
    }

    private static FileAttributes stat(MoosengFileSystem fs, long inode) {
        return ((Reply.Attributes) fs.getattr(ROOT_CALLER, inode, -1)).attributes();
    }

    private static Instant atime(FileAttributes attributes) {
        return Instant.ofEpochSecond(attributes.atimeSeconds(), attributes.atimeNanos());
    }

    private static Instant mtime(FileAttributes attributes) {
        return Instant.ofEpochSecond(attributes.mtimeSeconds(), attributes.mtimeNanos());
    }

    private static void read(MoosengFileSystem fs, Caller caller, long inode, long handle) {
        Reply reply = fs.read(caller, inode, handle, 0, ByteBuffer.allocate(64));
        assertThat(reply).isEqualTo(new Reply.Data(7));
    }

    private static long open(MoosengFileSystem fs, Caller caller, long inode, int flags) {
        Reply reply = fs.open(caller, inode, flags);
        assertThat(reply).isInstanceOf(Reply.Open.class);
        return ((Reply.Open) reply).handle();
    }

    @Test
    void readMovesAnAtimeOlderThanMtimeOnceAndStatShowsItAtOnce() {
        long inode = fileWithOldAtime(relatime, "read-once");
        Instant mtimeBefore = mtime(stat(relatime, inode));
        long commitsBefore = relatime.atimeUpdatesCommitted();
        Instant start = Instant.now().minusSeconds(2);
        long handle = open(relatime, ROOT_CALLER, inode, O_RDONLY);

        read(relatime, ROOT_CALLER, inode, handle);
        FileAttributes afterFirst = stat(relatime, inode);
        for (int i = 0; i < 5; i++) {
            read(relatime, ROOT_CALLER, inode, handle);
        }
        FileAttributes afterMore = stat(relatime, inode);

        assertThat(atime(afterFirst)).as("atime after the first read").isAfter(start);
        assertThat(mtime(afterFirst)).as("a read leaves mtime").isEqualTo(mtimeBefore);
        assertThat(atime(afterMore)).as("more reads through the handle").isEqualTo(atime(afterFirst));
        assertThat(relatime.atimeUpdatesCommitted() - commitsBefore).as("SetAttr commits for six reads").isOne();
        relatime.release(ROOT_CALLER, inode, handle, 0, false);
    }

    @Test
    void relatimeLeavesAnAtimeNewerThanMtimeAndCtimeButStrictatimeMovesIt() {
        long inode = fileWithOldAtime(relatime, "recent-atime");
        // After mtime and ctime (set now by this setattr) and younger than a day.
        long recent = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        setAtime(relatime, inode, recent);
        long relatimeHandle = open(relatime, ROOT_CALLER, inode, O_RDONLY);
        read(relatime, ROOT_CALLER, inode, relatimeHandle);
        assertThat(stat(relatime, inode).atimeSeconds()).as("relatime").isEqualTo(recent);

        long strictHandle = open(strictatime, ROOT_CALLER, inode, O_RDONLY);
        read(strictatime, ROOT_CALLER, inode, strictHandle);
        assertThat(stat(strictatime, inode).atimeSeconds()).as("strictatime").isLessThan(recent);

        relatime.release(ROOT_CALLER, inode, relatimeHandle, 0, false);
        strictatime.release(ROOT_CALLER, inode, strictHandle, 0, false);
    }

    @Test
    void noatimeNeverMovesAtime() {
        long inode = fileWithOldAtime(noatime, "noatime");
        long handle = open(noatime, ROOT_CALLER, inode, O_RDONLY);
        read(noatime, ROOT_CALLER, inode, handle);
        assertThat(noatime.readdir(ROOT_CALLER, ROOT, 0, 0, 4096)).isInstanceOf(Reply.Dirents.class);

        assertThat(stat(noatime, inode).atimeSeconds()).isEqualTo(OLD_SECONDS);
        assertThat(noatime.atimeUpdatesCommitted()).isZero();
        noatime.release(ROOT_CALLER, inode, handle, 0, false);
    }

    @Test
    void aWriteThroughTheHandleMakesTheNextReadCheckAgain() {
        long inode = fileWithOldAtime(relatime, "read-write-read");
        long handle = open(relatime, ROOT_CALLER, inode, O_RDWR);
        read(relatime, ROOT_CALLER, inode, handle);
        Instant firstRead = atime(stat(relatime, inode));
        assertThat(firstRead).isAfter(Instant.ofEpochSecond(OLD_SECONDS));

        // Back in time again, and a write that moves mtime past it.
        setAtime(relatime, inode, OLD_SECONDS);
        relatime.write(ROOT_CALLER, inode, handle, 0, ByteBuffer.wrap("CONTENT".getBytes(StandardCharsets.UTF_8)));
        relatime.flush(ROOT_CALLER, inode, handle, 0);
        read(relatime, ROOT_CALLER, inode, handle);

        assertThat(atime(stat(relatime, inode))).isAfter(Instant.ofEpochSecond(OLD_SECONDS));
        relatime.release(ROOT_CALLER, inode, handle, 0, false);
    }

    @Test
    void readerWithoutWritePermissionStillMovesAtime() {
        long inode = fileWithOldAtime(relatime, "others-read");
        Caller reader = new Caller(2000, 2000, 200, 022, List.of());
        long handle = open(relatime, reader, inode, O_RDONLY);

        read(relatime, reader, inode, handle);

        assertThat(stat(relatime, inode).atimeSeconds()).isGreaterThan(OLD_SECONDS);
        relatime.release(reader, inode, handle, 0, false);
    }

    @Test
    void timesSetRightAfterAReadAreNotOverwrittenByItsAtimeUpdate() {
        long inode = fileWithOldAtime(relatime, "touched-after-read");
        long handle = open(relatime, ROOT_CALLER, inode, O_RDONLY);

        read(relatime, ROOT_CALLER, inode, handle);
        setAtime(relatime, inode, 5000);

        assertThat(stat(relatime, inode).atimeSeconds()).isEqualTo(5000);
        relatime.release(ROOT_CALLER, inode, handle, 0, false);
    }

    @Test
    void openThatKeepsCachedPagesMovesAtimeItsReadsWouldNotReport() {
        long inode = fileWithOldAtime(relatime, "cached");
        long first = open(relatime, ROOT_CALLER, inode, O_RDONLY);
        read(relatime, ROOT_CALLER, inode, first);
        relatime.release(ROOT_CALLER, inode, first, 0, false);
        // Size and mtime unchanged: the next open keeps the pages, so the kernel answers its reads.
        setAtime(relatime, inode, OLD_SECONDS);

        Reply.Open cached = (Reply.Open) relatime.open(ROOT_CALLER, inode, O_RDONLY);

        assertThat(cached.keepCache()).isTrue();
        assertThat(stat(relatime, inode).atimeSeconds()).isGreaterThan(OLD_SECONDS);
        relatime.release(ROOT_CALLER, inode, cached.handle(), 0, false);
    }

    @Test
    void listingADirectoryMovesItsAtimeOncePerListing() {
        Reply.Entry made = (Reply.Entry) relatime.mkdir(ROOT_CALLER, ROOT, "listed", 0755);
        long directory = made.attributes().inode();
        for (int i = 0; i < 3; i++) {
            relatime.mknod(ROOT_CALLER, directory, "entry" + i, 0100644, 0);
        }
        setAtime(relatime, directory, OLD_SECONDS);
        long commitsBefore = relatime.atimeUpdatesCommitted();

        Reply.Dirents page = (Reply.Dirents) relatime.readdir(ROOT_CALLER, directory, 0, 0, 4096);
        Instant listed = atime(stat(relatime, directory));
        long lastOffset = page.items().getLast().nextOffset();
        relatime.readdir(ROOT_CALLER, directory, 0, lastOffset, 4096);

        assertThat(listed).isAfter(Instant.ofEpochSecond(OLD_SECONDS));
        assertThat(atime(stat(relatime, directory))).as("the listing's next page").isEqualTo(listed);
        assertThat(relatime.atimeUpdatesCommitted() - commitsBefore).isOne();
    }
}
