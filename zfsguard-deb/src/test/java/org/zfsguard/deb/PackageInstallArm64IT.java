package org.zfsguard.deb;

/**
 * The shared install, run, remove and purge lifecycle on Debian 12 arm64, the architecture the
 * package is mainly for, run under qemu-user-static on other hosts.
 */
class PackageInstallArm64IT extends PackageLifecycle {

    @Override
    String arch() {
        return "arm64";
    }
}
