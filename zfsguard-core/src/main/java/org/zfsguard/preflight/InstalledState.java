package org.zfsguard.preflight;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.zfsguard.zfs.OpenZfsMeta;

/**
 * The installed system before the package operation, summarised for the preflight.
 *
 * @param openZfs  META of the installed OpenZFS source, empty when none is installed
 * @param nextBoot the kernel that boots next as things stand
 * @param policy   how the boot loader picks the next kernel once a new one is installed
 */
public record InstalledState(List<KernelSummary> kernels, Optional<OpenZfsMeta> openZfs, Optional<String> nextBoot,
        NextBootPolicy policy) {

    public enum NextBootPolicy {
        /** Armbian: the kernel package's postinst points /boot/Image at the kernel it installs. */
        LAST_INSTALLED,
        /** GRUB's default is its first entry, which grub-mkconfig gives the highest version. */
        HIGHEST_VERSION,
        /** GRUB's default names one kernel's entry: it stays while that kernel does, then the first entry (highest) boots. */
        SAME_KERNEL,
        /** The boot loader's choice after the operation cannot be told. */
        UNKNOWN
    }

    public InstalledState {
        kernels = List.copyOf(kernels);
        Objects.requireNonNull(openZfs, "openZfs");
        Objects.requireNonNull(nextBoot, "nextBoot");
        Objects.requireNonNull(policy, "policy");
    }

    public Optional<KernelSummary> kernel(String release) {
        return kernels.stream().filter(k -> k.release().equals(release)).findFirst();
    }

    public Optional<KernelSummary> running() {
        return kernels.stream().filter(KernelSummary::running).findFirst();
    }
}
