package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mooseng.proto.Attr;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.LinkOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.UnlinkOp;

class KnownListingsTest {
    private static final long ROOT = 1;
    private static final long DIR = 7;
    private static final long AGE = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final KnownListings known = new KnownListings(now::get);

    private static MetaOp create(long parent, String name, FileType type) {
        return MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name).setType(type))
                .build();
    }

    private static Attr directory(long inode, long entryChanges) {
        return Attr.newBuilder().setInode(inode).setType(FileType.DIRECTORY).setEntryChanges(entryChanges).build();
    }

    private static MetaResult made(long inode, FileType type, Attr parent) {
        return MetaResult.newBuilder().setCreated(true).setParentAttr(parent)
                .setAttr(type == FileType.DIRECTORY ? directory(inode, 0)
                        : Attr.newBuilder().setInode(inode).setType(type).build()).build();
    }

    /** DIR made by this client, then "a" and "b" created in it, each change in step. */
    private void madeWithTwoFiles() {
        known.changed(create(ROOT, "d", FileType.DIRECTORY), made(DIR, FileType.DIRECTORY, directory(ROOT, 40)));
        known.changed(create(DIR, "a", FileType.REGULAR), made(20, FileType.REGULAR, directory(DIR, 1)));
        known.changed(create(DIR, "b", FileType.REGULAR), made(21, FileType.REGULAR, directory(DIR, 2)));
    }

    @Test
    void aDirectoryThisClientMadeAndAloneChangedAnswersForNamesItLacks() {
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();
        madeWithTwoFiles();
        assertThat(known.knownAbsent(DIR, "x", AGE)).isTrue();
        assertThat(known.knownAbsent(DIR, "a", AGE)).isFalse();
        assertThat(known.knownAbsent(DIR, "b", AGE)).isFalse();
        // The root was not made here: never known.
        assertThat(known.knownAbsent(ROOT, "x", AGE)).isFalse();

        // An unlink in step takes the name out; a non-exclusive create that found "a" changes nothing.
        known.changed(MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(DIR).setName("b")).build(),
                MetaResult.newBuilder().setParentAttr(directory(DIR, 3)).build());
        assertThat(known.knownAbsent(DIR, "b", AGE)).isTrue();
        known.changed(create(DIR, "a", FileType.REGULAR), MetaResult.newBuilder().setCreated(false)
                .setAttr(Attr.newBuilder().setInode(20)).setParentAttr(directory(DIR, 3)).build());
        assertThat(known.knownAbsent(DIR, "x", AGE)).isTrue();

        // Only as long as the last confirmation is younger than the age asked for.
        now.addAndGet(AGE);
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();
        assertThat(known.knownAbsent(DIR, "x", 2 * AGE)).isTrue();
    }

    @Test
    void aCountOutOfStepAFailureOrARenameForgetsTheDirectory() {
        madeWithTwoFiles();
        // Another client added an entry in between: the count moved by two.
        known.changed(create(DIR, "c", FileType.REGULAR), made(22, FileType.REGULAR, directory(DIR, 4)));
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();
        // Not known again by later changes in step with the new count.
        known.changed(create(DIR, "e", FileType.REGULAR), made(23, FileType.REGULAR, directory(DIR, 5)));
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();

        madeWithTwoFiles();
        known.failed(create(DIR, "a", FileType.REGULAR));
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();

        madeWithTwoFiles();
        known.changed(MetaOp.newBuilder().setRename(RenameOp.newBuilder().setParent(ROOT).setName("p")
                .setNewParent(ROOT).setNewName("q")).build(), MetaResult.getDefaultInstance());
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();

        // A link reported with a count that does not match what was known (it found the name).
        madeWithTwoFiles();
        known.changed(MetaOp.newBuilder().setLink(LinkOp.newBuilder().setInode(20).setNewParent(DIR)
                .setNewName("a")).build(), MetaResult.newBuilder().setParentAttr(directory(DIR, 3)).build());
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();
    }

    @Test
    void anRmdirForgetsTheDirectoryItRemoved() {
        madeWithTwoFiles();
        known.changed(MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT).setName("d")
                .setIsDir(true)).build(), MetaResult.newBuilder().setAttr(directory(DIR, 4))
                .setParentAttr(directory(ROOT, 42)).build());
        assertThat(known.knownAbsent(DIR, "x", AGE)).isFalse();
    }
}
