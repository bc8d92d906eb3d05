package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;

/** The calls the FUSE mount makes by inode: per-caller views, paged readdir, mknod. */
class MoosengClientViewTest {
    private static final InodeId ROOT = new InodeId(1);
    private FakeMaster master;
    private MoosengClient client;

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        client = MoosengClient.connect(master.options().build(), new FakeChunkServers());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        master.close();
    }

    @Test
    void viewSendsItsOwnCredentialsAndClosingItLeavesTheClientUsable() throws Exception {
        UserCredentials alice = new UserCredentials(1001, 100, List.of(100, 27));
        MoosengClient view = client.as(alice);
        view.mkdir(ROOT, "as-alice", 0755);
        view.close();
        client.mkdir(ROOT, "as-root", 0755);

        assertThat(view.options().credentials()).isEqualTo(alice);
        assertThat(master.mutateCredentials).hasSize(2);
        assertThat(master.mutateCredentials.get(0).getUid()).isEqualTo(1001);
        assertThat(master.mutateCredentials.get(0).getGroupsList()).containsExactly(100, 27);
        assertThat(master.mutateCredentials.get(1).getUid()).isZero();
        assertThat(client.as(UserCredentials.root())).isSameAs(client);
    }

    @Test
    void readDirPageResumesAfterEachCookieUntilEof() throws Exception {
        for (int i = 0; i < 7; i++) {
            client.mkdir(ROOT, "d" + i, 0755);
        }
        List<String> names = new ArrayList<>();
        long cookie = 0;
        int pages = 0;
        DirectoryPage page;
        do {
            page = client.readDirPage(ROOT, cookie, 3);
            pages++;
            for (DirectoryPage.Entry e : page.entries()) {
                names.add(e.entry().name());
                cookie = e.cookie();
            }
        } while (!page.eof());

        assertThat(names).containsExactly("d0", "d1", "d2", "d3", "d4", "d5", "d6");
        assertThat(pages).isEqualTo(3);
        assertThatThrownBy(() -> client.readDirPage(ROOT, 0, 0)).isInstanceOfSatisfying(MoosengException.class,
                e -> assertThat(e.status()).isEqualTo(Status.EINVAL));
    }

    @Test
    void mknodCreatesSpecialFilesWithTheirDeviceNumber() throws Exception {
        FileStat fifo = client.mknod(ROOT, "fifo", FileType.FIFO, 0640, 0);
        FileStat device = client.mknod(ROOT, "null", FileType.CHAR_DEVICE, 0666, 0x0103);

        assertThat(fifo.type()).isEqualTo(FileType.FIFO);
        assertThat(fifo.mode() & 07777).isEqualTo(0640);
        assertThat(client.lookup(ROOT, "null").rdev()).isEqualTo(0x0103);
        assertThat(device.type()).isEqualTo(FileType.CHAR_DEVICE);
        assertThatThrownBy(() -> client.mknod(ROOT, "fifo", FileType.FIFO, 0640, 0))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EEXIST));
        assertThatThrownBy(() -> client.mknod(ROOT, "dir", FileType.DIRECTORY, 0755, 0))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EINVAL));
    }
}
