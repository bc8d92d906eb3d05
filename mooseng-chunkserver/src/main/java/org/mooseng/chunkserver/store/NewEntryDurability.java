package org.mooseng.chunkserver.store;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a new chunk file's name is durable once the file's own fsync returned, or its
 * directory has to be forced as well, by the type of the file system holding the chunks.
 *
 * <p>On ext4 and XFS the file's fsync covers its name. ext4 with a journal adds the entry in
 * the same transaction that allocates the inode, and an fsync waits for the commit of the
 * inode's latest transaction: transactions commit in order, so the entry's is committed too
 * (fast commits log the entry along with the inode). ext4 without a journal syncs the parent
 * of a newly created inode inside the fsync itself. XFS logs the create in a transaction
 * that also logs the new inode, and its fsync forces the log up to the inode's latest change,
 * which orders the create before it. Every other file system (ext2, btrfs, network file
 * systems, anything unknown) gets the directory fsync, which costs a journal commit or a
 * cache flush on top of the file's.
 */
enum NewEntryDurability {
    /** The file's fsync makes its directory entry durable. */
    WITH_FILE_SYNC,
    /** The directory has to be forced after the file. */
    FORCE_DIRECTORY;

    private static final Set<String> COVERED_BY_FILE_SYNC = Set.of("ext4", "xfs");

    /** For a file system type as the mount table names it ({@link java.nio.file.FileStore#type()}). */
    static NewEntryDurability of(String fileSystemType) {
        return COVERED_BY_FILE_SYNC.contains(fileSystemType.toLowerCase(Locale.ROOT)) ? WITH_FILE_SYNC
                : FORCE_DIRECTORY;
    }
}
