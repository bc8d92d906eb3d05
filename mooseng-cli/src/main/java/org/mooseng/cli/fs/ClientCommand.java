package org.mooseng.cli.fs;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a cluster: connects, runs, and turns any failure into exit
 * status 1 with one line "mooseng: PATH: text" on stderr.
 */
public abstract class ClientCommand implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;

    @Mixin
    TargetOptions target;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** Does the work; the client is closed afterwards. */
    protected abstract void run(MoosengClient client) throws IOException;

    @Override
    public final Integer call() {
        try (MoosengClient client = target.connect()) {
            run(client);
            out().flush();
            return EXIT_OK;
        } catch (MoosengException | CliException e) {
            return fail(e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            return fail(e.getFile() + ": no such file or directory");
        } catch (java.nio.file.AccessDeniedException e) {
            return fail(e.getFile() + ": permission denied");
        } catch (java.nio.file.FileSystemException e) {
            return fail(e.getFile() + ": " + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()));
        } catch (IOException | IllegalArgumentException e) {
            return fail(e.getMessage());
        }
    }

    private int fail(String message) {
        out().flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("mooseng: " + message);
        err.flush();
        return EXIT_ERROR;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected boolean json() {
        return json;
    }

    /** Prints a result: as JSON with --json, else the given text (if any). */
    protected void print(Object result, String text) {
        if (json) {
            out().println(JsonText.of(result));
        } else if (text != null && !text.isEmpty()) {
            out().println(text);
        }
    }
}
