package org.mooseng.chunkserver.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NewEntryDurabilityTest {
    @Test
    void ext4AndXfsCoverTheNameWithTheFileSync() {
        assertThat(NewEntryDurability.of("ext4")).isEqualTo(NewEntryDurability.WITH_FILE_SYNC);
        assertThat(NewEntryDurability.of("xfs")).isEqualTo(NewEntryDurability.WITH_FILE_SYNC);
        assertThat(NewEntryDurability.of("EXT4")).isEqualTo(NewEntryDurability.WITH_FILE_SYNC);
    }

    @Test
    void everyOtherFileSystemForcesTheDirectory() {
        for (String type : new String[] {"ext2", "ext3", "btrfs", "tmpfs", "nfs", "fuse.sshfs", "overlay", ""}) {
            assertThat(NewEntryDurability.of(type)).as(type).isEqualTo(NewEntryDurability.FORCE_DIRECTORY);
        }
    }
}
