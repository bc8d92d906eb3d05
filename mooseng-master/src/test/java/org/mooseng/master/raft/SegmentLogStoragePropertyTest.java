package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of what jraft asks of its log (appends, both truncations, reset) with
 * reopenings in between: after every step the log answers as a list of entries would.
 */
class SegmentLogStoragePropertyTest {
    enum Kind { APPEND, NEW_TERM_APPEND, TRUNCATE_SUFFIX, TRUNCATE_PREFIX, RESET, REOPEN }

    record Step(Kind kind, int amount) {
    }

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<Kind> kinds = Arbitraries.of(Kind.class).edgeCases(c -> c.add(Kind.APPEND));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 12)).as(Step::new);
    }

    /** The entries a log should hold: index to term, and the first index. */
    private static final class Model {
        final TreeMap<Long, Long> terms = new TreeMap<>();
        long first = 1;
        long term = 1;

        long last() {
            return terms.isEmpty() ? first - 1 : terms.lastKey();
        }
    }

    @Property(tries = 60)
    void theLogAnswersAsAListOfEntriesWould(@ForAll @Size(min = 5, max = 60) List<@From("steps") Step> steps)
            throws IOException {
        Path dir = Files.createTempDirectory("segment-log");
        SegmentLogStorage log = open(dir);
        try {
            Model model = new Model();
            for (Step step : steps) {
                switch (step.kind()) {
                    case APPEND, NEW_TERM_APPEND -> {
                        if (step.kind() == Kind.NEW_TERM_APPEND) {
                            model.term++;
                        }
                        List<LogEntry> batch = new ArrayList<>();
                        for (int i = 0; i <= step.amount(); i++) {
                            long index = model.last() + 1;
                            batch.add(SegmentLogStorageTest.data(index, model.term, SegmentLogStorageTest.padding(index)));
                            model.terms.put(index, model.term);
                        }
                        assertThat(log.appendEntries(batch)).isEqualTo(batch.size());
                    }
                    case TRUNCATE_SUFFIX -> {
                        long lastKept = Math.max(model.first - 1, model.last() - step.amount());
                        assertThat(log.truncateSuffix(lastKept)).isTrue();
                        model.terms.tailMap(lastKept, false).clear();
                    }
                    case TRUNCATE_PREFIX -> {
                        long firstKept = model.first + step.amount();
                        assertThat(log.truncatePrefix(firstKept)).isTrue();
                        model.terms.headMap(firstKept, false).clear();
                        model.first = Math.max(model.first, firstKept);
                    }
                    case RESET -> {
                        long next = model.first + step.amount();
                        Long kept = model.terms.get(next);
                        assertThat(log.reset(next)).isTrue();
                        model.terms.clear();
                        model.terms.put(next, kept == null ? 0 : kept);
                        model.first = next;
                    }
                    case REOPEN -> {
                        log.shutdown();
                        log = open(dir);
                    }
                }
                check(log, model, step);
            }
            log.shutdown();
            log = open(dir);
            check(log, model, new Step(Kind.REOPEN, 0));
        } finally {
            log.shutdown();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static SegmentLogStorage open(Path dir) {
        SegmentLogStorage log = new SegmentLogStorage(dir, SegmentLogStorageTest.SEGMENT_BYTES);
        assertThat(SegmentLogStorageTest.open(log, new ConfigurationManager())).isTrue();
        return log;
    }

    private static void check(SegmentLogStorage log, Model model, Step after) {
        assertThat(log.getFirstLogIndex()).as("first after %s", after).isEqualTo(model.first);
        assertThat(log.getLastLogIndex()).as("last after %s", after).isEqualTo(model.last());
        for (long index = Math.max(1, model.first - 2); index <= model.last() + 2; index++) {
            Long term = model.terms.get(index);
            LogEntry entry = log.getEntry(index);
            if (term == null) {
                assertThat(entry).as("entry %d after %s", index, after).isNull();
                assertThat(log.getTerm(index)).isZero();
                continue;
            }
            assertThat(entry).as("entry %d after %s", index, after).isNotNull();
            assertThat(entry.getId().getIndex()).isEqualTo(index);
            assertThat(entry.getId().getTerm()).isEqualTo(term);
            assertThat(log.getTerm(index)).isEqualTo(term);
            if (entry.getType() == EntryType.ENTRY_TYPE_DATA) {
                assertThat(SegmentLogStorageTest.text(entry)).isEqualTo(new String(
                        SegmentLogStorageTest.payload(index, term, SegmentLogStorageTest.padding(index)),
                        java.nio.charset.StandardCharsets.UTF_8));
            } else {
                assertThat(term).as("only a reset's filler is not data").isZero();
            }
        }
    }
}
