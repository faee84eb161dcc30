package org.zfsguard.deb;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.apt.PackageNames;

/**
 * The fields of a .deb's control file that zfsguard uses, checked, plus every
 * field as read (first line of multi-line fields, continuation lines joined with
 * a newline) for messages.
 *
 * @param armbianKernelVersion Armbian's linux-image control field: the kernel version
 *                             that the package {@code Version} (an Armbian release) does not tell
 */
public record ControlFields(
        String packageName,
        String version,
        String architecture,
        Optional<String> source,
        Optional<String> armbianKernelVersion,
        Map<String, String> all) {

    public ControlFields {
        all = Collections.unmodifiableMap(new LinkedHashMap<>(all));
    }

    /** Parses deb-control(5) text; the message of the exception names the bad field. */
    public static ControlFields parse(String text) throws IllegalArgumentException {
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                if (!fields.isEmpty()) {
                    break; // one paragraph in a binary package's control file
                }
                continue;
            }
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (last == null) {
                    throw new IllegalArgumentException("control file starts with a continuation line");
                }
                fields.put(last, fields.get(last) + "\n" + line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("control line without 'Field:': '"
                        + org.zfsguard.system.SystemRoot.printable(line) + "'");
            }
            last = line.substring(0, colon);
            if (fields.put(last, line.substring(colon + 1).strip()) != null) {
                throw new IllegalArgumentException("control field " + org.zfsguard.system.SystemRoot.printable(last)
                        + " appears twice");
            }
        }
        String name = required(fields, "Package");
        if (!PackageNames.isValidName(name)) {
            throw new IllegalArgumentException("Package '" + org.zfsguard.system.SystemRoot.printable(name)
                    + "' is not a valid package name");
        }
        String version = required(fields, "Version");
        if (!PackageNames.isValidVersion(version)) {
            throw new IllegalArgumentException("Version '" + org.zfsguard.system.SystemRoot.printable(version)
                    + "' is not a valid Debian version");
        }
        String arch = required(fields, "Architecture");
        if (!PackageNames.isValidArchitecture(arch)) {
            throw new IllegalArgumentException("Architecture '" + org.zfsguard.system.SystemRoot.printable(arch)
                    + "' is not valid");
        }
        Optional<String> kernel = Optional.ofNullable(fields.get("Armbian-Kernel-Version"));
        if (kernel.isPresent() && !kernel.get().matches("[0-9][A-Za-z0-9._+~-]{0,127}")) {
            throw new IllegalArgumentException("Armbian-Kernel-Version '"
                    + org.zfsguard.system.SystemRoot.printable(kernel.get()) + "' is malformed");
        }
        return new ControlFields(name, version, arch, Optional.ofNullable(fields.get("Source")), kernel, fields);
    }

    private static String required(Map<String, String> fields, String key) {
        String v = fields.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("control file has no " + key + " field");
        }
        return v;
    }
}
