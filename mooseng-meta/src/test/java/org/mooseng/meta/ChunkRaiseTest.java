package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkRaiseTest {
    @Test
    void aChainMemberBetweenTheFloorAndTheVersionHoldsTheDataOfAWriteRaise() {
        ChunkRaise raise = new ChunkRaise(4, List.of("a", "b"), -1);
        assertThat(raise.holdsCurrentData("a", 6, 6)).isTrue();
        assertThat(raise.holdsCurrentData("a", 5, 6)).isTrue();
        assertThat(raise.holdsCurrentData("b", 4, 6)).isTrue();
        assertThat(raise.holdsCurrentData("b", 3, 6)).as("below the floor").isFalse();
        assertThat(raise.holdsCurrentData("c", 5, 6)).as("not in the chain").isFalse();
        assertThat(raise.holdsCurrentData("a", 7, 6)).as("newer than the namespace").isFalse();
        assertThat(raise.holdsCurrentData("c", 6, 6)).as("any server at the version").isTrue();
    }

    @Test
    void versionsAboveTwoToThe31CompareUnsigned() {
        int floor = Integer.MIN_VALUE;
        ChunkRaise raise = new ChunkRaise(floor, List.of("a"), -1);
        assertThat(raise.holdsCurrentData("a", floor + 1, floor + 2)).isTrue();
        assertThat(raise.holdsCurrentData("a", Integer.MAX_VALUE, floor + 2)).isFalse();
    }

    @Test
    void noRaiseAcceptsOnlyTheVersionItself() {
        assertThat(ChunkRaise.NONE.holdsCurrentData("a", 2, 3)).isFalse();
        assertThat(ChunkRaise.NONE.missedOnlyThisRaise("a", 2, 3)).isFalse();
        assertThat(ChunkRaise.NONE.holdsCurrentData("a", 3, 3)).isTrue();
    }

    @Test
    void slotsRoundTripWithAndWithoutARaiseAndRejectDamagedRecords() {
        ChunkSlot plain = new ChunkSlot(7, 3);
        assertThat(plain.encode()).hasSize(12);
        assertThat(ChunkSlot.decode(plain.encode())).isEqualTo(plain);
        ChunkSlot raised = new ChunkSlot(7, 3, new ChunkRaise(2, List.of("cs-1", "chunkserver-ä"), 4096));
        assertThat(ChunkSlot.decode(raised.encode())).isEqualTo(raised);

        byte[] cut = java.util.Arrays.copyOf(raised.encode(), raised.encode().length - 1);
        assertThatThrownBy(() -> ChunkSlot.decode(cut)).hasMessageContaining("cut short");
        byte[] longer = java.util.Arrays.copyOf(raised.encode(), raised.encode().length + 1);
        assertThatThrownBy(() -> ChunkSlot.decode(longer)).hasMessageContaining("after the chunk slot");
    }
}
