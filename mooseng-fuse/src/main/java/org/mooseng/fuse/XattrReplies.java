package org.mooseng.fuse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mooseng.fuse.ll.Reply;

/** The size-probe protocol of getxattr/listxattr: size 0 asks for the length, a short buffer is ERANGE. */
final class XattrReplies {
    static final int ERANGE = 34;

    private XattrReplies() {
    }

    static Reply value(byte[] value, long size) {
        if (size == 0) {
            return new Reply.XattrSize(value.length);
        }
        if (value.length > size) {
            return Reply.error(ERANGE);
        }
        return new Reply.Bytes(value);
    }

    /** The names as listxattr(2) returns them: each followed by a NUL byte. */
    static byte[] nameList(List<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : names) {
            out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }
}
