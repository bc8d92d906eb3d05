package org.mooseng.client;

import java.io.IOException;
import java.util.List;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.protocol.data.DataFrame;

/**
 * The data-plane half of a truncation: when the master's SetAttr reply says the new end
 * falls inside a chunk, that chunk is cut on its chain (head first, forwarded down) before
 * the truncation is reported as done.
 */
final class ChunkTruncator {
    private final ChunkServerTransport transport;
    private final long dataTimeoutMs;

    ChunkTruncator(ChunkServerTransport transport, long dataTimeoutMs) {
        this.transport = transport;
        this.dataTimeoutMs = dataTimeoutMs;
    }

    void truncate(SetAttrReply reply, long sizeBytes, String subject) throws MoosengException {
        var chunk = reply.getTruncatedChunk();
        if (reply.getChainCount() == 0) {
            throw new MoosengException(Status.EIO, subject, "chunk " + chunk.getChunkId() + ": no replica to truncate");
        }
        int length = (int) (sizeBytes - chunk.getChunkIndex() * Layout.CHUNK_SIZE_BYTES);
        List<DataFrame.Address> downstream = DataFrames.downstream(reply.getChainList());
        DataFrame.Address head = DataFrames.address(reply.getChain(0));
        DataFrame answer;
        try {
            answer = DataFrames.await(DataFrames.send(transport, head,
                    id -> new DataFrame.Truncate(id, chunk.getChunkId(), chunk.getVersion(), chunk.getPreviousVersion(),
                            length, downstream), dataTimeoutMs), dataTimeoutMs);
        } catch (IOException e) {
            throw new MoosengException(Status.EIO, subject, "truncating chunk " + chunk.getChunkId() + " on " + head
                    + ": " + e.getMessage(), e);
        }
        if (!(answer instanceof DataFrame.Ok)) {
            DataFrames.release(answer);
            String detail = answer instanceof DataFrame.Error e ? DataFrames.Failure.of(e).describe(head.toString())
                    : "unexpected reply " + answer.getClass().getSimpleName();
            throw new MoosengException(Status.EIO, subject, "truncating chunk " + chunk.getChunkId() + ": " + detail);
        }
    }
}
