package org.mooseng.client;

import java.util.List;

/**
 * One page of a directory listing ("." and ".." are never listed).
 *
 * @param entries the entries of this page, in the master's order
 * @param eof     true when no entry follows the last one
 */
public record DirectoryPage(List<Entry> entries, boolean eof) {
    public DirectoryPage {
        entries = List.copyOf(entries);
    }

    /** An entry and the cookie that resumes the listing after it. */
    public record Entry(DirectoryEntry entry, long cookie) {
    }
}
