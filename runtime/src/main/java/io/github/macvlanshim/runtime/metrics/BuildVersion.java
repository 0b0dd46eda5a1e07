package io.github.macvlanshim.runtime.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The macvlan-shim version, written into a resource by the build (Maven resource filtering). */
public final class BuildVersion {

    /** Where the build writes the version, as a class-path resource path (no leading slash). */
    public static final String RESOURCE_PATH = "io/github/macvlanshim/runtime/version.properties";
    static final String RESOURCE = "/" + RESOURCE_PATH;
    public static final String VERSION = read();

    private BuildVersion() {
    }

    private static String read() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the runtime jar; the build writes it");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
