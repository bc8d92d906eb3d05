package org.mooseng.cli.local;

import java.util.ArrayList;
import java.util.List;

/**
 * Ports of a local cluster, all derived from one base port P:
 * <ul>
 *   <li>master m (1..5): Raft P+1000(m-1), chunk-server port +1, client port +2 (further
 *       master ports, e.g. a status page, take the next numbers of the same block of 10);</li>
 *   <li>chunk server k (1..99): data port P+10k, its other ports the next numbers;</li>
 *   <li>metalogger k (1..5): Raft P+1000(k-1)+7, status +8, in master k's block (metalogger 1
 *       keeps the defaults 9426/9427 of its configuration).</li>
 * </ul>
 * With the default P = 9419 the first master keeps the MooseFS numbers 9419/9420/9421 and a
 * group of three adds 10419-10421 and 11419-11421. Every master has the same distance from
 * Raft to client port, which is how followers name the leader's client address. Two clusters
 * whose base ports are 40 apart never collide (up to 3 chunk servers).
 */
public record PortPlan(int basePort) {
    public static final int DEFAULT_BASE_PORT = 9419;
    public static final int MAX_MASTERS = 5;
    public static final int MAX_METALOGGERS = 5;
    /** Where in a master's block of 10 a metalogger's ports start (master m's block holds metalogger m). */
    private static final int METALOGGER_OFFSET = 7;
    private static final int MASTER_STRIDE = 1000;
    private static final int CHUNKSERVER_STRIDE = 10;
    /** Ports of one daemon's block: its own numbers and those assigned to its other port keys. */
    private static final int BLOCK = 10;

    public PortPlan {
        if (basePort < 1024 || basePort > 65535) {
            throw new IllegalArgumentException("base port " + basePort + " is outside 1024..65535");
        }
    }

    public int masterRaft(int master) {
        if (master < 1 || master > MAX_MASTERS) {
            throw new IllegalArgumentException("master " + master + " is outside 1.." + MAX_MASTERS);
        }
        int port = basePort + MASTER_STRIDE * (master - 1);
        if (port + BLOCK - 1 > 65535) {
            throw new IllegalArgumentException("master " + master + " would need ports up to " + (port + BLOCK - 1)
                    + "; use a lower --base-port");
        }
        return port;
    }

    public int masterChunkServer(int master) {
        return masterRaft(master) + 1;
    }

    public int masterClient(int master) {
        return masterRaft(master) + 2;
    }

    /** The first port of master {@code master}'s block left for its other port keys. */
    public int masterOtherPorts(int master) {
        return masterRaft(master) + 3;
    }

    public int metaloggerRaft(int metalogger) {
        if (metalogger < 1 || metalogger > MAX_METALOGGERS) {
            throw new IllegalArgumentException("metalogger " + metalogger + " is outside 1.." + MAX_METALOGGERS);
        }
        int port = basePort + MASTER_STRIDE * (metalogger - 1) + METALOGGER_OFFSET;
        if (port + BLOCK - METALOGGER_OFFSET - 1 > 65535) {
            throw new IllegalArgumentException("metalogger " + metalogger + " would need ports up to "
                    + (port + BLOCK - METALOGGER_OFFSET - 1) + "; use a lower --base-port");
        }
        return port;
    }

    public int metaloggerStatus(int metalogger) {
        return metaloggerRaft(metalogger) + 1;
    }

    /** The first port left for a metalogger's other port keys (the last of its master's block). */
    public int metaloggerOtherPorts(int metalogger) {
        return metaloggerRaft(metalogger) + 2;
    }

    public int chunkServerData(int index) {
        int port = basePort + CHUNKSERVER_STRIDE * index;
        if (port > 65535) {
            throw new IllegalArgumentException("chunk server " + index + " would need port " + port
                    + "; use a lower --base-port");
        }
        return port;
    }

    /** Every port of the plan's fixed numbers for {@code masters} masters and {@code chunkServers} chunk servers. */
    public List<Integer> ports(int masters, int chunkServers) {
        return ports(masters, chunkServers, 0);
    }

    /** Every port of the plan's fixed numbers, {@code metaloggers} metaloggers included. */
    public List<Integer> ports(int masters, int chunkServers, int metaloggers) {
        List<Integer> ports = new ArrayList<>();
        for (int k = 1; k <= metaloggers; k++) {
            ports.addAll(List.of(metaloggerRaft(k), metaloggerStatus(k)));
        }
        for (int m = 1; m <= masters; m++) {
            ports.addAll(List.of(masterRaft(m), masterChunkServer(m), masterClient(m)));
        }
        for (int k = 1; k <= chunkServers; k++) {
            ports.add(chunkServerData(k));
        }
        return ports;
    }
}
