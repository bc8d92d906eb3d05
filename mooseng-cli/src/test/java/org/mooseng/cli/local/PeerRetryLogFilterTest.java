package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.List;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PeerRetryLogFilterTest {
    private static final String BOLT = "com.alipay.sofa.common.log";
    private static final String REPLICATOR = "com.alipay.sofa.jraft.core.Replicator";
    private static final String NODE = "com.alipay.sofa.jraft.core.NodeImpl";
    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> out = new ListAppender<>();

    @BeforeEach
    void logThroughTheFilter() {
        PeerRetryLogFilter filter = new PeerRetryLogFilter();
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        out.setContext(context);
        out.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(out);
    }

    private List<String> logged() {
        return out.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    private void aMemberIsDown(int attempts) {
        for (int i = 0; i < attempts; i++) {
            context.getLogger(BOLT).error("Exception occurred in async create connection thread for {}, taskName {}",
                    "127.0.0.1:10419", "ConnectionPoolCall", new ConnectException("Connection refused"));
            if (i % 10 == 0) {
                context.getLogger(REPLICATOR).warn("Fail to issue RPC to {}, consecutiveErrorTimes={}, error={}",
                        "127.0.0.1:10419", i + 1, "Check connection fail");
            }
        }
    }

    @Test
    void theRetriesOfAnUnreachableMemberAreHeldBackAndOtherErrorsOfTheSameLoggersPass() {
        aMemberIsDown(100);
        context.getLogger(BOLT).error("Rpc server start failed on port {}", 9419);
        context.getLogger(REPLICATOR).warn("Fail to install snapshot at peer={}, error={}", "127.0.0.1:10419", "EIO");
        context.getLogger("org.mooseng.master.raft.PeerReachability").info("Fail to issue RPC to anything");

        assertThat(logged()).containsExactly(
                "ERROR Rpc server start failed on port 9419",
                "WARN Fail to install snapshot at peer=127.0.0.1:10419, error=EIO",
                "INFO Fail to issue RPC to anything");
    }

    @Test
    void aStoppedMemberRefusingEveryHeartbeatIsHeldBackButItsOtherWarningsPass() {
        for (int i = 0; i < 100; i++) {
            context.getLogger(NODE).warn("Node {} is not in active state, currTerm={}.",
                    "<mooseng-master/127.0.0.1:9419>", 1);
        }
        context.getLogger(NODE).warn("Node {} got error: {}.", "<mooseng-master/127.0.0.1:9419>", "EIO");

        assertThat(logged()).containsExactly("WARN Node <mooseng-master/127.0.0.1:9419> got error: EIO.");
    }

    @Test
    void atDebugTheRetriesAreShown() {
        context.getLogger(BOLT).setLevel(Level.DEBUG);
        context.getLogger(REPLICATOR).setLevel(Level.DEBUG);
        aMemberIsDown(10);

        assertThat(logged()).hasSize(11)
                .contains("ERROR Exception occurred in async create connection thread for 127.0.0.1:10419, taskName"
                        + " ConnectionPoolCall");
    }

    @Test
    void theDaemonsLogbackConfigurationInstallsTheFilter() throws Exception {
        LoggerContext daemons = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(daemons);
        configurator.doConfigure(PeerRetryLogFilter.class.getResource("/logback.xml"));

        assertThat(daemons.getTurboFilterList()).hasAtLeastOneElementOfType(PeerRetryLogFilter.class);
        daemons.stop();
    }
}
