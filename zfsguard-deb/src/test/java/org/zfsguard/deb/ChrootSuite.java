package org.zfsguard.deb;

import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the scenario suites that install the built .deb in a chroot: they
 * need root, and fail (never skip) without it.
 */
abstract class ChrootSuite {
    static BuiltPackage pkg;

    @BeforeAll
    static void hostAndPackageReady() {
        HostRequirements.requireRoot();
        pkg = BuiltPackage.fromBuild();
    }
}
