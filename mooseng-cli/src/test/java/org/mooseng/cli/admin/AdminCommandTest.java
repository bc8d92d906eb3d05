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
import org.mooseng.cli.fs.AdminTestCluster;
import org.mooseng.cli.fs.FsCommand;
import picocli.CommandLine;

class AdminCommandTest {
    @TempDir
    Path temp;

    private AdminTestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new AdminTestCluster();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
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
        all[2] = cluster.master();
        System.arraycopy(args, 0, all, 3, args.length);
        int code = cli.execute(all);
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void infoShowsTheClusterIdAsTextAndJson() {
        assertThat(run(new AdminCommand(), "info")[1]).contains("cluster id:      fake-cluster-1");
        assertThat(run(new AdminCommand(), "info", "--json")[1]).startsWith("{\"clusterId\":\"fake-cluster-1\"");
    }

    @Test
    void chunkserversListsEveryServer() {
        String[] r = run(new AdminCommand(), "chunkservers");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1].lines().toList()).hasSize(2);
        assertThat(r[1]).contains("loop-cs", "yes");
        assertThat(run(new AdminCommand(), "chunkservers", "--json")[1]).contains("\"serverId\":\"loop-cs\"");
    }

    @Test
    void fileinfoShowsChunksAndReplicas() throws Exception {
        Path local = Files.write(temp.resolve("f"), new byte[1234]);
        assertThat(run(new FsCommand(), "put", local.toString(), "/f")[0]).isEqualTo("0");
        String[] r = run(new AdminCommand(), "fileinfo", "/f");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("/f: inode 2, 1234 bytes", "chunk 0: 0000000000000064 v1", "loop-cs 127.0.0.1:");
        assertThat(run(new AdminCommand(), "fileinfo", "/f", "--json")[1]).contains("\"chunkId\":100");
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
        assertThat(r[2].strip()).isEqualTo("mooseng: /nope: no such file or directory");
    }
}
