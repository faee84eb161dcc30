package org.zfsguard.deb;

import java.nio.file.Files;
import java.nio.file.Path;

/** The .deb this build made, as maven-failsafe describes it in system properties. */
record BuiltPackage(Path deb, String version, String debVersion) {

    static BuiltPackage fromBuild() {
        Path deb = Path.of(property("zfsguard.deb"));
        if (!Files.isRegularFile(deb)) {
            throw new AssertionError("the package " + deb + " was not built: run the suites through 'mvn verify'");
        }
        return new BuiltPackage(deb, property("zfsguard.version"), property("zfsguard.debVersion"));
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new AssertionError("system property " + name + " is not set: run the suites through 'mvn verify' "
                    + "(maven-failsafe passes it)");
        }
        return value;
    }

    /** Where the tests put the package inside a chroot, like an image build's overlay. */
    String chrootPath() {
        return "/root/" + deb.getFileName();
    }

    String versionLine() {
        return "zfsguard " + version + "\n";
    }
}
