package org.mooseng.master.chunks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/** Chooses chunk servers for the copies of a new chunk. Pure: the caller supplies servers and randomness. */
public final class ChunkPlacement {
    private ChunkPlacement() {
    }

    /**
     * Up to {@code goal} distinct servers, most free space first; servers with equal free space
     * come in random order so new chunks spread instead of piling on the first-registered one.
     */
    public static List<ChunkServerView> chooseForNewChunk(Collection<ChunkServerView> alive, int goal,
                                                          Collection<String> excluded, RandomGenerator random) {
        List<ChunkServerView> candidates = new ArrayList<>();
        for (ChunkServerView server : alive) {
            if (server.alive() && !excluded.contains(server.serverId())) {
                candidates.add(server);
            }
        }
        Collections.shuffle(candidates, random);
        // List.sort is stable, so the shuffle decides among equal free space.
        candidates.sort(Comparator.comparingLong(ChunkServerView::freeBytes).reversed());
        return List.copyOf(candidates.subList(0, Math.min(goal, candidates.size())));
    }
}
