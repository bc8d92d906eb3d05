package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.SessionOptions;
import org.mooseng.client.UserCredentials;
import org.mooseng.common.InodeId;
import org.mooseng.fuse.ll.AttributeChange;
import org.mooseng.fuse.ll.Caller;
import org.mooseng.fuse.ll.DirectoryItem;
import org.mooseng.fuse.ll.LockRange;
import org.mooseng.fuse.ll.Reply;
import org.mooseng.testkit.MiniCluster;

/**
 * The file system's operations against an in-JVM cluster, without a kernel: two instances
 * over two session clients stand for two mounts of one cluster.
 */
class MoosengFileSystemClusterTest {
    private static final long ROOT = 1;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final int EAGAIN = 11;
    private static final int ENOENT = 2;
    private static final Caller ROOT_CALLER = new Caller(0, 0, 100, 022, List.of());
    private static final org.mooseng.fuse.ll.FuseOperations.Interruption NEVER = () -> false;

    @TempDir
    static Path dir;
    private static MiniCluster cluster;
    private static MoosengClient clientA;
    private static MoosengClient clientB;
    private static MoosengFileSystem mountA;
    private static MoosengFileSystem mountB;
    private static final ExecutorService waiter = Executors.newSingleThreadExecutor();


    @BeforeAll
    static void start() throws Exception {
        cluster = MiniCluster.start(dir, 1);
        clientA = mountClient("/mnt/a");
        clientB = mountClient("/mnt/b");
        mountA = new MoosengFileSystem(clientA, 0, 0);
        mountB = new MoosengFileSystem(clientB, 0, 0);
    }

    private static MoosengClient mountClient(String mountPoint) throws Exception {
        return cluster.newClient(ClientOptions.builder().expectedClusterId(cluster.clusterId())
                .credentials(UserCredentials.root()).session(SessionOptions.forMount(mountPoint)));
    }

    @AfterAll
    static void stop() {
        waiter.shutdownNow();
        if (mountA != null) {
            mountA.close();
            mountB.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static long create(MoosengFileSystem fs, String name, int flags) {
        Reply reply = fs.create(ROOT_CALLER, ROOT, name, 0644, flags | O_CREAT);
        assertThat(reply).isInstanceOf(Reply.Create.class);
        return ((Reply.Create) reply).open().handle();
    }

    private static long inodeOf(MoosengFileSystem fs, String name) {
        return ((Reply.Entry) fs.lookup(ROOT_CALLER, ROOT, name)).attributes().inode();
    }

    private static long open(MoosengFileSystem fs, long inode, int flags) {
        return ((Reply.Open) fs.open(ROOT_CALLER, inode, flags)).handle();
    }

    private static void write(MoosengFileSystem fs, long inode, long handle, long offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(fs.write(ROOT_CALLER, inode, handle, offset, ByteBuffer.wrap(bytes)))
                .isEqualTo(new Reply.Written(bytes.length));
    }

    private static String read(MoosengFileSystem fs, long inode, long handle) {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        Reply reply = fs.read(ROOT_CALLER, inode, handle, 0, buffer);
        assertThat(reply).isInstanceOf(Reply.Data.class);
        Reply.Data data = (Reply.Data) reply;
        return new String(buffer.array(), 0, data.bytes(), StandardCharsets.UTF_8);
    }

    /** Closes each handle as close(2) does: flush, then release. */
    private static void closeAll(MoosengFileSystem fs, long inode, long... handles) {
        for (long h : handles) {
            fs.flush(ROOT_CALLER, inode, h, 0);
            fs.release(ROOT_CALLER, inode, h, 0, false);
        }
    }

    private static LockRange writeLock() {
        return new LockRange(LockRange.F_WRLCK, 0, 0, 42);
    }

    /** Lists {@code directory} through {@code handle} as the kernel does: 4 KiB at a time from the last offset. */
    private static List<String> listThroughHandle(MoosengFileSystem fs, long directory, long handle) {
        List<String> names = new java.util.ArrayList<>();
        long offset = 0;
        while (true) {
            Reply reply = fs.readdir(ROOT_CALLER, directory, handle, offset, 4096);
            assertThat(reply).isInstanceOf(Reply.Dirents.class);
            assertThat(((Reply.Dirents) reply).packed().remaining()).isLessThanOrEqualTo(4096);
            List<DirectoryItem> items = ((Reply.Dirents) reply).items();
            if (items.isEmpty()) {
                return names;
            }
            for (DirectoryItem item : items) {
                names.add(new String(item.name(), java.nio.charset.StandardCharsets.UTF_8));
                offset = item.nextOffset();
            }
        }
    }

    @Test
    void aDirectoryTheMountMadeAnswersLookupsOfNamesItLacksUntilAnotherClientsChangeShows() {
        // Entry timeout 30 s: a name another client adds goes unseen until this mount's next change there.
        MoosengFileSystem mount = new MoosengFileSystem(clientA, 0, 30);
        long made = ((Reply.Entry) mount.mkdir(ROOT_CALLER, ROOT, "made-here", 0755)).attributes().inode();
        Reply.Create first = (Reply.Create) mount.create(ROOT_CALLER, made, "first", 0644, O_CREAT | O_RDWR);
        assertThat(mount.release(ROOT_CALLER, first.entry().attributes().inode(), first.open().handle(), 0,
                false)).isEqualTo(Reply.OK);
        assertThat(mount.lookup(ROOT_CALLER, made, "first")).isInstanceOf(Reply.Entry.class);
        assertThat(mount.lookup(ROOT_CALLER, made, "second")).isEqualTo(Reply.error(ENOENT));

        // Another client adds "second": not seen yet (as an entry the kernel keeps would not be) ...
        Reply.Create other = (Reply.Create) mountB.create(ROOT_CALLER, made, "second", 0644, O_CREAT | O_RDWR);
        assertThat(mountB.release(ROOT_CALLER, other.entry().attributes().inode(), other.open().handle(), 0,
                false)).isEqualTo(Reply.OK);
        assertThat(mount.lookup(ROOT_CALLER, made, "second")).isEqualTo(Reply.error(ENOENT));
        // ... until this mount's next change there finds the directory's count moved by two.
        assertThat(mount.mkdir(ROOT_CALLER, made, "third", 0755)).isInstanceOf(Reply.Entry.class);
        assertThat(mount.lookup(ROOT_CALLER, made, "second")).isInstanceOf(Reply.Entry.class);
        assertThat(mount.lookup(ROOT_CALLER, made, "fourth")).isEqualTo(Reply.error(ENOENT));
        // The directory that mkdir made is known empty.
        long third = ((Reply.Entry) mount.lookup(ROOT_CALLER, made, "third")).attributes().inode();
        assertThat(mount.lookup(ROOT_CALLER, third, "anything")).isEqualTo(Reply.error(ENOENT));
    }

    @Test
    void anOpenDirectoryOfThousandsListsEachEntryOnceAndARewindSeesItAsItIsNow() throws Exception {
        FileStat listed = clientA.mkdir(new InodeId(ROOT), "listing", 0755);
        java.util.Set<String> expected = new java.util.TreeSet<>(List.of(".", ".."));
        for (int i = 0; i < 1500; i++) {
            String name = "entry-with-a-longish-name-" + i;
            clientA.create(listed.inode(), name, 0644, true);
            expected.add(name);
        }
        long directory = listed.inode().value();
        long handle = ((Reply.Open) mountA.opendir(ROOT_CALLER, directory, O_RDONLY)).handle();

        List<String> first = listThroughHandle(mountA, directory, handle);
        assertThat(first).doesNotHaveDuplicates();
        assertThat(new java.util.TreeSet<>(first)).isEqualTo(expected);

        clientA.create(listed.inode(), "late", 0644, true);
        List<String> rewound = listThroughHandle(mountA, directory, handle);
        assertThat(rewound).contains("late").hasSize(expected.size() + 1);
        assertThat(mountA.releasedir(ROOT_CALLER, directory, handle)).isEqualTo(Reply.OK);
    }

    @Test
    void pageCacheIsKeptAcrossReadOnlyOpensOnlyWhileTheFileIsUnchanged() {
        long writer = create(mountA, "cached", O_RDWR);
        long inode = inodeOf(mountA, "cached");
        write(mountA, inode, writer, 0, "first");
        assertThat(mountA.release(ROOT_CALLER, inode, writer, 0, false)).isEqualTo(Reply.OK);

        assertThat(openReadOnly(mountB, inode).keepCache()).as("first open: nothing cached yet").isFalse();
        assertThat(openReadOnly(mountB, inode).keepCache()).as("unchanged since the last open").isTrue();

        long again = open(mountA, inode, O_RDWR);
        write(mountA, inode, again, 0, "second, longer");
        assertThat(mountA.release(ROOT_CALLER, inode, again, 0, false)).isEqualTo(Reply.OK);

        assertThat(openReadOnly(mountB, inode).keepCache()).as("changed through the other mount").isFalse();
        assertThat(openReadOnly(mountB, inode).keepCache()).isTrue();
        assertThat(((Reply.Open) mountB.open(ROOT_CALLER, inode, O_RDWR)).keepCache())
                .as("an open for writing never keeps the cache").isFalse();
    }

    private static Reply.Open openReadOnly(MoosengFileSystem fs, long inode) {
        Reply.Open open = (Reply.Open) fs.open(ROOT_CALLER, inode, O_RDONLY);
        assertThat(fs.release(ROOT_CALLER, inode, open.handle(), 0, false)).isEqualTo(Reply.OK);
        return open;
    }

    @Test
    void unlinkedFileStaysReadableAndWritableThroughItsHandle() {
        long handle = create(mountA, "unlinked", O_RDWR);
        long inode = inodeOf(mountA, "unlinked");
        write(mountA, inode, handle, 0, "before");
        assertThat(mountA.unlink(ROOT_CALLER, ROOT, "unlinked")).isEqualTo(Reply.OK);

        write(mountA, inode, handle, 6, "+after");

        assertThat(read(mountA, inode, handle)).isEqualTo("before+after");
        assertThat(mountA.getattr(ROOT_CALLER, inode, handle)).isInstanceOfSatisfying(Reply.Attributes.class,
                a -> assertThat(a.attributes().nlink()).isZero());
        assertThat(mountA.release(ROOT_CALLER, inode, handle, 0, false)).isEqualTo(Reply.OK);
    }

    @Test
    void appendsThroughTwoHandlesLandAtTheEndWithoutOverlapping() {
        long first = create(mountA, "appended", O_WRONLY | O_APPEND);
        long inode = inodeOf(mountA, "appended");
        long second = open(mountA, inode, O_WRONLY | O_APPEND);
        write(mountA, inode, first, 0, "1");
        write(mountA, inode, second, 0, "2");
        write(mountA, inode, first, 0, "3");
        long reader = open(mountA, inode, 0);

        assertThat(read(mountA, inode, reader)).isEqualTo("123");
        closeAll(mountA, inode, first, second, reader);
    }

    @Test
    void aReaderSeesWhatAnotherHandleOfTheMountWroteAfterItsFirstRead() {
        long writer = create(mountA, "growing", O_WRONLY);
        long inode = inodeOf(mountA, "growing");
        write(mountA, inode, writer, 0, "first");
        long reader = open(mountA, inode, 0);
        assertThat(read(mountA, inode, reader)).isEqualTo("first");

        write(mountA, inode, writer, 5, "+second");

        assertThat(read(mountA, inode, reader)).isEqualTo("first+second");
        closeAll(mountA, inode, writer, reader);
    }

    @Test
    void aReaderOpenedBeforeATruncateOrAnotherHandlesCommitReadsTheNewContent() {
        long writer = create(mountA, "resized", O_RDWR);
        long inode = inodeOf(mountA, "resized");
        write(mountA, inode, writer, 0, "abcdefghij");
        mountA.flush(ROOT_CALLER, inode, writer, 0);
        long reader = open(mountA, inode, 0); // its open already says where chunk 0 is, and the size

        mountA.setattr(ROOT_CALLER, inode, new AttributeChange(AttributeChange.SET_SIZE, 0, 0, 0, 4, 0, 0, 0, 0),
                writer);
        assertThat(read(mountA, inode, reader)).isEqualTo("abcd");

        write(mountA, inode, writer, 4, "XY");
        assertThat(mountA.getattr(ROOT_CALLER, inode, -1)).isInstanceOf(Reply.Attributes.class); // commits XY
        assertThat(read(mountA, inode, reader)).isEqualTo("abcdXY");
        closeAll(mountA, inode, writer, reader);
    }

    @Test
    void posixLockOfOneMountBlocksTheOtherUntilTheHolderCloses() throws Exception {
        long handleA = create(mountA, "posix", O_RDWR);
        long inode = inodeOf(mountA, "posix");
        long handleB = open(mountB, inode, O_RDWR);
        assertThat(mountA.setlk(ROOT_CALLER, inode, handleA, 1, writeLock(), false, NEVER)).isEqualTo(Reply.OK);

        assertThat(mountB.setlk(ROOT_CALLER, inode, handleB, 2, writeLock(), false, NEVER))
                .isEqualTo(Reply.error(EAGAIN));
        assertThat(mountB.getlk(ROOT_CALLER, inode, handleB, 2, writeLock())).isInstanceOfSatisfying(Reply.Lock.class,
                l -> assertThat(l.lock().type()).isEqualTo(LockRange.F_WRLCK));
        CompletableFuture<Reply> waiting = CompletableFuture.supplyAsync(
                () -> mountB.setlk(ROOT_CALLER, inode, handleB, 2, writeLock(), true, NEVER), waiter);
        assertThat(waiting).isNotDone();
        // close(2) of any descriptor of the holder drops its POSIX locks.
        mountA.flush(ROOT_CALLER, inode, handleA, 1);

        assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Reply.OK);
        mountB.flush(ROOT_CALLER, inode, handleB, 2);
        mountA.release(ROOT_CALLER, inode, handleA, 1, false);
        mountB.release(ROOT_CALLER, inode, handleB, 2, false);
    }

    @Test
    void blockingLockWaitEndsWithEintrWhenTheKernelInterruptsIt() {
        long handleA = create(mountA, "interrupted", O_RDWR);
        long inode = inodeOf(mountA, "interrupted");
        long handleB = open(mountB, inode, O_RDWR);
        assertThat(mountA.setlk(ROOT_CALLER, inode, handleA, 1, writeLock(), false, NEVER)).isEqualTo(Reply.OK);
        AtomicBoolean asked = new AtomicBoolean();

        Reply reply = mountB.setlk(ROOT_CALLER, inode, handleB, 2, writeLock(), true, () -> asked.getAndSet(true));

        assertThat(reply).isEqualTo(Reply.error(MountLocks.EINTR));
        mountA.flush(ROOT_CALLER, inode, handleA, 1);
        mountA.release(ROOT_CALLER, inode, handleA, 1, false);
        mountB.release(ROOT_CALLER, inode, handleB, 2, false);
    }

    @Test
    void flockHeldAcrossMountsIsDroppedByTheHoldersRelease() {
        long handleA = create(mountA, "flocked", O_RDWR);
        long inode = inodeOf(mountA, "flocked");
        long handleB = open(mountB, inode, O_RDWR);
        int lockEx = 2;
        int lockNb = 4;
        assertThat(mountA.flock(ROOT_CALLER, inode, handleA, 10, lockEx, NEVER)).isEqualTo(Reply.OK);

        assertThat(mountB.flock(ROOT_CALLER, inode, handleB, 20, lockEx | lockNb, NEVER))
                .isEqualTo(Reply.error(EAGAIN));
        mountA.release(ROOT_CALLER, inode, handleA, 10, true);

        assertThat(mountB.flock(ROOT_CALLER, inode, handleB, 20, lockEx | lockNb, NEVER)).isEqualTo(Reply.OK);
        mountB.release(ROOT_CALLER, inode, handleB, 20, true);
    }

    @Test
    void locksOfAMountWhoseSessionEndsAreReleased() throws Exception {
        MoosengClient clientC = mountClient("/mnt/c");
        MoosengFileSystem mountC = new MoosengFileSystem(clientC, 0, 0);
        long handleC = create(mountC, "session-end", O_RDWR);
        long inode = inodeOf(mountC, "session-end");
        long handleB = open(mountB, inode, O_RDWR);
        assertThat(mountC.setlk(ROOT_CALLER, inode, handleC, 5, writeLock(), false, NEVER)).isEqualTo(Reply.OK);

        clientC.close();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                mountB.setlk(ROOT_CALLER, inode, handleB, 6, writeLock(), false, NEVER)).isEqualTo(Reply.OK));
        mountB.flush(ROOT_CALLER, inode, handleB, 6);
        mountB.release(ROOT_CALLER, inode, handleB, 6, false);
    }

    @Test
    void setIdBitsAreClearedForANonOwnerWriterButItsChmodIsRefused() {
        long handle = create(mountA, "setid", O_RDWR);
        long inode = inodeOf(mountA, "setid");
        mountA.release(ROOT_CALLER, inode, handle, 0, false);
        AttributeChange chown = new AttributeChange(AttributeChange.SET_UID | AttributeChange.SET_GID | 0, 0,
                1000, 1000, 0, 0, 0, 0, 0);
        mountA.setattr(ROOT_CALLER, inode, chown, -1);
        mountA.setattr(ROOT_CALLER, inode, modeChange(06777), -1);
        Caller stranger = new Caller(2000, 2000, 200, 022, List.of());

        assertThat(mountA.setattr(stranger, inode, modeChange(0700), -1)).isEqualTo(Reply.error(MoosengFileSystem.EPERM));
        assertThat(mountA.setattr(stranger, inode, modeChange(0777), -1)).isInstanceOfSatisfying(
                Reply.Attributes.class, a -> assertThat(a.attributes().mode() & 07777).isEqualTo(0777));
    }

    @Test
    void xattrAnswersKeptByTheMountFollowItsOwnChangesAndPermissions() {
        try (MoosengFileSystem caching = new MoosengFileSystem(clientA, 60, 60)) {
            long handle = create(caching, "xattrs", O_RDWR);
            long inode = inodeOf(caching, "xattrs");
            caching.release(ROOT_CALLER, inode, handle, 0, false);
            assertThat(caching.getxattr(ROOT_CALLER, inode, "user.k", 64)).isEqualTo(Reply.error(MoosengFileSystem.ENODATA));

            assertThat(caching.setxattr(ROOT_CALLER, inode, "user.k", new byte[] {7}, 0)).isEqualTo(Reply.OK);
            assertThat(caching.getxattr(ROOT_CALLER, inode, "user.k", 64)).isInstanceOfSatisfying(Reply.Bytes.class,
                    b -> assertThat(b.value()).containsExactly(7));

            // kept for root; a caller without read permission is still asked about by the master
            caching.setattr(ROOT_CALLER, inode, modeChange(0600), -1);
            assertThat(caching.getxattr(ROOT_CALLER, inode, "user.k", 64)).isInstanceOf(Reply.Bytes.class);
            Caller stranger = new Caller(2000, 2000, 200, 022, List.of());
            assertThat(caching.getxattr(stranger, inode, "user.k", 64)).isEqualTo(Reply.error(13)); // EACCES

            assertThat(caching.removexattr(ROOT_CALLER, inode, "user.k")).isEqualTo(Reply.OK);
            assertThat(caching.getxattr(ROOT_CALLER, inode, "user.k", 64)).isEqualTo(Reply.error(MoosengFileSystem.ENODATA));
        }
    }

    @Test
    void aFileTheCreateMadeHasNoCapabilitiesButOneItFoundIsAskedAbout() {
        String capability = "security.capability";
        byte[] value = {1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        try (MoosengFileSystem caching = new MoosengFileSystem(clientA, 60, 60)) {
            // Made by the create: the mount answers from what the create told it, even after
            // another mount set the attribute (the answer is kept for the attribute timeout).
            long handle = create(caching, "caps-new", O_RDWR);
            long inode = inodeOf(caching, "caps-new");
            assertThat(mountB.setxattr(ROOT_CALLER, inode, capability, value, 0)).isEqualTo(Reply.OK);
            assertThat(caching.getxattr(ROOT_CALLER, inode, capability, 64))
                    .isEqualTo(Reply.error(MoosengFileSystem.ENODATA));
            caching.release(ROOT_CALLER, inode, handle, 0, false);

            // Found by a non-exclusive create: the master is asked and has the attribute.
            long created = create(mountB, "caps-old", O_RDWR);
            long old = inodeOf(mountB, "caps-old");
            mountB.release(ROOT_CALLER, old, created, 0, false);
            assertThat(mountB.setxattr(ROOT_CALLER, old, capability, value, 0)).isEqualTo(Reply.OK);
            long found = create(caching, "caps-old", O_RDWR);
            assertThat(caching.getxattr(ROOT_CALLER, old, capability, 64)).isInstanceOfSatisfying(Reply.Bytes.class,
                    b -> assertThat(b.value()).containsExactly(value));
            caching.release(ROOT_CALLER, old, found, 0, false);
        }
    }

    private static AttributeChange modeChange(int mode) {
        return new AttributeChange(AttributeChange.SET_MODE, mode, 0, 0, 0, 0, 0, 0, 0);
    }
}
