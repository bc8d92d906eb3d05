package org.mooseng.cli.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.testkit.MiniCluster;

/** The fs commands against a real master and two chunk servers in this JVM. */
class FsCommandTest {
    @TempDir
    Path temp;

    private MiniCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = MiniCluster.start(temp.resolve("cluster"), 2);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Runs "fs SUB -H master ARGS...". */
    private CommandRun fs(String sub, String... args) {
        List<String> all = new ArrayList<>(List.of(sub, "-H", cluster.masterAddress()));
        all.addAll(List.of(args));
        return CommandRun.of(new FsCommand(), all.toArray(String[]::new));
    }

    @Test
    void putIntoADirectoryThenGetReturnsTheSameBytes() throws Exception {
        byte[] data = new byte[5_000_000];
        new Random(1).nextBytes(data);
        Path local = Files.write(temp.resolve("blob.bin"), data);
        assertThat(fs("mkdir", "/in").exitCode()).isZero();
        CommandRun put = fs("put", local.toString(), "/in");
        assertThat(put.exitCode()).as(put.err()).isZero();
        assertThat(put.out()).contains("-> /in/blob.bin (5000000 bytes)");
        Path back = temp.resolve("back.bin");
        CommandRun get = fs("get", "/in/blob.bin", back.toString());
        assertThat(get.exitCode()).as(get.err()).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(data);
        assertThat(fs("stat", "/in/blob.bin", "--json").out()).contains("\"sizeBytes\":5000000", "\"type\":\"REGULAR\"");
    }

    @Test
    void putReplacesAnExistingFile() throws Exception {
        Path big = Files.write(temp.resolve("big"), new byte[1000]);
        Path small = Files.write(temp.resolve("small"), new byte[] {1, 2, 3});
        assertThat(fs("put", big.toString(), "/f").exitCode()).isZero();
        assertThat(fs("put", small.toString(), "/f").exitCode()).isZero();
        Path back = temp.resolve("back");
        assertThat(fs("get", "/f", back.toString()).exitCode()).isZero();
        assertThat(Files.readAllBytes(back)).containsExactly(1, 2, 3);
    }

    @Test
    void lsShowsNamesLongFormAndJson() {
        assertThat(fs("mkdir", "-p", "/a/b").exitCode()).isZero();
        assertThat(fs("ln", "-s", "/a", "/l").exitCode()).isZero();
        assertThat(fs("ls", "/").out().lines().toList()).containsExactly("a", "l");
        String longForm = fs("ls", "-l", "/").out();
        assertThat(longForm).containsPattern("(?m)^drwxr-xr-x .* a$").containsPattern("(?m)^lrwxrwxrwx .* l -> /a$");
        assertThat(fs("ls", "--json", "/a").out().strip())
                .isEqualTo("[{\"name\":\"b\",\"inode\":3,\"type\":\"DIRECTORY\"}]");
    }

    @Test
    void rmOfADirectoryNeedsRecursion() {
        fs("mkdir", "-p", "/a/b/c");
        CommandRun refused = fs("rm", "/a");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("mooseng: /a: is a directory (use -r)" + System.lineSeparator());
        assertThat(fs("rm", "-r", "/a").exitCode()).isZero();
        CommandRun gone = fs("stat", "/a");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).startsWith("mooseng: /a: no such file or directory");
    }

    @Test
    void mvIntoADirectoryKeepsTheName() {
        fs("mkdir", "/d");
        fs("mkdir", "/x");
        assertThat(fs("mv", "/x", "/d").exitCode()).isZero();
        assertThat(fs("ls", "/d").out().strip()).isEqualTo("x");
    }

    @Test
    void hardLinkSharesTheInodeAndDirectoriesCannotBeHardLinked() throws Exception {
        Path local = Files.write(temp.resolve("one"), new byte[] {1});
        assertThat(fs("put", local.toString(), "/f").exitCode()).isZero();
        assertThat(fs("ln", "/f", "/f2").exitCode()).isZero();
        assertThat(fs("stat", "/f2").out()).contains("links: 2");
        fs("mkdir", "/d");
        CommandRun refused = fs("ln", "/d", "/d2");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).startsWith("mooseng: /d2: operation not permitted");
    }

    @Test
    void localClusterDirectoryGivesMasterAndClusterId() throws Exception {
        Files.writeString(temp.resolve("mooseng-cluster.conf"), "# written by up\nMASTER = " + cluster.masterAddress()
                + "\nCLUSTER_ID = " + cluster.clusterId() + "\n");
        CommandRun ok = CommandRun.of(new FsCommand(), "mkdir", "--dir", temp.toString(), "/viaconf");
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        Files.writeString(temp.resolve("mooseng-cluster.conf"), "MASTER = " + cluster.masterAddress()
                + "\nCLUSTER_ID = someone-else\n");
        CommandRun wrong = CommandRun.of(new FsCommand(), "ls", "--dir", temp.toString(), "/");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("mooseng: master " + cluster.masterAddress()
                + ": peer belongs to another cluster");
    }

    @Test
    void missingClusterFileIsOneLineError() {
        CommandRun run = CommandRun.of(new FsCommand(), "ls", "--dir", temp.resolve("none").toString(), "/");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("mooseng: ").contains("mooseng-cluster.conf").hasLineCount(1);
    }

    @Test
    void unreachableMasterIsOneLineError() throws Exception {
        String address = cluster.masterAddress();
        cluster.stopMaster();
        CommandRun run = CommandRun.of(new FsCommand(), "ls", "-H", address, "/");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("mooseng: master " + address + ": connection refused").hasLineCount(1);
    }

    @Test
    void missingLocalFileIsReportedWithItsPath() {
        String missing = temp.resolve("nope").toString();
        CommandRun run = fs("put", missing, "/f");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("mooseng: " + missing + ": no such file or directory");
    }
}
