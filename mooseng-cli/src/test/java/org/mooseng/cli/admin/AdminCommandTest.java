package org.mooseng.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.cli.fs.FsCommand;
import org.mooseng.testkit.MiniCluster;
import picocli.CommandLine;

class AdminCommandTest {
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

    private String[] run(Object command, String sub, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = sub;
        all[1] = "-H";
        all[2] = cluster.masterAddress();
        System.arraycopy(args, 0, all, 3, args.length);
        int code = cli.execute(all);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void infoShowsTheClusterIdAsTextAndJson() {
        assertThat(run(new AdminCommand(), "info")[1]).contains("cluster id:      " + cluster.clusterId());
        assertThat(run(new AdminCommand(), "info", "--json")[1])
                .startsWith("{\"clusterId\":\"" + cluster.clusterId() + "\"");
    }

    @Test
    void chunkserversListsEveryServer() {
        String[] r = run(new AdminCommand(), "chunkservers");
        assertThat(r[0]).isEqualTo("0");
        String first = cluster.chunkServer(0).serverId();
        String second = cluster.chunkServer(1).serverId();
        assertThat(r[1].lines().toList()).hasSize(3);
        assertThat(r[1]).contains(first, second, "yes");
        assertThat(run(new AdminCommand(), "chunkservers", "--json")[1])
                .contains("\"serverId\":\"" + first + "\"", "\"serverId\":\"" + second + "\"");
    }

    @Test
    void fileinfoShowsChunksAndReplicas() throws Exception {
        Path local = Files.write(temp.resolve("f"), new byte[1234]);
        assertThat(run(new FsCommand(), "put", local.toString(), "/f")[0]).isEqualTo("0");
        String[] r = run(new AdminCommand(), "fileinfo", "/f");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("/f: inode 2, 1234 bytes, goal 2, 1 chunks")
                .containsPattern("(?m)^  chunk 0: [0-9A-F]{16} v1$")
                .contains(cluster.chunkServer(0).serverId() + " 127.0.0.1:", cluster.chunkServer(1).serverId() + " 127.0.0.1:");
        assertThat(run(new AdminCommand(), "fileinfo", "/f", "--json")[1]).containsPattern("\"chunkId\":[1-9]");
    }

    @Test
    void setgoalThenGetgoal() {
        assertThat(run(new AdminCommand(), "setgoal", "/", "3", "-r")[1].strip()).isEqualTo("/: goal 3 (recursive)");
        assertThat(run(new AdminCommand(), "getgoal", "/")[1].strip()).isEqualTo("/: 3");
        String[] bad = run(new AdminCommand(), "setgoal", "/", "0");
        assertThat(bad[0]).isEqualTo("1");
        assertThat(bad[2]).startsWith("mooseng: /: invalid argument");
    }

    @Test
    void missingFileIsExitOne() {
        String[] r = run(new AdminCommand(), "fileinfo", "/nope");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).startsWith("mooseng: /nope: no such file or directory").hasLineCount(1);
    }
}
