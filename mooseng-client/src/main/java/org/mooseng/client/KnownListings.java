package org.mooseng.client;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.mooseng.proto.Attr;
import org.mooseng.proto.FileType;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;

/**
 * Every name of a directory this client made, for as long as the directory changes only
 * through this client, so that a lookup of a name it does not hold (the kernel looks up each
 * name before it creates it) is answered here instead of by the master.
 *
 * <p>The master counts the entry changes of each directory (one per entry added or removed,
 * {@code Attr.entry_changes}) and reports the count after every create, link, symlink and
 * unlink in it. A directory starts known empty at its mkdir; a change of it by this client
 * keeps it known only when the count moved by exactly that change, which proves no other
 * change came in between, by this client or another. Anything else forgets the directory: a
 * count out of step, a failed change, changes answered out of order, a rename (which may move
 * entries of directories it does not name), a directory too large to remember.
 *
 * <p>A name added by another client since the last change seen here goes unseen until the
 * next: callers bound the age they accept by the entry timeout they give the kernel, whose
 * own cache keeps a name another client removed for as long.
 */
final class KnownListings {
    /** Directories remembered at most; a mount works in a few at a time. */
    static final int MAX_DIRECTORIES = 256;
    /** Names remembered per directory at most; a larger one is forgotten. */
    static final int MAX_NAMES = 65_536;

    private static final class Listing {
        final Set<String> names = new HashSet<>();
        long changes;
        long confirmedAtNanos;
    }

    private final LongSupplier nanoTime;
    private final Map<Long, Listing> listings = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Listing> eldest) {
            return size() > MAX_DIRECTORIES;
        }
    };

    KnownListings(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Whether {@code name} is surely not in the directory: known whole and confirmed within {@code maxAgeNanos}. */
    synchronized boolean knownAbsent(long directory, String name, long maxAgeNanos) {
        Listing listing = listings.get(directory);
        return listing != null && nanoTime.getAsLong() - listing.confirmedAtNanos < maxAgeNanos
                && !listing.names.contains(name);
    }

    /** The change failed or its result is unknown: the directories it names are not known any more. */
    synchronized void failed(MetaOp op) {
        switch (op.getOpCase()) {
            case CREATE -> listings.remove(op.getCreate().getParent());
            case SYMLINK -> listings.remove(op.getSymlink().getParent());
            case LINK -> listings.remove(op.getLink().getNewParent());
            case UNLINK -> listings.remove(op.getUnlink().getParent());
            case RENAME -> listings.clear();
            default -> {
            }
        }
    }

    /** After a change succeeded: follows it in the directory it changed, or forgets what it cannot follow. */
    synchronized void changed(MetaOp op, MetaResult result) {
        switch (op.getOpCase()) {
            case CREATE -> {
                added(op.getCreate().getParent(), op.getCreate().getName(), result.getCreated(), result);
                Attr made = result.getAttr();
                if (result.getCreated() && made.getType() == FileType.DIRECTORY && made.getEntryChanges() == 0) {
                    Listing empty = new Listing();
                    empty.confirmedAtNanos = nanoTime.getAsLong();
                    listings.put(made.getInode(), empty);
                }
            }
            case SYMLINK -> added(op.getSymlink().getParent(), op.getSymlink().getName(), true, result);
            case LINK -> added(op.getLink().getNewParent(), op.getLink().getNewName(), true, result);
            case UNLINK -> {
                long parent = op.getUnlink().getParent();
                Listing listing = listings.get(parent);
                if (listing != null && !(inStep(listing, parent, result, 1)
                        && listing.names.remove(op.getUnlink().getName()))) {
                    listings.remove(parent);
                }
                if (op.getUnlink().getIsDir()) {
                    listings.remove(result.getAttr().getInode());
                }
            }
            case RENAME -> listings.clear();
            default -> {
            }
        }
    }

    /** A create, link or symlink of {@code name}: one change more when it added the name, none when it found it. */
    private void added(long parent, String name, boolean addedNow, MetaResult result) {
        Listing listing = listings.get(parent);
        if (listing == null) {
            return;
        }
        boolean follows = addedNow ? inStep(listing, parent, result, 1) && listing.names.add(name)
                : inStep(listing, parent, result, 0) && listing.names.contains(name);
        if (!follows || listing.names.size() > MAX_NAMES) {
            listings.remove(parent);
        }
    }

    /** Whether the result reports the directory {@code step} changes on from what is known, and if so records it. */
    private boolean inStep(Listing listing, long parent, MetaResult result, int step) {
        if (!result.hasParentAttr() || result.getParentAttr().getInode() != parent
                || result.getParentAttr().getEntryChanges() != listing.changes + step) {
            return false;
        }
        listing.changes += step;
        listing.confirmedAtNanos = nanoTime.getAsLong();
        return true;
    }
}
