package org.mooseng.client;

/** How {@link MoosengClient#open} opens a file; the open(2) flags of the same names. */
public enum OpenFlag {
    READ,
    WRITE,
    /** Create the file when it does not exist (mode 0644 unless given). */
    CREATE,
    /** With CREATE: fail with EEXIST when the file exists. */
    EXCLUSIVE,
    /** With WRITE: cut the file to zero length on open. */
    TRUNCATE,
    /** With WRITE: every write goes to the end of the file. */
    APPEND
}
