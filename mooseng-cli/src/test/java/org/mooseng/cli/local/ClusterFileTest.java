package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.cli.CliException;
import org.mooseng.client.MasterAddress;

class ClusterFileTest {

    @Test
    void writtenFileReadsBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(ClusterFile.FILE_NAME);
        ClusterFile group = new ClusterFile(List.of(new MasterAddress("127.0.0.1", 9421),
                new MasterAddress("127.0.0.1", 10421), new MasterAddress("::1", 11421)), "c0ffee");
        group.write(file);

        assertThat(Files.readString(file)).contains("MASTERS = 127.0.0.1:9421,127.0.0.1:10421,[::1]:11421\n",
                "CLUSTER_ID = c0ffee\n");
        assertThat(ClusterFile.read(file)).isEqualTo(group);
    }

    @Test
    void fileOfOneMasterWrittenBeforeGroupsIsRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(ClusterFile.FILE_NAME);
        Files.writeString(file, "MASTER = 127.0.0.1:9421\nCLUSTER_ID = c0ffee\n");

        assertThat(ClusterFile.read(file)).isEqualTo(new ClusterFile(List.of(new MasterAddress("127.0.0.1", 9421)),
                "c0ffee"));
    }

    @Test
    void fileWithoutClusterIdIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(ClusterFile.FILE_NAME);
        Files.writeString(file, "MASTER = 127.0.0.1:9421\n");

        assertThatThrownBy(() -> ClusterFile.read(file)).isInstanceOf(CliException.class)
                .hasMessageContaining("CLUSTER_ID");
    }

    @Test
    void masterWithoutPortIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(ClusterFile.FILE_NAME);
        Files.writeString(file, "MASTER = localhost\nCLUSTER_ID = x\n");

        assertThatThrownBy(() -> ClusterFile.read(file)).hasMessageContaining("MASTER must be host:port");
    }
}
