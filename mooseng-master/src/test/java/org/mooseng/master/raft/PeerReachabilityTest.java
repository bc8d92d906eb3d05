package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PeerReachabilityTest {
    private static final String SELF = "127.0.0.1:9419";
    private static final String OTHER = "127.0.0.1:10419";
    private static final String METALOGGER = "127.0.0.1:9426";
    private static final List<String> GROUP = List.of(SELF, OTHER, METALOGGER);
    private final PeerReachability reachability = new PeerReachability(SELF);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(PeerReachability.class);

    @BeforeEach
    void capture() {
        log.start();
        logger.setLevel(Level.INFO);
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
        logger.setLevel(null);
    }

    private List<String> lines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aMemberAwayForManyRoundsMakesOneLineItsReconnectionAnotherAndItsReturnAThird() {
        reachability.observe(GROUP, GROUP);
        for (int round = 0; round < 50; round++) {
            reachability.observe(GROUP, List.of(SELF, METALOGGER));
        }
        assertThat(reachability.unreachable()).containsExactly(OTHER);
        reachability.observe(GROUP, GROUP);
        reachability.observe(GROUP, GROUP);

        assertThat(lines()).containsExactly(
                "master raft 127.0.0.1:9419: member 127.0.0.1:10419 unreachable; retrying it on every heartbeat",
                "master raft 127.0.0.1:9419: member 127.0.0.1:10419 unreachable for 5 s; reconnecting to it from scratch",
                "master raft 127.0.0.1:9419: member 127.0.0.1:10419 reachable again");
        assertThat(reachability.unreachable()).isEmpty();
    }

    @Test
    void aMemberDownWhenTheLeaderTookOverIsReportedAndAMemberRemovedIsForgotten() {
        reachability.observe(GROUP, List.of(SELF, OTHER));
        reachability.observe(List.of(SELF, OTHER), List.of(SELF, OTHER));

        assertThat(lines()).containsExactly(
                "master raft 127.0.0.1:9419: member 127.0.0.1:9426 unreachable; retrying it on every heartbeat");
        assertThat(reachability.unreachable()).isEmpty();
    }

    @Test
    void aMemberUnreachableForFiveRoundsIsReconnectedThenEveryFiveRoundsThenOnceAMinute() {
        List<Integer> reconnectRounds = new java.util.ArrayList<>();
        for (int round = 1; round <= 200; round++) {
            List<String> reconnect = reachability.observe(GROUP, List.of(SELF, METALOGGER));
            if (!reconnect.isEmpty()) {
                assertThat(reconnect).containsExactly(OTHER);
                reconnectRounds.add(round);
            }
        }

        assertThat(reconnectRounds).containsExactly(5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 120, 180);
        assertThat(lines()).containsExactly(
                "master raft 127.0.0.1:9419: member 127.0.0.1:10419 unreachable; retrying it on every heartbeat",
                "master raft 127.0.0.1:9419: member 127.0.0.1:10419 unreachable for 5 s; reconnecting to it from scratch");
    }

    @Test
    void aMemberBackBeforeFiveRoundsIsNotReconnectedAndItsCountStartsAgain() {
        for (int round = 0; round < 4; round++) {
            assertThat(reachability.observe(GROUP, List.of(SELF, METALOGGER))).isEmpty();
        }
        reachability.observe(GROUP, GROUP);
        for (int round = 0; round < 4; round++) {
            assertThat(reachability.observe(GROUP, List.of(SELF, METALOGGER))).isEmpty();
        }
        assertThat(reachability.observe(GROUP, List.of(SELF, METALOGGER))).containsExactly(OTHER);
    }

    @Test
    void aLeaderThatStepsDownForgetsItsLostMembersSoTheNextTermReportsThemAgain() {
        reachability.observe(GROUP, List.of(SELF, METALOGGER));
        reachability.forget();
        reachability.observe(GROUP, List.of(SELF, METALOGGER));

        assertThat(lines()).hasSize(2).allMatch(line -> line.contains(OTHER + " unreachable"));
    }
}
