package org.zfsguard.pin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.zfsguard.apt.PackageRole;
import org.zfsguard.deb.ControlFields;
import org.zfsguard.kernel.KernelRelease;

/**
 * The kernel and OpenZFS stanzas of apt's package lists, and which kernel
 * release each kernel package version brings.
 *
 * <p>A versioned package names its release ({@code linux-image-6.12.95+deb12-amd64});
 * Armbian's constant names carry it in {@code Armbian-Kernel-Version} or
 * {@code Source: linux-<version>}; a metapackage ({@code linux-image-amd64},
 * Ubuntu's {@code linux-generic}) reaches a versioned package through its
 * {@code Depends}, possibly through another metapackage.
 */
public final class KernelPackageIndex {
    /** Ubuntu's linux-generic depends on linux-image-generic, which depends on the versioned image. */
    private static final int MAX_DEPENDS_DEPTH = 4;
    private static final List<String> VERSIONED_PREFIXES = List.of(
            "linux-image-unsigned-", "linux-modules-extra-", "linux-image-", "linux-headers-", "linux-modules-");
    private static final List<String> ARMBIAN_PREFIXES = List.of("linux-image-", "linux-dtb-", "linux-headers-");

    private final List<ControlFields> stanzas;
    private final Map<String, List<ControlFields>> byName = new LinkedHashMap<>();

    public KernelPackageIndex(List<ControlFields> stanzas) {
        this.stanzas = List.copyOf(stanzas);
        for (ControlFields c : this.stanzas) {
            byName.computeIfAbsent(c.packageName(), k -> new ArrayList<>()).add(c);
        }
    }

    /** True for the stanzas this index keeps: kernel packages of any naming, and OpenZFS's DKMS package. */
    public static boolean isRelevant(String packageName) {
        return packageName.startsWith("linux-") || packageName.equals("zfs-dkms");
    }

    public List<ControlFields> stanzas() {
        return Collections.unmodifiableList(stanzas);
    }

    public List<ControlFields> versionsOf(String packageName) {
        return byName.getOrDefault(packageName, List.of());
    }

    /** The kernel release this package version installs or pulls in, when the index tells. */
    public Optional<KernelRelease> releaseOf(ControlFields p) {
        return releaseOf(p, 0);
    }

    private Optional<KernelRelease> releaseOf(ControlFields p, int depth) {
        String name = p.packageName();
        for (String prefix : ARMBIAN_PREFIXES) {
            if (PackageRole.isArmbian(name, prefix)) {
                Optional<KernelRelease> own = armbianRelease(p);
                if (own.isPresent() || prefix.equals("linux-image-")) {
                    return own;
                }
                // Armbian writes the kernel fields into the image only: its dtb of the same build tells by version
                String image = "linux-image-" + name.substring(prefix.length());
                for (ControlFields sibling : versionsOf(image)) {
                    if (sibling.version().equals(p.version())) {
                        return armbianRelease(sibling);
                    }
                }
                return Optional.empty();
            }
        }
        Optional<KernelRelease> named = releaseInName(name);
        if (named.isPresent()) {
            return named;
        }
        if (depth >= MAX_DEPENDS_DEPTH) {
            return Optional.empty();
        }
        for (Dependency d : dependencies(p.all().getOrDefault("Depends", ""))) {
            if (!followed(d.name())) {
                continue;
            }
            for (ControlFields target : versionsOf(d.name())) {
                if (d.exactVersion().isEmpty() || d.exactVersion().get().equals(target.version())) {
                    Optional<KernelRelease> r = releaseOf(target, depth + 1);
                    if (r.isPresent()) {
                        return r;
                    }
                }
            }
            Optional<KernelRelease> r = releaseInName(d.name());
            if (r.isPresent()) {
                return r; // the versioned package may be in a list apt has not fetched, its name still tells
            }
        }
        return Optional.empty();
    }

    private static boolean followed(String dependency) {
        return dependency.startsWith("linux-image-") || dependency.startsWith("linux-headers-")
                || dependency.startsWith("linux-modules-");
    }

    /** The release a versioned kernel package's name carries ({@code linux-modules-6.8.0-151-generic}). */
    public static Optional<KernelRelease> releaseInName(String name) {
        for (String prefix : VERSIONED_PREFIXES) {
            if (name.startsWith(prefix)) {
                String rest = name.substring(prefix.length());
                if (rest.endsWith("-unsigned")) {
                    rest = rest.substring(0, rest.length() - "-unsigned".length());
                }
                return KernelRelease.isValid(rest) ? Optional.of(KernelRelease.parse(rest)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<KernelRelease> armbianRelease(ControlFields p) {
        Optional<String> v = p.armbianKernelVersion();
        if (v.isEmpty()) {
            v = p.source().filter(s -> s.startsWith("linux-")).map(s -> s.substring("linux-".length()).split(" ")[0]);
        }
        return v.filter(KernelRelease::isValid).map(KernelRelease::parse);
    }

    record Dependency(String name, Optional<String> exactVersion) {
    }

    /** Every alternative of a Depends field, in order; only {@code (= v)} constraints are kept. */
    static List<Dependency> dependencies(String depends) {
        List<Dependency> out = new ArrayList<>();
        for (String clause : depends.replace('\n', ' ').split(",")) {
            for (String alt : clause.split("\\|")) {
                String a = alt.strip();
                if (a.isEmpty()) {
                    continue;
                }
                int space = a.indexOf(' ');
                int paren = a.indexOf('(');
                String name = a.substring(0, space < 0 ? (paren < 0 ? a.length() : paren) : space);
                int colon = name.indexOf(':');
                if (colon > 0) {
                    name = name.substring(0, colon); // an architecture qualifier (foo:any)
                }
                Optional<String> exact = Optional.empty();
                if (paren >= 0 && a.endsWith(")")) {
                    String constraint = a.substring(paren + 1, a.length() - 1).strip();
                    if (constraint.startsWith("=")) {
                        exact = Optional.of(constraint.substring(1).strip());
                    }
                }
                out.add(new Dependency(name, exact));
            }
        }
        return out;
    }
}
