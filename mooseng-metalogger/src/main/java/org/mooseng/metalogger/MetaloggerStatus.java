package org.mooseng.metalogger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one metalogger reports on {@code GET /status} (as one flat JSON object with these
 * names) and what {@code mooseng admin metaloggers} shows.
 *
 * @param self              this metalogger's Raft address (its identity as a learner)
 * @param clusterId         the cluster id of the namespace it copies; empty before the first entry
 * @param leader            the master it follows (host:raftPort); empty when none is known
 * @param joined            whether the leader has accepted it as a learner
 * @param state             RUNNING, WAITING (not added or no leader yet), or FAILED
 * @param problem           why it is WAITING or FAILED; empty otherwise
 * @param appliedIndex      the last log index applied to its namespace copy (and archived)
 * @param committedIndex    the commit index the leader last told it
 * @param archivedIndex     the last log index in the archive (never behind {@code appliedIndex})
 * @param lastApplyTimeMs   wall-clock time (epoch ms) of its last apply; 0 = none since start
 * @param lastOpTimeMs      the leader's timestamp of the last applied op (epoch ms); 0 = unknown
 * @param lastSnapshotIndex applied index of the newest archive snapshot; 0 = none
 * @param snapshots         archive snapshots kept
 * @param segments          archive log segments kept
 */
public record MetaloggerStatus(String self, String clusterId, String leader, boolean joined, String state,
                               String problem, long appliedIndex, long committedIndex, long archivedIndex,
                               long lastApplyTimeMs, long lastOpTimeMs, long lastSnapshotIndex, int snapshots,
                               int segments) {

    /** Entries the metalogger lacks compared with a master whose commit index is {@code masterCommitIndex}. */
    public long lag(long masterCommitIndex) {
        return Math.max(0, masterCommitIndex - appliedIndex);
    }

    /** One flat JSON object (strings, numbers, booleans). */
    public String toJson() {
        StringBuilder out = new StringBuilder("{");
        fields().forEach((name, value) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(name).append("\":");
            switch (value) {
                case String s -> out.append(quote(s));
                case Boolean b -> out.append(b);
                case Number n -> out.append(n);
                default -> throw new IllegalStateException("field " + name);
            }
        });
        return out.append('}').toString();
    }

    /** Parses what {@link #toJson()} writes; unknown fields are ignored, missing ones are zero/empty. */
    public static MetaloggerStatus fromJson(String json) {
        Map<String, String> raw = FlatJson.parse(json);
        return new MetaloggerStatus(raw.getOrDefault("self", ""), raw.getOrDefault("clusterId", ""),
                raw.getOrDefault("leader", ""), Boolean.parseBoolean(raw.getOrDefault("joined", "false")),
                raw.getOrDefault("state", ""), raw.getOrDefault("problem", ""), number(raw, "appliedIndex"),
                number(raw, "committedIndex"), number(raw, "archivedIndex"), number(raw, "lastApplyTimeMs"),
                number(raw, "lastOpTimeMs"), number(raw, "lastSnapshotIndex"),
                Math.toIntExact(number(raw, "snapshots")), Math.toIntExact(number(raw, "segments")));
    }

    private Map<String, Object> fields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("self", self);
        f.put("clusterId", clusterId);
        f.put("leader", leader);
        f.put("joined", joined);
        f.put("state", state);
        f.put("problem", problem);
        f.put("appliedIndex", appliedIndex);
        f.put("committedIndex", committedIndex);
        f.put("archivedIndex", archivedIndex);
        f.put("lastApplyTimeMs", lastApplyTimeMs);
        f.put("lastOpTimeMs", lastOpTimeMs);
        f.put("lastSnapshotIndex", lastSnapshotIndex);
        f.put("snapshots", snapshots);
        f.put("segments", segments);
        return f;
    }

    /** Prometheus text exposition of the numbers, names {@code mooseng_metalogger_<thing>_<unit>}. */
    String toPrometheus() {
        return gauge("mooseng_metalogger_applied_index", "Last log index applied and archived.", appliedIndex)
                + gauge("mooseng_metalogger_committed_index", "Commit index last told by the leader.", committedIndex)
                + gauge("mooseng_metalogger_archived_index", "Last log index in the archive.", archivedIndex)
                + gauge("mooseng_metalogger_last_apply_time_ms", "Wall-clock time of the last apply (epoch ms).",
                        lastApplyTimeMs)
                + gauge("mooseng_metalogger_last_snapshot_index", "Applied index of the newest archive snapshot.",
                        lastSnapshotIndex)
                + gauge("mooseng_metalogger_snapshots", "Archive snapshots kept.", snapshots)
                + gauge("mooseng_metalogger_segments", "Archive log segments kept.", segments)
                + gauge("mooseng_metalogger_up", "1 while the state machine runs, 0 after a failure.",
                        "FAILED".equals(state) ? 0 : 1);
    }

    private static String gauge(String name, String help, long value) {
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + value + "\n";
    }

    private static long number(Map<String, String> raw, String name) {
        String value = raw.get(name);
        return value == null ? 0 : Long.parseLong(value);
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
