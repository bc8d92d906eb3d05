package org.mooseng.cli.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs ls [-l] PATH}: lists a directory (or names a file). */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List a directory.")
public final class LsCommand extends ClientCommand {
    @Option(names = "-l", description = "Long listing: mode, links, owner, size, mtime.")
    boolean longListing;

    @Parameters(index = "0", paramLabel = "PATH", defaultValue = "/")
    String path;

    /** One line of a long listing; {@code symlinkTarget} is null unless the entry is a symlink. */
    public record LongEntry(String name, FileStat stat, String symlinkTarget) {
    }

    @Override
    protected void run(MoosengClient client) throws IOException {
        FileStat target = client.stat(path);
        List<DirectoryEntry> entries = target.isDirectory()
                ? new ArrayList<>(client.list(target.inode()))
                : List.of(new DirectoryEntry(RemotePaths.baseName(path), target.inode(), target.type()));
        entries.sort(Comparator.comparing(DirectoryEntry::name));
        if (!longListing) {
            if (json()) {
                print(entries, null);
            } else {
                entries.forEach(e -> out().println(e.name()));
            }
            return;
        }
        List<LongEntry> rows = new ArrayList<>();
        for (DirectoryEntry e : entries) {
            FileStat s = target.isDirectory() ? client.lookup(target.inode(), e.name()) : target;
            rows.add(new LongEntry(e.name(), s, s.isSymlink() ? client.readlink(s.inode()) : null));
        }
        if (json()) {
            print(rows, null);
            return;
        }
        for (LongEntry row : rows) {
            FileStat s = row.stat();
            out().printf("%s %3d %5d %5d %12d %s %s%s%n", Formats.mode(s.type(), s.mode()), s.nlink(), s.uid(),
                    s.gid(), s.sizeBytes(), s.mtime().toString().replaceFirst("\\.\\d+Z$", "Z"), row.name(),
                    row.symlinkTarget() == null ? "" : " -> " + row.symlinkTarget());
        }
    }
}
