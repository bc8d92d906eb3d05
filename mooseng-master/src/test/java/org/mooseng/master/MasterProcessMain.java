package org.mooseng.master;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A master in its own JVM for the kill -9 test: args are the data dir and a file to publish its client port in. */
public final class MasterProcessMain {
    private MasterProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[1]);
        try (MasterServer master = MasterServer.start(TestMasters.config(Path.of(args[0])))) {
            Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(master.clientPort()), StandardCharsets.UTF_8);
            Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
            master.awaitTermination();
        }
    }
}
