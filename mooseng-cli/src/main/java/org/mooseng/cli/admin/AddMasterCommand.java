package org.mooseng.cli.admin;

import java.util.List;
import org.mooseng.cli.CliException;
import org.mooseng.client.MasterAddress;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.MembershipRequest;
import org.mooseng.proto.RaftStatusReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng admin add-master HOST:CLIENT_PORT}. */
@Command(name = "add-master", mixinStandardHelpOptions = true,
        description = {"Add a running master to the group as a voting member, without downtime.",
                "Start the new master first with MASTER_JOIN = true and its DATA_DIR formatted with the group's "
                        + "cluster id (mooseng master -c FILE --format --cluster-id ID); it catches up from the "
                        + "leader by snapshot and log before it votes. Add chunk servers' MASTERS entries for it "
                        + "and update MASTER_PEERS in the other masters' configs afterwards."})
public final class AddMasterCommand extends GroupChangeCommand {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The new master's client address.")
    String address;

    /** The master added. */
    public record Added(String address, String raftAddress) {
    }

    @Override
    protected Result change(MasterGroupClient group, List<MasterAddress> masters) throws Exception {
        MasterAddress newcomer = MasterAddress.parse(address);
        MasterGroupClient.Member joining = group.survey(List.of(newcomer), SURVEY_TIMEOUT).getFirst();
        RaftStatusReply state = joining.status().orElseThrow(() -> new CliException("master " + newcomer
                + " does not answer (" + joining.error() + "): start it with MASTER_JOIN = true first"));
        if (state.getRole() != MasterRole.NON_MEMBER) {
            throw new CliException("master " + newcomer + " is already " + MastersCommand.roleName(state.getRole())
                    + " of a group");
        }
        String raftAddress = state.getSelf().getRaftAddress();
        List<MasterGroupClient.Member> members = group.survey(masters, SURVEY_TIMEOUT);
        group.changeOnLeader(members, timeout(), stub -> stub.addMaster(
                MembershipRequest.newBuilder().setRaftAddress(raftAddress).build()));
        return new Result("added master " + newcomer + " (raft " + raftAddress + ") to the group",
                new Added(newcomer.toString(), raftAddress));
    }
}
