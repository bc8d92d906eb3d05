package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Which failed calls the client resends (with their request id) rather than report. */
class OutcomeUnknownTest {
    @Test
    void aConnectionLostUnderTheCallIsResentAnErrorOfTheMasterIsNot() {
        assertThat(MasterConnection.outcomeUnknown(Status.UNAVAILABLE)).isTrue();
        assertThat(MasterConnection.outcomeUnknown(Status.DEADLINE_EXCEEDED)).isTrue();
        // What grpc-java reports when the master dies with the call in flight.
        assertThat(MasterConnection.outcomeUnknown(Status.UNKNOWN.withDescription("channel closed")
                .withCause(new ClosedChannelException()))).isTrue();
        assertThat(MasterConnection.outcomeUnknown(Status.UNKNOWN.withCause(
                new RuntimeException(new ClosedChannelException())))).isTrue();

        assertThat(MasterConnection.outcomeUnknown(Status.UNKNOWN.withDescription("application error"))).isFalse();
        assertThat(MasterConnection.outcomeUnknown(Status.INVALID_ARGUMENT)).isFalse();
        assertThat(MasterConnection.outcomeUnknown(Status.FAILED_PRECONDITION)).isFalse();
        assertThat(MasterConnection.outcomeUnknown(Status.CANCELLED)).isFalse();
    }
}
