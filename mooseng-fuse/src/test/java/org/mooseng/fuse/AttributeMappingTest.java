package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.mooseng.client.OpenFlag;
import org.mooseng.fuse.ll.AttributeChange;
import org.mooseng.fuse.ll.Reply;
import org.mooseng.proto.SetAttrOp;
import org.junit.jupiter.api.Test;

class AttributeMappingTest {
    @Test
    void openFlagsFollowTheAccessModeAndAppend() {
        assertThat(AttributeMapping.openFlags(0)).containsExactly(OpenFlag.READ);
        assertThat(AttributeMapping.openFlags(1)).containsExactly(OpenFlag.WRITE);
        assertThat(AttributeMapping.openFlags(2 | 02000)).containsExactlyInAnyOrder(OpenFlag.READ, OpenFlag.WRITE,
                OpenFlag.APPEND);
        // O_TRUNC is not mapped here: MoosengFileSystem adds TRUNCATE for writable opens (atomic_o_trunc).
        assertThat(AttributeMapping.openFlags(1 | 01000)).containsExactly(OpenFlag.WRITE);
    }

    @Test
    void setattrNowBitsWinOverExplicitTimesAndModeKeepsOnlyPermissions() {
        SetAttrOp.Builder op = AttributeMapping.setAttr(new AttributeChange(AttributeChange.SET_MODE
                | AttributeChange.SET_ATIME | AttributeChange.SET_ATIME_NOW | AttributeChange.SET_MTIME,
                0104755, 0, 0, 0, 5, 6, 7_263_493_567L, 999_999_999));
        assertThat(op.getValid()).isEqualTo(SetAttrOp.Field.SET_MODE_VALUE | SetAttrOp.Field.SET_ATIME_NOW_VALUE
                | SetAttrOp.Field.SET_MTIME_VALUE);
        assertThat(op.getMode()).isEqualTo(04755);
        assertThat(op.getMtime().getSeconds()).isEqualTo(7_263_493_567L);
        assertThat(op.getMtime().getNanos()).isEqualTo(999_999_999);
        assertThat(AttributeMapping.setAttr(new AttributeChange(AttributeChange.SET_CTIME, 0, 0, 0, 0, 0, 0, 0, 0))
                .getValid()).isZero();
    }

    @Test
    void mknodTypesMapAndDirectoriesAreRefused() {
        assertThat(AttributeMapping.nodeType(0010644)).isEqualTo(org.mooseng.client.FileType.FIFO);
        assertThat(AttributeMapping.nodeType(0140644)).isEqualTo(org.mooseng.client.FileType.SOCKET);
        assertThat(AttributeMapping.nodeType(0020644)).isEqualTo(org.mooseng.client.FileType.CHAR_DEVICE);
        assertThat(AttributeMapping.nodeType(0060644)).isEqualTo(org.mooseng.client.FileType.BLOCK_DEVICE);
        assertThat(AttributeMapping.nodeType(0100644)).isEqualTo(org.mooseng.client.FileType.REGULAR);
        assertThat(AttributeMapping.nodeType(0040755)).isNull();
    }

    @Test
    void xattrSizeProbeAndErange() {
        byte[] value = {1, 2, 3};
        assertThat(XattrReplies.value(value, 0)).isEqualTo(new Reply.XattrSize(3));
        assertThat(XattrReplies.value(value, 2)).isEqualTo(Reply.error(XattrReplies.ERANGE));
        assertThat(((Reply.Bytes) XattrReplies.value(value, 3)).value()).containsExactly(1, 2, 3);
        assertThat(XattrReplies.nameList(List.of("user.a", "user.bc"))).containsExactly(
                'u', 's', 'e', 'r', '.', 'a', 0, 'u', 's', 'e', 'r', '.', 'b', 'c', 0);
    }

    @Test
    void mountOptionsAddOursAndKeepTimeoutsOutOfLibfuse() {
        MountConfig config = new MountConfig(java.nio.file.Path.of("/m"),
                org.mooseng.client.ClientOptions.master("h").credentials(
                        org.mooseng.client.UserCredentials.root()).build(),
                List.of("attr_timeout=2.5,ro", "entry_timeout=0"), false);
        assertThat(config.attrTimeoutSeconds()).isEqualTo(2.5);
        assertThat(config.entryTimeoutSeconds()).isZero();
        assertThat(config.fuseOptions(true)).containsExactly("fsname=mooseng", "subtype=mooseng",
                "default_permissions", "allow_other", "ro");
        assertThat(config.fuseOptions(false)).doesNotContain("allow_other");
    }
}
