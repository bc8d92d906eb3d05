package org.mooseng.meta;

import java.nio.charset.StandardCharsets;
import org.rocksdb.RocksDB;

/** The RocksDB column families of the metadata store; see {@link MetaStore} for the key layout. */
enum Family {
    COUNTERS(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8)),
    INODES("inodes"),
    ENTRIES("entries"),
    DIR_INDEX("dir_index"),
    SYMLINKS("symlinks"),
    XATTRS("xattrs"),
    FILE_CHUNKS("file_chunks"),
    CHUNK_OWNERS("chunk_owners"),
    SESSIONS("sessions"),
    OPEN_FILES("open_files"),
    OPEN_INODES("open_inodes"),
    RETAINED("retained"),
    REQUESTS("requests"),
    REQUEST_EXPIRY("request_expiry");

    private final String familyName;

    Family(String familyName) {
        this.familyName = familyName;
    }

    byte[] nameBytes() {
        return familyName.getBytes(StandardCharsets.UTF_8);
    }
}
