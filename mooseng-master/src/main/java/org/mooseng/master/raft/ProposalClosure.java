package org.mooseng.master.raft;

import java.util.concurrent.CompletableFuture;
import com.alipay.sofa.jraft.Closure;
import org.mooseng.common.Status;
import org.mooseng.proto.MetaResult;

/**
 * Carries one proposal through jraft: the state machine completes {@link #result} with
 * what {@code apply} returned; jraft runs the closure with an error when the entry was
 * not committed under this leader (step-down, shutdown), which becomes NOT_LEADER.
 */
final class ProposalClosure implements Closure {
    final CompletableFuture<MetaResult> result = new CompletableFuture<>();
    private final RaftNode node;

    ProposalClosure(RaftNode node) {
        this.node = node;
    }

    @Override
    public void run(com.alipay.sofa.jraft.Status status) {
        if (!status.isOk()) {
            // Outcome unknown to the caller: the entry may still commit under the next leader,
            // so the client retries with the same request id rather than assuming failure.
            result.complete(node.notLeaderResult("proposal not committed: " + status.getErrorMsg()));
        }
    }

    static MetaResult failure(Status status, String message) {
        return MetaResult.newBuilder().setStatus(status.code()).setMessage(message).build();
    }
}
