package org.mooseng.cli.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mooseng.client.FileType;
import org.mooseng.common.InodeId;

class FormatsTest {
    @Test
    void modeStringsMatchLs() {
        assertThat(Formats.mode(FileType.DIRECTORY, 0755)).isEqualTo("drwxr-xr-x");
        assertThat(Formats.mode(FileType.REGULAR, 0640)).isEqualTo("-rw-r-----");
        assertThat(Formats.mode(FileType.REGULAR, 04755)).isEqualTo("-rwsr-xr-x");
        assertThat(Formats.mode(FileType.REGULAR, 02644)).isEqualTo("-rw-r-Sr--");
        assertThat(Formats.mode(FileType.DIRECTORY, 01777)).isEqualTo("drwxrwxrwt");
        assertThat(Formats.mode(FileType.SYMLINK, 0777)).isEqualTo("lrwxrwxrwx");
    }

    record Inner(InodeId inode, Instant when) {
    }

    record Outer(String name, long size, boolean ok, List<Inner> items, Map<String, Integer> counts, FileType type) {
    }

    @Test
    void jsonRendersRecordsByComponent() {
        Outer o = new Outer("a\"b\n", 5, true, List.of(new Inner(new InodeId(7), Instant.EPOCH)), Map.of("x", 1),
                FileType.FIFO);
        assertThat(JsonText.of(o)).isEqualTo("{\"name\":\"a\\\"b\\n\",\"size\":5,\"ok\":true,"
                + "\"items\":[{\"inode\":7,\"when\":\"1970-01-01T00:00:00Z\"}],\"counts\":{\"x\":1},\"type\":\"FIFO\"}");
        assertThat(JsonText.of(null)).isEqualTo("null");
    }
}
