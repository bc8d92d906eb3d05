package org.mooseng.cli.admin;

import java.util.List;
import org.mooseng.cli.CliException;
import org.mooseng.client.MasterAddress;
import org.mooseng.proto.MembershipRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng admin remove-master HOST:PORT}. */
@Command(name = "remove-master", mixinStandardHelpOptions = true,
        description = {"Remove a master from the group without downtime (the leader too: another one takes over).",
                "Stop the removed master afterwards, and take it out of chunk servers' MASTERS and the other "
                        + "masters' MASTER_PEERS."})
public final class RemoveMasterCommand extends GroupChangeCommand {
    @Parameters(index = "0", paramLabel = "HOST:PORT",
            description = "The master to remove: its client address or its Raft address.")
    String address;

    /** The master removed. */
    public record Removed(String raftAddress) {
    }

    @Override
    protected Result change(MasterGroupClient group, List<MasterAddress> masters) throws Exception {
        List<MasterGroupClient.Member> members = group.survey(masters, SURVEY_TIMEOUT);
        // A master that is down can be removed too: then only its Raft address names it.
        String raftAddress = find(members, address).map(MasterGroupClient.Member::raftAddress)
                .orElseGet(() -> members.stream().flatMap(m -> m.status().stream())
                        .flatMap(s -> s.getVotersList().stream())
                        .filter(v -> v.getRaftAddress().equals(address.strip())
                                || v.getClientAddress().equals(address.strip()))
                        .map(v -> v.getRaftAddress()).findFirst()
                        .orElseThrow(() -> new CliException("no master " + address + " in the group (asked: "
                                + names(members) + ")")));
        group.changeOnLeader(members, timeout(), stub -> stub.removeMaster(
                MembershipRequest.newBuilder().setRaftAddress(raftAddress).build()));
        return new Result("removed master " + raftAddress + " from the group", new Removed(raftAddress));
    }
}
