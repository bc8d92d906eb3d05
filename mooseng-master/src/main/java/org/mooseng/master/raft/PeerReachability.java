package org.mooseng.master.raft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the leader does about members it cannot reach (masters or metaloggers): one INFO line
 * when it loses one and one when it reaches it again, and which of them to reconnect to from
 * scratch. jraft retries such a member on every heartbeat and its transport logs each failed
 * attempt; the daemons' logging configuration keeps those per-attempt lines out of the log,
 * and these lines take their place. Fed once a second by the member's watch thread.
 *
 * <p>Reconnecting: a leader elected while a member was down keeps asking its transport (Bolt)
 * for a connection to it, and normally gets one within a round or two of the member's return.
 * Occasionally the transport's connection pool for that address stays empty for good, and the
 * member, up and willing, never receives the log again, which leaves the group one failure
 * from losing its majority. A member unreachable for {@link #RECONNECT_ROUNDS} rounds is
 * therefore handed back for a fresh connection, again every as many rounds for a minute, and
 * once a minute after that.
 */
final class PeerReachability {
    private static final Logger LOG = LoggerFactory.getLogger(PeerReachability.class);
    /** Rounds (seconds) a member stays unreachable before the leader reconnects to it from scratch. */
    static final int RECONNECT_ROUNDS = 5;
    /** After this many rounds a member long gone is reconnected to once a minute only. */
    static final int RECONNECT_SLOWLY_AFTER = 60;

    private final String self;
    /** Unreachable members and for how many consecutive rounds. */
    private final Map<String, Integer> unreachableRounds = new HashMap<>();

    PeerReachability(String self) {
        this.self = self;
    }

    /**
     * One look from the leader: the group's members (voters and learners) and those it has
     * heard from within its lease. Returns the members to reconnect to from scratch now.
     */
    synchronized List<String> observe(Collection<String> members, Collection<String> alive) {
        List<String> reconnect = new ArrayList<>();
        for (String member : members) {
            if (member.equals(self)) {
                continue;
            }
            if (alive.contains(member)) {
                if (unreachableRounds.remove(member) != null) {
                    LOG.info("master raft {}: member {} reachable again", self, member);
                }
                continue;
            }
            int rounds = unreachableRounds.merge(member, 1, Integer::sum);
            if (rounds == 1) {
                LOG.info("master raft {}: member {} unreachable; retrying it on every heartbeat", self, member);
            }
            if (rounds % (rounds < RECONNECT_SLOWLY_AFTER ? RECONNECT_ROUNDS : RECONNECT_SLOWLY_AFTER) == 0) {
                if (rounds == RECONNECT_ROUNDS) {
                    LOG.info("master raft {}: member {} unreachable for {} s; reconnecting to it from scratch",
                            self, member, rounds);
                }
                reconnect.add(member);
            }
        }
        unreachableRounds.keySet().retainAll(members);
        return reconnect;
    }

    /** This member no longer leads: it stops contacting the others, so it stops reporting on them. */
    synchronized void forget() {
        unreachableRounds.clear();
    }

    /** The members this leader currently fails to reach. */
    synchronized Set<String> unreachable() {
        return Set.copyOf(unreachableRounds.keySet());
    }
}
