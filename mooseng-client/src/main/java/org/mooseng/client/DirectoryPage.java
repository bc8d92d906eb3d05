package org.mooseng.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mooseng.common.InodeId;

/**
 * One page of a directory listing ("." and ".." are never listed), kept as the master's
 * packed records (cookie u64, inode u64, type u8, name length u16, name; big-endian): entry
 * {@code i}'s fields are read from there, its name as bytes when that is all the caller needs
 * (the mount copies them into the kernel's reply as they are).
 */
public final class DirectoryPage {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** cookie, inode, type, name length. */
    private static final int RECORD_HEADER_BYTES = Long.BYTES + Long.BYTES + 1 + Short.BYTES;
    private static final int INODE_AT = Long.BYTES;
    private static final int TYPE_AT = 2 * Long.BYTES;
    private static final int NAME_LENGTH_AT = TYPE_AT + 1;

    private final byte[] records;
    /** Where each entry's record starts in {@code records}. */
    private final int[] starts;
    private final boolean eof;

    private DirectoryPage(byte[] records, int[] starts, boolean eof) {
        this.records = records;
        this.starts = starts;
        this.eof = eof;
    }

    /**
     * The page in {@code records} as the master packed it; {@code eof} when no entry follows.
     * Records that do not add up to the bytes given (cut short, a name past the end) or name an
     * unknown type are refused with an IllegalArgumentException.
     */
    public static DirectoryPage fromPacked(byte[] records, boolean eof) {
        int count = 0;
        int[] starts = new int[Math.max(16, records.length / 32)];
        int at = 0;
        while (at < records.length) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count] = at;
            at = checkedRecordEnd(records, at, count);
            count++;
        }
        return new DirectoryPage(records, Arrays.copyOf(starts, count), eof || count == 0);
    }

    /**
     * Where the record at {@code at} ends, checked: one call per entry, so that a listing read
     * before the loop above is compiled runs this compiled.
     */
    private static int checkedRecordEnd(byte[] records, int at, int index) {
        if (records.length - at < RECORD_HEADER_BYTES) {
            throw new IllegalArgumentException("packed directory entry " + index + " cut short at byte " + at
                    + " of " + records.length);
        }
        int nameLength = nameLengthAt(records, at);
        if (nameLength == 0 || records.length - at - RECORD_HEADER_BYTES < nameLength) {
            throw new IllegalArgumentException("packed directory entry " + index + " at byte " + at
                    + ": name of " + nameLength + " bytes, " + (records.length - at - RECORD_HEADER_BYTES)
                    + " left");
        }
        FileType.fromNumber(records[at + TYPE_AT] & 0xFF);
        return at + RECORD_HEADER_BYTES + nameLength;
    }

    /** Bytes of the records of entries {@code from} (inclusive) to {@code to} (exclusive). */
    public int recordBytes(int from, int to) {
        int end = to < starts.length ? starts[to] : records.length;
        return end - (from < starts.length ? starts[from] : records.length);
    }

    /** A page of these entries, packed as the master would. */
    public static DirectoryPage of(List<Entry> entries, boolean eof) {
        List<byte[]> names = new ArrayList<>(entries.size());
        int bytes = 0;
        for (Entry e : entries) {
            byte[] name = e.entry().name().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            bytes += RECORD_HEADER_BYTES + name.length;
        }
        byte[] records = new byte[bytes];
        int at = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = names.get(i);
            LONG.set(records, at, e.cookie());
            LONG.set(records, at + INODE_AT, e.entry().inode().value());
            records[at + TYPE_AT] = (byte) e.entry().type().toProto().getNumber();
            records[at + NAME_LENGTH_AT] = (byte) (name.length >>> 8);
            records[at + NAME_LENGTH_AT + 1] = (byte) name.length;
            System.arraycopy(name, 0, records, at + RECORD_HEADER_BYTES, name.length);
            at += RECORD_HEADER_BYTES + name.length;
        }
        return fromPacked(records, eof);
    }

    /** Entries on this page. */
    public int size() {
        return starts.length;
    }

    /** True when no entry follows the last one. */
    public boolean eof() {
        return eof;
    }

    /** The cookie that resumes the listing after entry {@code i}. */
    public long cookie(int i) {
        return (long) LONG.get(records, starts[i]);
    }

    public long inode(int i) {
        return (long) LONG.get(records, starts[i] + INODE_AT);
    }

    public FileType type(int i) {
        return FileType.fromNumber(records[starts[i] + TYPE_AT] & 0xFF);
    }

    /** Bytes of entry {@code i}'s name. */
    public int nameLength(int i) {
        return nameLengthAt(records, starts[i]);
    }

    /** Where entry {@code i}'s name starts in {@link #records()}. */
    public int nameOffset(int i) {
        return starts[i] + RECORD_HEADER_BYTES;
    }

    /**
     * The page's packed records as received, for copying names out without an array per name
     * ({@link #nameOffset}, {@link #nameLength}); callers must not change them.
     */
    public byte[] records() {
        return records;
    }

    /** The name's bytes (UTF-8, as stored), in a new array. */
    public byte[] nameBytes(int i) {
        int start = starts[i] + RECORD_HEADER_BYTES;
        return Arrays.copyOfRange(records, start, start + nameLengthAt(records, starts[i]));
    }

    /** Entry {@code i} as an object, its name decoded. */
    public Entry entry(int i) {
        int start = starts[i];
        String name = new String(records, start + RECORD_HEADER_BYTES, nameLengthAt(records, start),
                StandardCharsets.UTF_8);
        return new Entry(new DirectoryEntry(name, new InodeId(inode(i)), type(i)), cookie(i));
    }

    /** Every entry as an object. */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            entries.add(entry(i));
        }
        return entries;
    }

    private static int nameLengthAt(byte[] records, int start) {
        return ((records[start + NAME_LENGTH_AT] & 0xFF) << 8) | (records[start + NAME_LENGTH_AT + 1] & 0xFF);
    }

    /** An entry and the cookie that resumes the listing after it. */
    public record Entry(DirectoryEntry entry, long cookie) {
    }
}
