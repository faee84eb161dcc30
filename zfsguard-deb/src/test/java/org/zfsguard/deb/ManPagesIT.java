package org.zfsguard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The man pages and the JSON Schema as the built .deb ships them. */
class ManPagesIT {
    private static BuiltPackage pkg;

    @TempDir
    static Path tree;

    @BeforeAll
    static void unpack() {
        HostRequirements.requireTools("dpkg-deb", "man", "groff");
        pkg = BuiltPackage.fromBuild();
        Exec.host(Duration.ofMinutes(2), "dpkg-deb", "-x", pkg.deb().toString(), tree.toString()).orFail();
    }

    private static String page(String path) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tree.resolve(path)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void bothPagesNameTheVersionThatWasBuilt() throws IOException {
        assertThat(page("usr/share/man/man8/zfsguard.8.gz").lines().findFirst().orElseThrow())
                .startsWith(".TH ZFSGUARD 8 ").contains("\"zfsguard " + pkg.debVersion() + "\"");
        assertThat(page("usr/share/man/man5/zfsguard.conf.5.gz").lines().findFirst().orElseThrow())
                .startsWith(".TH ZFSGUARD.CONF 5 ").contains("\"zfsguard " + pkg.debVersion() + "\"");
    }

    @Test
    void groffFindsNothingToWarnAboutAtTheUsualWidths() {
        for (String p : new String[] {"usr/share/man/man8/zfsguard.8.gz", "usr/share/man/man5/zfsguard.conf.5.gz"}) {
            for (String width : new String[] {"70", "80", "100"}) {
                // As lintian reads them; -Z stops before the output device.
                Exec.Result r = Exec.host(Duration.ofMinutes(1), "env", "LC_ALL=C.UTF-8", "MANWIDTH=" + width,
                        "man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", tree.resolve(p).toString());
                assertThat(r.exitCode()).as(r.describe()).isZero();
                assertThat(r.stderr()).as(p + " at " + width + " columns").isEmpty();
            }
        }
    }

    @Test
    void theSchemaOfStatusJsonIsShippedWithTheDocs() throws IOException {
        Path schema = tree.resolve("usr/share/doc/zfsguard/status.schema.json");
        assertThat(schema).isRegularFile();
        assertThat(Files.readString(schema)).contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"");
    }
}
