package org.mooseng.meta;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** An open RocksDB instance with the store's column families; owns every native handle it creates. */
final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final Map<Family, ColumnFamilyHandle> handles = new EnumMap<>(Family.class);

    private RocksStore(DBOptions dbOptions, ColumnFamilyOptions familyOptions, RocksDB db,
            List<ColumnFamilyHandle> opened) {
        this.dbOptions = dbOptions;
        this.familyOptions = familyOptions;
        this.db = db;
        // The Raft log is the durable write-ahead log; RocksDB's WAL only has to keep the
        // store a consistent prefix of it, so no fsync per batch.
        this.writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
        Family[] families = Family.values();
        for (int i = 0; i < families.length; i++) {
            handles.put(families[i], opened.get(i));
        }
    }

    static RocksStore open(Path dir) throws IOException {
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxBackgroundJobs(2)
                .setKeepLogFileNum(3)
                // One flush covers every family, so a checkpoint never mixes families of different ages.
                .setAtomicFlush(true);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (Family family : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(family.nameBytes(), familyOptions));
        }
        List<ColumnFamilyHandle> opened = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, opened);
            return new RocksStore(dbOptions, familyOptions, db, opened);
        } catch (RocksDBException e) {
            familyOptions.close();
            dbOptions.close();
            throw new IOException("metadata store " + dir + ": cannot open: " + e.getMessage(), e);
        }
    }

    byte[] get(Family family, byte[] key) {
        try {
            return db.get(handles.get(family), key);
        } catch (RocksDBException e) {
            throw new StoreFailure("read of " + family + " failed", e);
        }
    }

    byte[] get(Family family, ReadOptions options, byte[] key) {
        try {
            return db.get(handles.get(family), options, key);
        } catch (RocksDBException e) {
            throw new StoreFailure("read of " + family + " failed", e);
        }
    }

    void put(WriteBatch batch, Family family, byte[] key, byte[] value) {
        try {
            batch.put(handles.get(family), key, value);
        } catch (RocksDBException e) {
            throw new StoreFailure("batch put to " + family + " failed", e);
        }
    }

    void delete(WriteBatch batch, Family family, byte[] key) {
        try {
            batch.delete(handles.get(family), key);
        } catch (RocksDBException e) {
            throw new StoreFailure("batch delete in " + family + " failed", e);
        }
    }

    void write(WriteBatch batch) {
        try {
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreFailure("batch write failed", e);
        }
    }

    /**
     * Visits the keys of {@code family} in [{@code from}, {@code to}) in order until the visitor
     * returns false. The upper bound keeps RocksDB from walking tombstones past the range.
     */
    void scan(Family family, Snapshot snapshot, byte[] from, byte[] to, EntryVisitor visitor) {
        try (Slice upper = new Slice(to);
                ReadOptions options = new ReadOptions().setIterateUpperBound(upper)) {
            if (snapshot != null) {
                options.setSnapshot(snapshot);
            }
            try (RocksIterator it = db.newIterator(handles.get(family), options)) {
                for (it.seek(from); it.isValid(); it.next()) {
                    if (!visitor.visit(it.key(), it.value())) {
                        break;
                    }
                }
                try {
                    it.status();
                } catch (RocksDBException e) {
                    throw new StoreFailure("scan of " + family + " failed", e);
                }
            }
        }
    }

    Snapshot snapshot() {
        return db.getSnapshot();
    }

    void release(Snapshot snapshot) {
        db.releaseSnapshot(snapshot);
    }

    void checkpoint(Path dir) throws IOException {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(dir.toString());
        } catch (RocksDBException e) {
            throw new IOException("metadata checkpoint " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle handle : handles.values()) {
            handle.close();
        }
        writeOptions.close();
        db.close();
        familyOptions.close();
        dbOptions.close();
    }

    @FunctionalInterface
    interface EntryVisitor {
        boolean visit(byte[] key, byte[] value);
    }

    /** RocksDB failed on a path that cannot report a Status: the store is unusable, fail fast. */
    static final class StoreFailure extends RuntimeException {
        StoreFailure(String message, Throwable cause) {
            super("metadata store: " + message + ": " + cause.getMessage(), cause);
        }
    }
}
