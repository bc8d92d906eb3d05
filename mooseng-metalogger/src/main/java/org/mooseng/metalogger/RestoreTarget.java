package org.mooseng.metalogger;

import java.time.Instant;
import java.util.Objects;

/** How far a {@link Restore} replays the archived log. */
public sealed interface RestoreTarget {
    /** Everything the archive holds. */
    record Latest() implements RestoreTarget {
    }

    /** Every entry up to and including Raft log index {@code index}. */
    record AtIndex(long index) implements RestoreTarget {
        public AtIndex {
            if (index < 0) {
                throw new IllegalArgumentException("restore index must not be negative: " + index);
            }
        }
    }

    /**
     * Every entry up to the last one whose leader timestamp is at or before {@code time}; replay
     * stops at the first entry stamped later. Leader clocks are assumed to move forward along
     * the log (they do, short of a clock stepped back across a leader change).
     */
    record AtTime(Instant time) implements RestoreTarget {
        public AtTime {
            Objects.requireNonNull(time);
        }
    }

    static RestoreTarget latest() {
        return new Latest();
    }

    static RestoreTarget index(long index) {
        return new AtIndex(index);
    }

    static RestoreTarget time(Instant time) {
        return new AtTime(time);
    }
}
