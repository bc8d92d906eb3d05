package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Linux rules the mount applies itself: set-id clearing requests, xattr namespaces. */
class PosixRulesTest {
    @Test
    void killPrivilegeRequestClearsOnlySetIdBits() {
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(06777, 0777)).isTrue();
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(06777, 02777)).isTrue();
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(0100000 | 04755, 0100000 | 0755)).isTrue();
    }

    @Test
    void chmodThatChangesAnythingElseIsNotAKillPrivilegeRequest() {
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(06777, 0755)).isFalse();
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(0755, 0755)).isFalse();
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(0755, 04755)).isFalse();
        assertThat(MoosengFileSystem.clearsOnlySetIdBits(01777, 0777)).isFalse();
    }

    @Test
    void xattrNamesOutsideTheStoredNamespacesAreRefused() {
        assertThat(MoosengFileSystem.knownXattrNamespace("user.k")).isTrue();
        assertThat(MoosengFileSystem.knownXattrNamespace("trusted.x")).isTrue();
        assertThat(MoosengFileSystem.knownXattrNamespace("security.selinux")).isTrue();
        // POSIX ACLs are not implemented: refusing them makes cp -a fall back to chmod
        assertThat(MoosengFileSystem.knownXattrNamespace("system.posix_acl_access")).isFalse();
        assertThat(MoosengFileSystem.knownXattrNamespace("nonamespace")).isFalse();
        assertThat(MoosengFileSystem.knownXattrNamespace("user.")).isFalse();
        assertThat(MoosengFileSystem.knownXattrNamespace("USER.k")).isFalse();
    }
}
