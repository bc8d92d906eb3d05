package org.mooseng.master.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.meta.MetadataStateMachine;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;

/** A state machine that remembers the names of created entries, in memory, with file checkpoints. */
final class FakeStateMachine implements MetadataStateMachine {
    /** A name whose apply throws, standing for a broken invariant in the namespace. */
    static final String POISON = "poison";
    private final List<String> names = new ArrayList<>();
    private volatile long lastApplied;
    volatile int restores;
    /** Set to make every apply fail as a store that cannot write (a full disk) does. */
    volatile boolean failWrites;

    static MetaOp create(String name) {
        return MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(1).setName(name)).build();
    }

    @Override
    public synchronized MetaResult apply(long index, MetaOp op) {
        // Raft configuration entries take log indexes too, so indexes may skip but never repeat.
        if (index <= lastApplied) {
            throw new IllegalStateException("index went back: applied " + lastApplied + ", got " + index);
        }
        if (failWrites) {
            throw new IllegalStateException("metadata store: batch write failed: No space left on device");
        }
        if (op.getCreate().getName().equals(POISON)) {
            throw new IllegalStateException("poisoned entry at index " + index);
        }
        names.add(op.getCreate().getName());
        lastApplied = index;
        return MetaResult.newBuilder().setMessage("applied " + index).build();
    }

    synchronized List<String> names() {
        return List.copyOf(names);
    }

    @Override
    public long lastAppliedIndex() {
        return lastApplied;
    }

    @Override
    public synchronized void checkpoint(Path dir) throws IOException {
        Files.createDirectory(dir);
        Files.writeString(dir.resolve("index"), Long.toString(lastApplied));
        Files.write(dir.resolve("names"), names);
    }

    @Override
    public synchronized void restore(Path dir) throws IOException {
        restores++;
        names.clear();
        names.addAll(Files.readAllLines(dir.resolve("names")));
        lastApplied = Long.parseLong(Files.readString(dir.resolve("index")));
    }

    @Override
    public void close() {
    }
}
