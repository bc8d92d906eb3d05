package org.mooseng.protocol.rpc;

/** The framed RPC contract over {@link FramedChannel}: calls multiplexed on one connection through its I/O thread. */
class FramedChannelTest extends FramedRpcContract<FramedChannel> {
    @Override
    FramedChannel newChannel(int port) {
        return new FramedChannel("127.0.0.1", port);
    }
}
