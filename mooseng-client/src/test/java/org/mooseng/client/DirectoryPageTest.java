package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mooseng.common.InodeId;

class DirectoryPageTest {
    private static final List<DirectoryPage.Entry> ENTRIES = List.of(
            new DirectoryPage.Entry(new DirectoryEntry("a", new InodeId(7), FileType.REGULAR), 3),
            new DirectoryPage.Entry(new DirectoryEntry("größe-日本", new InodeId(Long.MAX_VALUE), FileType.DIRECTORY), 9),
            new DirectoryPage.Entry(new DirectoryEntry("x".repeat(255), new InodeId(9), FileType.SYMLINK), 1L << 40));

    @Test
    void packedRecordsReadBackAsTheEntriesTheyWereMadeFrom() {
        DirectoryPage page = DirectoryPage.of(ENTRIES, true);

        assertThat(page.size()).isEqualTo(3);
        assertThat(page.entries()).isEqualTo(ENTRIES);
        assertThat(page.cookie(2)).isEqualTo(1L << 40);
        assertThat(page.inode(1)).isEqualTo(Long.MAX_VALUE);
        assertThat(page.type(1)).isEqualTo(FileType.DIRECTORY);
        assertThat(page.nameBytes(1)).isEqualTo("größe-日本".getBytes(StandardCharsets.UTF_8));
        assertThat(page.eof()).isTrue();
    }

    @Test
    void theLayoutIsTheMastersCookieInodeTypeLengthName() {
        byte[] record = HexFormat.of().parseHex("0000000000000003" + "0000000000000007" + "01" + "0001" + "61");

        DirectoryPage page = DirectoryPage.fromPacked(record, false);

        assertThat(page.entries()).containsExactly(ENTRIES.getFirst());
        assertThat(page.eof()).isFalse();
    }

    @Test
    void anEmptyPageIsTheEnd() {
        assertThat(DirectoryPage.fromPacked(new byte[0], false).eof()).isTrue();
    }

    @Test
    void recordsThatDoNotAddUpAreRefused() {
        byte[] good = packed();
        assertThat(DirectoryPage.fromPacked(good, true).entries()).isEqualTo(ENTRIES);

        assertThatThrownBy(() -> DirectoryPage.fromPacked(Arrays.copyOf(good, good.length - 1), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2");
        assertThatThrownBy(() -> DirectoryPage.fromPacked(Arrays.copyOf(good, 10), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut short");
        byte[] unknownType = good.clone();
        unknownType[16] = 99;
        assertThatThrownBy(() -> DirectoryPage.fromPacked(unknownType, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown file type 99");
        byte[] emptyName = HexFormat.of().parseHex("0000000000000003" + "0000000000000007" + "01" + "0000");
        assertThatThrownBy(() -> DirectoryPage.fromPacked(emptyName, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name of 0 bytes");
    }

    /** The three entries as the master packs them. */
    private static byte[] packed() {
        StringBuilder hex = new StringBuilder();
        for (DirectoryPage.Entry e : ENTRIES) {
            byte[] name = e.entry().name().getBytes(StandardCharsets.UTF_8);
            hex.append(String.format("%016x%016x%02x%04x", e.cookie(), e.entry().inode().value(),
                    e.entry().type().toProto().getNumber(), name.length)).append(HexFormat.of().formatHex(name));
        }
        return HexFormat.of().parseHex(hex);
    }
}
