package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Role;
import org.mooseng.cli.admin.MasterGroupClient;
import org.mooseng.client.MasterAddress;
import org.mooseng.metalogger.MetaloggerStatus;
import org.mooseng.metalogger.MetaloggerStatusClient;
import org.mooseng.proto.ChunkServerInfo;

/**
 * Waits until a local cluster {@code up} has just started can serve: every process it started
 * is alive, every master answers with the cluster's id, one leader is elected, every chunk
 * server it started has heartbeated to every master since it started (so whichever master
 * leads next already knows every replica), and every metalogger it started has joined the group.
 */
final class ClusterReadiness {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final LocalCluster cluster;
    private final ClusterFile clusterFile;
    private final List<LocalCluster.Started> started;
    private final Duration timeout;

    ClusterReadiness(LocalCluster cluster, ClusterFile clusterFile, List<LocalCluster.Started> started,
                     Duration timeout) {
        this.cluster = cluster;
        this.clusterFile = clusterFile;
        this.started = List.copyOf(started);
        this.timeout = timeout;
    }

    /** Returns the leader's client address once the cluster is ready; throws on a dead process or the timeout. */
    String await() throws IOException, InterruptedException {
        long expected = cluster.layout().configuredInstances().stream().filter(i -> i.role() == Role.CHUNKSERVER)
                .count();
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        List<MasterProbe> probes = new ArrayList<>();
        try (MasterGroupClient group = new MasterGroupClient(clusterFile.clusterId())) {
            for (MasterAddress master : clusterFile.masters()) {
                probes.add(new MasterProbe(master.host(), master.port(), clusterFile.clusterId()));
            }
            while (true) {
                checkAlive();
                Optional<String> waitingFor = waitingFor(probes, expected);
                if (waitingFor.isEmpty()) {
                    Optional<MasterGroupClient.Member> leader = MasterGroupClient.leader(
                            group.survey(clusterFile.masters(), PROBE_TIMEOUT));
                    if (leader.isPresent()) {
                        waitingFor = metaloggersNotJoined();
                        if (waitingFor.isEmpty()) {
                            return leader.get().address().toString();
                        }
                    } else {
                        waitingFor = Optional.of("no leader elected yet");
                    }
                }
                if (System.nanoTime() > deadlineNanos) {
                    throw new CliException("cluster not ready after " + timeout.toSeconds() + " s: "
                            + waitingFor.get());
                }
                Thread.sleep(POLL_INTERVAL);
            }
        } finally {
            probes.forEach(MasterProbe::close);
        }
    }

    private void checkAlive() {
        for (LocalCluster.Started s : started) {
            if (!s.process().isAlive()) {
                throw new CliException(s.instance().name() + " exited with code " + s.process().exitValue()
                        + " during startup");
            }
        }
    }

    /** What the cluster still waits for, or empty when every master knows every chunk server. */
    private Optional<String> waitingFor(List<MasterProbe> probes, long expected) {
        for (int i = 0; i < probes.size(); i++) {
            MasterAddress address = clusterFile.masters().get(i);
            MasterProbe probe = probes.get(i);
            switch (probe.clusterInfo(PROBE_TIMEOUT)) {
                case MasterProbe.Answered answered -> {
                    if (!answered.info().getClusterId().equals(clusterFile.clusterId())) {
                        throw new CliException("master " + address + " serves cluster "
                                + answered.info().getClusterId() + ", expected " + clusterFile.clusterId());
                    }
                    List<String> waiting = notYetHeartbeating(probe);
                    if (answered.info().getChunkServers() < expected || !waiting.isEmpty()) {
                        return Optional.of("master " + address + ": " + answered.info().getChunkServers() + " of "
                                + expected + " chunk servers alive"
                                + (waiting.isEmpty() ? "" : ", waiting for " + String.join(", ", waiting)));
                    }
                }
                case MasterProbe.Unreachable unreachable ->
                        { return Optional.of("master " + address + " not answering (" + unreachable.reason() + ")"); }
            }
        }
        return Optional.empty();
    }

    /**
     * The chunk servers started by this run that the master has not yet heard from since they
     * started. A server killed a moment ago still counts as alive until its heartbeat times
     * out, so the alive count alone would declare a restarted cluster ready before the new
     * process had registered its chunks.
     */
    private List<String> notYetHeartbeating(MasterProbe probe) {
        List<String> waiting = new ArrayList<>();
        List<ChunkServerInfo> known = null;
        for (LocalCluster.Started s : started) {
            if (s.instance().role() != Role.CHUNKSERVER) {
                continue;
            }
            Optional<String> serverId = serverId(s.instance());
            if (known == null) {
                known = probe.chunkServers(PROBE_TIMEOUT);
            }
            boolean heard = serverId.isPresent() && known.stream().anyMatch(info ->
                    info.getServerId().equals(serverId.get()) && info.getAlive()
                            && info.getLastHeartbeatMillis() >= s.startedAtMillis());
            if (!heard) {
                waiting.add(s.instance().name());
            }
        }
        return waiting;
    }

    /** The metaloggers started by this run that do not yet report having joined the group. */
    private Optional<String> metaloggersNotJoined() throws IOException {
        List<String> waiting = new ArrayList<>();
        for (LocalCluster.Started s : started) {
            if (s.instance().role() != Role.METALOGGER) {
                continue;
            }
            String address = cluster.metaloggerStatusAddress(s.instance());
            try {
                MetaloggerStatus status = MetaloggerStatusClient.fetch(address, PROBE_TIMEOUT);
                if (!status.joined()) {
                    waiting.add(s.instance().name() + " (" + status.state() + ")");
                }
            } catch (IOException e) {
                waiting.add(s.instance().name() + " (status " + address + " not answering)");
            }
        }
        return waiting.isEmpty() ? Optional.empty()
                : Optional.of("metaloggers not joined yet: " + String.join(", ", waiting));
    }

    private Optional<String> serverId(Instance instance) {
        Path file = cluster.layout().dataDir(instance).resolve("server-id");
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
