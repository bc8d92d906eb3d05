package org.mooseng.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The version of this build, read from the jar's Maven metadata. */
public final class Version {
    private static final String POM_PROPERTIES = "/META-INF/maven/org.mooseng/mooseng-cli/pom.properties";

    private Version() {
    }

    /** The project version, or "development" when running from class directories. */
    public static String project() {
        try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return "development";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "development");
        } catch (IOException e) {
            return "development";
        }
    }

    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mooseng " + project() + " (Java " + Runtime.version() + ")"};
        }
    }
}
