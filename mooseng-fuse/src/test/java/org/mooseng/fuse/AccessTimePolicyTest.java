package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.UserCredentials;
import org.mooseng.fuse.AccessTimePolicy.Mode;

/** The kernel's atime rules (relatime_need_update, atime_needs_update) and the -o options that select them. */
class AccessTimePolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00.500Z");
    private static final Instant HOUR_AGO = NOW.minus(Duration.ofHours(1));
    private static final Instant TWO_HOURS_AGO = NOW.minus(Duration.ofHours(2));
    private static final AccessTimePolicy RELATIME = AccessTimePolicy.DEFAULT;
    private static final AccessTimePolicy STRICTATIME = new AccessTimePolicy(Mode.STRICTATIME, true);
    private static final AccessTimePolicy NOATIME = new AccessTimePolicy(Mode.NOATIME, true);

    private static boolean file(AccessTimePolicy policy, Instant atime, Instant mtime, Instant ctime) {
        return policy.needsUpdate(false, atime, mtime, ctime, NOW);
    }

    @Test
    void relatimeUpdatesWhenAtimeIsNotAfterMtime() {
        assertThat(file(RELATIME, TWO_HOURS_AGO, HOUR_AGO, TWO_HOURS_AGO)).as("atime before mtime").isTrue();
        assertThat(file(RELATIME, HOUR_AGO, HOUR_AGO, TWO_HOURS_AGO)).as("atime equal to mtime").isTrue();
    }

    @Test
    void relatimeUpdatesWhenAtimeIsNotAfterCtime() {
        assertThat(file(RELATIME, HOUR_AGO, TWO_HOURS_AGO, NOW.minusSeconds(60))).as("atime before ctime").isTrue();
        assertThat(file(RELATIME, HOUR_AGO, TWO_HOURS_AGO, HOUR_AGO)).as("atime equal to ctime").isTrue();
    }

    @Test
    void relatimeLeavesAnAtimeNewerThanMtimeAndCtimeAndYoungerThanADay() {
        assertThat(file(RELATIME, HOUR_AGO, TWO_HOURS_AGO, TWO_HOURS_AGO)).isFalse();
        Instant almostADay = NOW.minus(Duration.ofHours(24)).plusSeconds(1);
        Instant older = almostADay.minusSeconds(10);
        assertThat(file(RELATIME, almostADay, older, older)).isFalse();
    }

    @Test
    void relatimeUpdatesAnAtimeADayOldEvenWhenNewerThanMtimeAndCtime() {
        Instant dayAgo = Instant.ofEpochSecond(NOW.getEpochSecond() - 24 * 3600, 999_999_999);
        Instant older = dayAgo.minusSeconds(10);
        // The kernel compares whole seconds: 24 h to the second is old enough.
        assertThat(file(RELATIME, dayAgo, older, older)).isTrue();
        assertThat(file(RELATIME, NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(31)),
                NOW.minus(Duration.ofDays(31)))).isTrue();
    }

    @Test
    void strictatimeUpdatesOnEveryReadButNotToTheSameValue() {
        assertThat(file(STRICTATIME, HOUR_AGO, TWO_HOURS_AGO, TWO_HOURS_AGO)).isTrue();
        assertThat(file(STRICTATIME, NOW, TWO_HOURS_AGO, TWO_HOURS_AGO)).isFalse();
        assertThat(file(RELATIME, NOW, NOW, NOW)).as("already now").isFalse();
    }

    @Test
    void noatimeNeverUpdates() {
        assertThat(file(NOATIME, TWO_HOURS_AGO, HOUR_AGO, HOUR_AGO)).isFalse();
        assertThat(NOATIME.needsUpdate(true, Instant.EPOCH, NOW, NOW, NOW)).isFalse();
        assertThat(NOATIME.updatesNothing()).isTrue();
        assertThat(RELATIME.updatesNothing()).isFalse();
    }

    @Test
    void nodiratimeLeavesDirectoriesButNotFiles() {
        AccessTimePolicy nodiratime = new AccessTimePolicy(Mode.RELATIME, false);
        assertThat(nodiratime.needsUpdate(true, TWO_HOURS_AGO, HOUR_AGO, HOUR_AGO, NOW)).isFalse();
        assertThat(nodiratime.needsUpdate(false, TWO_HOURS_AGO, HOUR_AGO, HOUR_AGO, NOW)).isTrue();
        assertThat(RELATIME.needsUpdate(true, TWO_HOURS_AGO, HOUR_AGO, HOUR_AGO, NOW)).isTrue();
    }

    @Test
    void optionsSelectThePolicyWithStrictatimeWinningAsInTheKernel() {
        assertThat(AccessTimePolicy.fromOptions(List.of())).isEqualTo(AccessTimePolicy.DEFAULT);
        assertThat(AccessTimePolicy.fromOptions(List.of("relatime"))).isEqualTo(AccessTimePolicy.DEFAULT);
        assertThat(AccessTimePolicy.fromOptions(List.of("noatime")).mode()).isEqualTo(Mode.NOATIME);
        assertThat(AccessTimePolicy.fromOptions(List.of("strictatime")).mode()).isEqualTo(Mode.STRICTATIME);
        assertThat(AccessTimePolicy.fromOptions(List.of("strictatime", "noatime")).mode())
                .isEqualTo(Mode.STRICTATIME);
        assertThat(AccessTimePolicy.fromOptions(List.of("ro", "strictatime")).mode())
                .as("a read-only mount writes no atime").isEqualTo(Mode.NOATIME);
        assertThat(AccessTimePolicy.fromOptions(List.of("nodiratime")))
                .isEqualTo(new AccessTimePolicy(Mode.RELATIME, false));
    }

    @Test
    void atimeOptionsLibfuseRefusesStayOutOfItsOptions() {
        MountConfig config = mountConfig("strictatime,nodiratime,relatime,noatime,nosuid");
        assertThat(config.accessTimePolicy()).isEqualTo(new AccessTimePolicy(Mode.STRICTATIME, false));
        assertThat(config.fuseOptions(false)).containsExactly("fsname=mooseng", "subtype=mooseng",
                "default_permissions", "nosuid");
        assertThat(mountConfig("noatime").fuseOptions(false)).as("the kernel shows noatime in /proc/mounts")
                .contains("noatime");
    }

    private static MountConfig mountConfig(String options) {
        return new MountConfig(Path.of("/m"), ClientOptions.master("h").credentials(UserCredentials.root()).build(),
                List.of(options), false);
    }
}
