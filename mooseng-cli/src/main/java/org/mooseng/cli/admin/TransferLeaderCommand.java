package org.mooseng.cli.admin;

import java.util.List;
import java.util.Optional;
import org.mooseng.cli.CliException;
import org.mooseng.client.MasterAddress;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.TransferLeaderRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mooseng admin transfer-leader --to HOST:PORT}. */
@Command(name = "transfer-leader", mixinStandardHelpOptions = true,
        description = {"Hand leadership to another master, e.g. before maintenance of the leader's host.",
                "Waits until the new leader has taken over."})
public final class TransferLeaderCommand extends GroupChangeCommand {
    private static final long POLL_MS = 200;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT",
            description = "The master to lead: its client address (as 'admin masters' shows) or Raft address.")
    String to;

    /** The leader after the transfer. */
    public record Transferred(String leader, String raftAddress, long term) {
    }

    @Override
    protected Result change(MasterGroupClient group, List<MasterAddress> masters) throws Exception {
        List<MasterGroupClient.Member> members = group.survey(masters, SURVEY_TIMEOUT);
        MasterGroupClient.Member chosen = find(members, to).orElseThrow(() -> new CliException("no master " + to
                + " among those that answered: " + names(members)));
        if (chosen.isLeader()) {
            return transferred(chosen, "already the leader");
        }
        if (chosen.status().orElseThrow().getRole() != MasterRole.FOLLOWER) {
            throw new CliException("master " + to + " is " + MastersCommand.roleName(chosen.status().get().getRole())
                    + ", not a follower: only a voting member can lead");
        }
        group.changeOnLeader(members, SURVEY_TIMEOUT, stub -> stub.transferLeader(
                TransferLeaderRequest.newBuilder().setRaftAddress(chosen.raftAddress()).build()));
        long deadline = System.nanoTime() + timeout().toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(POLL_MS);
            Optional<MasterGroupClient.Member> now = group.survey(List.of(chosen.address()), SURVEY_TIMEOUT).stream()
                    .findFirst().filter(MasterGroupClient.Member::isLeader);
            if (now.isPresent()) {
                return transferred(now.get(), "is the leader now");
            }
        }
        throw new CliException("master " + to + " was asked to lead but is not the leader after " + timeoutSeconds
                + " s (see: mooseng admin masters)");
    }

    private static Result transferred(MasterGroupClient.Member leader, String what) {
        long term = leader.status().orElseThrow().getTerm();
        return new Result(leader.address() + " " + what + " (term " + term + ")",
                new Transferred(leader.address().toString(), leader.raftAddress(), term));
    }
}
