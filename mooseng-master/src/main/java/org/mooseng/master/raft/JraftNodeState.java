package org.mooseng.master.raft;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.util.Describer;
import com.alipay.sofa.jraft.util.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a jraft node's state for {@link RaftStatus}. jraft 1.3.14 has public getters for the
 * state and the indexes, but not for the term nor for when the leader was last heard from:
 * those are the private {@code NodeImpl.currTerm} and {@code lastLeaderTimestamp}, read here
 * by reflection. Without {@code currTerm} the term is parsed from {@code describe}, which takes
 * the node's locks and prints the log store's statistics: too heavy for a status polled every
 * few milliseconds, but correct. Without {@code lastLeaderTimestamp} the contact age is
 * reported as unknown.
 */
final class JraftNodeState {
    private static final Logger LOG = LoggerFactory.getLogger(JraftNodeState.class);
    private static final Pattern TERM_LINE = Pattern.compile("(?m)^term: (\\d+)$");
    private static final Field CURRENT_TERM = longField("currTerm");
    /** Rereads of state and term while the term keeps changing under them. */
    private static final int MAX_CONSISTENT_READS = 10;
    private static final Field LAST_LEADER_TIMESTAMP = longField("lastLeaderTimestamp");

    private JraftNodeState() {
    }

    /** {@code index} reads one of the node's indexes (with a fallback once the node stopped). */
    static RaftStatus read(Node node, String self, ToLongFunction<LongSupplier> index) {
        PeerId selfPeer = RaftNode.parsePeer(self);
        // The state and the term are separate fields, changed together under the node's lock: a
        // state read between two equal reads of the term belongs to that term (terms only grow).
        // Without this, a leader stepping down for a newer term could show as leader of it.
        long term = term(node);
        State state = node.getNodeState();
        for (int tries = 0; tries < MAX_CONSISTENT_READS; tries++) {
            long after = term(node);
            if (after == term) {
                break;
            }
            term = after;
            state = node.getNodeState();
        }
        Configuration conf = node instanceof NodeImpl impl ? impl.getCurrentConf() : null;
        List<String> voters = conf == null ? List.of()
                : conf.listPeers().stream().map(JraftNodeState::address).toList();
        List<String> learners = conf == null ? List.of()
                : conf.listLearners().stream().map(JraftNodeState::address).toList();
        PeerId leaderId = node.getLeaderId();
        Optional<String> leader = leaderId == null || leaderId.isEmpty() ? Optional.empty()
                : Optional.of(address(leaderId));
        RaftStatus.Role role = role(state, conf, selfPeer);
        return new RaftStatus(self, role, state.name(), term, index.applyAsLong(node::getLastLogIndex),
                index.applyAsLong(node::getLastCommittedIndex), index.applyAsLong(node::getLastAppliedLogIndex), leader,
                role == RaftStatus.Role.LEADER ? 0 : leaderContactAgeMs(node, leader.isPresent()), voters, learners);
    }

    private static RaftStatus.Role role(State state, Configuration conf, PeerId self) {
        return switch (state) {
            case STATE_LEADER, STATE_TRANSFERRING -> RaftStatus.Role.LEADER;
            case STATE_CANDIDATE -> RaftStatus.Role.CANDIDATE;
            case STATE_FOLLOWER -> {
                if (conf != null && conf.getLearners().contains(self)) {
                    yield RaftStatus.Role.LEARNER;
                }
                yield conf == null || conf.contains(self) ? RaftStatus.Role.FOLLOWER : RaftStatus.Role.NON_MEMBER;
            }
            case STATE_ERROR, STATE_UNINITIALIZED, STATE_SHUTTING, STATE_SHUTDOWN, STATE_END ->
                    RaftStatus.Role.INACTIVE;
        };
    }

    /** host:port of a peer, without jraft's index and priority suffixes. */
    static String address(PeerId peer) {
        return peer.getEndpoint().toString();
    }

    /** The current term: the node's field, else from its {@code describe} output (no public getter exists). */
    private static long term(Node node) {
        if (CURRENT_TERM != null && node instanceof NodeImpl) {
            try {
                return CURRENT_TERM.getLong(node);
            } catch (IllegalAccessException | IllegalArgumentException e) {
                // Fall back to describe.
            }
        }
        StringBuilder text = new StringBuilder();
        node.describe(new Describer.Printer() {
            @Override
            public Describer.Printer print(Object o) {
                text.append(o);
                return this;
            }

            @Override
            public Describer.Printer println(Object o) {
                text.append(o).append('\n');
                return this;
            }
        });
        Matcher m = TERM_LINE.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long leaderContactAgeMs(Node node, boolean leaderKnown) {
        if (LAST_LEADER_TIMESTAMP == null || !leaderKnown) {
            return -1;
        }
        try {
            long lastMs = LAST_LEADER_TIMESTAMP.getLong(node);
            return Math.max(0, Utils.monotonicMs() - lastMs);
        } catch (IllegalAccessException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** A long field of NodeImpl made readable, or null (logged) when this jraft version has none. */
    private static Field longField(String name) {
        try {
            Field field = NodeImpl.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.getType() == long.class ? field : null;
        } catch (NoSuchFieldException | RuntimeException e) {
            LOG.info("this jraft version has no NodeImpl.{}; 'admin masters' {} ({})", name,
                    name.equals("currTerm") ? "reads the term from the node's description" : "shows it as unknown",
                    e.toString());
            return null;
        }
    }
}
