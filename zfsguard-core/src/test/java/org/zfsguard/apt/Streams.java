package org.zfsguard.apt;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The captured apt streams in src/test/resources/apt-streams, copied as they are. */
final class Streams {
    static final List<String> ALL = List.of(
            "01-install-kernel-and-zfs-dkms.v3",
            "02-armbian-in-place-kernel-upgrade.v3",
            "03-unrelated-package.v3",
            "04-remove-kernel-and-unrelated.v3");

    private Streams() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Streams.class.getResourceAsStream("/apt-streams/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HookStream parsed(String name) {
        try {
            return HookStream.parse(bytes(name));
        } catch (ParseException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }
}
