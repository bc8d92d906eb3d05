package org.mooseng.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/** The build runs JMH's annotation processor, so the benchmark jar lists every benchmark as it is meant to run. */
class BenchmarkListTest {
    private static Map<String, BenchmarkListEntry> listed() {
        Set<BenchmarkListEntry> all = BenchmarkList.defaultList().getAll(
                OutputFormatFactory.createFormatInstance(new PrintStream(OutputStream.nullOutputStream()),
                        VerboseMode.SILENT), List.of());
        return all.stream().collect(Collectors.toMap(BenchmarkListEntry::getUsername, Function.identity()));
    }

    @Test
    void everyBenchmarkIsListed() {
        assertThat(listed().keySet()).containsExactlyInAnyOrder(
                "org.mooseng.jmh.CrcBenchmark.crc32c",
                "org.mooseng.jmh.ChunkStoreWriteBenchmark.write",
                "org.mooseng.jmh.ChunkStoreReadBenchmark.read",
                "org.mooseng.jmh.NamespaceBenchmark.create",
                "org.mooseng.jmh.NamespaceBenchmark.lookup",
                "org.mooseng.jmh.NamespaceBenchmark.getAttr",
                "org.mooseng.jmh.NamespaceBenchmark.list",
                "org.mooseng.jmh.NamespaceBenchmark.rename",
                "org.mooseng.jmh.NamespaceBenchmark.unlink",
                "org.mooseng.jmh.MetadataCommitBenchmark.createOneProposer",
                "org.mooseng.jmh.MetadataCommitBenchmark.createEightProposers",
                "org.mooseng.jmh.UnaryRpcBenchmark.latency",
                "org.mooseng.jmh.UnaryRpcBenchmark.throughput");
    }

    @Test
    void metadataCommitRunsWithOneAndWithEightProposers() {
        Map<String, BenchmarkListEntry> listed = listed();
        assertThat(listed.get("org.mooseng.jmh.MetadataCommitBenchmark.createOneProposer").getThreads().get())
                .isEqualTo(1);
        assertThat(listed.get("org.mooseng.jmh.MetadataCommitBenchmark.createEightProposers").getThreads().get())
                .isEqualTo(8);
    }

    @Test
    void everyBenchmarkForksOnceWithASmallHeap() {
        assertThat(listed().values()).allSatisfy(entry -> {
            assertThat(entry.getForks().get()).as(entry.getUsername()).isEqualTo(1);
            assertThat(entry.getJvmArgs().get()).as(entry.getUsername()).contains(JvmFlags.HEAP);
            assertThat(entry.getJvmArgsAppend().get()).as(entry.getUsername()).contains(JvmFlags.NATIVE_ACCESS);
        });
    }
}
