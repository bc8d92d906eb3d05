package org.mooseng.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Nearest-rank percentiles of a set of measured durations: the p-th percentile is the
 * smallest sample with at least p % of the samples at or below it. No interpolation, so every
 * figure printed is one that was measured; with 20 samples p50 is the 10th smallest and p99
 * the largest.
 */
public record DurationSummary(List<Duration> sorted) {

    public DurationSummary {
        sorted = List.copyOf(sorted);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("a summary needs at least one sample");
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i - 1).compareTo(sorted.get(i)) > 0) {
                throw new IllegalArgumentException("samples must be sorted: " + sorted);
            }
        }
    }

    public static DurationSummary of(Collection<Duration> samples) {
        List<Duration> copy = new ArrayList<>(samples);
        copy.sort(null);
        return new DurationSummary(copy);
    }

    public int count() {
        return sorted.size();
    }

    /** The nearest-rank percentile, {@code percent} in (0, 100]. */
    public Duration percentile(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percent);
        }
        int rank = (int) Math.ceil(percent / 100 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    public Duration min() {
        return sorted.getFirst();
    }

    public Duration max() {
        return sorted.getLast();
    }

    public Duration mean() {
        long totalNanos = 0;
        for (Duration d : sorted) {
            totalNanos += d.toNanos();
        }
        return Duration.ofNanos(totalNanos / sorted.size());
    }

    /** "p50 812 ms, p99 1 904 ms, max …" on one line, for the benchmark's summary. */
    public String line() {
        return String.format(Locale.ROOT, "p50 %s, p99 %s, max %s (min %s, mean %s, %d samples)",
                millis(percentile(50)), millis(percentile(99)), millis(max()), millis(min()), millis(mean()), count());
    }

    /** Milliseconds with one decimal: "812.4 ms". */
    public static String millis(Duration duration) {
        return String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6);
    }
}
