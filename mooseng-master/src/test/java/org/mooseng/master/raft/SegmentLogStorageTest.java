package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentLogStorageTest {
    /** Small segments, so a few entries fill one. */
    static final long SEGMENT_BYTES = 4096;

    @TempDir
    Path dir;
    private SegmentLogStorage log;
    private ConfigurationManager configurations;

    @AfterEach
    void close() {
        if (log != null) {
            log.shutdown();
        }
    }

    static LogEntry data(long index, long term, int padding) {
        LogEntry entry = new LogEntry(EntryType.ENTRY_TYPE_DATA);
        entry.setId(new LogId(index, term));
        entry.setData(ByteBuffer.wrap(payload(index, term, padding)));
        return entry;
    }

    static byte[] payload(long index, long term, int padding) {
        return ("entry " + index + " of term " + term + " " + "x".repeat(padding)).getBytes(StandardCharsets.UTF_8);
    }

    /** Entries of a few hundred bytes, of varied sizes. */
    static int padding(long index) {
        return (int) (index % 7) * 120;
    }

    static String text(LogEntry entry) {
        ByteBuffer data = entry.getData().duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static boolean open(SegmentLogStorage storage, ConfigurationManager configurations) {
        LogStorageOptions options = new LogStorageOptions();
        options.setConfigurationManager(configurations);
        options.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
        return storage.init(options);
    }

    private void reopen() {
        if (log != null) {
            log.shutdown();
        }
        log = new SegmentLogStorage(dir, SEGMENT_BYTES);
        configurations = new ConfigurationManager();
        assertThat(open(log, configurations)).isTrue();
    }

    private void append(long from, long to, long term) {
        List<LogEntry> batch = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            batch.add(data(i, term, padding(i)));
        }
        assertThat(log.appendEntries(batch)).isEqualTo(batch.size());
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".segment")).sorted().toList();
        }
    }

    @Test
    void entriesReadBackAcrossSegmentsAndAfterReopening() throws IOException {
        reopen();
        assertThat(log.getFirstLogIndex()).isEqualTo(1);
        assertThat(log.getLastLogIndex()).isZero();
        append(1, 40, 1);
        append(41, 60, 2);
        assertThat(segments()).hasSizeGreaterThan(3);

        for (int pass = 0; pass < 2; pass++) {
            assertThat(log.getLastLogIndex()).isEqualTo(60);
            for (long i = 1; i <= 60; i++) {
                long term = i <= 40 ? 1 : 2;
                LogEntry entry = log.getEntry(i);
                assertThat(entry.getId()).isEqualTo(new LogId(i, term));
                assertThat(text(entry)).isEqualTo(new String(payload(i, term, padding(i)), StandardCharsets.UTF_8));
                assertThat(log.getTerm(i)).isEqualTo(term);
            }
            assertThat(log.getEntry(61)).isNull();
            assertThat(log.getTerm(61)).isZero();
            reopen();
        }
    }

    @Test
    void anEntryLargerThanASegmentGetsASegmentOfItsOwn() {
        reopen();
        append(1, 3, 1);
        LogEntry large = data(4, 1, 3 * (int) SEGMENT_BYTES);
        assertThat(log.appendEntries(List.of(large))).isEqualTo(1);
        append(5, 6, 1);
        reopen();
        assertThat(text(log.getEntry(4))).isEqualTo(text(large));
        assertThat(log.getLastLogIndex()).isEqualTo(6);
    }

    @Test
    void anAppendThatDoesNotFollowTheLastEntryIsRefused() {
        reopen();
        append(1, 5, 1);
        assertThat(log.appendEntries(List.of(data(7, 1, 0)))).isZero();
        assertThat(log.getLastLogIndex()).isEqualTo(5);
    }

    @Test
    void configurationEntriesAreGivenToJraftWhenOpened() {
        reopen();
        append(1, 3, 1);
        LogEntry conf = new LogEntry(EntryType.ENTRY_TYPE_CONFIGURATION);
        conf.setId(new LogId(4, 1));
        conf.setPeers(List.of(PeerId.parsePeer("127.0.0.1:9419"), PeerId.parsePeer("127.0.0.1:9519")));
        assertThat(log.appendEntry(conf)).isTrue();
        append(5, 9, 2);

        reopen();
        assertThat(configurations.getLastConfiguration().getId()).isEqualTo(new LogId(4, 1));
        assertThat(configurations.getLastConfiguration().getConf().getPeers())
                .containsExactly(PeerId.parsePeer("127.0.0.1:9419"), PeerId.parsePeer("127.0.0.1:9519"));
    }

    @Test
    void aTornLastRecordEndsTheLogAndTheNextAppendTakesItsPlace() throws IOException {
        reopen();
        append(1, 12, 1);
        long lastBefore = log.getLastLogIndex();
        log.shutdown();
        log = null;
        // A crash in the middle of the last write: its record is half there.
        Path last = segments().getLast();
        byte[] bytes = Files.readAllBytes(last);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {0x5a, 0x5a, 0x5a}), end - 10);
        }

        reopen();
        assertThat(log.getLastLogIndex()).isEqualTo(lastBefore - 1);
        assertThat(log.getEntry(lastBefore)).isNull();
        append(lastBefore, lastBefore + 2, 3);
        reopen();
        assertThat(log.getLastLogIndex()).isEqualTo(lastBefore + 2);
        assertThat(log.getTerm(lastBefore)).isEqualTo(3);
        assertThat(log.getTerm(lastBefore - 1)).isEqualTo(1);
    }

    @Test
    void aBadRecordBeforeTheLastSegmentStopsTheOpening() throws IOException {
        reopen();
        append(1, 40, 1);
        log.shutdown();
        log = null;
        Path first = segments().getFirst();
        try (FileChannel channel = FileChannel.open(first, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), SegmentLogStorage.HEADER_BYTES + 5);
        }
        assertThat(open(new SegmentLogStorage(dir, SEGMENT_BYTES), new ConfigurationManager())).isFalse();
    }

    @Test
    void entriesCutFromTheEndNeverComeBackAfterAReopen() throws IOException {
        reopen();
        append(1, 40, 1);
        List<Path> before = segments();
        long boundary = Long.parseLong(before.get(2).getFileName().toString().replace(".segment", ""));

        // Cut exactly at a segment boundary: the later segments go, the earlier stay whole.
        assertThat(log.truncateSuffix(boundary - 1)).isTrue();
        assertThat(log.getLastLogIndex()).isEqualTo(boundary - 1);
        reopen();
        assertThat(log.getLastLogIndex()).isEqualTo(boundary - 1);
        assertThat(log.getEntry(boundary)).isNull();

        // Cut in the middle of a segment, then new entries of a later term take the indices.
        assertThat(log.truncateSuffix(boundary - 3)).isTrue();
        append(boundary - 2, boundary - 2, 5);
        reopen();
        assertThat(log.getLastLogIndex()).isEqualTo(boundary - 2);
        assertThat(log.getTerm(boundary - 2)).isEqualTo(5);
        assertThat(log.getEntry(boundary - 1)).isNull();
    }

    @Test
    void entriesBeforeTheFirstKeptAreGoneAndTheirSegmentsDeleted() throws IOException {
        reopen();
        append(1, 40, 1);
        int segmentsBefore = segments().size();
        assertThat(log.truncatePrefix(30)).isTrue();
        assertThat(log.getFirstLogIndex()).isEqualTo(30);
        assertThat(log.getEntry(29)).isNull();
        assertThat(log.getTerm(29)).isZero();
        assertThat(segments().size()).isLessThan(segmentsBefore);
        reopen();
        assertThat(log.getFirstLogIndex()).isEqualTo(30);
        assertThat(log.getEntry(29)).isNull();
        assertThat(log.getEntry(30).getId()).isEqualTo(new LogId(30, 1));
        assertThat(log.getLastLogIndex()).isEqualTo(40);

        // Past the end: the log is empty and continues at the first index kept.
        assertThat(log.truncatePrefix(50)).isTrue();
        assertThat(log.getLastLogIndex()).isEqualTo(49);
        append(50, 52, 2);
        reopen();
        assertThat(log.getFirstLogIndex()).isEqualTo(50);
        assertThat(log.getLastLogIndex()).isEqualTo(52);
    }

    @Test
    void resetKeepsOnlyTheEntryAtTheNextIndexOrANoOpOfTermZero() {
        reopen();
        append(1, 20, 1);
        assertThat(log.reset(15)).isTrue();
        assertThat(log.getFirstLogIndex()).isEqualTo(15);
        assertThat(log.getLastLogIndex()).isEqualTo(15);
        assertThat(log.getEntry(15).getId()).isEqualTo(new LogId(15, 1));
        assertThat(log.getEntry(14)).isNull();

        assertThat(log.reset(100)).isTrue();
        reopen();
        assertThat(log.getFirstLogIndex()).isEqualTo(100);
        assertThat(log.getLastLogIndex()).isEqualTo(100);
        assertThat(log.getEntry(100).getType()).isEqualTo(EntryType.ENTRY_TYPE_NO_OP);
        assertThat(log.getTerm(100)).isZero();
        append(101, 103, 4);
        reopen();
        assertThat(log.getLastLogIndex()).isEqualTo(103);
    }
}
