package org.mooseng.master.raft;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line when the leader loses a member (master or metalogger) and one when it reaches
 * it again. jraft retries such a member on every heartbeat and its transport logs each failed
 * attempt; the daemons' logging configuration keeps those per-attempt lines out of the log,
 * and these two lines take their place. Fed once a second by the member's watch thread.
 */
final class PeerReachability {
    private static final Logger LOG = LoggerFactory.getLogger(PeerReachability.class);

    private final String self;
    private final Set<String> unreachable = new HashSet<>();

    PeerReachability(String self) {
        this.self = self;
    }

    /**
     * One look from the leader: the group's members (voters and learners) and those it has
     * heard from within its lease.
     */
    synchronized void observe(Collection<String> members, Collection<String> alive) {
        for (String member : members) {
            if (member.equals(self)) {
                continue;
            }
            if (alive.contains(member)) {
                if (unreachable.remove(member)) {
                    LOG.info("master raft {}: member {} reachable again", self, member);
                }
            } else if (unreachable.add(member)) {
                LOG.info("master raft {}: member {} unreachable; retrying it on every heartbeat", self, member);
            }
        }
        unreachable.retainAll(members);
    }

    /** This member no longer leads: it stops contacting the others, so it stops reporting on them. */
    synchronized void forget() {
        unreachable.clear();
    }

    /** The members this leader currently fails to reach. */
    synchronized Set<String> unreachable() {
        return Set.copyOf(unreachable);
    }
}
