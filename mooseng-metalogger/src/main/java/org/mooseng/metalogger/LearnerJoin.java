package org.mooseng.metalogger;

import java.time.Duration;
import java.util.List;
import com.alipay.sofa.jraft.CliService;
import com.alipay.sofa.jraft.RaftServiceFactory;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.CliOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the master group's leader to add this metalogger as a learner, through jraft's CLI
 * requests (every master serves them on its Raft port: {@code RaftRpcServerFactory} registers
 * them with the Raft processors). Retries with backoff until the leader accepts; adding a learner
 * already in the configuration is accepted without a change, so a restart simply asks again.
 */
final class LearnerJoin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LearnerJoin.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);
    private static final int CLI_TIMEOUT_MS = 5_000;

    private final String groupId;
    private final Configuration masters;
    private final PeerId self;
    private final CliService cli;
    private final Thread thread;
    private volatile boolean joined;
    private volatile boolean closed;
    private volatile String lastError = "";

    LearnerJoin(String groupId, Configuration masters, PeerId self) {
        this.groupId = groupId;
        this.masters = masters;
        this.self = self;
        CliOptions options = new CliOptions();
        options.setTimeoutMs(CLI_TIMEOUT_MS);
        options.setMaxRetry(1);
        this.cli = RaftServiceFactory.createAndInitCliService(options);
        this.thread = Thread.ofPlatform().daemon().name("metalogger-join").unstarted(this::joinUntilAccepted);
    }

    void start() {
        thread.start();
    }

    private void joinUntilAccepted() {
        Duration wait = FIRST_RETRY;
        int attempts = 0;
        while (!closed) {
            attempts++;
            Status status;
            try {
                status = cli.addLearners(groupId, masters, List.of(self));
            } catch (RuntimeException e) {
                status = new Status(-1, "%s", e.toString());
            }
            if (status.isOk()) {
                joined = true;
                lastError = "";
                LOG.info("metalogger {}: the leader of {} added it as a learner", self, masters);
                return;
            }
            lastError = status.getErrorMsg();
            // Every attempt at first, then one line in ten: a master group down for a while must
            // not flood the log.
            if (attempts <= 3 || attempts % 10 == 0) {
                LOG.warn("metalogger {}: masters {} did not add it as a learner yet (attempt {}): {}; retrying",
                        self, masters, attempts, status);
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
        }
    }

    /** Whether the leader has accepted this metalogger as a learner. */
    boolean joined() {
        return joined;
    }

    String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(CLI_TIMEOUT_MS / 1000 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cli.shutdown();
    }
}
