/**
 * A lean transport for unary gRPC calls: the services generated from {@code mooseng.proto}
 * and their stubs, carried over length-prefixed frames on plain TCP instead of HTTP/2.
 * {@link org.mooseng.protocol.rpc.FramedServer} serves {@code ServerServiceDefinition}s
 * (interceptors included). Two {@code io.grpc.Channel}s carry the generated stubs' calls to
 * it: {@link org.mooseng.protocol.rpc.BlockingFramedChannel} does each call's I/O on the
 * calling thread over a pool of connections, one call at a time on each (what clients use:
 * no hand-off between threads per call); {@link org.mooseng.protocol.rpc.FramedChannel}
 * multiplexes every call on one connection through an I/O thread. Only unary methods are
 * carried.
 *
 * <h2>Frames</h2>
 * All integers are big-endian. Every frame is
 * <pre>
 *   length   u32   bytes after this field, 1 .. 64 MiB
 *   type     u8
 *   body     (by type, below)
 * </pre>
 * with these bodies ({@code str} = u16 byte length + UTF-8; {@code metadata} = u16 count, then
 * per entry a {@code str} key and a u32 length + value, the value raw bytes for keys ending
 * in {@code -bin} and ASCII otherwise):
 * <pre>
 *   1 HELLO    magic u32 = 0x4D4E4752 ("MNGR"), version u8 = 1
 *   2 REQUEST  call id u64, timeout ns i64 (0 = none), full method name str, metadata,
 *              the request message (the rest of the frame, as the method's marshaller wrote it)
 *   3 CANCEL   call id u64
 *   4 REPLY    call id u64, status code u8 (io.grpc.Status.Code), description str,
 *              headers metadata, trailers metadata, has message u8 (0 or 1),
 *              the response message (the rest of the frame) when it has one
 * </pre>
 *
 * <h2>A connection</h2>
 * Each end sends HELLO as soon as the connection opens; the client does not wait for the
 * server's before sending requests. Each end checks the other's HELLO before anything else
 * and closes the connection on a wrong magic or version. The client sends REQUESTs, and
 * CANCELs for calls it gave up on (cancelled, or deadline passed); the server answers each
 * REQUEST it did not see cancelled with one REPLY, in any order: call ids (chosen by the
 * client, unique among the calls in flight on the connection) match them. The timeout of a
 * REQUEST becomes the deadline of the call's {@code Context} on the server. An unknown method
 * is answered UNIMPLEMENTED. A malformed frame (a length out of range, an unknown type, a
 * field running past the frame, bytes left over) closes the connection: the server cancels
 * the calls in progress on it and goes on serving other connections; the client fails the
 * calls pending on it with UNAVAILABLE and connects again on the next call.
 *
 * <h2>Pipeline</h2>
 * Both ends build the same pipeline: {@code rpcFramer} (the length-field decoder),
 * {@code rpcCodec} (frames to and from bytes), then the connection handler
 * ({@code rpcServer} or {@code rpcClient}). TLS, when added, is a Netty {@code SslHandler}
 * placed first, in front of {@code rpcFramer}, where the {@code ChannelInitializer}s of
 * {@code FramedServer} and {@code FramedChannel} install the pipeline; HELLO then travels
 * inside TLS. {@code BlockingFramedChannel} has no pipeline: its connections would be TLS
 * sockets, encoded and decoded with the same codec.
 */
package org.mooseng.protocol.rpc;
