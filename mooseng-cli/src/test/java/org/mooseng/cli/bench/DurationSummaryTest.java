package org.mooseng.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurationSummaryTest {

    private static List<Duration> millis(long... values) {
        List<Duration> list = new ArrayList<>();
        for (long v : values) {
            list.add(Duration.ofMillis(v));
        }
        return list;
    }

    @Test
    void twentySamplesGiveTheTenthAsMedianAndTheLargestAsP99() {
        List<Duration> samples = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            samples.add(Duration.ofMillis(100L * i));
        }
        Collections.shuffle(samples, new java.util.Random(7));

        DurationSummary summary = DurationSummary.of(samples);

        assertThat(summary.count()).isEqualTo(20);
        assertThat(summary.percentile(50)).isEqualTo(Duration.ofMillis(1000));
        assertThat(summary.percentile(95)).isEqualTo(Duration.ofMillis(1900));
        assertThat(summary.percentile(99)).isEqualTo(Duration.ofMillis(2000));
        assertThat(summary.min()).isEqualTo(Duration.ofMillis(100));
        assertThat(summary.max()).isEqualTo(Duration.ofMillis(2000));
        assertThat(summary.mean()).isEqualTo(Duration.ofMillis(1050));
    }

    @Test
    void percentilesAreAlwaysMeasuredSamplesNeverInterpolated() {
        DurationSummary summary = DurationSummary.of(millis(900, 100, 500, 300, 700));

        assertThat(summary.percentile(50)).isEqualTo(Duration.ofMillis(500));
        assertThat(summary.percentile(20)).isEqualTo(Duration.ofMillis(100));
        assertThat(summary.percentile(21)).isEqualTo(Duration.ofMillis(300));
        assertThat(summary.percentile(99)).isEqualTo(Duration.ofMillis(900));
        assertThat(summary.percentile(0.001)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void oneSampleIsEveryPercentile() {
        DurationSummary summary = DurationSummary.of(millis(1234));

        assertThat(summary.percentile(1)).isEqualTo(summary.percentile(99)).isEqualTo(Duration.ofMillis(1234));
        assertThat(summary.line()).isEqualTo(
                "p50 1234.0 ms, p99 1234.0 ms, max 1234.0 ms (min 1234.0 ms, mean 1234.0 ms, 1 samples)");
    }

    @Test
    void noSamplesAndPercentilesOutsideTheRangeAreRefused() {
        assertThatThrownBy(() -> DurationSummary.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        DurationSummary summary = DurationSummary.of(millis(1, 2));
        assertThatThrownBy(() -> summary.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> summary.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DurationSummary(millis(2, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void millisecondsPrintWithOneDecimal() {
        assertThat(DurationSummary.millis(Duration.ofNanos(812_449_999))).isEqualTo("812.4 ms");
    }
}
